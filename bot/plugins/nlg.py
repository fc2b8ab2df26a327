"""The NLG client Rasa uses to have the API render each response: Rasa's callback generator,
posting only what the renderer reads instead of the whole conversation.

Rasa's ``CallbackNaturalLanguageGenerator`` posts the tracker's full state (every event since
the conversation began) with every response: a long conversation (a WeChat openid is one
conversation forever) grows that body past the API's request limit, and every reply pays for
serialising it. The API's renderer needs the sender (whose records may be named), the slots (the
language chosen in chat) and the latest user messages (metadata ``lang``, the script of the
text), so that is what goes: the last few user events and the latest message. The check of
the reply is Rasa's schema, compiled once (``nlg_validation``; an invalid reply is refused by
Rasa's own check, with its error); the endpoint is a ``KeptAliveEndpoint``
(``bot/plugins/endpoints.py``). This ``generate`` writes no debug line, so Rasa's, which
serialised the whole tracker for one on every request, is not built at all.

A message the API marks as the same for everyone of a locale (a fixed sentence, the help menu:
``reusable_seconds`` in its reply) is said again from memory, keyed by response, locale and
channel, until that time passes: most greetings, thanks and questions then cost no call.

The API renders every response, so when it cannot be reached (stopped, timing out, failing)
Rasa would have nothing to say. Then the response is rendered here from the compiled catalogs
in the conversation's language: its own text when it is a fixed sentence, else the apology
(``utter_service_unavailable``), once per message of the citizen — the citizen always hears
something true, and never the same apology twice for one message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from functools import lru_cache
from typing import Any, Dict, Optional, Text

import aiohttp
from citizen_common.language import compiled_catalog, conversation_locale, normalize_locale
from citizen_common.nlg_wire import NLG_REUSABLE_KEY, given_arguments
from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator, nlg_response_format_spec
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from bot.plugins.endpoints import KeptAliveEndpoint
from bot.serving.action_validation import CachedValidator
from bot.speedups import enabled

logger = logging.getLogger(__name__)

# User events sent: the renderer takes the language from the latest that has letters.
RECENT_USER_EVENTS = 5
NLG_TIMEOUT_SECONDS = 5
APOLOGY = "utter_service_unavailable"
# Messages answered by an offline apology, remembered so that it is said once per message.
APOLOGIES_REMEMBERED = 1000
# Reusable messages kept (responses x locales x channels: a few hundred in practice).
REUSABLE_REMEMBERED = 2000


def slim_state(tracker: DialogueStateTracker) -> Dict[Text, Any]:
    """The part of the conversation the API's renderer reads: who, the slots, and what the
    latest user messages said and with which channel metadata (not how they were understood)."""
    user_events = [said(event) for event in tracker.events if event.type_name == "user"][
        -RECENT_USER_EVENTS:
    ]
    return {
        "sender_id": tracker.sender_id,
        "slots": tracker.current_slot_values(),
        "latest_message": said(tracker.latest_message) if tracker.latest_message else {},
        "events": user_events,
    }


def said(event: Any) -> Dict[Text, Any]:
    """A user event as the renderer reads it."""
    return {
        "event": "user",
        "text": event.text,
        "metadata": event.metadata,
        "message_id": event.message_id,
    }


class SlimCallbackNLG(CallbackNaturalLanguageGenerator):
    """``CallbackNaturalLanguageGenerator`` with the slim tracker (configure with
    ``nlg: type: bot.plugins.nlg.SlimCallbackNLG`` and the endpoint's url and token)."""

    def __init__(self, endpoint_config: Any, domain: Any = None) -> None:
        super().__init__(KeptAliveEndpoint.adopt(endpoint_config))
        self._apologised: "OrderedDict[tuple, None]" = OrderedDict()
        self._reusable = ReusableMessages()

    async def generate(
        self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        kwargs.pop("domain_responses", None)
        body = {
            "response": utter_action,
            "id": None,
            "arguments": kwargs,
            "tracker": slim_state(tracker),
            "channel": {"name": output_channel},
        }
        key = None
        if not given_arguments(kwargs):  # only those can be the same for everyone
            key = (utter_action, conversation_locale(body["tracker"]), output_channel)
            if (known := self._reusable.get(key)) is not None:
                return known
        try:
            response = await self.nlg_endpoint.request(
                method="post", json=body, timeout=NLG_TIMEOUT_SECONDS
            )
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            logger.warning(
                "NLG endpoint failed for %s (%s): rendered offline",
                utter_action,
                type(error).__name__,
            )
            return self._offline(utter_action, body)
        if isinstance(response, dict):
            seconds = response.pop(NLG_REUSABLE_KEY, None)
            if self.validate_response(response):
                if key is not None and isinstance(seconds, (int, float)) and seconds > 0:
                    self._reusable.put(key, response, seconds)
                return response
        raise RasaException("NLG web endpoint returned an invalid response.")

    def validate_response(self, content: Optional[Dict[Text, Any]]) -> bool:
        """Rasa's check of the reply, by the schema compiled once when ``nlg_validation`` is on:
        what that finds invalid is checked (and refused) by Rasa's own."""
        if enabled("nlg_validation") and content not in (None, ""):
            if compiled_nlg_validator().is_valid(content):
                return True
        return super().validate_response(content)

    def _offline(self, utter_action: Text, body: Dict[Text, Any]) -> Optional[Dict[Text, Any]]:
        response = offline_response(utter_action, body)
        if not response.get("apology"):
            return response
        message = body["tracker"]["latest_message"].get("message_id")
        key = (body["tracker"]["sender_id"], message)
        if message and key in self._apologised:
            return None  # this message has had its apology
        self._apologised[key] = None
        while len(self._apologised) > APOLOGIES_REMEMBERED:
            self._apologised.popitem(last=False)
        return {"text": response["text"]}


@lru_cache(maxsize=None)
def compiled_nlg_validator() -> CachedValidator:
    """Rasa's ``nlg_response_format_spec``, checked and compiled once."""
    return CachedValidator(nlg_response_format_spec())


class ReusableMessages:
    """Messages the API marked the same for everyone of a locale, by (response, locale,
    channel), each until the time it gave; at most ``REUSABLE_REMEMBERED``. A copy is handed
    out each time (Rasa takes the message apart as it turns it into an event)."""

    def __init__(self) -> None:
        self._messages: Dict[tuple, tuple] = {}

    def get(self, key: tuple) -> Optional[Dict[Text, Any]]:
        found = self._messages.get(key)
        if found is None:
            return None
        until, text = found
        if until <= time.monotonic():
            del self._messages[key]
            return None
        return json.loads(text)

    def put(self, key: tuple, message: Dict[Text, Any], seconds: float) -> None:
        if len(self._messages) >= REUSABLE_REMEMBERED:
            self._messages.clear()  # a bounded set of responses; only a flood of channels
        self._messages[key] = (time.monotonic() + seconds, json.dumps(message))


def offline_response(utter_action: Text, body: Dict[Text, Any]) -> Dict[Text, Any]:
    """``utter_action`` rendered without the API: in the conversation's language, its fixed
    sentence from the compiled catalog, or the apology when it needs the API's arguments,
    buttons or records (a placeholder) or is unknown."""
    locale = normalize_locale(body["arguments"].get("locale")) or conversation_locale(
        body["tracker"]
    )
    catalog = compiled_catalog(locale)
    text = catalog.gettext(utter_action)
    if text == utter_action or "{" in text or utter_action == APOLOGY:
        return {"text": catalog.gettext(APOLOGY), "apology": True}
    return {"text": text}
