"""Actions run with a real Tracker and CollectingDispatcher against the API over HTTP."""

from __future__ import annotations

import socket

import pytest
from rasa_sdk.events import SlotSet

from bot.actions import settings
from bot.actions.conversation import ActionGreet, ActionSwitchLanguage

from .trackers import run, tracker_for


def test_greet_by_the_name_on_file(live_api):
    events, messages = run(ActionGreet(), tracker_for("web:demo-alice", "hi", "greet"))
    assert events == []
    assert messages == [{"response": "utter_greet_named", "name": "Alice"}]


def test_a_guest_is_greeted_by_no_name_whatever_sender_id_it_writes(live_api):
    """``web:demo-alice`` written by a client without proof is not Alice."""
    events, messages = run(
        ActionGreet(), tracker_for("web:demo-alice", "hi", "greet", proven=False)
    )
    assert messages == [{"response": "utter_greet"}]


def test_greet_a_newcomer_without_a_name(live_api):
    events, messages = run(ActionGreet(), tracker_for("wechat:o-new-visitor", "你好", "greet"))
    assert messages == [{"response": "utter_greet"}]


def test_switch_language_sets_the_slot_and_keeps_it_on_the_profile(live_api, client, auth):
    entities = [{"entity": "language", "value": "en", "start": 3, "end": 5}]
    tracker = tracker_for("web:demo-wang", "请用英文回复", "switch_language", entities)
    events, messages = run(ActionSwitchLanguage(), tracker)
    assert events == [SlotSet("language", "en")]
    assert messages == [{"response": "utter_language_switched", "locale": "en"}]
    profile = client.get("/api/v1/me", headers=auth.bot("web:demo-wang")).get_json()["data"]
    assert profile["locale"] == "en"


def test_switch_language_without_a_language_asks_which(live_api):
    tracker = tracker_for("web:demo-wang", "换个语言", "switch_language")
    events, messages = run(ActionSwitchLanguage(), tracker)
    assert events == []
    assert messages == [{"response": "utter_ask_language"}]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("action, intent", [(ActionGreet(), "greet")])
def test_api_down_gives_the_apology(monkeypatch, action, intent):
    monkeypatch.setenv("API_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("API_CONNECT_ATTEMPTS", "2")
    settings.settings.cache_clear()
    try:
        events, messages = run(action, tracker_for("web:demo-alice", "hello", intent))
    finally:
        settings.settings.cache_clear()
    assert events == []
    assert messages == [{"response": "utter_service_unavailable"}]


def test_language_switch_still_holds_when_the_profile_cannot_be_saved(monkeypatch):
    monkeypatch.setenv("API_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("API_CONNECT_ATTEMPTS", "1")
    settings.settings.cache_clear()
    entities = [{"entity": "language", "value": "zh_CN"}]
    try:
        events, messages = run(
            ActionSwitchLanguage(),
            tracker_for("web:x", "speak Chinese", "switch_language", entities),
        )
    finally:
        settings.settings.cache_clear()
    assert events == [SlotSet("language", "zh_CN")]
    assert messages == [{"response": "utter_language_switched", "locale": "zh_CN"}]


def test_a_guest_asking_for_its_records_is_asked_to_sign_in(live_api):
    """A client naming a citizen's conversation without proof hears the sign-in request, in
    the citizen's language, and nothing of the records."""
    from bot.actions.appointments import ActionListAppointments

    events, messages = run(
        ActionListAppointments(),
        tracker_for("web:demo-wang", "我挂了哪些号", "list_appointments", proven=False),
    )
    assert (events, messages) == ([], [{"response": "utter_sign_in_required"}])


def test_a_forged_assertion_is_a_guest(live_api):
    from bot.actions.appointments import ActionListAppointments
    from tests.edge import assertion

    forged = tracker_for("web:demo-wang", "我挂了哪些号", "list_appointments", proven=False)
    forged.latest_message["metadata"]["identity_assertion"] = assertion(
        "web:demo-wang", key="a-key-the-attacker-made-up-for-itself"
    )
    assert run(ActionListAppointments(), forged)[1] == [{"response": "utter_sign_in_required"}]
    stolen = tracker_for("web:demo-wang", "我挂了哪些号", "list_appointments", proven=False)
    stolen.latest_message["metadata"]["identity_assertion"] = assertion("web:mallory")
    assert run(ActionListAppointments(), stolen)[1] == [{"response": "utter_sign_in_required"}]


def test_a_hotline_caller_proves_who_they_are_inside_the_call(
    live_api, app, client, auth, tmp_path
):
    """Asked for something personal, a guest caller is asked for the last four ID characters,
    then for the code texted to the phone on file; then the call acts for that citizen."""
    import json

    from bot.actions.applications import ActionApplicationStatus
    from miniapp_api.identity import id_card_check_char

    sms = tmp_path / "sms.jsonl"
    app.config["SMS_SENDER"] = f"jsonl:{sms}"
    caller, body = "13912340000", "44010619900307123"
    id_card = body + id_card_check_char(body)
    _, headers = auth.citizen("wechat:o-hotline-action-owner", phone=caller)
    assert (
        client.post(
            "/api/v1/applications",
            headers=headers,
            json={"item_code": "residence_permit", "applicant_name": "李雷", "id_card": id_card},
        ).status_code
        == 201
    )
    call = f"hotline:{caller}-call-42"

    def turn(text, intent, **slots):
        tracker = tracker_for(call, text, intent, proven=False)
        tracker.slots.update(slots)
        return run(ActionApplicationStatus(), tracker)

    events, messages = turn("我的居住证办到哪一步了", "ask_application_status")
    assert messages == [{"response": "utter_hotline_verify_ask_last4"}]
    assert events == [SlotSet("hotline_verification", "last4")]
    events, messages = turn(
        f"后四位是{id_card[-4:]}", "provide_application_info", hotline_verification="last4"
    )
    assert messages == [{"response": "utter_hotline_verify_ask_code"}]
    assert events == [SlotSet("hotline_verification", "code")]
    [code] = [
        "".join(c for c in json.loads(line)["text"] if c.isdigit())[:6]
        for line in sms.read_text().splitlines()
    ]
    events, messages = turn(f"验证码 {code}", "nlu_fallback", hotline_verification="code")
    assert messages == [{"response": "utter_hotline_verified"}]
    [step, proof] = events
    assert step == SlotSet("hotline_verification", None)
    assert proof["name"] == "identity_assertion" and proof["value"].startswith("v1.")
    _, [status] = turn(
        "我的居住证办到哪一步了", "ask_application_status", identity_assertion=proof["value"]
    )
    assert status["response"] == "utter_application_status" and status["state"] == "submitted"


def test_a_hotline_caller_who_answers_something_else_drops_the_step(live_api):
    from bot.actions.appointments import ActionListAppointments

    tracker = tracker_for(
        "hotline:13912340001-call-1", "我挂了哪些号", "list_appointments", proven=False
    )
    tracker.slots["hotline_verification"] = "last4"
    events, messages = run(ActionListAppointments(), tracker)
    # Not an answer: the step is dropped, the question asked again from the start.
    assert messages == [{"response": "utter_hotline_verify_ask_last4"}]
    assert events == [
        SlotSet("hotline_verification", None),
        SlotSet("hotline_verification", "last4"),
    ]
