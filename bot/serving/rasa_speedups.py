"""Rasa server speed-ups that keep its behaviour: installed at start by ``python -m bot.serving``.

Measured with ``bench/chat_load.py`` and py-spy on this 2-core machine (figures in the README's
"Performance" section). Rasa 3.6, on every message:

* (its action-reply and NLG-reply validation, its endpoints' sessions, its debug lines'
  copies and what happens once the agent is loaded have moved: ``bot/serving/action_validation.py``
  and ``bot/rasa_compat.py``, ``bot/plugins/endpoints.py``, ``bot/plugins/nlg.py``,
  ``bot/serving/debug_copies.py``, ``bot/serving/lifecycle.py``.)
* walks every subclass of ``Event`` to find the class of each event it reads from the tracker
  store (every event of the conversation, every message). Here the answer is remembered (and
  forgotten whenever a new ``Event`` class is defined, so it is always the one Rasa would find).
* lets a message wait for its conversation's lock (another message of the same conversation
  being handled, by this process or, with Redis, another) by polling every second: a citizen who
  sends two messages quickly waits a second for the second answer. Here it polls every 50 ms;
  the lock and its first-come-first-served tickets are Rasa's own.
* reads a conversation from the SQL tracker store as ORM objects with every column, to use only
  each event's JSON. Here the same query selects only that column.
* commits the SQLite tracker store in SQLite's default rollback-journal mode: two fsyncs per
  message, on the event loop, so every conversation waits for the disk. Here SQLite files are
  in write-ahead-log mode with ``synchronous=NORMAL``: a commit is a write to the log, synced at
  checkpoints. A crashed *process* loses nothing; a power cut can lose the last turns, never the
  file's consistency. The tracker store's SQLite connection is kept open (one per thread), not
  opened and closed for every read and write: closing the last connection of a write-ahead log
  checkpoints it, with an fsync. (The scale profile's PostgreSQL tracker store is untouched.)
* leaves the half million objects of the loaded model (scikit-learn, the CRF, the domain, the
  imported libraries) to Python's garbage collector, which walks them all in every full
  collection: 215 ms with the event loop stopped, every conversation waiting. Here they are
  frozen (``gc.freeze``) once the model is loaded; collections walk what came after.
* asks the SQL tracker store, before replaying a remembered conversation, whether anybody
  wrote to it since (``bot/plugins/tracker_store.py``). With the in-memory lock store, which
  Rasa allows for one process only, nobody else can have: the store is told so once the agent
  is loaded, and reads a remembered conversation with no statement.
* turns the whole conversation into dialogue states again for every prediction of every policy,
  replaying every event of the session onto a fresh tracker. Here each conversation's replay is
  resumed where the last prediction left it (``dialogue_states``).
* copies the tracker before every action by replaying the whole conversation. Here the copy is
  made from the tracker's state (``tracker_copy``).

* works out a conversation's applied events (without what reverts, restarts and loops undid)
  from its first event, several times a message. Here each conversation's working-out goes on
  from where the last one stopped (``applied_events``).

The model graph's own speed-ups are the classes ``bot/config.yml`` names (``bot/nlu``,
``bot/policies``) and the graph runner the loaded agent adopts (``bot/graph_runner.py``).

Nothing here changes what is answered.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, Optional, Text

from . import (
    applied_events,
    dialogue_states,
    tracker_copy,
)

logger = logging.getLogger(__name__)

_installed = False


def install() -> None:
    """Install every speed-up (once)."""
    global _installed
    if _installed:
        return
    install_event_class_cache()
    install_sqlite_write_ahead_log()
    install_quick_lock_polling()
    install_lean_tracker_reads()
    dialogue_states.install()
    tracker_copy.install()
    applied_events.install()
    _installed = True


# --- event classes by type name ------------------------------------------------------------
def install_event_class_cache() -> None:
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    found: Dict[Text, Any] = {}

    def resolve_by_type(type_name: Text, default: Optional[Any] = None) -> Optional[Any]:
        cls = found.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            # Only classes found among the subclasses are remembered (not defaults, not None).
            if cls is not None and cls is not default:
                found[type_name] = cls
        return cls

    def forget(cls: Any, **kwargs: Any) -> None:
        found.clear()
        super(Event, cls).__init_subclass__(**kwargs)

    Event.resolve_by_type = staticmethod(resolve_by_type)
    Event.__init_subclass__ = classmethod(forget)


# --- SQLite tracker store -----------------------------------------------------------------------
def install_sqlite_write_ahead_log() -> None:
    import sqlite3

    from rasa.core import tracker_store
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import SingletonThreadPool

    original_kwargs = tracker_store.create_engine_kwargs

    def create_engine_kwargs(url: Any) -> Dict[Text, Any]:
        kwargs = original_kwargs(url)
        if str(url).startswith("sqlite") and ":memory:" not in str(url) and str(url) != "sqlite://":
            kwargs.setdefault("poolclass", SingletonThreadPool)
        return kwargs

    tracker_store.create_engine_kwargs = create_engine_kwargs

    @event.listens_for(Engine, "connect")
    def write_ahead_log(dbapi_connection: Any, connection_record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()


# --- conversation locks ----------------------------------------------------------------------
LOCK_POLL_SECONDS = 0.05


def install_quick_lock_polling() -> None:
    from rasa.core.lock_store import LOCK_LIFETIME, LockStore

    original = LockStore.lock

    def lock(
        self: LockStore,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = LOCK_POLL_SECONDS,
    ) -> Any:
        return original(self, conversation_id, lock_lifetime, wait_time_in_seconds)

    LockStore.lock = lock


# --- tracker store reads ------------------------------------------------------------------------
def install_lean_tracker_reads() -> None:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.trackers import DialogueStateTracker

    async def _retrieve(
        self: SQLTrackerStore, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        # Rasa 3.6's SQLTrackerStore._retrieve, selecting the events' JSON only.
        with self.session_scope() as session:
            rows = (
                self._event_query(
                    session,
                    sender_id,
                    fetch_events_from_all_sessions=fetch_events_from_all_sessions,
                )
                .with_entities(self.SQLEvent.data)
                .all()
            )
            events = [json.loads(data) for (data,) in rows]
            if self.domain and len(events) > 0:
                return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
            return None

    SQLTrackerStore._retrieve = _retrieve
