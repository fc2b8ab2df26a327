"""``python -m bot.replay FILE [--out DIR] [--url RASA_URL] [--concurrency N]
[--compare OLD/report.json] [--model PATH]``

Replays hotline transcripts against the assistant and writes ``report.json`` and
``report.html``. In-process by default (the model loaded here; actions and NLG over HTTP at
``ACTION_SERVER_URL`` and ``API_URL``); ``--url`` replays through a running Rasa server.
Exit status: 0 when the run finished (bad input lines are findings, not failures), 2 for a
usage error or an unreadable file, 130 when interrupted (a partial report is still written).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

os.environ["RASA_TELEMETRY_ENABLED"] = "false"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from . import metrics, report, runner, transcripts

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = ROOT / "bot" / "models" / "citizen.tar.gz"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot.replay",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "file", help="transcripts: .jsonl (one call a line) or .csv (one turn a row)"
    )
    parser.add_argument("--out", help="report directory (default var/replay/<timestamp>/)")
    parser.add_argument("--url", help="replay through this running Rasa server instead")
    parser.add_argument("--concurrency", type=int, default=4, help="calls at once (default 4)")
    parser.add_argument("--compare", help="an earlier report.json to compare with")
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="model for in-process mode")
    parser.add_argument(
        "--max-turn-chars",
        type=int,
        default=transcripts.MAX_TURN_CHARS,
        help="longer caller turns are truncated, with a note",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--start-stack",
        action="store_true",
        help="start the API and the action server on free ports for the run "
        "(launcher.stack, without the Rasa server), then stop them",
    )
    return parser.parse_args(argv)


def _servers() -> tuple[str, str]:
    """The action server and the API, read now: ``main`` may just have started them."""
    from citizen_common.settings import load

    from bot.settings import RasaSettings

    settings = load(RasaSettings)
    return settings.action_server_url, settings.api_url


async def run(args, calls, stop: asyncio.Event):
    from tqdm import tqdm

    if args.url:
        backend = runner.HttpBackend(args.url)
    else:
        backend = runner.InProcessBackend(args.model, *_servers())
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    total = sum(len(call.caller_turns) for call in calls)
    bar = tqdm(
        total=total,
        unit="turn",
        file=sys.stderr,
        disable=args.no_progress,
        desc="replaying",
        dynamic_ncols=True,
    )
    started = time.perf_counter()
    try:
        finished, interrupted = await runner.replay(
            backend, calls, args.concurrency, on_turns=bar.update, stop=stop
        )
    finally:
        bar.close()
        await backend.close()
    return finished, interrupted, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.start_stack:
        return replay_main(args)
    from launcher.stack import Ports, Stack

    stack = Stack(ports=Ports.free(), with_rasa=False)
    print(
        f"starting the API and the action server (logs in {stack.var_dir / 'log'}) ...",
        file=sys.stderr,
    )
    stack.start()
    os.environ["API_URL"], os.environ["ACTION_SERVER_URL"] = stack.api_url, stack.actions_url
    try:
        return replay_main(args)
    finally:
        stack.stop()


def replay_main(args: argparse.Namespace) -> int:
    source = Path(args.file)
    if not source.is_file():
        print(f"no such file: {source}", file=sys.stderr)
        return 2
    if not args.url and not Path(args.model).is_file():
        print(f"no model at {args.model} (run `make train`)", file=sys.stderr)
        return 2
    old = None
    if args.compare:
        try:
            old = json.loads(Path(args.compare).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            print(f"cannot read {args.compare}: {error}", file=sys.stderr)
            return 2
    out = (
        Path(args.out)
        if args.out
        else (ROOT / "var" / "replay" / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"))
    )
    data = transcripts.read(source, args.max_turn_chars)
    print(
        f"{len(data.calls)} calls, {sum(len(c.caller_turns) for c in data.calls)} caller turns,"
        f" {len(data.bad_lines)} bad lines in {source}",
        file=sys.stderr,
    )
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    stop = asyncio.Event()
    finished, interrupted, wall = asyncio.run(run(args, data.calls, stop))
    figures = metrics.compute(finished, wall)
    result = {
        "source": str(source),
        "run": {
            "source": str(source),
            "mode": "http" if args.url else "in-process",
            "url": args.url,
            "model": None if args.url else str(args.model),
            "concurrency": args.concurrency,
            "started_at": started_at,
            "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "interrupted": interrupted,
            "calls_read": len(data.calls),
            "calls_not_replayed": len(data.calls) - len(finished),
            "sender_id_rule": "hotline:<caller>-<call_id>, characters outside "
            "[A-Za-z0-9_-.+@=] replaced by _, at most 128 after 'hotline:'",
        },
        "figures": figures,
        "bad_lines": [transcripts.as_dict(bad) for bad in data.bad_lines],
        "notes": data.notes,
        "calls": finished,
    }
    if old is not None:
        result["comparison"] = metrics.compare(result, old)
        result["comparison"]["old_report"] = str(args.compare)
    json_path, html_path = report.write(result, out)
    print(
        f"containment {figures['containment_rate']} ({figures['contained_calls']}/"
        f"{figures['calls_replayed']} calls), {figures['caller_turns']} turns, "
        f"{figures['turns_per_second']} turns/s, latency p50/p90/p99 "
        f"{figures['latency_ms']['p50']}/{figures['latency_ms']['p90']}/"
        f"{figures['latency_ms']['p99']} ms",
        file=sys.stderr,
    )
    print(f"report: {json_path}\n        {html_path}")
    if interrupted:
        print("interrupted: partial report of the calls that finished", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
