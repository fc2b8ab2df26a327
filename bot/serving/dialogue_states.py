"""A conversation's dialogue states worked out once, not again for every prediction.

Every prediction of Rasa 3.6's rule and memoization policies (two to four a prediction, several
predictions a message) turns the whole conversation into dialogue states with
``Domain.states_for_tracker_history``: it replays every event of the session onto a fresh copy of
the tracker and builds a state before every action. So each message costs more than the last:
about an eighth of the Rasa server's CPU per message here, at eleven turns (py-spy,
``bench/chat_load.py``).

Here the replay is resumed. For each conversation (and each way of asking: rule-only turns kept
or hidden, unset slots kept or omitted) the replay copy, the states built so far and the loop's
two variables are kept after a run. The next run, if the tracker's applied events begin with
the very events (the same objects) that replay consumed, for the same domain and the same
rule-only data, goes on from there with the new events only; otherwise it starts again, as Rasa
does. The state after the last event (which the loop builds with its own view of the end of the
conversation) is built every time and not kept. Callers change the states they are given
(``_choose_last_user_input`` deletes keys), so they get copies of the kept states.

Events are not changed once applied (the tracker store keeps handing out the same objects for
the next message), which is what makes "the same objects" mean "the same history". Rasa's
reverts, restarts and form loops that rewrite the applied events simply start again.
``tests/bot/test_dialogue_states.py`` compares every prediction's states with Rasa's own over
real conversations, forms and reverts included.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Text, Tuple

# Conversations whose replay is kept (least recently used first out): 16 concurrent conversations
# use 16; a kept replay is a few tens of kilobytes.
CONVERSATIONS_KEPT = 512

State = Dict[Text, Any]


@dataclass
class Replay:
    """Where ``states_for_tracker_history`` stopped: after ``events`` (the applied events, by
    identity), with ``tracker`` the replay copy they were applied to, for ``domain``."""

    domain: Any
    tracker: Any
    events: List[Any] = field(default_factory=list)
    states: List[State] = field(default_factory=list)
    last_ml_action_sub_state: Optional[Dict[Text, Any]] = None
    turn_was_hidden: bool = False
    end_state: Optional[State] = None  # the state after the last event (None: hidden)
    end_for: int = -1  # how many events the end state is after

    def continues(self, domain: Any, applied: List[Any]) -> bool:
        if self.domain is not domain or len(applied) < len(self.events):
            return False
        return all(kept is event for kept, event in zip(self.events, applied))


class ResumableHistory:
    """The replays kept, by conversation (and tracker kind), then by how the states are asked
    for (unset slots, rule-only turns, rule-only data)."""

    def __init__(self, capacity: int = CONVERSATIONS_KEPT) -> None:
        self.capacity = capacity
        self._replays: "OrderedDict[Tuple, Dict[Tuple, Replay]]" = OrderedDict()
        self._lock = threading.Lock()  # predictions run on the event loop; this is in case not
        self.started = self.resumed = 0  # runs that replayed from the start, and went on
        self._applied: Tuple = ()  # the last tracker's events, as they were, and applied

    def _applied_events(self, tracker: Any) -> List[Any]:
        """``tracker.applied_events()``, worked out once while its events stay as they are
        (the policies ask for the states of one tracker two to four times a prediction)."""
        events = tracker.events
        last = events[-1] if events else None
        if self._applied:
            owner, deque, count, latest, applied = self._applied
            if owner() is tracker and deque is events and count == len(events) and latest is last:
                return applied
        applied = tracker.applied_events()
        self._applied = (weakref.ref(tracker), events, len(events), last, applied)
        return applied

    def states(
        self,
        domain: Any,
        tracker: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Optional[Dict[Text, Any]] = None,
    ) -> List[State]:
        with self._lock:
            return self._states(
                domain, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data
            )

    def _states(
        self,
        domain: Any,
        tracker: Any,
        omit_unset_slots: bool,
        ignore_rule_only_turns: bool,
        rule_only_data: Optional[Dict[Text, Any]],
    ) -> List[State]:
        applied = self._applied_events(tracker)
        conversation = (
            tracker.sender_id,
            tracker.is_rule_tracker,
            tracker._max_event_history,
            tuple(tracker.slots),
        )
        asked = (omit_unset_slots, ignore_rule_only_turns, _frozen(rule_only_data))
        replays = self._replays.get(conversation)
        if replays is None:
            replays = self._replays[conversation] = {}
            while len(self._replays) > self.capacity:
                self._replays.popitem(last=False)
        else:
            self._replays.move_to_end(conversation)
        replay = replays.get(asked)
        if replay is None or not replay.continues(domain, applied):
            replay = replays[asked] = Replay(domain, tracker.init_copy())
            self.started += 1
        else:
            self.resumed += 1
        for event in applied[len(replay.events) :]:
            if _is_action(event):
                _add_state(
                    domain,
                    replay,
                    replay.tracker,
                    event.hide_rule_turn,
                    omit_unset_slots,
                    ignore_rule_only_turns,
                    rule_only_data,
                    replay.states,
                )
            replay.tracker.update(event)
            replay.events.append(event)
        if replay.end_for != len(replay.events):
            # The state after the last event, on a throwaway copy of the loop's variables; kept
            # until the next event (the policies ask two to four times a prediction).
            scratch = replay.states[-1:]
            end = Replay(
                domain,
                replay.tracker,
                [],
                [],
                replay.last_ml_action_sub_state,
                replay.turn_was_hidden,
            )
            _add_state(
                domain,
                end,
                replay.tracker,
                False,
                omit_unset_slots,
                ignore_rule_only_turns,
                rule_only_data,
                scratch,
            )
            replay.end_state = scratch[-1] if len(scratch) > len(replay.states[-1:]) else None
            replay.end_for = len(replay.events)
        # Copies: callers change the states they get, and the kept ones share sub-states.
        states = [_copy_state(state) for state in replay.states]
        if replay.end_state is not None:
            states.append(_copy_state(replay.end_state))
        return states


def _add_state(
    domain: Any,
    replay: Replay,
    tracker: Any,
    hide_rule_turn: bool,
    omit_unset_slots: bool,
    ignore_rule_only_turns: bool,
    rule_only_data: Optional[Dict[Text, Any]],
    states: List[State],
) -> None:
    """One step of Rasa 3.6's ``Domain.states_for_tracker_history`` loop: the state before an
    action (``tracker`` as it was then), appended to ``states`` unless its turn is hidden."""
    from rasa.shared.core.constants import PREVIOUS_ACTION

    if ignore_rule_only_turns:
        # the previous ml action, from the last turn not hidden
        if not replay.turn_was_hidden:
            replay.last_ml_action_sub_state = domain._get_prev_action_sub_state(tracker)
        # a follow-up action or a loop's happy path leaves the turn as hidden as it was
        if not tracker.followup_action and not (
            tracker.latest_action_name == tracker.active_loop_name
        ):
            replay.turn_was_hidden = hide_rule_turn
        if replay.turn_was_hidden:
            return
    state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if states:
            domain._substitute_rule_only_user_input(state, states[-1])
        if replay.last_ml_action_sub_state:
            state[PREVIOUS_ACTION] = replay.last_ml_action_sub_state
    states.append(domain._clean_state(state))


def _is_action(event: Any) -> bool:
    from rasa.shared.core.events import ActionExecuted

    return isinstance(event, ActionExecuted)


def _copy_state(state: State) -> State:
    """A state whose sub-states a caller may change (their values are strings and tuples)."""
    return {
        kind: dict(sub_state) if isinstance(sub_state, dict) else sub_state
        for kind, sub_state in state.items()
    }


def _frozen(rule_only_data: Optional[Dict[Text, Any]]) -> Tuple:
    """Rule-only data (slot and loop names) as a key."""
    if not rule_only_data:
        return ()
    return tuple(
        sorted(
            (key, tuple(value) if isinstance(value, list) else value)
            for key, value in rule_only_data.items()
        )
    )
