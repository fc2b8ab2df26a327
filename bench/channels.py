"""Latency of one chat turn through each channel, against the whole system on free ports.

    .venv/bin/python bench/channels.py [--turns 40]

Starts the API, the action server and the Rasa server (``launcher.stack``, its own migrated,
seeded SQLite database in a temporary directory, the model of ``CITIZEN_MODEL`` or
``bot/models/citizen.tar.gz``), then times sequential turns ("谢谢" / "thanks", answered from
the rules and the API's NLG) through: Rasa's REST channel; the API's ``POST /api/v1/chat``
(session check, rate limits, forwarding); the WeChat channel in AES safe mode (plaintext is refused once a key is configured)
(signature checks, decryption, a reply encrypted and checked by wechatpy). Prints p50, p95 and
the slowest turn of each, and how many WeChat passive replies stayed inside the 4 s budget.
Not part of the test suite; the model's start-up is not timed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from launcher.stack import Ports, Stack  # noqa: E402
from tests.edge import rest_say  # noqa: E402
from tests.wechat_client import WeChatServer, text_message  # noqa: E402
from tests.wechat_standin import stack_env  # noqa: E402

# Rasa posts a conversation's whole tracker to the NLG endpoint with every response; past about
# 28 turns that exceeds the API's MAX_CONTENT_LENGTH (64 KiB) and the reply is lost. So the
# turns are spread over conversations of this many turns each.
CONVERSATION_TURNS = 10


def timed(turn) -> float:
    started = time.perf_counter()
    turn()
    return time.perf_counter() - started


def report(name: str, seconds: list[float]) -> None:
    ordered = sorted(seconds)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    print(
        f"{name:<28} n={len(ordered):<4} p50={statistics.median(ordered) * 1000:7.1f} ms"
        f"  p95={p95 * 1000:7.1f} ms  max={ordered[-1] * 1000:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=40)
    turns = max(1, min(parser.parse_args().turns, 500))
    with tempfile.TemporaryDirectory(prefix="bench-channels-") as tmp:
        var = Path(tmp)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{var / 'citizen.sqlite3'}",
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
        limits = {
            "CHAT_RATE_LIMIT": "100000 per minute",
            "CHAT_ADDRESS_RATE_LIMIT": "100000 per minute",
        }
        stack = Stack(
            ports=Ports.free(),
            var_dir=var,
            api_workers=1,
            env={"DATABASE_URL": env["DATABASE_URL"], **stack_env(), **limits},
        )
        with stack:
            rest, api, aes = [], [], []
            wechat = WeChatServer(stack.rasa_url)
            for i in range(turns):
                if i % CONVERSATION_TURNS == 0:  # a new conversation on every channel
                    sender = f"web:bench-{uuid.uuid4().hex[:8]}"
                    session = requests.post(
                        f"{stack.api_url}/api/v1/chat/session", timeout=30
                    ).json()
                    headers = {"Authorization": f"Bearer {session['data']['token']}"}
                    openid = "o" + uuid.uuid4().hex[:27]
                text = "谢谢" if i % 2 else "thanks"
                rest.append(
                    timed(lambda: rest_say(stack.rasa_url, sender, text).raise_for_status())
                )
                api.append(
                    timed(
                        lambda: requests.post(
                            f"{stack.api_url}/api/v1/chat",
                            headers=headers,
                            json={"text": text},
                            timeout=60,
                        ).raise_for_status()
                    )
                )
                aes.append(
                    timed(
                        lambda: (
                            wechat.decrypt_reply(
                                wechat.post_encrypted(text_message(openid, text))[0]
                            ).content
                        )
                    )
                )
        print(f"sequential turns through each channel ({turns} each, loopback, 1 API worker)")
        report("Rasa REST channel", rest)
        report("API POST /api/v1/chat", api)
        report("WeChat AES safe mode", aes)
        inside = sum(1 for s in aes if s < 4.0)
        print(f"WeChat passive replies inside the 4 s budget: {inside} of {len(aes)}")


if __name__ == "__main__":
    main()
