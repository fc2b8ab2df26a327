"""The scale profile on the real engines: PostgreSQL for the API and Rasa's tracker store, Redis
for Rasa's lock store, two Sanic workers of the Rasa server (``launcher/profiles.py``).

- A conversation survives a restart of the Rasa server: its state lives in the tracker store.
- Two Rasa workers serve one conversation's concurrent messages one at a time, in the order they
  arrived: the Redis lock store's tickets, proven from the tracker's events.

Skipped, with the reason, when the PostgreSQL server (127.0.0.1:5432) or Redis (127.0.0.1:6379)
does not answer. Own databases (``test_scale_api``, ``test_scale_tracker``) and Redis database 7.
"""
from __future__ import annotations

import json
import os
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from launcher.profiles import check_redis, ensure_postgres_database, profile_named
from launcher.stack import ROOT, Ports, Stack

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

POSTGRES = os.environ.get("TEST_SCALE_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
API_DATABASE = f"{POSTGRES}/test_scale_api"
TRACKER_DATABASE = f"{POSTGRES.replace('+psycopg', '')}/test_scale_tracker"
REDIS = os.environ.get("TEST_SCALE_REDIS", "redis://127.0.0.1:6379/7")
MESSAGES = 12  # sent to one conversation while its first message is still being handled


def unavailable() -> str | None:
    try:
        ensure_postgres_database(API_DATABASE)
        ensure_postgres_database(TRACKER_DATABASE)
    except Exception as error:  # any failure means: no server to test against
        return f"PostgreSQL not reachable at {POSTGRES}: {error.__class__.__name__}"
    try:
        check_redis(REDIS)
    except ConnectionError as error:
        return str(error)
    return None


@pytest.fixture(scope="module")
def scaled_stack(tmp_path_factory):
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": API_DATABASE, "FLASK_APP": "miniapp_api",
           "PYTHONPATH": str(ROOT)}
    flask = [sys.executable, "-m", "flask"]
    if subprocess.run(flask + ["db-upgrade"], cwd=ROOT, env=env, capture_output=True).returncode:
        # This test's own database, migrated by an older migration history: start afresh.
        from tests.conftest import drop_everything

        drop_everything(API_DATABASE)
        subprocess.run(flask + ["db-upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(flask + ["seed"], cwd=ROOT, env=env, check=True, capture_output=True)
    profile = replace(profile_named("scale", environ={}), api_workers=2, action_workers=1,
                      rasa_workers=2, database_url=API_DATABASE,
                      tracker_store_url=TRACKER_DATABASE, lock_store_url=REDIS)
    stack = Stack(ports=Ports.free(), var_dir=tmp_path_factory.mktemp("scale"), profile=profile)
    stack.start(timeout=300)
    yield stack
    outcome = stack.stop()
    assert set(outcome.values()) == {"stopped"}, outcome


def say(stack: Stack, sender: str, message: str, **metadata) -> list[dict]:
    body = {"sender": sender, "message": message, "metadata": metadata}
    response = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def tracker_events(stack: Stack, sender: str) -> list[dict]:
    response = requests.get(f"{stack.rasa_url}/conversations/{sender}/tracker", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["events"]


def test_the_profile_runs_on_postgresql_and_redis(scaled_stack):
    env = scaled_stack.environment()
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["TRACKER_STORE_DIALECT"] == "postgresql"
    assert env["LOCK_STORE_TYPE"] == "bot.serving.locks.AtomicRedisLockStore"
    assert env["SANIC_WORKERS"] == "2"
    assert len(rasa_workers(scaled_stack)) == 2


def test_a_conversation_survives_a_restart_of_the_rasa_server(scaled_stack):
    sender = f"web:scale-restart-{uuid.uuid4().hex[:8]}"
    [ask_department] = say(scaled_stack, sender, "我想挂协和医院的号")
    assert "您想挂协和医院的哪个科室" in ask_department["text"], ask_department
    old_pid = next(p.popen.pid for p in scaled_stack.processes if p.name == "rasa")

    scaled_stack.restart("rasa", timeout=300)

    assert next(p.popen.pid for p in scaled_stack.processes if p.name == "rasa") != old_pid
    # The new server finds the booking form where the old one left it: the hospital is known
    # and the department answers the open question (no form, no question, no such answer).
    [next_question] = say(scaled_stack, sender, "心内科")
    assert "哪一天" in next_question["text"] or "约满" in next_question["text"], next_question
    events = tracker_events(scaled_stack, sender)
    texts = [e.get("text") for e in events if e["event"] == "user"]
    assert texts[-2:] == ["我想挂协和医院的号", "心内科"]
    assert any(e["event"] == "active_loop" and e.get("name") == "booking_form" for e in events)


def rasa_workers(stack: Stack) -> list[int]:
    """The Sanic worker processes of the Rasa server (children of its main process)."""
    main = next(p.popen.pid for p in stack.processes if p.name == "rasa")
    children = Path(f"/proc/{main}/task/{main}/children").read_text().split()
    return [int(pid) for pid in children]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def queued_tickets(sender: str) -> int:
    """Tickets the Redis lock store holds for a conversation (the one being served first)."""
    import redis

    raw = redis.Redis.from_url(REDIS).get(f"lock:{sender}")
    return len(json.loads(raw)["tickets"]) if raw else 0


def wait_for(check, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_two_workers_serve_one_conversations_concurrent_messages_in_order(scaled_stack):
    """The first message is held in its action (the API waits for a table lock the test holds)
    while the others arrive one after another, each sent once the lock store has given the one
    before it a ticket: their order is known. Then the API is released and all run."""
    import psycopg

    sender = f"web:scale-order-{uuid.uuid4().hex[:8]}"
    workers = rasa_workers(scaled_stack)
    busy_before = {pid: cpu_seconds(pid) for pid in workers}
    replies: dict[int, list] = {}

    def send(seq: int, message: str) -> None:
        # Payloads: the intent is known, so each turn is one rule's answer, whatever NLU says.
        replies[seq] = say(scaled_stack, sender, message, seq=seq)

    threads = []
    with psycopg.connect(API_DATABASE.replace("+psycopg", ""), connect_timeout=5) as blocker:
        blocker.execute("LOCK TABLE channel_identity IN ACCESS EXCLUSIVE MODE")
        # The greeting's action asks the API who the citizen is, and waits.
        threads.append(threading.Thread(target=send, args=(0, "/greet")))
        threads[0].start()
        wait_for(lambda: queued_tickets(sender) == 1)
        for seq in range(1, MESSAGES + 1):
            threads.append(threading.Thread(target=send, args=(seq, "/thanks")))
            threads[-1].start()
            wait_for(lambda: queued_tickets(sender) == seq + 1)
        assert threads[0].is_alive() and not replies  # all were waiting at once
        blocker.rollback()  # the API answers; the conversation goes on
    for thread in threads:
        thread.join(60)
    assert sorted(replies) == list(range(MESSAGES + 1)) and all(replies.values()), replies
    # Both workers did the work (each spent CPU on these messages).
    spent = {pid: cpu_seconds(pid) - busy_before[pid] for pid in workers}
    assert all(seconds >= 0.05 for seconds in spent.values()), spent

    events = tracker_events(scaled_stack, sender)
    user_events = [e for e in events if e["event"] == "user"]
    # Each message once, in the order it arrived (the tickets are first come, first served) ...
    assert [e["metadata"]["seq"] for e in user_events] == list(range(MESSAGES + 1))
    # ... and each handled to the end before the next began: after every user message come its
    # own answer, and the bot listens again, before the next user message.
    starts = [i for i, e in enumerate(events) if e["event"] == "user"]
    for begin, end in zip(starts, starts[1:] + [len(events)]):
        turn = events[begin + 1:end]
        actions = [e["name"] for e in turn if e["event"] == "action"]
        assert actions and actions[-1] == "action_listen", turn
        assert any(e["event"] == "bot" for e in turn), turn
