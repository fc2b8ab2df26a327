"""Run in the bot environment: ``CitizenTracker.copy`` (``bot/serving/tracker_copy``) against
Rasa's own ``DialogueStateTracker.copy`` (a replay of every event) on the assistant's stories and
rules; prints JSON (``CITIZEN_SPEEDUPS_OFF=tracker_copy``: whether the copy is Rasa's replay).
``python tests/bot/tracker_copy_probe.py`` — tests/bot/test_tracker_copy.py asserts on the
record.

After every event of every story and rule (forms, rejections, slot changes, a pause, a restart
and reverts added), both copies are compared attribute by attribute; then the copy is changed
and the original must not change with it.
"""

import json

from assistant_stories import domain_and_stories
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ConversationPaused,
    ConversationResumed,
    FollowupAction,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.plugins.trackers import CitizenTracker
from bot.serving import tracker_copy

domain, trackers = domain_and_stories()
original = DialogueStateTracker.copy  # Rasa's (its copies are of the tracker's class too)
record = {
    "compared": 0,
    "differences": [],
    "forms_seen": 0,
    "kept_apart": True,
    "bounded_history_as_rasa": None,
}


def observed(tracker: DialogueStateTracker) -> dict:
    """Everything a tracker holds, comparable: slots by value, events by identity."""
    seen = {}
    for name, value in vars(tracker).items():
        if name == "slots":
            value = {
                key: (type(slot).__name__, slot.value, slot._has_been_set)
                for key, slot in value.items()
            }
        elif name == "events":
            value = ([id(event) for event in value], value.maxlen)
        seen[name] = value
    return seen


def compare(tracker: DialogueStateTracker, label: str) -> None:
    ours, theirs = tracker.copy(), original(tracker)
    record["compared"] += 1
    if type(ours) is not type(theirs) or observed(ours) != observed(theirs):
        if len(record["differences"]) < 5:
            a, b = observed(ours), observed(theirs)
            record["differences"].append(
                {
                    "where": label,
                    "attributes": sorted(
                        key for key in set(a) | set(b) if a.get(key) != b.get(key)
                    ),
                }
            )
    before = observed(tracker)
    ours.update(SlotSet(next(iter(ours.slots)), "changed"))
    ours.update(ActionExecuted("action_listen"))
    if ours.active_loop is not None:
        ours.active_loop.rejected = not ours.active_loop.rejected
    ours.latest_action["action_name"] = "changed"
    if observed(tracker) != before:
        record["kept_apart"] = False


extra = [
    FollowupAction("utter_greet"),
    ConversationPaused(),
    ConversationResumed(),
    SlotSet("language", "en"),
    UserUtteranceReverted(),
    ActionReverted(),
    Restarted(),
]
for index, story in enumerate(trackers):
    events = list(story.events)
    record["forms_seen"] += any(getattr(e, "name", None) in domain.form_names for e in events)
    for variant, added in (("as written", []), ("with extra events", extra)):
        tracker = CitizenTracker(f"conversation-{index}", domain.slots)
        tracker.model_id, tracker.assistant_id = "model", "assistant"
        for event in events[: len(events) // 2] + added + events[len(events) // 2 :]:
            tracker.update(event)
            compare(tracker, f"{story.sender_id} ({variant}) at {len(tracker.events)}")

bounded = CitizenTracker.from_events(
    "bounded", list(trackers[0].events), domain.slots, max_event_history=3
)
# Every slot of the domain, set and unset, copied as copy.copy's own protocol copies it.
import copy  # noqa: E402

record["slots_copied_as_copy_copies"] = True
for slot in domain.slots:
    for value in (None, "x", [1], {"a": 1}):
        slot.value = value
        generic = copy._reconstruct(slot, None, *slot.__reduce_ex__(4))
        ours = tracker_copy.copy_slot(slot)
        if type(ours) is not type(generic) or vars(ours) != vars(generic) or ours is slot:
            record["slots_copied_as_copy_copies"] = False
    slot.reset()
record["bounded_history_as_rasa"] = observed(bounded.copy()) == observed(original(bounded))
# Which way a tracker's copy is made: Rasa's replay (travel_back_in_time) or from its state.
replayed = []
probe = CitizenTracker.from_events("probe", list(trackers[0].events), domain.slots)
rasas_replay = probe.travel_back_in_time
probe.travel_back_in_time = lambda moment: replayed.append(moment) or rasas_replay(moment)
record["copy_class"] = type(probe.copy()).__name__
record["copy_replayed"] = bool(replayed)
record["slot_class_unchanged"] = not any("__copy__" in vars(type(slot)) for slot in domain.slots)
print(json.dumps(record))
