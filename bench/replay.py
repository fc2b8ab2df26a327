"""Caller turns per second of the in-process hotline replay: our assistant beside a stock one.

    .venv-bot/bin/python bench/replay.py [--turns 500] [--concurrency 4]

Ours: the sample calls (tests/data/hotline/calls.jsonl) repeated to about ``--turns`` caller
turns, replayed in-process with the API and the action server started on free ports (their
own migrated, seeded SQLite database in a temporary directory). Stock: ``rasa init
--no-prompt`` created and trained in a temporary directory, replayed the same way (no action
server, its domain's responses) with the sample's English caller turns. Model loading is not
timed. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["RASA_TELEMETRY_ENABLED"] = "false"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bot.replay import runner, transcripts  # noqa: E402
from launcher.environments import API_PYTHON, BOT_BIN  # noqa: E402
from launcher.stack import MODEL, Ports, Stack  # noqa: E402

SAMPLE = ROOT / "tests" / "data" / "hotline" / "calls.jsonl"
_HAN = re.compile(r"[\u3400-\u9fff]")


def repeated(calls: list[transcripts.Call], turns: int) -> list[transcripts.Call]:
    """The calls again and again (new call ids, so new conversations) until ``turns``."""
    out, total, round_ = [], 0, 0
    while total < turns:
        for call in calls:
            out.append(replace(call, call_id=f"{call.call_id}r{round_}"))
            total += len(call.caller_turns)
            if total >= turns:
                break
        round_ += 1
    return out


def english_only(calls: list[transcripts.Call]) -> list[transcripts.Call]:
    kept = []
    for call in calls:
        turns = [t for t in call.turns if t.role == "caller" and not _HAN.search(t.text)]
        if turns:
            kept.append(replace(call, turns=turns))
    return kept


def measure(backend, calls, concurrency: int) -> tuple[float, int]:
    turns = sum(len(call.caller_turns) for call in calls)
    started = time.perf_counter()
    finished, _ = asyncio.run(runner.replay(backend, calls, concurrency))
    seconds = time.perf_counter() - started
    errors = sum(1 for c in finished for t in c["turns"] if t["error"])
    if errors:
        print(f"  ({errors} turns failed)", file=sys.stderr)
    return turns / seconds, turns


def ours(calls, concurrency: int, work: Path) -> float:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'citizen.sqlite3'}",
        "FLASK_APP": "miniapp_api",
        "PYTHONPATH": str(ROOT),
    }
    flask = [str(API_PYTHON), "-m", "flask"]
    for command in (["db-upgrade"], ["seed"]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
    stack = Stack(
        ports=Ports.free(),
        var_dir=work,
        api_workers=2,
        with_rasa=False,
        env={"DATABASE_URL": env["DATABASE_URL"]},
    )
    stack.start()
    try:
        backend = runner.InProcessBackend(str(MODEL), stack.actions_url, stack.api_url)
        measure(backend, calls[:4], concurrency)  # warm-up
        rate, turns = measure(backend, calls, concurrency)
    finally:
        stack.stop()
    print(f"citizen assistant: {turns} caller turns, {rate:.2f} turns/s")
    return rate


def stock(calls, concurrency: int, work: Path) -> float:
    project = work / "stock"
    project.mkdir()
    print("training a stock `rasa init --no-prompt` assistant ...", file=sys.stderr)
    subprocess.run(
        [str(BOT_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
        cwd=project,
        check=True,
        capture_output=True,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    model = max((project / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    backend = runner.InProcessBackend(str(model), None, None)
    measure(backend, calls[:4], concurrency)
    rate, turns = measure(backend, calls, concurrency)
    print(f"stock rasa init:   {turns} caller turns, {rate:.2f} turns/s")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    sample = transcripts.read(SAMPLE).calls
    with tempfile.TemporaryDirectory(prefix="replay-bench-") as tmp:
        work = Path(tmp)
        rate_ours = ours(repeated(sample, args.turns), args.concurrency, work)
        rate_stock = stock(repeated(english_only(sample), args.turns), args.concurrency, work)
    print(f"ratio (ours / stock): {rate_ours / rate_stock:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
