"""Greeting by name and switching the reply language."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from citizen_common.language import LANGUAGE_SLOT, SUPPORTED_LOCALES
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .api_client import ApiRefused, ApiUnavailable, CitizenApi, SignInRequired
from .base import ApiAction, latest_entity

logger = logging.getLogger(__name__)


class ActionGreet(ApiAction):
    """Greets the citizen, by the name on file when there is one."""

    def name(self) -> Text:
        return "action_greet"

    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        try:
            citizen = api.me()
        except SignInRequired:  # a guest is greeted all the same, by no name
            citizen = {}
        if citizen.get("display_name"):
            dispatcher.utter_message(response="utter_greet_named", name=citizen["display_name"])
        else:
            dispatcher.utter_message(response="utter_greet")
        return []


class ActionSwitchLanguage(ApiAction):
    """Sets the reply language the citizen asked for, and keeps it on their profile."""

    def name(self) -> Text:
        return "action_switch_language"

    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        locale = latest_entity(tracker, "language")
        if locale not in SUPPORTED_LOCALES:
            dispatcher.utter_message(response="utter_ask_language")
            return []
        try:
            api.set_locale(locale)
        except (ApiUnavailable, ApiRefused, SignInRequired) as error:
            # The choice still holds for this conversation; only the profile missed it.
            logger.warning("could not keep the locale on the profile: %s", error)
        # The slot takes effect after this action, so this reply names its locale itself.
        dispatcher.utter_message(response="utter_language_switched", locale=locale)
        return [SlotSet(LANGUAGE_SLOT, locale)]
