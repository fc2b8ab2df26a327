"""The socket.io channel of the running Rasa server, with python-socketio as the client: the
conversation comes from the web session's channel ticket, never from the client; replies in each
language, buttons, the metadata's language, a reconnection; and clients that lie."""

from __future__ import annotations

import pytest
import socketio

from tests.edge import assertion
from tests.socketio_client import Conversation, web_session

pytestmark = pytest.mark.e2e


@pytest.fixture
def session(running_stack) -> dict:
    return web_session(running_stack)


@pytest.fixture
def conversation(running_stack, session):
    talk = Conversation(running_stack.rasa_url, session["channel_ticket"])
    yield talk
    talk.close()


def test_a_conversation_in_chinese_then_english(conversation):
    [greeting] = conversation.say("你好呀")
    assert greeting["text"] == "您好！我是市民助手，请问有什么可以帮您？"
    [help_reply] = conversation.say("你都能帮我干点啥")
    assert [b["title"] for b in help_reply["quick_replies"]] == [
        "预约挂号",
        "办件进度",
        "公交到站",
        "空气质量",
    ]
    [thanks] = conversation.say("thanks a lot", lang="en")
    assert thanks["text"] == "You're welcome, glad I could help!"


def test_the_ticket_proves_the_session_citizen(conversation):
    """The actions act for the session's citizen (the ticket is the message's assertion)."""
    [reply] = conversation.say("我挂了哪些号")
    assert reply["text"] == "您目前没有有效的预约。"


def test_the_session_survives_a_reconnection(running_stack, session):
    first = Conversation(running_stack.rasa_url, session["channel_ticket"])
    first.say("please reply in Chinese")
    first.close()
    again = Conversation(running_stack.rasa_url, session["channel_ticket"])
    try:
        assert again.session_id == first.session_id
        # The language chosen before the reconnection still holds: one conversation.
        [reply] = again.say("thanks a lot")
        assert reply["text"] == "不客气，很高兴能帮到您！"
    finally:
        again.close()


def test_no_ticket_or_a_forged_one_is_refused(running_stack):
    forged = assertion("web:demo-wang", key="a-key-the-attacker-made-up-for-itself")
    for ticket in (None, forged, "not-a-ticket"):
        with pytest.raises(socketio.exceptions.ConnectionError):
            Conversation(running_stack.rasa_url, ticket)


def test_a_client_cannot_pick_or_join_another_conversation(running_stack, session):
    """Mallory asks for Wang's conversation and writes his session id on her messages: she
    gets her own conversation, speaks only in it, and hears nothing of his."""
    victim_session = web_session(running_stack)
    victim = Conversation(running_stack.rasa_url, victim_session["channel_ticket"])
    mallory = Conversation(
        running_stack.rasa_url, session["channel_ticket"], session_id=victim.session_id
    )
    try:
        assert mallory.session_id != victim.session_id
        mallory.say("please reply in English", session_id=victim.session_id)
        [reply] = victim.say("谢谢")
        assert reply["text"] == "不客气，很高兴能帮到您！"  # his language was not changed
        assert mallory.replies.empty()  # and his reply did not reach her
    finally:
        mallory.close()
        victim.close()
