"""Rasa's NLG endpoint renders every response by name in the conversation's locale."""

import pytest

from miniapp_api.appointments import reply_arguments as booking_replies
from miniapp_api.nlg import conversation_locale
from miniapp_api.replies import RESPONSES
from tests.edge import bot_headers


def names_records(response) -> bool:
    """Whether a response names booking records (so the test needs real ones)."""
    return any(
        getattr(maker, "__module__", None) == booking_replies.__name__
        for maker in (response.buttons, response.data_arguments)
    )


@pytest.fixture
def database_url(seeded_sqlite_url):
    """Replies name the demo city's records; one engine is enough."""
    return seeded_sqlite_url


def user(text, **metadata):
    return {"event": "user", "text": text, "metadata": metadata}


def nlg(client, response, events=(), slots=None, sender="web:nlg-test", **arguments):
    tracker = {"sender_id": sender, "events": list(events), "slots": slots or {}}
    return client.post(
        f"/nlg?token={client.application.config['BOT_SERVICE_TOKEN']}",
        json={
            "response": response,
            "arguments": arguments,
            "tracker": tracker,
            "channel": {"name": "rest"},
        },
    )


def test_greeting_in_chinese_and_english(client):
    zh = nlg(client, "utter_greet_named", [user("你好")], name="王小明")
    assert zh.status_code == 200
    assert zh.get_json() == {"text": "王小明，您好！我是市民助手，请问有什么可以帮您？"}  # no mark
    en = nlg(client, "utter_greet_named", [user("hi there")], name="Alice")
    assert en.get_json()["text"] == "Hello Alice! I'm the Citizen Assistant. How can I help you?"


def test_messages_the_same_for_everyone_of_a_locale_are_marked_reusable(client):
    """Rasa's NLG client says these again without asking (bot/plugins/nlg.py); nothing made
    from arguments, records or data is marked."""
    for name in ("utter_greet", "utter_help", "utter_default", "utter_ask_language"):
        assert nlg(client, name, [user("hi")]).get_json()["reusable_seconds"] > 0, name
    # rasa-sdk's utter_message sends its message fields with every response, empty here.
    sdk_fields = {
        "text": None,
        "buttons": [],
        "elements": [],
        "custom": {},
        "image": None,
        "attachment": None,
        "template": "utter_greet",
    }
    assert nlg(client, "utter_greet", [user("hi")], **sdk_fields).get_json()["reusable_seconds"]
    assert (
        "reusable_seconds"
        not in nlg(client, "utter_greet_named", [user("hi")], name="Alice").get_json()
    )
    assert (
        "reusable_seconds" not in nlg(client, "utter_ask_patient_id", [user("book")]).get_json()
    )  # the citizen's patients
    for name, response in RESPONSES.items():
        if response.required or names_records(response):
            assert not response.same_for_everyone, name


def test_help_lists_every_service_with_buttons(client):
    body = nlg(client, "utter_help", [user("what can you do")]).get_json()
    assert body["text"].startswith("I can help you with: Hospital appointments, ")
    assert [b["title"] for b in body["buttons"]] == [
        "Hospital appointments",
        "Application progress",
        "Bus arrivals",
        "Air quality",
    ]
    zh = nlg(client, "utter_help", [user("你能干啥")]).get_json()
    assert "预约挂号" in zh["text"] and zh["buttons"][0]["payload"] == "我要挂号"


def test_language_buttons_switch_with_a_payload(client):
    body = nlg(client, "utter_ask_language", [user("change language")]).get_json()
    assert [b["payload"] for b in body["buttons"]] == [
        '/switch_language{"language": "zh_CN"}',
        '/switch_language{"language": "zh_Hant"}',
        '/switch_language{"language": "en"}',
    ]
    assert [b["title"] for b in body["buttons"]] == ["中文", "繁體中文", "English"]


def test_traditional_replies_write_the_names_data_holds_in_traditional_script(client):
    """The zh_Hant catalog is built from zh_CN's; a name from data (a place) is converted too."""
    body = nlg(client, "utter_stop_unknown", [user("幾點有車")], query="天河客运站").get_json()
    assert "天河客運站" in body["text"] and "这" not in body["text"]
    simplified = nlg(client, "utter_stop_unknown", [user("几点有车")], query="天河客运站")
    assert "天河客运站" in simplified.get_json()["text"]


# Arguments of every kind a response may take, as actions send them.
SAMPLE_ARGUMENTS = {
    "name": "Alice",
    "place_kind": "city",
    "place_code": "city",
    "aqi": 128,
    "level": 3,
    "primary": ["pm25"],
    "pollutant": "pm25",
    "concentration": 96.5,
    "iaqi": 128,
    "activity": "running",
    "observed_at": "2026-11-23T06:00:00Z",
    "number": "GZ2026-7M6E-TZWF-057",
    "item_code": "residence_permit",
    "state": "supplement_requested",
    "due_date": "2026-12-01",
    "overdue": False,
    "materials": ["photo"],
    "reason": None,
    # Buses: the demo feed's ids.
    "stop_id": "tianhe_coach_terminal",
    "stop_ids": ["tianhe_coach_terminal"],
    "route": "55",
    "route_ids": ["55"],
    "route_id": "55",
    "place": "Tiyu",
    "query": "Mars",
    "stops": [{"id": "zhujiang_new_town", "distance": 120}],
    "arrivals": [
        {
            "routeId": "55",
            "tripId": None,
            "tripHeadsign": None,
            "minutesAway": 4,
            "numberOfStopsAway": 2,
            "predicted": True,
            "status": "scheduled",
        }
    ],
    "realtime": {"status": "fresh", "ageSeconds": 10},
    "applications": [
        {"number": "GZ2026-7M6E-TZWF-057", "item_code": "residence_permit", "state": "accepted"}
    ],
}


def booking_arguments(app, client, sender: str) -> dict:
    """A booked appointment of ``sender``'s, and the ids and codes booking replies take."""
    headers = bot_headers(sender, service_token=app.config["BOT_SERVICE_TOKEN"])
    [department] = [
        d
        for d in client.get(
            "/api/v1/departments", headers=headers, query_string={"q": "心内科", "limit": 1}
        ).get_json()["data"]["items"]
    ]
    slot = client.get(
        "/api/v1/slots",
        headers=headers,
        query_string={"department_id": department["id"], "available": "true"},
    ).get_json()["data"]["items"][0]
    patient = client.post(
        "/api/v1/patients",
        headers=headers,
        json={"name": "Wang Xiaoming", "id_card": "11010519491231002X", "phone": "13800138000"},
    ).get_json()["data"]
    booked = client.post(
        "/api/v1/appointments",
        headers=headers,
        json={"slot_id": slot["id"], "patient_id": patient["id"]},
    ).get_json()
    appointment = booked["data"]
    return {
        "hospital_id": slot["hospital"]["id"],
        "department_id": department["id"],
        "doctor_id": slot["doctor"]["id"],
        "appointment_date": slot["date"],
        "date": slot["date"],
        "period": slot["period"],
        "slot_id": slot["id"],
        "patient_id": patient["id"],
        "appointment_id": appointment["id"],
        "appointment_ids": [appointment["id"]],
        "queue_number": appointment["queue_number"],
        "errcode": 40900,
        "kind": "hospital",
        "query": "Mars",
        "field": "patient_phone",
        "alternatives": [{"date": slot["date"], "period": slot["period"]}],
        "booking_choices": {"kind": "doctor", "reason": "choose", "ids": [slot["doctor"]["id"]]},
    }


@pytest.mark.parametrize("name", sorted(RESPONSES))
@pytest.mark.parametrize("text", ["你好", "hello"])
def test_every_response_renders_in_both_locales(app, client, name, text):
    from miniapp_api.applications.service import seed_service_items

    with app.app_context():
        seed_service_items()
    arguments = dict(SAMPLE_ARGUMENTS)
    if names_records(RESPONSES[name]):
        arguments.update(booking_arguments(app, client, "web:nlg-test"))
    response = nlg(client, name, [user(text)], **arguments)
    assert response.status_code == 200
    rendered = response.get_json()["text"]
    assert rendered and rendered != name
    assert "{" not in rendered and "None" not in rendered
    has_han = any("\u4e00" <= ch <= "\u9fff" for ch in rendered)
    assert has_han == (text == "你好") or name == "utter_ask_language"


@pytest.mark.parametrize(
    "events, slots, expected",
    [
        ([user("hello", lang="zh_CN")], {}, "zh_CN"),  # a choice sent with the message first
        ([user("你好", lang="en")], {"language": "zh_CN"}, "en"),
        # The page's language is a default: the citizen's own writing comes before it.
        ([user("我想挂明天协和医院皮肤科的号", interface_lang="en")], {}, "zh_CN"),
        ([user("hello", interface_lang="zh_CN")], {}, "en"),
        ([user("12345", interface_lang="en")], {}, "en"),
        ([user("/greet", interface_lang="en")], {}, "en"),
        ([user("你好", interface_lang="en")], {"language": "en"}, "en"),
        # Traditional script is answered in it; a character both scripts share says nothing.
        ([user("幾點有車")], {}, "zh_Hant"),
        ([user("幾點有車"), user("你好")], {}, "zh_Hant"),  # 你好: both scripts write it
        ([user("幾點有車"), user("谢谢你")], {}, "zh_CN"),
        ([user("你好")], {"language": "zh_Hant"}, "zh_Hant"),
        ([user("hello", lang="zh-TW")], {}, "zh_Hant"),
        ([user("你好")], {"language": "en"}, "en"),  # then the choice made in chat
        ([user("你好"), user("12345")], {}, "zh_CN"),  # then the last message with letters
        ([user("你好"), user("/greet")], {}, "zh_CN"),
        ([user("你好"), user("ok thanks")], {}, "en"),
        ([], {}, "zh_CN"),  # default
    ],
)
def test_conversation_locale(events, slots, expected):
    assert conversation_locale({"events": events, "slots": slots}) == expected


def test_explicit_locale_argument_wins(client):
    body = nlg(client, "utter_language_switched", [user("请用英文")], locale="en").get_json()
    assert body["text"] == "OK, I'll reply in English from now on."


def test_unknown_response_and_missing_argument(client):
    assert nlg(client, "utter_nonexistent", [user("hi")]).status_code == 404
    missing = nlg(client, "utter_greet_named", [user("hi")])
    assert missing.status_code == 422
    assert missing.get_json()["data"] == {"missing": ["name"]}


@pytest.mark.parametrize(
    "body", [None, [], {"response": 5}, {"response": "utter_greet", "arguments": []}]
)
def test_malformed_nlg_requests_are_400(client, body):
    response = client.post(
        f"/nlg?token={client.application.config['BOT_SERVICE_TOKEN']}", json=body
    )
    assert response.status_code == 400
    assert response.get_json()["errcode"] == 40000


def test_air_quality_reply_names_place_level_pollutant_and_advice(app, client):
    from miniapp_api.air.service import seed_places

    with app.app_context():
        seed_places()
    arguments = {**SAMPLE_ARGUMENTS, "place_kind": "district", "place_code": "tianhe"}
    zh = nlg(client, "utter_air_quality", [user("天河空气咋样")], **arguments).get_json()["text"]
    assert zh.startswith(
        "天河区现在的空气质量指数（AQI）是 128，三级（轻度污染），首要污染物为PM2.5。"
    )
    assert "数据时间：2026年11月23日 14:00:00" in zh
    with_groups = nlg(
        client,
        "utter_air_quality",
        [user("天河空气咋样")],
        **{**arguments, "sensitive": ["pm25", "pm10"]},
    ).get_json()["text"]
    # PM10 and PM2.5 share one group text (HJ 633-2026 Table 2): named once.
    assert with_groups.count("需特别注意的人群：患有心血管系统疾病或呼吸系统疾病") == 1
    en = nlg(client, "utter_air_activity", [user("can I go running")], **arguments)
    assert en.get_json()["text"].startswith(
        "Now in Tianhe: AQI 128, Lightly polluted. You can go running, but sensitive people"
    )
    kids = nlg(
        client,
        "utter_air_activity",
        [user("孩子能出去玩吗")],
        **{**arguments, "activity": "kids_outdoor", "level": 5, "aqi": 230},
    )
    assert "现在不建议带孩子到户外玩，尽量留在室内。" in kids.get_json()["text"]
    # NLU may pass an activity word no synonym normalized: advice for going outside.
    unknown = nlg(
        client, "utter_air_activity", [user("晨练行不行")], **{**arguments, "activity": "晨练"}
    )
    assert unknown.status_code == 200 and "到户外活动" in unknown.get_json()["text"]


def test_only_the_bot_may_ask_for_replies(client):
    body = {"response": "utter_greet", "arguments": {}, "tracker": {"events": []}}
    for path in ("/nlg", "/nlg?token=guess"):
        response = client.post(path, json=body)
        assert response.status_code == 401
        assert response.get_json()["errcode"] == 40100


def test_choice_buttons_follow_the_given_order_and_skip_unknown_ids(app, client):
    from miniapp_api.appointments.models import Hospital
    from miniapp_api.db import db

    with app.app_context():
        hospitals = db.session.scalars(db.select(Hospital).order_by(Hospital.id)).all()[:3]
        expected = [h.name("en") for h in reversed(hospitals)]
        ids = [h.id for h in reversed(hospitals)]
    body = nlg(
        client,
        "utter_ask_hospital_id",
        [user("book a hospital")],
        booking_choices={
            "kind": "hospital",
            "reason": "ambiguous",
            "query": "x",
            "ids": [ids[0], 999999, ids[1], ids[2]],
        },
    ).get_json()
    assert [button["title"] for button in body["buttons"]] == expected


def test_which_appointment_to_move_carries_the_change_and_only_the_citizens_own(app, client):
    import json

    mine = booking_arguments(app, client, "web:nlg-mover")
    theirs = booking_arguments(app, client, "web:nlg-other")
    body = nlg(
        client,
        "utter_ask_which_appointment_to_reschedule",
        [user("换成下午")],
        sender="web:nlg-mover",
        period="afternoon",
        booking_field="doctor",
        appointment_ids=[mine["appointment_id"], theirs["appointment_id"]],
    ).get_json()
    assert body["text"] == "您有几个预约，要改哪一个？"
    [button] = body["buttons"]  # the other citizen's appointment is no choice
    intent, _, entities = button["payload"].partition("{")
    assert intent == "/change_booking"
    assert json.loads("{" + entities) == {
        "appointment_id": str(mine["appointment_id"]),
        "period": "afternoon",
        "booking_field": "doctor",
    }
