"""The hotline caller reading out the code texted to the phone on file."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from .api_client import CitizenApi
from .base import NOT_UNDERSTOOD, ApiAction


class ActionHotlineVerify(ApiAction):
    """``ApiAction`` answers the verification step when one is pending
    (``bot/actions/verification.py``); a code read out with none pending is not understood."""

    def name(self) -> Text:
        return "action_hotline_verify"

    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response=NOT_UNDERSTOOD)
        return []
