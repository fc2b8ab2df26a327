"""Handoff actions with a real Tracker and CollectingDispatcher against the API over HTTP."""

from __future__ import annotations

import socket

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import settings
from bot.actions.handoff import (
    ActionFallback,
    ActionHandoff,
    ActionSessionStart,
    previous_user_intent,
    transcript_of,
)
from miniapp_api.db import db
from miniapp_api.handoff.models import HandoffTicket
from tests.edge import proven_metadata

SENDER = "wechat:o-handoff-action"


def user(text: str, intent: str, at: float, **metadata) -> dict:
    return {
        "event": "user",
        "text": text,
        "timestamp": at,
        "metadata": metadata,
        "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": []},
    }


def bot(text: str, at: float) -> dict:
    return {"event": "bot", "text": text, "timestamp": at}


CONVERSATION = [
    user("早上好", "greet", 1764000000.0),
    bot("您好！", 1764000001.0),
    {"event": "session_started", "timestamp": 1764000100.0},
    user("我的电话是13812345678", "nlu_fallback", 1764000200.0),
    bot("抱歉，我没太明白。", 1764000201.0),
    user("/help", "help", 1764000300.0, button_title="你能做什么？"),
    bot("我可以帮您办理……", 1764000301.0),
    user("转人工", "handoff", 1764000400.0, lang="zh_CN"),
]


def tracker(events: list[dict], sender: str = SENDER, slots: dict | None = None) -> Tracker:
    latest = next(e for e in reversed(events) if e["event"] == "user")
    return Tracker(
        sender_id=sender,
        slots=slots or {},
        latest_message={
            **latest["parse_data"],
            "text": latest["text"],
            "metadata": proven_metadata(sender, latest.get("metadata")),
        },
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action, tracker: Tracker, domain: dict | None = None) -> tuple[list, list[dict]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, domain=domain or {})
    return events, [
        {k: v for k, v in m.items() if v not in (None, [], {}) and k != "template"}
        for m in dispatcher.messages
    ]


def test_transcript_is_the_current_session_with_button_titles():
    assert transcript_of(CONVERSATION) == [
        {"role": "citizen", "text": "我的电话是13812345678", "at": "2025-11-24T16:03:20+00:00"},
        {"role": "bot", "text": "抱歉，我没太明白。", "at": "2025-11-24T16:03:21+00:00"},
        {"role": "citizen", "text": "你能做什么？", "at": "2025-11-24T16:05:00+00:00"},
        {"role": "bot", "text": "我可以帮您办理……", "at": "2025-11-24T16:05:01+00:00"},
        {"role": "citizen", "text": "转人工", "at": "2025-11-24T16:06:40+00:00"},
    ]


def test_handoff_opens_a_ticket_answers_its_number_and_pauses(live_api, app):
    events, messages = run(ActionHandoff(), tracker(CONVERSATION))
    assert events == [ConversationPaused()]
    [message] = messages
    assert message["response"] == "utter_handoff_created"
    with app.app_context():
        ticket = db.session.query(HandoffTicket).filter_by(number=message["number"]).one()
        assert (ticket.sender_id, ticket.reason, ticket.locale) == (SENDER, "requested", "zh_CN")
        assert ticket.status == "open" and len(ticket.transcript) == 5
        assert ticket.transcript[0]["text"] == "我的电话是138****5678"  # masked when stored
    # Asked again (a retry): the same ticket.
    _, again = run(ActionHandoff(), tracker(CONVERSATION))
    assert again[0]["number"] == message["number"]


def test_first_fallback_asks_to_rephrase_the_second_hands_over(live_api, app):
    once = [user("早上好", "greet", 1.0), bot("您好", 2.0), user("qwzx", "nlu_fallback", 3.0)]
    assert previous_user_intent(once) == "greet"
    assert run(ActionFallback(), tracker(once)) == ([], [{"response": "utter_default"}])
    twice = once + [bot("抱歉，我没太明白。", 4.0), user("zxqw", "nlu_fallback", 5.0)]
    events, messages = run(ActionFallback(), tracker(twice))
    assert events == [ConversationPaused()]
    assert messages[0]["response"] == "utter_handoff_created"
    with app.app_context():
        assert db.session.query(HandoffTicket).one().reason == "fallback"
    # A fallback right after a new session started is a first one.
    new_session = twice + [{"event": "session_started"}, user("zz", "nlu_fallback", 6.0)]
    assert previous_user_intent(new_session) is None


def test_a_new_session_stays_paused_while_the_ticket_is_open(live_api, client, auth):
    domain = {"session_config": {"carry_over_slots_to_new_session": True}}
    start = tracker(CONVERSATION, slots={"language": "zh_CN", "air_district": None})
    events, _ = run(ActionSessionStart(), start, domain)
    assert events == [
        SessionStarted(),
        SlotSet("language", "zh_CN"),
        ActionExecuted("action_listen"),
    ]
    run(ActionHandoff(), tracker(CONVERSATION))
    events, _ = run(ActionSessionStart(), start, domain)
    assert events[-1] == ConversationPaused()
    # Another conversation is not paused; slots are not carried when the domain says so.
    other = tracker(CONVERSATION, sender="web:someone-else", slots={"language": "en"})
    events, _ = run(
        ActionSessionStart(), other, {"session_config": {"carry_over_slots_to_new_session": False}}
    )
    assert events == [SessionStarted(), ActionExecuted("action_listen")]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def api_down(monkeypatch):
    monkeypatch.setenv("API_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("API_CONNECT_ATTEMPTS", "1")
    settings.settings.cache_clear()
    yield
    settings.settings.cache_clear()


def test_api_down_apologises_and_does_not_pause(api_down):
    events, messages = run(ActionHandoff(), tracker(CONVERSATION))
    assert events == [] and messages == [{"response": "utter_service_unavailable"}]
    events, _ = run(ActionSessionStart(), tracker(CONVERSATION), {})
    assert ConversationPaused() not in events
