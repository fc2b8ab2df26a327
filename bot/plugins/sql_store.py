"""Rasa's SQL tracker store reading and committing with less work, each by its speed-up's name.

Every tracker it creates or reads is a ``CitizenTracker`` (``bot/plugins/trackers.py``).

The project's stores (``MaskingSQLTrackerStore``, ``CachingTrackerStore``) are built on this one,
so these are overrides of our own subclass, not changes to Rasa's class:

* ``lean_reads``: Rasa 3.6 reads a conversation as ORM objects with every column, to use only
  each event's JSON. Here the same query selects only that column.
* ``event_classes``: Rasa finds the class of every event it reads by walking every subclass of
  ``Event`` (``Event.resolve_by_type``). Here the walk is made once a read and each event's class
  looked up by type name: the first class of the walk with that name, as Rasa's lookup finds.
* ``sqlite_wal``: Rasa commits a SQLite file in the default rollback-journal mode (two fsyncs a
  message, on the event loop) and opens a connection for every read and write. Here a SQLite
  file's engine puts it in write-ahead-log mode with ``synchronous=NORMAL`` (a crashed process
  loses nothing; a power cut can lose the last turns, never the file's consistency) and keeps its
  connection open, one per thread (closing the last connection checkpoints the log, with an
  fsync). Only this store's engine is changed; PostgreSQL is untouched.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Callable, Dict, List, Optional, Text, Type

import sqlalchemy as sa
import structlog
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

from bot.speedups import enabled

from .trackers import CitizenTracker

structlogger = structlog.get_logger()


class LeanSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with lean reads, event classes found once a read, SQLite in WAL mode."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if enabled("sqlite_wal") and is_sqlite_file(self.engine.url):
            self.engine.dispose()
            self.engine = write_ahead_log_engine(self.engine.url)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def _retrieve(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        # Rasa 3.6's SQLTrackerStore._retrieve, its tracker a CitizenTracker (with lean reads:
        # selecting the events' JSON only).
        with self.session_scope() as session:
            query = self._event_query(
                session,
                sender_id,
                fetch_events_from_all_sessions=fetch_events_from_all_sessions,
            )
            if enabled("lean_reads"):
                events = [json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data)]
            else:
                events = [json.loads(row.data) for row in query.all()]
            if self.domain and len(events) > 0:
                return self.tracker_from_dicts(sender_id, events)
            return None

    def init_tracker(self, sender_id: Text) -> DialogueStateTracker:
        """Rasa's new tracker, a ``CitizenTracker``."""
        return CitizenTracker(
            sender_id, self.domain.slots, max_event_history=self.max_event_history
        )

    def tracker_from_dicts(
        self, sender_id: Text, events: List[Dict[Text, Any]]
    ) -> DialogueStateTracker:
        """``DialogueStateTracker.from_dict`` of the stored events, for the domain's slots, as a
        ``CitizenTracker``."""
        return CitizenTracker.from_events(
            sender_id, self.events_from_dicts(events), self.domain.slots
        )

    @staticmethod
    def events_from_dicts(events: List[Dict[Text, Any]]) -> List[Event]:
        """``deserialise_events``: each event as ``Event.from_parameters`` makes it, its class
        found by ``event_class_finder`` (once a read)."""
        if not enabled("event_classes"):
            return deserialise_events(events)
        find = event_class_finder()
        out = []
        for data in events:
            if "event" not in data:
                continue
            cls = find(data["event"])
            event = cls._from_parameters(data) if cls else None
            if event:
                out.append(event)
            else:
                structlogger.warning("event.deserialization.failed", rasa_event=None)
        return out


def event_class_finder() -> Callable[[Text], Optional[Type[Event]]]:
    """``Event.resolve_by_type`` with one walk of ``Event``'s subclasses for all the lookups:
    the first subclass with the name, as Rasa's walk finds; other names go Rasa's own way (None
    for ``topic``, its ``ValueError`` for an unknown name)."""
    classes: Dict[Text, Type[Event]] = {}
    for cls in all_subclasses(Event):
        classes.setdefault(cls.type_name, cls)

    def find(type_name: Text) -> Optional[Type[Event]]:
        found = classes.get(type_name)
        return found if found is not None else Event.resolve_by_type(type_name)

    return find


def is_sqlite_file(url: Any) -> bool:
    """A SQLite URL naming a file (not ``sqlite://`` or ``:memory:``)."""
    text = str(url)
    return text.startswith("sqlite") and ":memory:" not in text and text != "sqlite://"


def write_ahead_log_engine(url: Any) -> Any:
    """An engine for the SQLite file at ``url``: one connection kept per thread, each in WAL mode
    with ``synchronous=NORMAL``."""
    from sqlalchemy.pool import SingletonThreadPool

    engine = sa.create_engine(url, poolclass=SingletonThreadPool)

    @sa.event.listens_for(engine, "connect")
    def write_ahead_log(dbapi_connection: Any, connection_record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    return engine
