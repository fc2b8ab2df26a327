"""A conversation's events written as JSON once each, not again with every action call.

Rasa 3.6 sends the action server the whole tracker with every call, every event of the
conversation turned into a dict (``Event.as_dict``) and the lot serialised again: late in a
conversation, hundreds of events for the one or two that are new (about a twentieth of the
Rasa server's CPU per message in ``bench/chat_load.py``). Events are not changed once applied
(what ``bot/serving/dialogue_states.py`` relies on too), so each event's dict and JSON are kept
beside it, by identity, for as long as the event lives: ``event_dicts`` gives the events as
Rasa's ``current_state`` lists them, carrying their JSON, and ``dumps`` writes a request whose
tracker carries them with that JSON spliced in. Where anything else would be written the request
is serialised whole, as before: the JSON is the same either way.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Callable, Dict, Iterable, List, Tuple

# Stands for the events while the rest of a request is written; never a value of ours.
_PLACEHOLDER = "\u0001citizen:events\u0001"


class EventDicts(list):
    """The events' dicts as ``current_state`` lists them (read them, do not change them: they
    are shared), with each one's JSON in ``fragments``."""

    def __init__(self, dicts: List[Dict[str, Any]], fragments: List[str]) -> None:
        super().__init__(dicts)
        self.fragments = fragments


class EventJson:
    """Each live event's dict and JSON, by identity."""

    def __init__(self, dumps: Callable[[Any], str]) -> None:
        self._dumps = dumps
        self._known: Dict[int, Tuple[weakref.ref, Dict[str, Any], str]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._known)

    def event_dicts(self, events: Iterable[Any]) -> EventDicts:
        dicts, fragments = [], []
        for event in events:
            known = self._known.get(id(event))
            if known is None or known[0]() is not event:
                known = self._remember(event)
            dicts.append(known[1])
            fragments.append(known[2])
        return EventDicts(dicts, fragments)

    def _remember(self, event: Any) -> Tuple[weakref.ref, Dict[str, Any], str]:
        data = event.as_dict()
        key = id(event)
        # Called as the event is freed, before its id can be another object's.
        known = (weakref.ref(event, lambda _ref: self._forget(key)), data, self._dumps(data))
        with self._lock:
            self._known[key] = known
        return known

    def _forget(self, key: int) -> None:
        with self._lock:
            self._known.pop(key, None)


def dumps(value: Any, write: Callable[[Any], str]) -> str:
    """``write(value)``, with a tracker's ``EventDicts`` spliced in as their kept JSON."""
    tracker = value.get("tracker") if isinstance(value, dict) else None
    events = tracker.get("events") if isinstance(tracker, dict) else None
    if not isinstance(events, EventDicts):
        return write(value)
    text = write({**value, "tracker": {**tracker, "events": _PLACEHOLDER}})
    placeholder = write(_PLACEHOLDER)
    if text.count(placeholder) != 1:  # the placeholder's text is a value too: write it all
        return write(value)
    before, _, after = text.partition(placeholder)
    return f"{before}[{','.join(events.fragments)}]{after}"
