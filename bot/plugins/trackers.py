"""The project's tracker: Rasa's ``DialogueStateTracker`` with its copies, applied events and
dialogue states worked out with less work, each by its speed-up's name.

The project's tracker stores (``bot/plugins/sql_store.py`` and its subclasses, and
``CitizenInMemoryTrackerStore`` here for the hotline replay) make every tracker
they create or read a ``CitizenTracker``; its copies (``copy``, ``init_copy``, and so
``travel_back_in_time`` and ``generate_all_prior_trackers``) are ``CitizenTracker`` too, and
``from_events``/``from_dict`` make the class they are called on. Off, each method is Rasa's:

* ``tracker_copy``: ``copy`` made from the tracker's state, not by replaying the conversation
  (``bot/serving/tracker_copy.py``); slots copied field for field, not by ``copy.copy``'s
  generic protocol (every new tracker copies every slot of the domain).
* ``applied_events``: each conversation's applied events worked out from where the last
  working-out stopped (``bot/serving/applied_events.py``).
* ``event_json``: ``current_state`` with every event (what each action call sends) lists each
  event's dict and JSON as made the first time (``bot/serving/event_json.py``), and the
  endpoints write those events from that JSON.
* ``dialogue_states``: ``past_states`` (the one caller of ``Domain.states_for_tracker_history``
  in Rasa 3.6's prediction paths: the rule, memoization and TED policies and the featurizers go
  through it) resumed where the conversation's last prediction left it
  (``bot/serving/dialogue_states.py``).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Text

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.constants import DEFAULT_SENDER_ID
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.plugins.endpoints import json_dumps
from bot.serving.applied_events import ResumableFolds
from bot.serving.dialogue_states import ResumableHistory, State
from bot.serving.event_json import EventJson
from bot.serving.tracker_copy import copy_slot, duplicate
from bot.speedups import enabled

# Kept per conversation (by sender id), for every CitizenTracker of the process.
FOLDS = ResumableFolds()
HISTORY = ResumableHistory()
# Every live event's dict and JSON, for the process.
EVENT_JSON = EventJson(json_dumps)


class CitizenTracker(DialogueStateTracker):
    """``DialogueStateTracker`` whose copies, applied events and past states resume work."""

    def __init__(
        self,
        sender_id: Text,
        slots: Optional[Iterable[Slot]],
        max_event_history: Optional[int] = None,
        sender_source: Optional[Text] = None,
        is_rule_tracker: bool = False,
    ) -> None:
        if slots is None or not enabled("tracker_copy"):
            super().__init__(sender_id, slots, max_event_history, sender_source, is_rule_tracker)
            return
        super().__init__(sender_id, None, max_event_history, sender_source, is_rule_tracker)
        # Rasa's slot copies (``copy.copy``), made field for field, then reset as Rasa's are.
        self.slots = {slot.name: copy_slot(slot) for slot in slots}
        self._reset_slots()

    def init_copy(self) -> "CitizenTracker":
        """Rasa's ``init_copy``, of this class."""
        return type(self)(
            self.sender_id or DEFAULT_SENDER_ID,
            self.slots.values(),
            self._max_event_history,
            is_rule_tracker=self.is_rule_tracker,
        )

    def copy(self) -> "CitizenTracker":
        if not enabled("tracker_copy"):
            return super().copy()
        return duplicate(self)

    def applied_events(self) -> List[Any]:
        if not enabled("applied_events"):
            return super().applied_events()
        return FOLDS.applied_events(self)

    def current_state(
        self, event_verbosity: EventVerbosity = EventVerbosity.NONE
    ) -> Dict[Text, Any]:
        if event_verbosity != EventVerbosity.ALL or not enabled("event_json"):
            return super().current_state(event_verbosity)
        state = super().current_state(EventVerbosity.NONE)
        state["events"] = EVENT_JSON.event_dicts(self.events)
        return state

    def past_states(
        self,
        domain: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Optional[Dict[Text, Any]] = None,
    ) -> List[State]:
        if not enabled("dialogue_states"):
            return super().past_states(
                domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data
            )
        return HISTORY.states(
            domain, self, omit_unset_slots, ignore_rule_only_turns, rule_only_data
        )


class CitizenInMemoryTrackerStore(InMemoryTrackerStore):
    """Rasa's in-memory tracker store whose trackers are ``CitizenTracker`` (the hotline replay's
    agent: its conversations go through the same tracker class as the server's)."""

    def init_tracker(self, sender_id: Text) -> CitizenTracker:
        return CitizenTracker(
            sender_id, self.domain.slots, max_event_history=self.max_event_history
        )
