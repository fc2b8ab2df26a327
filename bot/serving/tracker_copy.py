"""A tracker duplicated from its state, not by replaying its conversation.

Rasa 3.6 copies the tracker before every action it runs (``MessageProcessor._run_action``: the
action runs on the copy, so that a rejected action leaves no trace) and in a form's activation.
``DialogueStateTracker.copy`` makes the copy by replaying every event of the session onto a new
tracker: the cost grows with the conversation (several percent of the Rasa server's CPU per
message here, py-spy under ``bench/chat_load.py``).

A tracker's state is by Rasa's own rule "re-creatable by processing all the events", so the copy
here is the new tracker of ``init_copy`` given the same events and the state they made: each slot
copied with its value, the latest action, message and bot utterance, the follow-up action, the
pause and the active loop. As in Rasa's copy, the copy carries no model or assistant id and no
sender source. A tracker that keeps only its last events (``max_event_history``), whose replay
would not reach the same state, is copied as Rasa copies it. Slots are copied field for field
(``copy_slot``), as ``copy.copy`` copies them but without its generic protocol (every new
tracker copies every slot of the domain). ``tests/bot/test_tracker_copy.py``
compares both copies, attribute by attribute, at every step of the assistant's stories and rules.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from rasa.shared.constants import DEFAULT_SENDER_ID


def duplicate(tracker: Any) -> Any:
    """A tracker equal to ``tracker.travel_back_in_time(float("inf"))``."""
    if tracker.events.maxlen is not None:
        return tracker.travel_back_in_time(float("inf"))
    # init_copy's new tracker, without its slots (copied and reset there, copied here)
    twin = type(tracker)(
        tracker.sender_id or DEFAULT_SENDER_ID,
        None,
        tracker._max_event_history,
        is_rule_tracker=tracker.is_rule_tracker,
    )
    twin.events.extend(tracker.events)
    twin.slots = {name: copy_slot(slot) for name, slot in tracker.slots.items()}
    twin.latest_action = dict(tracker.latest_action) if tracker.latest_action else {}
    twin.latest_message = tracker.latest_message
    twin.latest_bot_utterance = tracker.latest_bot_utterance
    twin.followup_action = tracker.followup_action
    twin._paused = tracker._paused
    twin.active_loop = (
        dataclasses.replace(tracker.active_loop) if tracker.active_loop is not None else None
    )
    return twin


def copy_slot(slot: Any) -> Any:
    """``copy.copy`` of a slot (a new object of its class with the same attributes), without
    the generic ``__reduce_ex__`` protocol: a quarter of the time, and every tracker made copies
    each slot of the domain."""
    kind = slot.__class__
    if "__slots__" in vars(kind) or not hasattr(slot, "__dict__"):
        return copy._reconstruct(slot, None, *slot.__reduce_ex__(4))  # copy.copy's own way
    twin = kind.__new__(kind)
    twin.__dict__.update(slot.__dict__)
    return twin
