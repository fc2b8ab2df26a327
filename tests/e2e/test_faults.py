"""Faults injected into real processes of a stack of this module's own (the shared stack of the
other end-to-end tests is never disturbed):

- the API stopped mid-conversation, then started again;
- the action server slower than Rasa waits for it (a delaying proxy between them, and Rasa's
  action timeout, ``RASA_ACTION_TIMEOUT_SECONDS``, set to seconds);
- the Rasa server restarted mid-conversation, its SQL tracker store keeping the conversation.

The database restarted under booking load is ``tests/api/test_database_restart.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
import requests

from launcher.stack import MODEL, ROOT, Ports, Stack
from tests.edge import RASA_TOKEN, rest_say
from tests.scale import scaled

from .faults import DelayingProxy

pytestmark = pytest.mark.e2e
ACTION_TIMEOUT_SECONDS = 5
APOLOGY_ZH = "抱歉，系统暂时无法处理您的请求，请稍后再试；紧急事项请拨打 12345 市民服务热线。"
APOLOGY_EN = "Sorry, the system can't handle your request right now."
ASK_DEPARTMENT = "您想挂协和医院的哪个科室"
FAULTS = []  # (fault, seconds it lasted), reported at the end of the module


@pytest.fixture(scope="module")
def proxy():
    with DelayingProxy("http://127.0.0.1:1") as standin:  # upstream set once ports are known
        yield standin


@pytest.fixture(scope="module")
def stack(proxy, tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make test`, which trains it")
    var_dir = tmp_path_factory.mktemp("fault-stack")
    database = f"sqlite:///{var_dir / 'citizen.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "FLASK_APP": "miniapp_api",
        "PYTHONPATH": str(ROOT),
    }
    for command in (["db-upgrade"], ["seed"]):
        subprocess.run(
            [sys.executable, "-m", "flask", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    ports = Ports.free()
    proxy.upstream = f"http://127.0.0.1:{ports.actions}"
    stack = Stack(
        ports=ports,
        var_dir=var_dir,
        api_workers=1,
        env={
            "DATABASE_URL": database,
            "ACTION_SERVER_URL": proxy.url,
            "RASA_ACTION_TIMEOUT_SECONDS": str(ACTION_TIMEOUT_SECONDS),
        },
    )
    stack.start(timeout=300)
    yield stack
    outcome = stack.stop()
    print(
        f"\nfaults injected: {len(FAULTS)}: "
        + ", ".join(f"{name} ({seconds:.0f} s)" for name, seconds in FAULTS)
    )
    assert set(outcome.values()) == {"stopped"}, outcome


def say(stack, sender: str, message: str, timeout: float = 120) -> list[dict]:
    response = rest_say(stack.rasa_url, sender, message, timeout=timeout)
    assert response.status_code == 200, response.text
    return response.json()


def texts(replies: list[dict]) -> list[str]:
    return [reply.get("text") for reply in replies]


def slots(stack, sender: str) -> dict:
    tracker = requests.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker", timeout=30, params=RASA_TOKEN
    ).json()
    return {k: v for k, v in tracker["slots"].items() if v is not None}


def api_down_turn(stack, sender: str, message: str) -> list[str]:
    """One turn while the API process is stopped; the API is started again afterwards."""
    began = time.monotonic()
    stack.stop_process("api")
    try:
        return texts(say(stack, sender, message))
    finally:
        stack.start_process("api", timeout=300)
        FAULTS.append(("API stopped", time.monotonic() - began))


def slow_turn(stack, proxy, sender: str, message: str) -> tuple[list[str], float]:
    """One turn while every call to the action server takes longer than Rasa waits."""
    proxy.delay = ACTION_TIMEOUT_SECONDS + 5
    began = time.monotonic()
    try:
        replies = texts(say(stack, sender, message))
    finally:
        proxy.delay = 0
    waited = time.monotonic() - began
    FAULTS.append(("action server slower than Rasa's timeout", waited))
    time.sleep(6)  # the held calls reach the action server late; let them finish
    return replies, waited


def test_api_down_mid_conversation_then_back(stack):
    for _ in range(scaled(1)):
        sender = f"web:fault-api-{uuid.uuid4().hex[:8]}"
        assert ASK_DEPARTMENT in texts(say(stack, sender, "我想挂协和医院的号"))[0]
        kept = slots(stack, sender)
        during = api_down_turn(stack, sender, "心内科")
        assert during == [APOLOGY_ZH], during
        # The API is back: the same conversation goes on where it was.
        assert slots(stack, sender).items() >= kept.items()
        after = texts(say(stack, sender, "心内科"))
        assert any("哪一天" in t or "约满" in t or "哪一位" in t for t in after), after


def test_the_bot_apologises_in_the_citizens_language_while_the_api_is_down(stack):
    zh = api_down_turn(stack, f"web:fault-api-{uuid.uuid4().hex[:8]}", "今天空气怎么样")
    en = api_down_turn(stack, f"web:fault-api-{uuid.uuid4().hex[:8]}", "what's the air like today")
    assert zh == [APOLOGY_ZH] and en and en[0].startswith(APOLOGY_EN), (zh, en)


def test_action_server_slower_than_rasa_waits(stack, proxy):
    sender = f"web:fault-slow-{uuid.uuid4().hex[:8]}"
    assert texts(say(stack, sender, "你好呀")) == ["您好！我是市民助手，请问有什么可以帮您？"]
    for _ in range(scaled(1)):
        slow, waited = slow_turn(stack, proxy, sender, "今天空气怎么样")
        assert waited < ACTION_TIMEOUT_SECONDS + 30, waited  # answered once Rasa gave up
        assert slow == [APOLOGY_ZH], slow
        fast = texts(say(stack, sender, "今天空气怎么样"))
        assert fast and "空气质量指数" in fast[0], fast  # the conversation goes on
    assert (
        requests.get(f"{stack.rasa_url}/status", params=RASA_TOKEN, timeout=30).status_code == 200
    )


def test_rasa_restarted_mid_conversation(stack):
    sender = f"web:fault-rasa-{uuid.uuid4().hex[:8]}"
    assert ASK_DEPARTMENT in texts(say(stack, sender, "我想挂协和医院的号"))[0]
    before = slots(stack, sender)
    assert before, "the booking form set no slot"
    for _ in range(scaled(1)):
        began = time.monotonic()
        stack.restart("rasa", timeout=300)
        FAULTS.append(("Rasa server restarted", time.monotonic() - began))
        assert slots(stack, sender) == before  # from the SQL tracker store
    after = texts(say(stack, sender, "心内科"))
    assert any("哪一天" in t or "约满" in t or "哪一位" in t for t in after), after
