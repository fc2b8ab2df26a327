"""The NLG client Rasa uses to have the API render each response: Rasa's callback generator,
posting only what the renderer reads instead of the whole conversation.

Rasa's ``CallbackNaturalLanguageGenerator`` posts the tracker's full state (every event since
the conversation began) with every response: a long conversation (a WeChat openid is one
conversation forever) grows that body past the API's request limit, and every reply pays for
serialising it. The API's renderer needs the sender (whose records may be named), the slots (the
language chosen in chat) and the latest user messages (metadata ``lang``, the script of the
text), so that is what goes: the last few user events and the latest message. (The check of
the reply is Rasa's, compiled once by bot/serving/rasa_speedups.py.)
"""
from __future__ import annotations

from typing import Any, Dict, Text

from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

# User events sent: the renderer takes the language from the latest that has letters.
RECENT_USER_EVENTS = 5
NLG_TIMEOUT_SECONDS = 5


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

    async def generate(self, utter_action: Text, tracker: DialogueStateTracker,
                       output_channel: Text, **kwargs: Any) -> Dict[Text, Any]:
        kwargs.pop("domain_responses", None)
        body = {"response": utter_action, "id": None, "arguments": kwargs,
                "tracker": slim_state(tracker), "channel": {"name": output_channel}}
        response = await self.nlg_endpoint.request(method="post", json=body,
                                                   timeout=NLG_TIMEOUT_SECONDS)
        if isinstance(response, dict) and self.validate_response(response):
            return response
        raise RasaException("NLG web endpoint returned an invalid response.")
