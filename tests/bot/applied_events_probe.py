"""Run in the bot environment: ``CitizenTracker.applied_events`` (``bot/serving/applied_events``)
against Rasa's own ``DialogueStateTracker.applied_events`` on the assistant's stories and rules;
prints JSON (``CITIZEN_SPEEDUPS_OFF=applied_events``: no fold is started or resumed).
``python tests/bot/applied_events_probe.py`` — tests/bot/test_applied_events.py asserts on the
record.

Each story or rule is played as the server meets it: the conversation grows event by event, every
step a new tracker made from the same event objects (as the tracker store hands them out), and
the applied events are asked for after every event. Then the same with reverts, a restart, a new
session, a loop whose name appears only after the loop's action ran, a second conversation under
the same sender id, and one tracker growing in place.
"""

import copy
import json

from assistant_stories import domain_and_stories
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.plugins.trackers import FOLDS, CitizenTracker

domain, stories = domain_and_stories()
original = DialogueStateTracker.applied_events  # Rasa's

record = {"compared": 0, "differences": [], "forms_seen": 0, "stories": len(stories)}


def compare(tracker: DialogueStateTracker, label: str) -> None:
    theirs = original(tracker)
    ours = tracker.applied_events()
    record["compared"] += 1
    if [id(e) for e in ours] != [id(e) for e in theirs] and len(record["differences"]) < 5:
        record["differences"].append(
            {
                "where": label,
                "ours": [str(e) for e in ours][-6:],
                "theirs": [str(e) for e in theirs][-6:],
            }
        )
    ours.clear()  # a caller changing the list it got changes nothing kept


def play(sender: str, events: list, label: str) -> None:
    for end in range(1, len(events) + 1):
        compare(
            CitizenTracker.from_events(sender, events[:end], domain.slots),
            f"{label} at {end}",
        )


loops = set(domain.form_names)
for index, story in enumerate(stories):
    events = list(story.events)
    record["forms_seen"] += any(isinstance(e, ActiveLoop) and e.name in loops for e in events)
    play(f"conversation-{index}", events, story.sender_id)

longest = max(stories, key=lambda t: len(t.events))
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
play("conversation-edited", edited, "reverted")
play(
    "conversation-edited",
    edited[:5] + [Restarted(), ActionExecuted("action_listen")] + edited[5:],
    "restarted",
)
play(
    "conversation-edited",
    edited[:4]
    + [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    + edited[4:],
    "new session",
)
# A loop's action runs twice before the loop is named: later events change how earlier ones
# count, so the fold must start again.
late = [
    ActionExecuted("action_listen"),
    copy.deepcopy(user),
    ActionExecuted("late_form"),
    ActionExecuted("action_listen"),
    copy.deepcopy(user),
    ActionExecuted("late_form"),
    ActiveLoop("late_form"),
    ActionExecuted("late_form"),
    ActiveLoop(None),
    ActionExecuted("action_listen"),
]
play("conversation-late", late, "loop named late")
record["late_loop_differs_from_prefix"] = (
    len(original(DialogueStateTracker.from_events("x", late, domain.slots)))
    != len(original(DialogueStateTracker.from_events("x", late[:6], domain.slots))) + 4
)
play("conversation-0", list(stories[-1].events), "same sender, other conversation")

growing = CitizenTracker("conversation-growing", domain.slots)
for index, event in enumerate(edited):
    growing.update(event)
    compare(growing, f"grown in place at {index}")

record["started"] = FOLDS.started
record["resumed"] = FOLDS.resumed
print(json.dumps(record))
