"""The NLG client Rasa uses to have the API render each response: Rasa's callback generator,
posting only what the renderer reads instead of the whole conversation.

Rasa's ``CallbackNaturalLanguageGenerator`` posts the tracker's full state (every event since
the conversation began) with every response: a long conversation (a WeChat openid is one
conversation forever) grows that body past the API's request limit, and every reply pays for
serialising it. The API's renderer needs the sender (whose records may be named), the slots (the
language chosen in chat) and the latest user messages (metadata ``lang``, the script of the
text), so that is what goes: the last few user events and the latest message. (The check of
the reply is Rasa's, compiled once by bot/serving/rasa_speedups.py.)

The API renders every response, so when it cannot be reached (stopped, timing out, failing)
Rasa would have nothing to say. Then the response is rendered here from the compiled catalogs
in the conversation's language: its own text when it is a fixed sentence, else the apology
(``utter_service_unavailable``), once per message of the citizen — the citizen always hears
something true, and never the same apology twice for one message.
"""
from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any, Dict, Optional, Text

import aiohttp
from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from citizen_locale import compiled_catalog, conversation_locale, normalize_locale

logger = logging.getLogger(__name__)

# User events sent: the renderer takes the language from the latest that has letters.
RECENT_USER_EVENTS = 5
NLG_TIMEOUT_SECONDS = 5
APOLOGY = "utter_service_unavailable"
# Messages answered by an offline apology, remembered so that it is said once per message.
APOLOGIES_REMEMBERED = 1000


def slim_state(tracker: DialogueStateTracker) -> Dict[Text, Any]:
    """The part of the conversation the API's renderer reads."""
    user_events = [event.as_dict() for event in tracker.events
                   if event.type_name == "user"][-RECENT_USER_EVENTS:]
    return {"sender_id": tracker.sender_id, "slots": tracker.current_slot_values(),
            "latest_message": tracker.latest_message.as_dict() if tracker.latest_message
            else {}, "events": user_events}


class SlimCallbackNLG(CallbackNaturalLanguageGenerator):
    """``CallbackNaturalLanguageGenerator`` with the slim tracker (configure with
    ``nlg: type: bot.plugins.nlg.SlimCallbackNLG`` and the endpoint's url and token)."""

    def __init__(self, endpoint_config: Any, domain: Any = None) -> None:
        super().__init__(endpoint_config)
        self._apologised: "OrderedDict[tuple, None]" = OrderedDict()

    async def generate(self, utter_action: Text, tracker: DialogueStateTracker,
                       output_channel: Text, **kwargs: Any) -> Optional[Dict[Text, Any]]:
        kwargs.pop("domain_responses", None)
        body = {"response": utter_action, "id": None, "arguments": kwargs,
                "tracker": slim_state(tracker), "channel": {"name": output_channel}}
        try:
            response = await self.nlg_endpoint.request(method="post", json=body,
                                                       timeout=NLG_TIMEOUT_SECONDS)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            logger.warning("NLG endpoint failed for %s (%s): rendered offline", utter_action,
                           type(error).__name__)
            return self._offline(utter_action, body)
        if isinstance(response, dict) and self.validate_response(response):
            return response
        raise RasaException("NLG web endpoint returned an invalid response.")

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


def offline_response(utter_action: Text, body: Dict[Text, Any]) -> Dict[Text, Any]:
    """``utter_action`` rendered without the API: in the conversation's language, its fixed
    sentence from the compiled catalog, or the apology when it needs the API's arguments,
    buttons or records (a placeholder) or is unknown."""
    locale = (normalize_locale(body["arguments"].get("locale"))
              or conversation_locale(body["tracker"]))
    catalog = compiled_catalog(locale)
    text = catalog.gettext(utter_action)
    if text == utter_action or "{" in text or utter_action == APOLOGY:
        return {"text": catalog.gettext(APOLOGY), "apology": True}
    return {"text": text}
