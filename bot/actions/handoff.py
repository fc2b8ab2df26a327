"""Human handoff: open a ticket with the conversation's transcript, tell the citizen its number
and the 12345 hotline, and pause the conversation until an operator closes the ticket.

Pausing is Rasa's own mechanism: after ``ConversationPaused`` Rasa records the citizen's
messages but predicts nothing for them. Closing the ticket makes the API append ``resume``.
``action_session_start`` replaces Rasa's default so that a handed-over conversation stays
paused when a new session starts (Rasa's ``SessionStarted`` would otherwise clear the pause).
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .api_client import ApiRefused, ApiUnavailable, CitizenApi
from .base import SERVICE_UNAVAILABLE, ApiAction

logger = logging.getLogger(__name__)
FALLBACK_INTENT = "nlu_fallback"
DEFAULT_RESPONSE = "utter_default"
TRANSCRIPT_TURNS = 60
SUPPORTED_LOCALES = ("zh_CN", "en")


class HandoffApi(CitizenApi):
    """The handoff endpoints, for the conversation's citizen."""

    def open_ticket(
        self, reason: str, transcript: List[Dict[str, Any]], lang: Optional[str]
    ) -> dict:
        body: Dict[str, Any] = {"reason": reason, "transcript": transcript}
        if lang:
            body["lang"] = lang
        return self._request("POST", "/api/v1/handoff/tickets", json=body)

    def current_ticket(self) -> Optional[dict]:
        try:
            return self._request("GET", "/api/v1/handoff/tickets/current")
        except ApiRefused as refused:
            if refused.status == 404:
                return None
            raise


def transcript_of(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The current session's citizen and bot turns, oldest first (at most the latest 60)."""
    turns: List[Dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "session_started":
            turns = []
        elif kind in ("user", "bot"):
            text = event.get("text") or ""
            if kind == "user":  # a button: its title, as the citizen saw it
                text = (event.get("metadata") or {}).get("button_title") or text
            if text:
                turns.append(
                    {
                        "role": "citizen" if kind == "user" else "bot",
                        "text": text,
                        "at": _iso(event.get("timestamp")),
                    }
                )
    return turns[-TRANSCRIPT_TURNS:]


def conversation_lang(tracker: Tracker) -> Optional[str]:
    lang = ((tracker.latest_message or {}).get("metadata") or {}).get("lang")
    lang = lang or tracker.get_slot("language")
    return lang if lang in SUPPORTED_LOCALES else None


def _iso(timestamp: Any) -> Optional[str]:
    try:
        return datetime.fromtimestamp(float(timestamp), tz=timezone.utc).isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        return None


class ActionHandoff(ApiAction):
    """Opens (or finds) the conversation's ticket, answers with its number, and pauses."""

    def name(self) -> Text:
        return "action_handoff"

    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        reason = "fallback" if intent == FALLBACK_INTENT else "requested"
        handoff = HandoffApi(api.sender_id, api.assertion, api.config)
        try:
            ticket = handoff.open_ticket(
                reason, transcript_of(tracker.events), conversation_lang(tracker)
            )
        except ApiRefused as refused:
            logger.warning("handoff refused by the API: %s", refused)
            dispatcher.utter_message(response=SERVICE_UNAVAILABLE)
            return []
        dispatcher.utter_message(response="utter_handoff_created", number=ticket["number"])
        return [ConversationPaused()]


def previous_user_intent(events: List[Dict[str, Any]]) -> Optional[str]:
    """The intent of the citizen's message before the latest one (this session), if any."""
    users = [e for e in events if e.get("event") in ("user", "session_started")]
    if len(users) < 2 or users[-2].get("event") != "user":
        return None
    return ((users[-2].get("parse_data") or {}).get("intent") or {}).get("name")


class ActionFallback(ActionHandoff):
    """Not understood: ask to rephrase (``utter_default``); not understood twice in a row:
    hand the conversation to a person."""

    def name(self) -> Text:
        return "action_fallback"

    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        if previous_user_intent(tracker.events) == FALLBACK_INTENT:
            return super().act(api, dispatcher, tracker, domain)
        dispatcher.utter_message(response=DEFAULT_RESPONSE)
        return []


class ActionSessionStart(Action):
    """Rasa's session start (slots carried over as the domain says), still paused while the
    conversation's handoff ticket is open."""

    def name(self) -> Text:
        return "action_session_start"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        events: List[Dict[Text, Any]] = [SessionStarted()]
        if (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True):
            events += [
                SlotSet(name, value) for name, value in tracker.slots.items() if value is not None
            ]
        events.append(ActionExecuted("action_listen"))
        if self._handed_over(tracker.sender_id):
            events.append(ConversationPaused())
        return events

    @staticmethod
    def _handed_over(sender_id: str) -> bool:
        try:
            return HandoffApi(sender_id).current_ticket() is not None
        except (ApiUnavailable, ApiRefused) as error:
            # Unknown: let the bot answer rather than fall silent for no reason.
            logger.warning("session start: handoff state unknown (%s)", error)
            return False
