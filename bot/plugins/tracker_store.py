"""Rasa's SQL tracker store that remembers the conversations it has just stored.

For every message Rasa 3.6's ``SQLTrackerStore`` reads the conversation back (every event of
the session, JSON-decoded, turned into event objects and replayed), counts the stored events
again to know which are new, and inserts those one ORM object at a time: about a fifth of the
Rasa server's CPU per message here (py-spy, ``bench/chat_load.py``). This store keeps, per
conversation, the events of its current session as they were stored (masked:
``MaskingSQLTrackerStore``) and the id of the last one:

- ``retrieve`` asks the database only for the conversation's last event id (one lookup in the
  ``(sender_id, id)`` index created here). If it is the one remembered, nothing was written
  since by anybody (another Sanic worker, another Rasa server behind the load balancer: they all
  write through the lock store's turn), and the tracker is replayed from the remembered events;
  otherwise it is read from the database as Rasa reads it.
- ``save`` knows how many of the tracker's events are stored when the tracker came from it, and
  inserts the new ones with one statement; an unknown tracker is counted as Rasa counts it.

When this Rasa process is the conversations' only writer (``sole_writer``: its lock store is in
memory, which Rasa allows for one process only, so no other process may handle them), nothing
can have been written behind its back: a remembered conversation is read with no statement and
written with one.

The database stays the truth: a conversation whose stored events differ from the tracker's
(a personal number masked) or whose write failed is forgotten and read again next time. At most
``TRACKER_CACHE_CONVERSATIONS`` conversations are remembered (least recently used first out).
"""

from __future__ import annotations

import json
import logging
import os
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from .masking import MaskingSQLTrackerStore, stored_form
from .trackers import CitizenTracker

logger = logging.getLogger(__name__)

DEFAULT_CONVERSATIONS = 2000


@dataclass
class StoredSession:
    """A conversation's current session as stored: its events (the stored copies), and the id
    and timestamp of the conversation's last stored event."""

    events: List[Event]
    last: Optional[Tuple]


@dataclass
class HandedOut:
    """A tracker this store returned or stored, and how many of its events are stored."""

    tracker: "weakref.ReferenceType[DialogueStateTracker]"
    stored: int
    session: StoredSession


class CachingTrackerStore(MaskingSQLTrackerStore):
    """``MaskingSQLTrackerStore`` remembering recently stored conversations (bot/endpoints.yml
    ``type: bot.plugins.tracker_store.CachingTrackerStore``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set by bot.serving once the lock store is known (``mark_sole_writer``).
        self.sole_writer = False
        self.capacity = int(os.environ.get("TRACKER_CACHE_CONVERSATIONS", DEFAULT_CONVERSATIONS))
        self._sessions: "OrderedDict[Text, StoredSession]" = OrderedDict()
        self._handed_out: Dict[Text, HandedOut] = {}
        events = self.SQLEvent.__table__
        # Built once: SQLAlchemy would rebuild it and recompute its cache key every message.
        self._last_statement = (
            sa.select(events.c.id, events.c.timestamp)
            .where(events.c.sender_id == sa.bindparam("sender"))
            .order_by(events.c.id.desc())
            .limit(1)
        )
        self._insert_statement = events.insert()
        index = sa.Index("events_sender_id_id", events.c.sender_id, events.c.id)
        try:
            index.create(self.engine, checkfirst=True)
        except sa.exc.SQLAlchemyError as error:  # several servers creating it at once
            logger.warning("Could not create the (sender_id, id) index: %s", error)

    def _last(self, connection: Any, sender_id: Text) -> Tuple:
        """Id and timestamp of the conversation's last stored event; (None, None) if none."""
        row = connection.execute(self._last_statement, {"sender": sender_id}).first()
        return tuple(row) if row else (None, None)

    # --- reading ----------------------------------------------------------------------------
    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        remembered = self._sessions.get(sender_id)
        if remembered is not None and self.domain:
            if self.sole_writer:
                last = remembered.last
            else:
                with self.engine.connect() as connection:
                    last = self._last(connection, sender_id)
            if last == remembered.last:
                self._sessions.move_to_end(sender_id)
                tracker = CitizenTracker.from_events(
                    sender_id, remembered.events, self.domain.slots
                )
                self._hand_out(tracker, len(remembered.events), remembered)
                return tracker
            self._forget(sender_id)
        return await super().retrieve(sender_id)

    def _hand_out(self, tracker: DialogueStateTracker, stored: int, session: StoredSession) -> None:
        self._handed_out[tracker.sender_id] = HandedOut(weakref.ref(tracker), stored, session)

    def _forget(self, sender_id: Text) -> None:
        self._sessions.pop(sender_id, None)
        self._handed_out.pop(sender_id, None)

    # --- writing ----------------------------------------------------------------------------
    def _stored_count(self, tracker: DialogueStateTracker) -> Optional[int]:
        """How many of ``tracker``'s events are stored, when it is the tracker this store last
        handed out for the conversation and nothing was written since."""
        handed = self._handed_out.get(tracker.sender_id)
        if (
            handed is None
            or handed.tracker() is not tracker
            or self._sessions.get(tracker.sender_id) is not handed.session
            or len(tracker.events) < handed.stored
            or tracker.events.maxlen is not None
        ):
            return None
        return handed.stored

    async def save(self, tracker: DialogueStateTracker) -> None:
        stored = self._stored_count(tracker)  # (streaming to a broker reads the store)
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        events = list(tracker.events)
        self._forget(sender_id)  # until this write is known to have succeeded
        if stored is None:  # an unknown tracker: counted as Rasa counts it, in the same session
            with self.session_scope() as session:
                stored = min(
                    len(events),
                    self._event_query(
                        session, sender_id, fetch_events_from_all_sessions=False
                    ).count(),
                )
                kept, rows = self._rows(sender_id, events[stored:])
                last = self._insert(session, sender_id, rows)
                session.commit()
        else:  # one Core transaction: no ORM session to set up for two statements
            kept, rows = self._rows(sender_id, events[stored:])
            with self.engine.begin() as connection:
                last = self._insert(connection, sender_id, rows)
        if any(copy is not event for copy, event in zip(kept, events[stored:])):
            return  # a number was masked: the stored events differ, read them back next time
        remembered = StoredSession(current_session(events), last)
        self._sessions[sender_id] = remembered
        self._sessions.move_to_end(sender_id)
        self._hand_out(tracker, len(events), remembered)
        while len(self._sessions) > self.capacity:
            forgotten, _ = self._sessions.popitem(last=False)
            self._handed_out.pop(forgotten, None)

    def _rows(self, sender_id: Text, new: List[Event]) -> Tuple[List[Event], List[Dict]]:
        """The stored copies of the new events, and their rows."""
        kept, rows = [], []
        for event in new:
            copy, data = stored_form(event)
            kept.append(copy)
            rows.append(self._row(sender_id, copy, data))
        return kept, rows

    def _insert(self, connection: Any, sender_id: Text, rows: List[Dict]) -> Optional[Tuple]:
        """Inserts the rows with one statement; the conversation's last event then (None when
        this process is the only writer: nobody else's write is to be recognised)."""
        if rows:
            connection.execute(self._insert_statement, rows)
        return None if self.sole_writer else self._last(connection, sender_id)

    @staticmethod
    def _row(sender_id: Text, event: Event, data: Dict[Text, Any]) -> Dict[Text, Any]:
        """The events table's row of a stored event (the columns Rasa's own store writes)."""
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }


def mark_sole_writer(tracker_store: Any, lock_store: Any) -> bool:
    """Tells a ``CachingTrackerStore`` (also inside Rasa's awaitable wrapper) that its process
    is the conversations' only writer when the lock store is Rasa's in-memory one; True if so."""
    from rasa.core.lock_store import InMemoryLockStore

    store = getattr(tracker_store, "_tracker_store", tracker_store)
    if not isinstance(store, CachingTrackerStore):
        return False
    store.sole_writer = isinstance(lock_store, InMemoryLockStore)
    return store.sole_writer


def current_session(events: List[Event]) -> List[Event]:
    """The events from the last ``SessionStarted`` on (all of them when there is none): what
    Rasa's store reads back as the conversation."""
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], SessionStarted):
            return events[index:]
    return events
