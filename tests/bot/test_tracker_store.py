"""bot/plugins/tracker_store.py: the caching tracker store reads and writes exactly what Rasa's
SQL tracker store does, across workers, sessions, restarts, masked numbers and failed writes,
with one statement per read and two per write (none and one for the only writer) — on SQLite and on the real PostgreSQL (skipped,
with the reason, when it is absent)."""

from __future__ import annotations

import os

import pytest

from .conftest import probe_record

pytestmark = pytest.mark.bot
POSTGRES = os.environ.get("TEST_SCALE_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
TRACKER_DATABASE = f"{POSTGRES.replace('+psycopg', '')}/test_tracker_store"


def postgres_reason() -> str | None:
    from launcher.profiles import ensure_postgres_database

    try:
        ensure_postgres_database(TRACKER_DATABASE)
    except Exception as error:  # any failure means: no server to test against
        return f"PostgreSQL not reachable at {POSTGRES}: {error.__class__.__name__}"
    return None


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def record(request, tmp_path_factory) -> dict:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('tracker') / 'tracker.sqlite3'}"
    else:
        if reason := postgres_reason():
            pytest.skip(reason)
        url = TRACKER_DATABASE
    return {**probe_record("tracker_store_probe.py", url), "url": url}


def test_reads_every_session_as_rasas_store_does(record):
    assert record["full_same_as_rasa"]
    assert record["full_sessions"] == 1  # the session begun within a message


def test_every_tracker_created_or_read_is_a_citizen_tracker(record):
    assert set(record["tracker_classes"].values()) == {"CitizenTracker"}, record


def test_a_sqlite_file_is_in_write_ahead_log_mode_its_connection_kept(record):
    if record["url"].startswith("postgresql"):  # PostgreSQL's engine is Rasa's own
        assert record["engine"] == {"pool": "QueuePool"}
        return
    # synchronous 1 is NORMAL (the default, FULL, is 2)
    assert record["engine"] == {
        "pool": "SingletonThreadPool",
        "journal_mode": "wal",
        "synchronous": 1,
    }


def test_with_the_store_speed_ups_off_rasas_reads_and_engine_are_used(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    off = probe_record(
        "tracker_store_probe.py",
        url,
        env={"CITIZEN_SPEEDUPS_OFF": "lean_reads,event_classes,sqlite_wal"},
    )
    assert off["full_same_as_rasa"]
    assert set(off["tracker_classes"].values()) == {"CitizenTracker"}
    assert all(step["same_as_rasa_before"] in (True, None) for step in off["steps"])
    assert off["engine"]["pool"] != "SingletonThreadPool"
    assert off["engine"]["journal_mode"] == "delete"


def test_every_read_is_what_rasas_store_reads(record):
    for step in record["steps"]:
        assert step["same_as_rasa_before"] in (True, None), step
        assert step["stored_as_tracker"], step
    assert record["session"] == {
        "same_as_rasa": True,
        "first_event": "session_started",
        "city": "kept",
    }
    assert record["restart"] == {"same_as_rasa": True, "city": None}
    assert record["outsider_same_as_rasa"]


def test_another_workers_messages_are_read_from_the_database(record):
    texts = [step["text"] for step in record["steps"]]
    back_on_a = record["steps"][texts.index("back on a")]
    assert back_on_a["same_as_rasa_before"] is True
    assert back_on_a["retrieve_statements"] == 2  # the check, then Rasa's read
    assert back_on_a["save_statements"] == 3  # counted as Rasa counts


def test_a_remembered_conversation_costs_one_statement_to_read_and_two_to_write(record):
    air = next(step for step in record["steps"] if step["text"] == "air today")
    assert (air["retrieve_statements"], air["save_statements"]) == (1, 2)


def test_the_only_writer_reads_a_remembered_conversation_without_asking(record):
    assert record["sole_writer"] == {"in_memory_lock_store": True, "redis_lock_store": False}
    steps = {step["text"]: step for step in record["steps"] if step["sender"] == "web:erin"}
    assert [steps[text]["same_as_rasa_before"] for text in steps] == [True, True, True]
    for text in ("sole air", "sole bus"):
        assert (steps[text]["retrieve_statements"], steps[text]["save_statements"]) == (0, 1)


def test_masked_numbers_are_read_back_masked(record):
    assert record["phone_in_retrieved"] is False


def test_a_failed_write_leaves_the_database_the_truth(record):
    assert record["failed_write_raised"] is True
    assert record["after_failed_write_same_as_rasa"] is True


def test_only_the_most_recent_conversations_are_remembered(record):
    assert record["remembered"] == ["web:carol", "web:dave"]
    assert record["bob_same_as_rasa"] is True
