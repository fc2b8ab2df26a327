"""Rasa's socket.io channel, with its persistent sessions working on python-socketio 5.10+.

Rasa 3.6 calls ``AsyncServer.enter_room`` without awaiting it; since python-socketio 5.10 it is
a coroutine, so the socket never joins its session's room and the bot's replies (sent to that
room) reach no one. This channel is Rasa's, with the ``session_request`` handler replaced by one
that awaits it. Same name (``socketio``), same settings, same URL.
"""
from __future__ import annotations

import inspect
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint


class SocketIOInput(RasaSocketIOInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = data or {}
            if data.get("session_id") is None:
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                entered = sio.enter_room(sid, data["session_id"], namespace=self.namespace)
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", data["session_id"], room=sid,
                           namespace=self.namespace)

        return blueprint
