"""Run in the bot environment: the caching tracker store against Rasa's own SQL store; prints JSON.

``python tests/bot/tracker_store_probe.py DB_URL`` — two ``CachingTrackerStore`` instances (two
Rasa workers) and Rasa's ``SQLTrackerStore`` on one database (SQLite file or PostgreSQL URL) go
through conversations turn by turn like Rasa's processor (retrieve, add events, save); every
tracker read is compared with what Rasa's own store reads from the same rows, and the SQL
statements of each step are counted. tests/bot/test_tracker_store.py asserts on the record.
"""

import asyncio
import json
import sys

import sqlalchemy as sa
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from rasa.core.tracker_store import AwaitableTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.plugins.tracker_store import CachingTrackerStore, mark_sole_writer

DOMAIN = Domain.from_dict(
    {
        "intents": ["greet", "ask"],
        "slots": {
            "city": {"type": "text", "mappings": [{"type": "custom"}]},
            "phone": {"type": "text", "mappings": [{"type": "custom"}]},
        },
    }
)
PHONE = "13800138000"


def store_arguments(url: str) -> dict:
    if url.startswith("sqlite:///"):
        return {"dialect": "sqlite", "db": url[len("sqlite:///") :]}
    return {"dialect": "postgresql", "host": url, "db": url.rsplit("/", 1)[1]}


class StatementCounter:
    def __init__(self, engine) -> None:
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._counted)

    def _counted(self, *args) -> None:
        self.count += 1


def as_dicts(tracker) -> list:
    if tracker is None:
        return []
    return [{k: v for k, v in event.as_dict().items()} for event in tracker.events]


def turn(tracker: DialogueStateTracker, text: str, number: int, **slots) -> None:
    """What a processed message adds: the user's message, slots, an action, a reply."""
    tracker.update(UserUttered(text, {"name": "ask", "confidence": 0.9}, message_id=f"m{number}"))
    for name, value in slots.items():
        tracker.update(SlotSet(name, value))
    tracker.update(ActionExecuted("utter_answer"))
    tracker.update(BotUttered(f"answer {number} to {text}"))
    tracker.update(ActionExecuted("action_listen"))


async def main(url: str) -> dict:
    arguments = store_arguments(url)
    worker_a = CachingTrackerStore(DOMAIN, **arguments)
    worker_b = CachingTrackerStore(DOMAIN, **arguments)
    rasa_store = SQLTrackerStore(DOMAIN, **arguments)
    with rasa_store.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM events"))
    counter_a = StatementCounter(worker_a.engine)
    record = {"steps": []}

    async def step(store, counter, sender, text, number, **slots):
        before = counter.count
        tracker = await store.get_or_create_tracker(sender)
        retrieved_statements = counter.count - before
        read_by_rasa = await rasa_store.retrieve(sender)
        same_before = as_dicts(tracker) == as_dicts(read_by_rasa) if read_by_rasa else None
        turn(tracker, text, number, **slots)
        before = counter.count
        await store.save(tracker)
        saved_statements = counter.count - before
        after = await rasa_store.retrieve(sender)
        record["steps"].append(
            {
                "sender": sender,
                "text": text,
                "same_as_rasa_before": same_before,
                "stored_as_tracker": as_dicts(after) == masked(as_dicts(tracker)),
                "retrieve_statements": retrieved_statements,
                "save_statements": saved_statements,
            }
        )
        return tracker

    # One conversation through worker A, then worker B in between, then A again.
    for number, text in enumerate(["hello", "air today", "and Haizhu"], start=1):
        await step(worker_a, counter_a, "web:alice", text, number, city=f"c{number}")
    await step(worker_b, StatementCounter(worker_b.engine), "web:alice", "from b", 4)
    await step(worker_a, counter_a, "web:alice", "back on a", 5)
    # A phone number typed and put in a slot: stored masked, read back masked.
    await step(worker_a, counter_a, "web:alice", f"my phone is {PHONE}", 6, phone=PHONE)
    after_phone = await worker_a.retrieve("web:alice")
    record["phone_in_retrieved"] = PHONE in json.dumps(as_dicts(after_phone), ensure_ascii=False)
    await step(worker_a, counter_a, "web:alice", "thanks", 7)
    # A new session begins within a message: only its events are read back afterwards.
    tracker = await worker_a.retrieve("web:alice")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(SlotSet("city", "kept"))
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, "new session", 8)
    await worker_a.save(tracker)
    cached = await worker_a.retrieve("web:alice")
    from_db = await rasa_store.retrieve("web:alice")
    record["session"] = {
        "same_as_rasa": as_dicts(cached) == as_dicts(from_db),
        "first_event": cached.events[0].type_name,
        "city": cached.get_slot("city"),
    }
    # A /restart: the conversation resets, the events stay.
    tracker = await worker_a.retrieve("web:alice")
    tracker.update(UserUttered("/restart", {"name": "restart"}))
    tracker.update(ActionExecuted("action_restart"))
    tracker.update(Restarted())
    await worker_a.save(tracker)
    cached = await worker_a.retrieve("web:alice")
    record["restart"] = {
        "same_as_rasa": as_dicts(cached) == as_dicts(await rasa_store.retrieve("web:alice")),
        "city": cached.get_slot("city"),
    }
    # A tracker the store did not hand out (built elsewhere, e.g. Rasa's HTTP API): counted.
    outsider = DialogueStateTracker.from_events("web:alice", list(cached.events), DOMAIN.slots)
    turn(outsider, "outsider", 9)
    await worker_a.save(outsider)
    record["outsider_same_as_rasa"] = as_dicts(await worker_a.retrieve("web:alice")) == as_dicts(
        await rasa_store.retrieve("web:alice")
    )
    # A write that fails leaves the store reading from the database again.
    tracker = await worker_a.retrieve("web:alice")
    turn(tracker, "lost", 10)
    original = worker_a._insert

    def failing_insert(connection, sender_id, rows):
        raise sa.exc.OperationalError("INSERT", {}, Exception("database gone"))

    worker_a._insert = failing_insert
    try:
        await worker_a.save(tracker)
        record["failed_write_raised"] = False
    except sa.exc.OperationalError:
        record["failed_write_raised"] = True
    worker_a._insert = original
    record["after_failed_write_same_as_rasa"] = as_dicts(
        await worker_a.retrieve("web:alice")
    ) == as_dicts(await rasa_store.retrieve("web:alice"))
    # The only writer (Rasa's in-memory lock store): a remembered conversation is read with no
    # statement and written with one, and still reads as Rasa's store reads it.
    sole = CachingTrackerStore(DOMAIN, **arguments)
    record["sole_writer"] = {
        "in_memory_lock_store": mark_sole_writer(AwaitableTrackerStore(sole), InMemoryLockStore()),
        "redis_lock_store": mark_sole_writer(
            CachingTrackerStore(DOMAIN, **arguments), RedisLockStore(host="127.0.0.1", port=1)
        ),
    }
    sole_counter = StatementCounter(sole.engine)
    for number, text in enumerate(["sole hello", "sole air", "sole bus"], start=1):
        await step(sole, sole_counter, "web:erin", text, number, city=f"s{number}")
    # Capacity: the least recently used conversation is forgotten, and still read correctly.
    worker_a.capacity = 2
    for sender in ("web:bob", "web:carol", "web:dave"):
        await step(worker_a, counter_a, sender, "hi", 1)
    record["remembered"] = sorted(worker_a._sessions)
    record["bob_same_as_rasa"] = as_dicts(await worker_a.retrieve("web:bob")) == as_dicts(
        await rasa_store.retrieve("web:bob")
    )
    # Every session of a conversation (Rasa's full-tracker read), read by our _retrieve.
    full = await worker_b.retrieve_full_tracker("web:alice")
    record["full_same_as_rasa"] = as_dicts(full) == as_dicts(
        await rasa_store.retrieve_full_tracker("web:alice")
    )
    record["full_sessions"] = sum(isinstance(event, SessionStarted) for event in full.events)
    record["engine"] = engine_settings(worker_a.engine)
    # Every tracker the store creates or reads is the project's tracker class.
    fresh = CachingTrackerStore(DOMAIN, **arguments)
    record["tracker_classes"] = {
        "created": type(await fresh.get_or_create_tracker("web:new")).__name__,
        "read_from_the_database": type(await fresh.retrieve("web:bob")).__name__,
        "remembered": type(await worker_a.retrieve("web:dave")).__name__,
        "full": type(full).__name__,
    }
    return record


def engine_settings(engine) -> dict:
    """The store engine's pool class, and SQLite's journal mode and synchronous level."""
    settings = {"pool": type(engine.pool).__name__}
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            settings["journal_mode"] = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            settings["synchronous"] = connection.exec_driver_sql("PRAGMA synchronous").scalar()
    return settings


def masked(events: list) -> list:
    return json.loads(json.dumps(events, ensure_ascii=False).replace(PHONE, "138****8000"))


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1])), ensure_ascii=False))
