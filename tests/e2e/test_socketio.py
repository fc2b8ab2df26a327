"""The socket.io channel of the running Rasa server, with python-socketio as the client: a
persistent session, replies in each language, buttons, and the metadata's language."""
from __future__ import annotations

import queue
import uuid

import pytest
import socketio

pytestmark = pytest.mark.e2e


class Conversation:
    def __init__(self, url: str, session_id: str) -> None:
        self.replies: queue.Queue = queue.Queue()
        self.confirmed: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self.replies.put)
        self.client.on("session_confirm", self.confirmed.put)
        self.client.connect(url, socketio_path="/socket.io", transports=["websocket"],
                            wait_timeout=30)
        self.session_id = session_id
        self.client.emit("session_request", {"session_id": session_id})
        assert self.confirmed.get(timeout=30) == session_id

    def say(self, text: str, count: int = 1, **metadata) -> list[dict]:
        self.client.emit("user_uttered", {"message": text, "session_id": self.session_id,
                                          "metadata": metadata})
        return [self.replies.get(timeout=60) for _ in range(count)]

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def conversation(running_stack):
    talk = Conversation(running_stack.rasa_url, f"web:sio-{uuid.uuid4().hex[:12]}")
    yield talk
    talk.close()


def test_a_conversation_in_chinese_then_english(conversation):
    [greeting] = conversation.say("你好呀")
    assert greeting["text"] == "您好！我是市民助手，请问有什么可以帮您？"
    [help_reply] = conversation.say("你都能帮我干点啥")
    assert [b["title"] for b in help_reply["quick_replies"]] == [
        "预约挂号", "办件进度", "公交到站", "空气质量"]
    [thanks] = conversation.say("thanks a lot", lang="en")
    assert thanks["text"] == "You're welcome, glad I could help!"


def test_the_session_survives_a_reconnection(running_stack):
    session_id = f"web:sio-{uuid.uuid4().hex[:12]}"
    first = Conversation(running_stack.rasa_url, session_id)
    first.say("please reply in Chinese")
    first.close()
    again = Conversation(running_stack.rasa_url, session_id)
    try:
        # The language chosen before the reconnection still holds: one conversation.
        [reply] = again.say("thanks a lot")
        assert reply["text"] == "不客气，很高兴能帮到您！"
    finally:
        again.close()
