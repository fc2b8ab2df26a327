"""A hotline caller proves who they are inside the call (``miniapp_api/trust/hotline.py``).

A guest hotline caller who asks for something personal is asked for the last four characters of
their ID-card number; the API texts a code to the phone on file when they match; the caller
reads it out; the API answers with the call's identity assertion, kept in a slot for the rest of
the call. Each answer is read from whatever the caller says next, whichever intent it was taken
for (a bare "123X" or "482913" can look like many things); anything else drops the step.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .api_client import ApiRefused, CitizenApi

STEP_SLOT = "hotline_verification"
ASSERTION_SLOT = "identity_assertion"
ASK_LAST4, ASK_CODE = "last4", "code"
_LAST4 = re.compile(r"(?<![0-9])([0-9]{3}[0-9Xx])(?![0-9])")
_CODE = re.compile(r"(?<![0-9])([0-9]{6})(?![0-9])")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")


def is_hotline(sender_id: str) -> bool:
    return sender_id.startswith("hotline:")


def begin(dispatcher: CollectingDispatcher) -> List[Dict[Text, Any]]:
    """A guest caller asked for something personal: ask for the first proof."""
    dispatcher.utter_message(response="utter_hotline_verify_ask_last4")
    return [SlotSet(STEP_SLOT, ASK_LAST4)]


def _found(pattern: re.Pattern, text: Optional[str]) -> Optional[str]:
    match = pattern.search((text or "").translate(_FULL_WIDTH).replace(" ", ""))
    return match.group(1).upper() if match else None


def answer(
    api: CitizenApi, dispatcher: CollectingDispatcher, tracker: Tracker
) -> Optional[List[Dict[Text, Any]]]:
    """The step's events when the caller's message answers the question asked; ``None`` when it
    does not (the step is dropped and the action goes on)."""
    step = tracker.get_slot(STEP_SLOT)
    text = (tracker.latest_message or {}).get("text")
    if step == ASK_LAST4 and (last4 := _found(_LAST4, text)):
        api.start_hotline_verification(last4)
        dispatcher.utter_message(response="utter_hotline_verify_ask_code")
        return [SlotSet(STEP_SLOT, ASK_CODE)]
    if step == ASK_CODE and (code := _found(_CODE, text)):
        try:
            proven = api.confirm_hotline_verification(code)
        except ApiRefused:
            dispatcher.utter_message(response="utter_hotline_verify_failed")
            return [SlotSet(STEP_SLOT, None)]
        dispatcher.utter_message(response="utter_hotline_verified")
        return [SlotSet(STEP_SLOT, None), SlotSet(ASSERTION_SLOT, proven["assertion"])]
    return None
