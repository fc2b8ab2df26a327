"""Rasa's socket.io channel, where the conversation is the API's to name, never the client's.

- A client connects with ``auth: {"ticket": …}``, the ``channel_ticket`` of its web session
  (``POST /api/v1/chat/session``): an identity assertion for one conversation. Without a valid
  ticket the connection is refused.
- ``session_request`` confirms the ticket's conversation, whatever ``session_id`` the client
  asks for, and the socket joins that conversation's room alone; a message's ``session_id`` is
  ignored. (Rasa's own channel takes both from the client, so anyone could speak in, and hear,
  anyone's conversation.)
- Each message carries the ticket as its identity assertion, so the API acts for the session's
  citizen; an expired ticket ends the connection.

Rasa 3.6 also calls ``AsyncServer.enter_room`` without awaiting it, which since
python-socketio 5.10 is a coroutine: here it is awaited. Same name (``socketio``), settings, URL.
"""

from __future__ import annotations

import inspect
import json
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from citizen_common import identity
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint

from .edge import assertion_key


def _ticket_of(auth: Any) -> Optional[identity.Assertion]:
    ticket = auth.get("ticket") if isinstance(auth, dict) else None
    return identity.verify(ticket, assertion_key())


class SocketIOInput(RasaSocketIOInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio, namespace = self.sio, self.namespace

        @sio.on("connect", namespace=namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            assertion = _ticket_of(auth)
            if assertion is None:
                return False
            await sio.save_session(
                sid,
                {"sender_id": assertion.sender_id, "ticket": auth["ticket"]},
                namespace=namespace,
            )
            await join(sid, assertion.sender_id)
            return True

        async def join(sid: Text, room: Text) -> None:
            entered = sio.enter_room(sid, room, namespace=namespace)
            if inspect.isawaitable(entered):
                await entered

        async def conversation(sid: Text) -> Optional[Dict[str, str]]:
            session = await sio.get_session(sid, namespace=namespace)
            if identity.verify(session.get("ticket"), assertion_key()) is None:
                await sio.disconnect(sid, namespace=namespace)  # the ticket has expired
                return None
            return session

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            session = await conversation(sid)
            if session is None:
                return
            await join(sid, session["sender_id"])
            await sio.emit("session_confirm", session["sender_id"], room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: Text, data: Dict) -> None:
            session = await conversation(sid)
            if session is None or not isinstance(data, dict):
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}
            metadata[identity.METADATA_KEY] = session["ticket"]
            message = UserMessage(
                str(data.get("message", "")),
                SocketIOOutput(sio, self.bot_message_evt),
                session["sender_id"],
                input_channel=self.name(),
                metadata=metadata,
            )
            await on_new_message(message)

        return blueprint
