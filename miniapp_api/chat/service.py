"""Which conversation a caller of the chat endpoints speaks in, and the replies in our shape."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from citizen_common import identity
from citizen_common.language import CHOSEN_LANGUAGE_KEY, INTERFACE_LANGUAGE_KEY
from flask import current_app, request

from ..auth import Principal, header_identity
from ..citizens.models import Citizen
from ..citizens.service import parse_sender_id

HISTORY_TURNS = 50


def sender_id_for(principal: Principal, citizen: Citizen) -> str:
    """The Rasa sender id of the caller's conversation.

    The bot's service token names it (``X-Citizen-Identity``); a session speaks through the
    identity of the platform it logged in with (a WeChat mini-app login and the WeChat official
    account share ``wechat:<openid>``), else through the citizen's first identity.
    """
    if principal.via == "bot":
        channel, external_id = parse_sender_id(header_identity())
        return f"{channel}:{external_id}"
    same_platform = [i for i in citizen.identities if i.channel == principal.platform]
    return (same_platform or citizen.identities)[0].sender_id


def assertion_for(principal: Principal, sender_id: str) -> str:
    """The identity assertion that goes with the message: the API's own word for a session it
    verified; for the bot (which proved the conversation to reach here), the one it sent."""
    if principal.via == "bot":
        return request.headers.get(identity.HEADER, "")
    return identity.issue(sender_id, "session", current_app.config["IDENTITY_ASSERTION_KEY"])


def metadata_for(body: dict, assertion: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {"channel": "miniapp", identity.METADATA_KEY: assertion}
    for key in (CHOSEN_LANGUAGE_KEY, INTERFACE_LANGUAGE_KEY):
        if body.get(key):
            metadata[key] = body[key]
    if body.get("location"):
        metadata["location"] = body["location"]
    if body.get("payload") and body.get("title"):
        metadata["button_title"] = body["title"]
    return metadata


def reply_of(message: dict) -> dict:
    """A bot message in the chat endpoint's shape: text, buttons, image (what is present)."""
    reply: dict[str, Any] = {}
    if isinstance(message.get("text"), str):
        reply["text"] = message["text"]
    buttons = [b for b in message.get("buttons") or [] if isinstance(b, dict)]
    if buttons:
        reply["buttons"] = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in buttons
        ]
    if isinstance(message.get("image"), str):
        reply["image"] = message["image"]
    return reply


def history_of(events: list[dict]) -> list[dict]:
    """The latest turns of a conversation, from its Rasa events (the current session's)."""
    turns: list[dict] = []
    for event in events:
        kind = event.get("event")
        if kind == "session_started":
            turns = []
        elif kind == "user":
            # A button's payload is shown as the button's title, as the citizen saw it.
            text = (event.get("metadata") or {}).get("button_title") or event.get("text") or ""
            if text.startswith("/"):  # a payload without its title
                text = ""
            if text:
                turns.append({"role": "citizen", "text": text, "at": _moment(event)})
        elif kind == "bot" and (event.get("text") or (event.get("data") or {}).get("buttons")):
            turn = {
                "role": "bot",
                **reply_of({"text": event.get("text"), **(event.get("data") or {})}),
                "at": _moment(event),
            }
            turns.append(turn)
    return turns[-HISTORY_TURNS:]


def _moment(event: dict) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(event["timestamp"]), tz=timezone.utc)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
