"""A conversation's applied events worked out from where the last working-out stopped.

Rasa 3.6's ``DialogueStateTracker.applied_events`` (the events without what reverts, restarts and
loops undid) goes through every event of the conversation each time it is asked: several times
a message (the session check, the policies' states, the last event of a kind), each time with a
chain of ``isinstance`` checks against abstract classes. About 4 % of the Rasa server's CPU per
message here (py-spy, ``bench/chat_load.py``), growing with the conversation.

The working-out is a fold: event after event, the applied events so far are extended or cut
back, according to the event and the names of the conversation's loops. So for each
conversation the last fold is kept: the events it went through (the same objects, as the
tracker store hands them out again), the loop names among them, and the applied events it
reached. When a tracker's events begin with those very events and the new ones name no new loop,
the fold goes on from there; otherwise it starts from the beginning, as Rasa does.
``tests/bot/test_applied_events.py`` compares the answers with Rasa's over every story and rule
of the assistant, with reverts, restarts, sessions, a loop named only after it ran, a reused
sender id and a tracker growing in place.
"""

from __future__ import annotations

import operator
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, FrozenSet, List, Text

# Conversations whose last fold is kept (least recently used first out).
CONVERSATIONS_KEPT = 512


@dataclass
class Fold:
    events: List[Any]  # the events gone through, by identity
    loop_names: FrozenSet[Text]  # the loop names among them
    applied: List[Any]  # the applied events after them


def loop_names_of(events: List[Any]) -> FrozenSet[Text]:
    from rasa.shared.core.events import ActiveLoop

    return frozenset(event.name for event in events if isinstance(event, ActiveLoop) and event.name)


def fold(tracker: Any, applied: List[Any], events: List[Any], loop_names: FrozenSet[Text]) -> None:
    """The loop of Rasa 3.6's ``applied_events`` over ``events``, on ``applied``."""
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionReverted,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
        UserUttered,
    )

    for event in events:
        if isinstance(event, (Restarted, SessionStarted)):
            applied.clear()
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)


class ResumableFolds:
    def __init__(self, capacity: int = CONVERSATIONS_KEPT) -> None:
        self.capacity = capacity
        self._folds: "OrderedDict[Text, Fold]" = OrderedDict()
        self._lock = threading.Lock()
        self.started = self.resumed = 0

    def applied_events(self, tracker: Any) -> List[Any]:
        events = list(tracker.events)
        with self._lock:
            kept = self._folds.get(tracker.sender_id)
            if kept is not None and self._continues(kept, events):
                new = events[len(kept.events) :]
                if not loop_names_of(new) - kept.loop_names:
                    self.resumed += 1
                    applied = list(kept.applied)
                    fold(tracker, applied, new, kept.loop_names)
                    self._keep(tracker.sender_id, Fold(events, kept.loop_names, list(applied)))
                    return applied
            self.started += 1
            loop_names = loop_names_of(events)
            applied: List[Any] = []
            fold(tracker, applied, events, loop_names)
            self._keep(tracker.sender_id, Fold(events, loop_names, list(applied)))
            return applied

    @staticmethod
    def _continues(kept: Fold, events: List[Any]) -> bool:
        return len(events) >= len(kept.events) and all(map(operator.is_, kept.events, events))

    def _keep(self, sender_id: Text, kept: Fold) -> None:
        self._folds[sender_id] = kept
        self._folds.move_to_end(sender_id)
        while len(self._folds) > self.capacity:
            self._folds.popitem(last=False)
