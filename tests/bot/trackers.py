"""Real rasa-sdk trackers for the action tests, and running an action on one (a support module:
the action test modules import these from here, not from each other)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from tests.edge import proven_metadata


def tracker_for(
    sender_id: str, text: str, intent: str, entities: list | None = None, proven: bool = True
) -> Tracker:
    """A conversation's tracker; its latest message carries an identity assertion (as from
    the API's /chat) unless ``proven=False`` (a guest)."""
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": entities or [],
        "metadata": proven_metadata(sender_id, proven=proven),
    }
    return Tracker(
        sender_id=sender_id,
        slots={},
        latest_message=message,
        events=[{"event": "user", "text": text, "parse_data": message}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action, tracker: Tracker) -> tuple[list, list[dict]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, domain={})
    # "template" is rasa-sdk's deprecated copy of "response".
    return events, [
        {k: v for k, v in m.items() if v not in (None, [], {}) and k != "template"}
        for m in dispatcher.messages
    ]
