"""The chat endpoints: one turn of conversation, its history, and a web visitor's session.

A citizen's session token (or the bot's service token with an identity) chooses the
conversation; the text goes to Rasa's REST channel with the citizen's sender id and metadata
(``lang``, ``location``). Chat is rate limited per citizen and per client address.
"""

from __future__ import annotations

import secrets

from citizen_common import identity
from flask import current_app
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from ..auth import authenticate, current_citizen, issue_session_token
from ..citizens.service import citizen_for_identity
from ..db import db
from ..envelope import envelope_of, ok
from ..errors import ApiError
from ..handoff.service import open_ticket_for
from ..limiter import limiter
from .rasa import RasaClient, RasaUnavailable
from .schemas import ChatReplySchema, ChatRequestSchema, HistorySchema, WebSessionSchema
from .service import assertion_for, history_of, metadata_for, reply_of, sender_id_for

bp = Blueprint("chat", __name__, url_prefix="/api/v1", description="Chat with the assistant")
RETRY_AFTER_SECONDS = "10"


def _citizen_rate_limit() -> str:
    return current_app.config["CHAT_RATE_LIMIT"]


def _address_rate_limit() -> str:
    return current_app.config["CHAT_ADDRESS_RATE_LIMIT"]


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _new_citizen_rate_limit() -> str:
    return current_app.config["NEW_CITIZEN_RATE_LIMIT"]


def _citizen_key() -> str:
    """The citizen's own budget; a caller who is not authenticated counts by address (and is
    refused with 401 by the view)."""
    try:
        return f"citizen:{authenticate().citizen_id}"
    except ApiError:
        return f"anonymous:{get_remote_address()}"


def _unavailable() -> ApiError:
    return ApiError("assistant_unavailable", headers={"Retry-After": RETRY_AFTER_SECONDS})


@bp.post("/chat")
@limiter.limit(_address_rate_limit, scope="chat-address")
@limiter.limit(_citizen_rate_limit, key_func=_citizen_key, scope="chat-citizen")
@bp.arguments(ChatRequestSchema)
@bp.response(200, envelope_of(ChatReplySchema))
def chat(body: dict):
    """Send a message (``text``) or a button's ``payload`` and get the assistant's replies.

    ``lang`` chooses the reply language, ``location`` (from the device) answers "near me"
    questions. 503 when the assistant cannot be reached.
    """
    citizen = current_citizen()
    principal = authenticate()
    sender_id = sender_id_for(principal, citizen)
    message = (body.get("text") or body.get("payload")).strip()
    metadata = metadata_for(body, assertion_for(principal, sender_id))
    db.session.commit()  # no transaction (nor pooled connection) held while Rasa answers
    try:
        replies = RasaClient.from_config().send(sender_id, message, metadata)
    except RasaUnavailable:
        raise _unavailable() from None
    ticket = open_ticket_for(sender_id)
    handoff = {"number": ticket.number, "status": ticket.status} if ticket else None
    return ok({"replies": [r for r in map(reply_of, replies) if r], "handoff": handoff})


@bp.get("/chat/history")
@limiter.limit(_address_rate_limit, scope="chat-address")
@bp.response(200, envelope_of(HistorySchema))
def history():
    """The latest turns of the caller's conversation (its current session), oldest first."""
    citizen = current_citizen()
    sender_id = sender_id_for(authenticate(), citizen)
    try:
        events = RasaClient.from_config().events(sender_id)
    except RasaUnavailable:
        raise _unavailable() from None
    return ok({"turns": history_of(events)})


@bp.post("/chat/session")
@limiter.limit(_login_rate_limit)
@limiter.limit(_new_citizen_rate_limit, scope="new-citizens")
@bp.response(201, envelope_of(WebSessionSchema))
def web_session():
    """A web chat visitor's session: a new ``web:`` identity no one else can guess.

    ``channel_ticket`` opens the assistant's socket.io channel for this conversation alone (an
    identity assertion as long-lived as the session): the channel takes the conversation from
    it, never from the client."""
    sender_id = "web:v-" + secrets.token_urlsafe(18)
    citizen = citizen_for_identity(*sender_id.split(":", 1))
    token, expires_at = issue_session_token(citizen.id, "web")
    ticket = identity.issue(
        sender_id,
        "session",
        current_app.config["IDENTITY_ASSERTION_KEY"],
        ttl_seconds=current_app.config["SESSION_TTL_SECONDS"],
    )
    return ok(
        {
            "token": token,
            "expires_at": expires_at,
            "citizen_id": citizen.id,
            "channel_ticket": ticket,
        }
    )
