"""The scale profile on the real engines: PostgreSQL for the API and Rasa's tracker store, Redis
for Rasa's lock store, two Sanic workers of the Rasa server (``launcher/profiles.py``).

- A conversation survives a restart of the Rasa server: its state lives in the tracker store.
- Two Rasa workers serve one conversation's concurrent messages one at a time, in the order they
  arrived: the Redis lock store's tickets, proven from the tracker's events.
- deploy/nginx.conf in front of two Rasa servers spreads one conversation over both (when nginx
  is installed).

Skipped, with the reason, when the PostgreSQL server (127.0.0.1:5432) or Redis (127.0.0.1:6379)
does not answer. Own databases (``test_scale_api``, ``test_scale_tracker``) and Redis database 7.
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from launcher.profiles import check_redis, ensure_postgres_database, profile_named
from launcher.stack import ROOT, Ports, Stack
from tests.edge import RASA_TOKEN, rest_say

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

    env = {
        **os.environ,
        "DATABASE_URL": API_DATABASE,
        "FLASK_APP": "miniapp_api",
        "PYTHONPATH": str(ROOT),
    }
    flask = [sys.executable, "-m", "flask"]
    if subprocess.run(flask + ["db-upgrade"], cwd=ROOT, env=env, capture_output=True).returncode:
        # This test's own database, migrated by an older migration history: start afresh.
        from tests.conftest import drop_everything

        drop_everything(API_DATABASE)
        subprocess.run(flask + ["db-upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(flask + ["seed"], cwd=ROOT, env=env, check=True, capture_output=True)
    profile = replace(
        profile_named("scale", environ={}),
        api_workers=2,
        action_workers=1,
        rasa_workers=2,
        database_url=API_DATABASE,
        tracker_store_url=TRACKER_DATABASE,
        lock_store_url=REDIS,
    )
    stack = Stack(ports=Ports.free(), var_dir=tmp_path_factory.mktemp("scale"), profile=profile)
    stack.start(timeout=300)
    yield stack
    outcome = stack.stop()
    assert set(outcome.values()) == {"stopped"}, outcome


def say(stack: Stack, sender: str, message: str, **metadata) -> list[dict]:
    response = rest_say(stack.rasa_url, sender, message, **metadata)
    assert response.status_code == 200, response.text
    return response.json()


def tracker_events(stack: Stack, sender: str) -> list[dict]:
    response = requests.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker", timeout=30, params=RASA_TOKEN
    )
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
    # Both workers did the work: each spent CPU on these messages (handling them, or waiting for
    # their turn in the lock store). A worker left out spends nothing in these seconds, and the
    # CPU clock counts in 10 ms ticks; a message costs a worker only a few ms now.
    spent = {pid: cpu_seconds(pid) - busy_before[pid] for pid in workers}
    assert all(seconds >= 0.01 for seconds in spent.values()), spent

    events = tracker_events(scaled_stack, sender)
    user_events = [e for e in events if e["event"] == "user"]
    # Each message once, in the order it arrived (the tickets are first come, first served) ...
    assert [e["metadata"]["seq"] for e in user_events] == list(range(MESSAGES + 1))
    # ... and each handled to the end before the next began: after every user message come its
    # own answer, and the bot listens again, before the next user message.
    starts = [i for i, e in enumerate(events) if e["event"] == "user"]
    for begin, end in zip(starts, starts[1:] + [len(events)]):
        turn = events[begin + 1 : end]
        actions = [e["name"] for e in turn if e["event"] == "action"]
        assert actions and actions[-1] == "action_listen", turn
        assert any(e["event"] == "bot" for e in turn), turn


def nginx_config(
    deploy_conf: str, rasa_ports: list[int], api_port: int, listen: int, internal: int, work: Path
) -> str:
    """deploy/nginx.conf with this machine's addresses instead of the compose services', and
    a log of which Rasa server answered each request."""
    conf = re.sub(r"\n\s*resolver [^\n]*", "", deploy_conf)
    for index, port in enumerate(rasa_ports, start=1):
        conf = conf.replace(f"server rasa-{index}:5005", f"server 127.0.0.1:{port}")
    conf = re.sub(r"\n\s*server rasa-\d:5005[^;]*;", "", conf)
    conf = conf.replace("server api:5000;", f"server 127.0.0.1:{api_port};")
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    conf = conf.replace("listen 8005;", f"listen 127.0.0.1:{internal};")
    return conf.replace(
        "http {",
        "http {\n"
        "    log_format upstreams '$server_port $request_uri $upstream_addr $status';\n"
        f"    access_log {work}/access.log upstreams;\n"
        f"    client_body_temp_path {work}/body;\n"
        f"    proxy_temp_path {work}/proxy;",
        1,
    )


def test_nginx_spreads_one_conversation_over_two_rasa_servers(scaled_stack, tmp_path):
    """deploy/nginx.conf in front of two Rasa servers sharing the stores: one booking
    conversation, its messages answered by both servers in turn, the form going on."""
    import shutil
    import subprocess

    from launcher.environments import BOT_BIN
    from launcher.stack import free_port

    assert shutil.which("nginx"), "nginx is installed by `make test` (scripts/system-packages.sh)"
    rasa = next(p for p in scaled_stack.processes if p.name == "rasa")
    second_port = free_port()
    command = [
        str(BOT_BIN / "python"),
        "-m",
        "bot.serving",
        "rasa",
        "run",
        *rasa.command[rasa.command.index("--model") :],
    ]
    command[command.index("--port") + 1] = str(second_port)
    log = open(tmp_path / "rasa-2.log", "wb")
    second = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**scaled_stack.environment(), "SANIC_WORKERS": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    nginx = None
    try:
        ready = time.monotonic() + 300
        while not _answers(f"http://127.0.0.1:{second_port}/status?token={RASA_TOKEN['token']}"):
            assert second.poll() is None and time.monotonic() < ready, "second Rasa server"
            time.sleep(1)
        listen, internal = free_port(), free_port()
        for folder in ("body", "proxy"):
            (tmp_path / folder).mkdir()
        conf = tmp_path / "nginx.conf"
        conf.write_text(
            nginx_config(
                (ROOT / "deploy" / "nginx.conf").read_text(),
                [scaled_stack.ports.rasa, second_port],
                scaled_stack.ports.api,
                listen,
                internal,
                tmp_path,
            )
        )
        nginx = subprocess.Popen(
            [
                "nginx",
                "-c",
                str(conf),
                "-g",
                f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;",
            ]
        )
        public = f"http://127.0.0.1:{listen}"
        wait_for(lambda: _answers(f"{public}/api/v1/health"), timeout=30)
        sender = f"web:scale-nginx-{uuid.uuid4().hex[:8]}"
        expected = [
            ("我想挂协和医院的号", "您想挂协和医院的哪个科室"),
            ("心内科", "哪一天"),
            ("不挂了", "没有为您预约"),
            ("谢谢", "不客气"),
        ] * 2
        # The REST channel is the API's alone: reached on the internal port, not the public one.
        assert rest_say(public, sender, "你好").status_code == 404
        for message, answer in expected:
            reply = rest_say(f"http://127.0.0.1:{internal}", sender, message)
            assert reply.status_code == 200 and answer in reply.json()[0]["text"], reply.text
        time.sleep(0.5)  # nginx writes its log after answering
        # The Rasa servers that answered the internal port's channel requests (the public
        # port's 404 above came from the API, to which it passes every other path).
        used = [
            line.split()[2]
            for line in (tmp_path / "access.log").read_text().splitlines()
            if line.startswith(f"{internal} /webhooks/rest/")
        ]
        assert len(used) == len(expected), used
        assert set(used) == {f"127.0.0.1:{scaled_stack.ports.rasa}", f"127.0.0.1:{second_port}"}, (
            used
        )
        # Only the channels are public: not Rasa's HTTP API, not the API's NLG endpoint.
        assert (
            requests.get(f"{public}/conversations/{sender}/tracker", timeout=10).status_code == 404
        )
        assert requests.post(f"{public}/nlg", json={}, timeout=10).status_code == 404
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait(10)
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(30)
        log.close()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False
