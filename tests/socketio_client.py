"""A socket.io client of the assistant's channel, as a web page would be (python-socketio)."""

from __future__ import annotations

import queue

import requests
import socketio


def web_session(stack) -> dict:
    response = requests.post(f"{stack.api_url}/api/v1/chat/session", timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["data"]


class Conversation:
    def __init__(self, url: str, ticket: str | None, session_id: str | None = None) -> None:
        self.replies: queue.Queue = queue.Queue()
        self.confirmed: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self.replies.put)
        self.client.on("session_confirm", self.confirmed.put)
        self.client.connect(
            url,
            socketio_path="/socket.io",
            transports=["websocket"],
            wait_timeout=30,
            auth={"ticket": ticket} if ticket else None,
        )
        self.client.emit("session_request", {"session_id": session_id})
        self.session_id = self.confirmed.get(timeout=30)

    def say(
        self, text: str, count: int = 1, session_id: str | None = None, **metadata
    ) -> list[dict]:
        self.client.emit(
            "user_uttered",
            {"message": text, "session_id": session_id or self.session_id, "metadata": metadata},
        )
        return [self.replies.get(timeout=60) for _ in range(count)]

    def close(self) -> None:
        self.client.disconnect()
