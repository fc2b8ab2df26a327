"""Run in the bot environment: the action call Rasa makes (``RemoteAction._action_call_format``)
written by the project's endpoints with ``event_json`` on, against the same call with it off
(Rasa's ``current_state``, written whole), after every event of every story and rule of the
assistant; prints JSON. ``python tests/bot/event_json_probe.py`` —
tests/bot/test_event_json.py asserts on the record.
"""

import json

from assistant_stories import domain_and_stories
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import SlotSet
from rasa.utils.endpoints import EndpointConfig
from speedup_switch import turned_off

from bot.plugins import trackers
from bot.plugins.endpoints import request_json
from bot.plugins.trackers import CitizenTracker
from bot.serving import event_json

domain, stories = domain_and_stories()
action = RemoteAction("action_bus_arrivals", EndpointConfig("http://127.0.0.1:1"))
record = {"compared": 0, "different": [], "written_alike": 0}


def call(tracker) -> str:
    return request_json(action._action_call_format(tracker, domain))


made = []
original_remember = event_json.EventJson._remember


def remember(self, event):
    made.append(event)
    return original_remember(self, event)


event_json.EventJson._remember = remember
kept = []
for index, story in enumerate(stories):
    tracker = CitizenTracker(f"conversation-{index}", domain.slots)
    for event in story.events:
        tracker.update(event)
        ours = call(tracker)
        with turned_off("event_json", trackers.EVENT_JSON, "event_dicts"):
            theirs = call(tracker)
        record["compared"] += 1
        record["written_alike"] += ours == theirs
        if json.loads(ours) != json.loads(theirs) and len(record["different"]) < 3:
            record["different"].append({"at": f"{index}:{len(tracker.events)}"})
    kept.append(tracker)

# The events of a conversation are made into JSON once, however many calls send them.
events = sum(len(tracker.events) for tracker in kept)
record["made"] = len(made)
record["made_once"] = len(made) == len({id(event) for event in made}) and len(made) <= events
# A value that reads like the placeholder: the call is written whole, and reads the same.
tracker = kept[0]
tracker.update(SlotSet(next(iter(tracker.slots)), event_json._PLACEHOLDER))
ours = call(tracker)
with turned_off("event_json", trackers.EVENT_JSON, "event_dicts"):
    theirs = call(tracker)
record["placeholder_as_a_value_read_the_same"] = json.loads(ours) == json.loads(theirs)
# Forgotten once the events are gone.
before = len(trackers.EVENT_JSON)
made.clear()
del kept, tracker
record["forgotten_with_the_events"] = len(trackers.EVENT_JSON) < before
print(json.dumps(record))
