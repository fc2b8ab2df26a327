"""Real rasa-sdk trackers for the action tests, and running an action on one (a support module:
the action test modules import these from here, not from each other)."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from tests.edge import proven_metadata


def tracker_for(
    sender_id: str,
    text: str,
    intent: str,
    entities: list | None = None,
    proven: bool = True,
    *,
    confidence: float = 0.99,
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
    latest_action_name: str = "action_listen",
    metadata: dict[str, Any] | None = None,
) -> Tracker:
    """A conversation's tracker; its latest message carries an identity assertion (as from
    the API's /chat) unless ``proven=False`` (a guest). ``slots``, ``active_loop`` and
    ``latest_action_name`` give the conversation's state; ``metadata`` (a shared location)
    rides on the message."""
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "metadata": proven_metadata(sender_id, metadata, proven=proven),
    }
    return Tracker(
        sender_id=sender_id,
        slots=dict(slots or {}),
        latest_message=message,
        events=[{"event": "user", "text": text, "parse_data": message}],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name=latest_action_name,
    )


def form_answer_tracker(
    sender_id: str,
    form: str,
    slot: str,
    text: str,
    intent: str,
    confidence: float = 0.99,
    entities: list | None = None,
    slots: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
) -> Tracker:
    """The tracker ``validate_<form>`` gets for the citizen's answer to the form's question,
    as Rasa's form builds it: the message, the slot asked, the form's ActionExecuted, then the
    slot filled with the message's text by its ``from_text`` mapping."""
    tracker = tracker_for(
        sender_id,
        text,
        intent,
        entities,
        confidence=confidence,
        slots={**(slots or {}), "requested_slot": slot, slot: text},
        active_loop=form,
        latest_action_name=form,
        metadata=metadata,
    )
    tracker.events += [
        {"event": "slot", "name": "requested_slot", "value": slot},
        {"event": "action", "name": form},
        {"event": "slot", "name": slot, "value": text},
    ]
    return tracker


def _messages(dispatcher: CollectingDispatcher) -> list[dict]:
    # "template" is rasa-sdk's deprecated copy of "response".
    return [
        {k: v for k, v in m.items() if v not in (None, [], {}) and k != "template"}
        for m in dispatcher.messages
    ]


def run(action, tracker: Tracker) -> tuple[list, list[dict]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, domain={})
    if asyncio.iscoroutine(events):  # a form's validation runs asynchronously
        events = asyncio.run(events)
    return events, _messages(dispatcher)
