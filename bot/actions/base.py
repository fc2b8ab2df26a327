"""What every action that calls the API shares: the client, and the apology when it is down."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from . import verification
from .api_client import ApiRefused, ApiUnavailable, CitizenApi, SignInRequired

logger = logging.getLogger(__name__)
SERVICE_UNAVAILABLE = "utter_service_unavailable"
# A guest conversation asked for something personal.
SIGN_IN_REQUIRED = "utter_sign_in_required"
# A refusal the action did not expect (the citizen's text is no valid number, name, date...).
NOT_UNDERSTOOD = "utter_default"


class ApiAction(Action, ABC):
    """An action with an API client for the conversation's citizen.

    Subclasses implement ``act``; if the API cannot be reached the citizen hears
    ``utter_service_unavailable`` in their language and the conversation goes on; a guest who
    asked for something personal hears ``utter_sign_in_required``. A refusal
    ``act`` does not handle itself (the API found the input invalid) is answered as input not
    understood, never with silence.
    """

    @abstractmethod
    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        """The action's work; raise ``ApiUnavailable`` (the client does) when the API is down."""

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        api = CitizenApi.for_tracker(tracker)
        dropped: List[Dict[Text, Any]] = []
        try:
            if tracker.get_slot(verification.STEP_SLOT):  # a hotline caller proving who it is
                answered = verification.answer(api, dispatcher, tracker)
                if answered is not None:
                    return answered
                dropped = [SlotSet(verification.STEP_SLOT, None)]
            return dropped + self.act(api, dispatcher, tracker, domain)
        except SignInRequired:
            if verification.is_hotline(tracker.sender_id):
                return dropped + verification.begin(dispatcher)
            dispatcher.utter_message(response=SIGN_IN_REQUIRED)
            return dropped
        except ApiUnavailable as error:
            logger.warning("%s: API unavailable (%s)", self.name(), error)
            dispatcher.utter_message(response=SERVICE_UNAVAILABLE)
            return []
        except ApiRefused as refused:
            logger.warning("%s: API refused (%s)", self.name(), refused)
            dispatcher.utter_message(response=NOT_UNDERSTOOD)
            return []


def latest_entity(tracker: Tracker, name: str) -> Optional[str]:
    """The value of entity ``name`` in the citizen's latest message, if any."""
    return next(tracker.get_latest_entity_values(name), None)


def shared_location(tracker: Tracker) -> Optional[Dict[str, float]]:
    """A location shared through the channel (web chat or mini-app), if any."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    location = metadata.get("location") or {}
    try:
        return {"lat": float(location["latitude"]), "lon": float(location["longitude"])}
    except (KeyError, TypeError, ValueError):
        return None
