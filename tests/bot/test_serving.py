"""bot/serving: the speed-ups keep Rasa's behaviour, actions run side by side, connections are
reused, and the Redis lock store serves one conversation's messages one at a time, in ticket
order, from several clients at once (real Redis; skipped, with the reason, when it is absent)."""

from __future__ import annotations

import os

import pytest

from .conftest import probe_record

pytestmark = pytest.mark.bot
REDIS = os.environ.get("TEST_SCALE_REDIS", "redis://127.0.0.1:6379/7")


def redis_reason() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=3).ping()
        return None
    except redis.RedisError as error:
        return f"Redis not reachable at {REDIS}: {error.__class__.__name__}"


@pytest.fixture(scope="module")
def report() -> dict:
    return probe_record("serving_probe.py", *([REDIS] if redis_reason() is None else []))


def test_response_validation_accepts_and_refuses_exactly_as_rasa(report):
    before, after = report["before"], report["after"]
    assert after["action"] == before["action"]
    assert after["action"][0] is True  # a valid reply with several kinds of events
    assert all(outcome[0] == "ValidationError" for outcome in after["action"][1:])
    assert after["nlg"] == before["nlg"]
    assert after["nlg"][:3] == [True, True, True]
    assert all(outcome[0] == "RasaException" for outcome in after["nlg"][3:])


def test_event_classes_are_the_ones_rasa_finds(report):
    assert report["after"]["events"] == report["before"]["events"]
    assert report["after"]["events"]["slot"] == "SlotSet"
    assert report["after"]["events"]["nope"].startswith("ValueError")


def test_blocking_actions_run_side_by_side(report):
    # Three actions that each block 0.4 s: together in well under the 1.2 s one after another.
    assert report["threads"]["seconds"] < 0.9, report["threads"]
    whom = [r["events"][0]["value"] for r in report["threads"]["results"]]
    assert whom == ["action_one", "action_two", "action_three"]
    assert [r["responses"][0]["who"] for r in report["threads"]["results"]] == whom


def test_the_rest_channel_runs_the_lifecycle_once_per_worker(report):
    assert report["lifecycle"]["events"] == ["after_server_start", "before_server_stop"]
    assert report["lifecycle"]["agents"] == ["the agent"]


def test_endpoint_calls_reuse_one_connection(report):
    assert report["reuse"]["answers"] == [{"text": "ok"}] * 3
    assert report["reuse"]["rasa_answers"] == report["reuse"]["answers"][:1]  # Rasa's own
    assert len(set(report["reuse"]["client_ports"])) == 1, report["reuse"]


def test_redis_lock_store_serves_concurrent_clients_in_ticket_order(report):
    if "locks" not in report:
        pytest.skip(redis_reason())
    locks = report["locks"]
    assert locks["errors"] == []
    tickets = [ticket for ticket, _ in locks["served"]]
    assert tickets == sorted(tickets) and len(tickets) == 12
    assert not any(overlap for _, overlap in locks["served"])  # one at a time
    assert locks["left"] is False  # the queue is gone once nobody waits
