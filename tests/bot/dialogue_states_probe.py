"""Run in the bot environment: ``CitizenTracker.past_states`` (``bot/serving/dialogue_states``)
against Rasa's own ``Domain.states_for_tracker_history`` of a Rasa ``DialogueStateTracker`` of
the same events, on the assistant's stories and rules; prints JSON
(``CITIZEN_SPEEDUPS_OFF=dialogue_states``: no replay is started or resumed).
``python tests/bot/dialogue_states_probe.py`` — tests/bot/test_dialogue_states.py asserts on
the record.

Each story or rule is played as the server meets it: the conversation grows event by event,
every message a new tracker object made from the same event objects (as the tracker store hands
them out), and before every action the states are asked for in every way the policies ask
(rule-only turns hidden or not, unset slots omitted or not, with and without rule-only data).
Then the same with reverts, a restart, a second conversation under the same sender id, one
tracker growing in place, and a caller that changes the states it was given.
"""

import copy
import json

from assistant_stories import domain_and_stories
from rasa.shared.core.constants import RULE_ONLY_LOOPS, RULE_ONLY_SLOTS
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    Restarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.plugins.trackers import HISTORY, CitizenTracker

domain, trackers = domain_and_stories()
original = Domain.states_for_tracker_history  # Rasa's

loops = [form for form in domain.form_names]
slots = [slot.name for slot in domain.slots][:3]
ASKED = [
    dict(omit_unset_slots=omit, ignore_rule_only_turns=ignore, rule_only_data=data)
    for omit in (False, True)
    for ignore in (False, True)
    for data in (None, {RULE_ONLY_SLOTS: slots, RULE_ONLY_LOOPS: loops})
]
record = {
    "compared": 0,
    "differences": [],
    "forms_seen": 0,
    "reverts_seen": 0,
    "stories": 0,
    "rules": 0,
}


def rasas_twin(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """A Rasa tracker of the same events."""
    twin = DialogueStateTracker.from_events(tracker.sender_id, list(tracker.events), domain.slots)
    twin.is_rule_tracker = tracker.is_rule_tracker
    return twin


def compare(tracker: DialogueStateTracker, label: str) -> None:
    twin = rasas_twin(tracker)
    for asked in ASKED:
        theirs = original(domain, twin, **asked)
        ours = tracker.past_states(domain, **asked)
        record["compared"] += 1
        if ours != theirs and len(record["differences"]) < 5:
            record["differences"].append(
                {
                    "where": label,
                    "asked": str(asked),
                    "ours": str(ours)[-400:],
                    "theirs": str(theirs)[-400:],
                }
            )
        # A caller may change what it was given; the next answer must not change with it.
        for state in ours:
            for sub_state in state.values():
                if isinstance(sub_state, dict):
                    sub_state.clear()


def play(sender: str, events: list, label: str, is_rule: bool = False) -> None:
    """The conversation as it grows: before every action, a new tracker of the same events."""
    for end in range(1, len(events) + 1):
        if end < len(events) and not isinstance(events[end], ActionExecuted):
            continue
        tracker = CitizenTracker.from_events(sender, events[:end], domain.slots)
        tracker.is_rule_tracker = is_rule
        compare(tracker, f"{label} at {end}")


for index, tracker in enumerate(trackers):
    events = list(tracker.events)
    record["rules" if tracker.is_rule_tracker else "stories"] += 1
    record["forms_seen"] += any(getattr(e, "name", None) in loops for e in events)
    play(f"conversation-{index}", events, f"{tracker.sender_id}", tracker.is_rule_tracker)

# Reverts, a restart and a new conversation under an old sender id, on the longest story.
longest = max((t for t in trackers if not t.is_rule_tracker), key=lambda t: len(t.events))
events = list(longest.events)
user = next(e for e in events if isinstance(e, UserUttered))
edited = (
    events[: len(events) // 2]
    + [
        UserUtteranceReverted(),
        ActionExecuted("action_listen"),
        copy.deepcopy(user),
        ActionExecuted("utter_greet"),
        ActionReverted(),
        ActionExecuted("action_listen"),
    ]
    + events[len(events) // 2 :]
)
record["reverts_seen"] = 2
play("conversation-edited", edited, "reverted")
play(
    "conversation-edited",
    edited[:5] + [Restarted(), ActionExecuted("action_listen")] + edited[5:],
    "restarted",
)
play("conversation-0", list(trackers[-1].events), "same sender, other conversation")

# One tracker growing in place, as the processor updates it within a message.
growing = CitizenTracker("conversation-growing", domain.slots)
for index, event in enumerate(edited):
    if isinstance(event, ActionExecuted):
        compare(growing, f"grown in place at {index}")
    growing.update(event)
compare(growing, "grown in place, at the end")

record["started_runs"] = HISTORY.started
record["resumed_runs"] = HISTORY.resumed
print(json.dumps(record))
