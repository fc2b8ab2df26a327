"""Rasa's NLG endpoint: ``POST /nlg`` renders a response by name in the conversation's locale.

Rasa posts ``{"response", "arguments", "tracker", "channel"}``; we answer with the message. The
locale is an explicit ``locale`` argument (an action that just switched language), else the
channel metadata's ``lang`` of the latest message, else the language the citizen
chose in chat (slot ``language``), else the script of the latest message that has letters.
"""

from __future__ import annotations

import logging

from citizen_common.nlg_wire import NLG_REUSABLE_KEY, given_arguments
from flask import Blueprint, g, request

from .auth import _bearer_token, is_service_token
from .errors import ApiError
from .i18n import conversation_locale, normalize_locale
from .privacy import mask_text
from .replies import MissingArguments, UnknownResponse, render, same_for_everyone

logger = logging.getLogger(__name__)
bp = Blueprint("nlg", __name__)
# How long a message the same for everyone of a locale may be said again without asking:
# long enough to spare most calls, short enough that new catalogues show soon after a deploy.
REUSABLE_SECONDS = 300


def nlg_token() -> str:
    """The token of an NLG call: the ``token`` query parameter, else the bearer token."""
    return request.args.get("token") or _bearer_token() or ""


@bp.post("/nlg")
def generate():
    # Rasa sends the bot's service token as ``Authorization: Bearer`` (endpoints.yml
    # ``nlg.headers``; Rasa's ``nlg.token`` query parameter works too, but URLs get logged):
    # replies name citizens' own records, so nobody else may ask for them.
    if not is_service_token(nlg_token()):
        raise ApiError("unauthorized")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("response"), str):
        raise ApiError("bad_request")
    arguments = {} if body.get("arguments") is None else body["arguments"]
    tracker = {} if body.get("tracker") is None else body["tracker"]
    if not isinstance(arguments, dict) or not isinstance(tracker, dict):
        raise ApiError("bad_request")
    # Records a reply names (an appointment, a patient) must be this conversation's citizen's.
    g.conversation_sender = (
        tracker.get("sender_id") if isinstance(tracker.get("sender_id"), str) else None
    )
    # An action that has just changed the language names the locale of its reply itself.
    locale = normalize_locale(arguments.pop("locale", None)) or conversation_locale(tracker)
    reusable = same_for_everyone(body["response"], given_arguments(arguments))
    try:
        message = render(body["response"], arguments, locale)
    except UnknownResponse:
        raise ApiError("not_found", data={"response": body["response"][:100]}) from None
    except MissingArguments as missing:
        raise ApiError("validation_failed", data={"missing": missing.args[0]}) from None
    message = _masked(message)
    if reusable:
        # Rasa's NLG client (bot/plugins/nlg.py) may say it again in this locale without
        # asking, for this long; it removes the key before Rasa sees the message.
        message[NLG_REUSABLE_KEY] = REUSABLE_SECONDS
    return message


def _masked(message: dict) -> dict:
    """A reply may quote the citizen ("no hospital called ..."): personal numbers in it are
    masked like everywhere else, since replies are stored in the tracker and logged."""
    message["text"] = mask_text(message["text"])
    for button in message.get("buttons") or []:
        if isinstance(button.get("title"), str):
            button["title"] = mask_text(button["title"])
    return message
