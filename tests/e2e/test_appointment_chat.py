"""End to end: book, list, reschedule and cancel over the REST channel, in both languages,
then see the same state through the mini-app API."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
import requests

from bot.actions.dates import city_today
from tests.api.residents import valid_id_card
from tests.edge import RASA_TOKEN, bot_headers

from .booking import PERIOD_ZH, WEEKDAYS, api, free_cardiology_slot
from .conversation import say

pytestmark = pytest.mark.e2e
ID_CARD = "11010519491231002X"


def click(stack, sender, reply, title):
    button = next(b for b in reply["buttons"] if b["title"] == title)
    return say(stack, sender, button["payload"])


def test_booking_in_chinese_list_reschedule_cancel(running_stack):
    sender = f"web:e2e-booking-{uuid.uuid4().hex[:8]}"
    free = free_cardiology_slot(running_stack, sender)
    day = date.fromisoformat(free["date"])
    spoken_day = f"{day.month}月{day.day}号"
    [ask_doctor] = say(
        running_stack, sender, f"帮我挂{spoken_day}{PERIOD_ZH[free['period']]}协和医院心内科的号"
    )
    assert "您想挂哪一位" in ask_doctor["text"], ask_doctor
    assert "任意医生" in [b["title"] for b in ask_doctor["buttons"]]
    [ask_name] = click(running_stack, sender, ask_doctor, "任意医生")
    assert "就诊人的姓名" in ask_name["text"]
    [ask_id] = say(running_stack, sender, "我叫王小明")
    assert "身份证号码" in ask_id["text"]
    [ask_phone] = say(running_stack, sender, ID_CARD)
    assert "手机号码" in ask_phone["text"]
    [confirm] = say(running_stack, sender, "13800138000")
    assert confirm["text"].startswith("请确认预约：协和医院心内科")
    assert "就诊人王小明" in confirm["text"]
    assert ID_CARD not in confirm["text"]
    [booked] = click(running_stack, sender, confirm, "确认预约")
    assert booked["text"].startswith("预约成功！王小明：协和医院心内科")
    [mine] = api(running_stack, sender, "/appointments")["items"]
    assert f"您是第{mine['queue_number']}号" in booked["text"]
    assert mine["slot"]["hospital"]["address"] in booked["text"]
    assert mine["patient"]["id_card"] != ID_CARD  # masked in the mini-app API too
    # What Rasa keeps of the conversation holds the numbers masked only.
    stored = json.dumps(
        requests.get(
            f"{running_stack.rasa_url}/conversations/{sender}/tracker",
            params=RASA_TOKEN,
            timeout=10,
        ).json(),
        ensure_ascii=False,
    )
    assert "我叫王小明" in stored
    assert ID_CARD not in stored and "13800138000" not in stored
    assert "110**************X" in stored

    [listed] = say(running_stack, sender, "我挂了哪些号")
    assert listed["text"].startswith("您有1个有效预约")
    assert f"第{mine['queue_number']}号（王小明）" in listed["text"]

    other = next(p for p in PERIOD_ZH if p != free["period"])
    [changed] = say(running_stack, sender, f"换成{PERIOD_ZH[other]}")
    [after] = api(running_stack, sender, "/appointments")["items"]
    if changed["text"].startswith("已改约"):
        assert after["slot"]["period"] == other and after["id"] != mine["id"]
    else:
        assert "原来的预约" in changed["text"] and after["id"] == mine["id"]

    [cancelled] = say(running_stack, sender, f"取消我{spoken_day}的预约")
    assert cancelled["text"].startswith("已取消王小明在")
    assert api(running_stack, sender, "/appointments")["items"] == []
    history = api(running_stack, sender, "/appointments", status="all")["items"]
    assert {a["status"] for a in history} <= {"cancelled", "rescheduled"}
    assert after["id"] in {a["id"] for a in history if a["status"] == "cancelled"}


def test_english_booking_asks_the_hospital_then_stops_on_request(running_stack):
    sender = f"web:e2e-booking-{uuid.uuid4().hex[:8]}"
    # A weekday in the booking window whatever today is ("on Friday" said on a Friday is today).
    day = city_today() + timedelta(days=2)
    [ask_hospital] = say(
        running_stack, sender, f"I need to see a dermatologist on {WEEKDAYS[day.weekday()]}"
    )
    assert ask_hospital["text"].startswith(
        "These hospitals have that department. Which hospital"
    ), ask_hospital
    assert len(ask_hospital["buttons"]) >= 2
    replies = click(running_stack, sender, ask_hospital, ask_hospital["buttons"][0]["title"])
    assert replies[-1]["text"], replies
    [stopped] = say(running_stack, sender, "never mind, forget it")
    assert stopped["text"] == "OK, I haven't booked anything."
    assert api(running_stack, sender, "/appointments")["items"] == []


def test_another_question_mid_booking_then_the_booking_goes_on(running_stack):
    sender = f"web:e2e-booking-{uuid.uuid4().hex[:8]}"
    [ask_department] = say(running_stack, sender, "我想挂协和医院的号")
    assert "您想挂协和医院的哪个科室" in ask_department["text"]
    air, again = say(running_stack, sender, "对了，今天空气怎么样")
    assert "空气质量指数" in air["text"]
    assert again["text"] == ask_department["text"]
    [next_question] = say(running_stack, sender, "心内科")
    assert "哪一天" in next_question["text"] or "约满" in next_question["text"]


def test_the_booking_questions_take_bare_answers(running_stack):
    """ "请问您想挂哪家医院的号？" — "协和"; several hospitals offered — "第二个"; the
    department question — a department alone, in traditional script."""
    sender = f"web:e2e-booking-{uuid.uuid4().hex[:8]}"
    [ask_hospital] = say(running_stack, sender, "我想预约挂号")
    assert "哪家医院" in ask_hospital["text"], ask_hospital
    [ask_department] = say(running_stack, sender, "协和")
    assert "您想挂协和医院的哪个科室" in ask_department["text"], ask_department
    [next_question] = say(running_stack, sender, "心內科")
    assert "哪一天" in next_question["text"] or "约满" in next_question["text"], next_question

    other = f"web:e2e-booking-{uuid.uuid4().hex[:8]}"
    [which] = say(running_stack, other, "我想挂皮肤科的号")
    assert len(which["buttons"]) >= 2, which
    payload = which["buttons"][1]["payload"]
    second = json.loads(payload[payload.index("{") :])
    replies = say(running_stack, other, "第二个")
    assert replies and replies[-1]["text"] != which["text"], replies
    tracker = requests.get(
        f"{running_stack.rasa_url}/conversations/{other}/tracker", params=RASA_TOKEN, timeout=10
    ).json()
    assert tracker["slots"]["hospital_id"] == second["hospital_id"]
    assert tracker["slots"]["department_id"]


def test_corrections_mid_form_and_another_doctor_after_booking(running_stack):
    sender = f"web:e2e-booking-{uuid.uuid4().hex[:8]}"
    free = free_cardiology_slot(running_stack, sender)
    day = date.fromisoformat(free["date"])
    other = next(p for p in PERIOD_ZH if p != free["period"])
    [ask_doctor] = say(
        running_stack, sender, f"我要挂协和医院心内科{day.month}月{day.day}号{PERIOD_ZH[other]}的号"
    )
    # Whatever that period offers, correcting it to the free one asks for the doctor again.
    replies = say(running_stack, sender, f"不对，换成{PERIOD_ZH[free['period']]}")
    assert "您想挂哪一位" in replies[-1]["text"], replies
    doctor_button = next(b for b in replies[-1]["buttons"] if b["title"] != "任意医生")
    [ask_name] = say(running_stack, sender, doctor_button["payload"])
    assert "就诊人的姓名" in ask_name["text"]
    say(running_stack, sender, "李小红")
    say(running_stack, sender, ID_CARD)
    [confirm] = say(running_stack, sender, "13900001111")
    assert confirm["text"].startswith("请确认预约")
    [booked] = say(running_stack, sender, "好的，确认")
    assert booked["text"].startswith("预约成功！李小红")
    [before] = api(running_stack, sender, "/appointments")["items"]
    [changed] = say(running_stack, sender, "换个医生吧")
    [after] = api(running_stack, sender, "/appointments")["items"]
    if changed["text"].startswith("已改约"):
        assert after["slot"]["doctor"]["id"] != before["slot"]["doctor"]["id"]
        assert after["slot"]["date"] == before["slot"]["date"]
    else:
        assert after["id"] == before["id"]


def book_through_the_api(stack, sender, slots, id_card=ID_CARD):
    """``sender``'s patient and an appointment on each of ``slots``, booked through the API (so
    the conversation's tracker names none of them)."""

    def post(path, body):
        response = requests.post(
            f"{stack.api_url}/api/v1{path}", headers=bot_headers(sender), json=body, timeout=10
        )
        assert response.status_code in (200, 201), response.text
        return response.json()["data"]

    patient = post("/patients", {"name": "王小明", "id_card": id_card, "phone": "13800138000"})
    return [post("/appointments", {"slot_id": s["id"], "patient_id": patient["id"]}) for s in slots]


def test_rescheduling_with_several_appointments_asks_which(running_stack):
    sender = f"web:e2e-booking-{uuid.uuid4().hex[:8]}"
    other = f"web:e2e-booking-{uuid.uuid4().hex[:8]}"
    first = free_cardiology_slot(running_stack, sender)
    cardiology = api(
        running_stack, sender, "/slots", department_id=first["department"]["id"], available="true"
    )["items"]
    second = next(s for s in cardiology if s["date"] != first["date"])
    third = next(s for s in cardiology if s["id"] not in (first["id"], second["id"]))
    booked = book_through_the_api(running_stack, sender, [first, second])
    [theirs] = book_through_the_api(
        running_stack, other, [third], id_card=valid_id_card("44010619790621003")
    )
    before = api(running_stack, sender, "/appointments")["items"]
    period = next(p for p in PERIOD_ZH if p != first["period"])

    [ask] = say(running_stack, sender, f"换成{PERIOD_ZH[period]}")
    assert ask["text"] == "您有几个预约，要改哪一个？", ask
    assert len(ask["buttons"]) == 2
    assert api(running_stack, sender, "/appointments")["items"] == before  # nothing moved yet

    # A client that writes the other citizen's appointment into the payload moves nothing.
    forged = f'/change_booking{{"appointment_id": "{theirs["id"]}", "period": "{period}"}}'
    [refused] = say(running_stack, sender, forged)
    assert refused["text"] == "您目前没有有效的预约。"
    assert api(running_stack, sender, "/appointments")["items"] == before
    assert [a["id"] for a in api(running_stack, other, "/appointments")["items"]] == [theirs["id"]]

    # The button of the first appointment moves that one, to the period asked for.
    chosen = next(b for b in ask["buttons"] if f'"{booked[0]["id"]}"' in b["payload"])
    [changed] = say(running_stack, sender, chosen["payload"])
    after = {a["id"]: a for a in api(running_stack, sender, "/appointments")["items"]}
    assert booked[1]["id"] in after  # the other appointment stays as it was
    if changed["text"].startswith("已改约"):
        [moved] = [a for a in after.values() if a["id"] != booked[1]["id"]]
        assert moved["id"] != booked[0]["id"]
        assert (moved["slot"]["date"], moved["slot"]["period"]) == (first["date"], period)
    else:
        assert "原来的预约" in changed["text"] and booked[0]["id"] in after
