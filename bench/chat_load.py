"""Concurrent conversations over Rasa's REST channel: our assistant beside a stock `rasa init` one.

    .venv/bin/python bench/chat_load.py [--conversations 16] [--rounds 6] [--pairs 3]
                                        [--profile default|scale] [--only ours|stock]

Ours: the whole stack (``launcher.stack``: API under gunicorn, action server, Rasa server, with
the profile's workers and stores) on free ports, on its own migrated, seeded database (a SQLite
copy in a temporary directory; the scale profile's PostgreSQL databases). Each conversation is a
realistic script across the services, alternately in Chinese and English: greeting, air quality
(city, then a district or an activity), next buses at a stop, application status, a booking
started by department and date (a button clicked) and then dropped, my appointments, thanks,
goodbye: the actions, the API and the NLG endpoint all run. Every round a conversation starts
again under a new sender id, like a new citizen.

Stock: ``rasa init --no-prompt`` (created and trained once per Rasa version, cached under
/tmp/citizen-bench), served by ``rasa run`` with the same number of Sanic workers (and, when
that is more than one, a Redis lock store and a PostgreSQL tracker store of its own, without
which Rasa refuses several workers), driven by as many conversations of its own example phrases
in the order of its stories.

Each conversation talks over one kept-alive connection (``common.Client``, on http.client: the
lightest client, so that the load generator takes as little of the 2 cores as it can), the same
for both assistants.

Both assistants are served side by side for the whole run and measured in alternation,
``--pairs`` times (ours, stock, ours, stock, ...): the speed of this shared 2-core machine moves
by a third within minutes, and a ratio of two runs minutes apart is worth more than one of
runs a quarter of an hour apart. Each measurement: one conversation alone, then N at once:
messages, messages per second, p50/p90/p99 latency per message, errors (HTTP failures, empty
answers, and for ours any "service unavailable" apology, which means an action could not reach
the API), and the CPU each process spent per message. Then each pair's ratio, and their median.
Both assistants are warmed up (one round) before the first measurement.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from citizen_common import identity
from citizen_common.identity import DEV_ASSERTION_KEY, DEV_CHANNEL_TOKEN
from common import (
    BOT_BIN,
    Client,
    Series,
    cpu_seconds,
    prepared_profile,
    profile_named,
    start_stack,
    stock_examples,
    stock_project,
    wait_until,
)

from miniapp_api.i18n import translate

# Ours: the REST channel's credential, as the API's /chat holds it (the stock one ignores it).
REST_HEADERS = {"Authorization": f"Bearer {DEV_CHANNEL_TOKEN}"}

BUTTON = "<first button>"  # a step that clicks the first button of the previous answer
SCRIPTS = {
    "zh": [
        "你好",
        "今天空气怎么样",
        "那海珠呢",
        "55路还有几分钟到天河客运站",
        "我的居住证办到哪一步了",
        "帮我挂明天上午协和医院心内科的号",
        BUTTON,
        "不挂了",
        "我挂了哪些号",
        "谢谢",
        "再见",
    ],
    "en": [
        "hello there",
        "how's the air quality today",
        "Is it OK to go running in Tianhe today?",
        "how long until bus 55 gets to Tianhe Coach Terminal",
        "What's the status of my business licence application?",
        "I need to see a dermatologist on Friday",
        BUTTON,
        "never mind, forget it",
        "which appointments do I have",
        "thanks a lot",
        "bye",
    ],
}
# The stock assistant's stories and rules, in order: happy path, sad path 1, bot challenge,
# sad path 2, goodbye (as many turns as ours).
STOCK_INTENTS = [
    "greet",
    "mood_great",
    "bot_challenge",
    "goodbye",
    "greet",
    "mood_unhappy",
    "affirm",
    "greet",
    "mood_unhappy",
    "deny",
    "goodbye",
]
APOLOGIES = {translate("utter_service_unavailable", locale) for locale in ("zh_CN", "en")}


def say(client: Client, sender: str, text: str, proven: bool = True) -> list[dict]:
    """One message over Rasa's REST channel, as the API's /chat sends it (ours: with the
    channel's credential and the conversation's identity assertion, made anew each message,
    so the proof's cost is measured); its replies."""
    body = {"sender": sender, "message": text}
    if proven:
        body["metadata"] = {
            identity.METADATA_KEY: identity.issue(sender, "session", DEV_ASSERTION_KEY)
        }
    status, replies = client.call("POST", "/webhooks/rest/webhook", body)
    if status != 200 or not isinstance(replies, list):
        raise ValueError(f"HTTP {status}: {str(replies)[:100]}")
    return replies


def run_script(
    url: str,
    sender: str,
    script: list[str],
    series: Series,
    lock: threading.Lock,
    apologies: set[str] | None,
) -> None:
    """One conversation. ``apologies`` None: the stock assistant, for which an empty answer is
    a dialogue outcome (its stories end some turns silently), not a failure."""
    client = Client(url, REST_HEADERS, timeout=60)
    replies: list[dict] = []
    for step in script:
        text = step
        if step == BUTTON:
            buttons = [b for reply in replies for b in reply.get("buttons") or []]
            text = buttons[0]["payload"] if buttons else "/help"
        started = time.perf_counter()
        try:
            replies = say(client, sender, text, proven=apologies is not None)
            problem = None
            if apologies is not None and not replies:
                problem = "no answer"
            elif apologies and any(r.get("text") in apologies for r in replies):
                problem = "apology"
        except (OSError, http.client.HTTPException, ValueError) as error:
            client.close()
            client = Client(url, REST_HEADERS, timeout=60)
            replies, problem = [], f"{error.__class__.__name__}: {error}"[:200]
        elapsed = time.perf_counter() - started
        with lock:
            if problem:
                series.errors.append(f"{sender} {text!r}: {problem}")
            else:
                series.latencies.append(elapsed)
    client.close()


def load(
    name: str,
    url: str,
    scripts: list[list[str]],
    conversations: int,
    rounds: int,
    apologies: set[str] | None,
) -> Series:
    """``conversations`` threads, each running its script ``rounds`` times (new sender each)."""
    series, lock = Series(name), threading.Lock()
    start = threading.Barrier(conversations + 1)
    run = uuid.uuid4().hex[:6]

    def conversation(index: int) -> None:
        start.wait()
        for round_ in range(rounds):
            sender = f"web:bench-{run}-{index}-{round_}"
            run_script(url, sender, scripts[index % len(scripts)], series, lock, apologies)

    threads = [threading.Thread(target=conversation, args=(i,)) for i in range(conversations)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    series.seconds = time.perf_counter() - began
    return series


def warm_up(url: str, scripts: list[list[str]], apologies: set[str] | None) -> None:
    load("warm-up", url, scripts, len(scripts), 1, apologies)


def measure(
    label: str,
    url: str,
    scripts: list[list[str]],
    args,
    apologies: set[str] | None,
    pids: dict[str, int],
) -> tuple[Series, Series]:
    """One conversation alone, then ``args.conversations`` at once; the CPU each process (with
    its workers) spent per message is measured around each run."""
    alone = timed_cpu(
        pids, lambda: load(f"{label}, 1 conversation", url, scripts, 1, args.rounds * 2, apologies)
    )
    many = timed_cpu(
        pids,
        lambda: load(
            f"{label}, {args.conversations} conversations",
            url,
            scripts,
            args.conversations,
            args.rounds,
            apologies,
        ),
    )
    return alone, many


def timed_cpu(pids: dict[str, int], run) -> Series:
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    series = run()
    for name, pid in pids.items():
        series.cpu_ms[name] = (cpu_seconds(pid) - before[name]) * 1000 / max(1, series.count)
    return series


@dataclass
class Served:
    """An assistant being served: where, by which processes, and its scripts."""

    label: str
    url: str
    pids: dict[str, int]
    scripts: list[list[str]]
    apologies: set[str] | None
    note: str = ""


# --- ours ---------------------------------------------------------------------------------------
@contextmanager
def ours(args, work: Path):
    profile = prepared_profile(args.profile, work)
    stack, ready = start_stack(profile, work / "ours")
    try:
        started = time.monotonic()
        say(
            Client(stack.rasa_url, REST_HEADERS, timeout=60),
            f"web:bench-first-{uuid.uuid4().hex[:6]}",
            "你好",
        )
        first = ready + time.monotonic() - started
        pids = {
            p.name: p.popen.pid for p in stack.processes if p.name in ("rasa", "actions", "api")
        }
        yield Served(
            "ours",
            stack.rasa_url,
            pids,
            list(SCRIPTS.values()),
            APOLOGIES,
            f"ours: processes started to first answer {first:.1f} s",
        )
    finally:
        stack.stop()


# --- stock --------------------------------------------------------------------------------------
def stock_scripts(project: Path) -> list[list[str]]:
    examples = stock_examples(project)
    cycles = {intent: itertools.cycle(phrases) for intent, phrases in examples.items()}
    scripts = []
    for _ in range(4):  # four different phrasings of the same stories
        scripts.append([next(cycles[intent]) for intent in STOCK_INTENTS])
    return scripts


def stock_endpoints(project: Path, profile, work: Path) -> Path:
    """The stock project's endpoints; with several Sanic workers, the stores Rasa needs."""
    if profile.rasa_workers <= 1:
        return project / "endpoints.yml"
    from launcher.profiles import ensure_postgres_database, lock_store_environment

    tracker = profile.tracker_store_url.rsplit("/", 1)[0] + "/stock_tracker_bench"
    ensure_postgres_database(tracker)
    lock = lock_store_environment(profile.lock_store_url.rsplit("/", 1)[0] + "/6")
    path = work / "stock-endpoints.yml"
    path.write_text(
        f"tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: {tracker}\n"
        f"  db: stock_tracker_bench\n"
        f"lock_store:\n  type: redis\n  url: {lock['LOCK_STORE_HOST']}\n"
        f"  port: {lock['LOCK_STORE_PORT']}\n  db: {lock['LOCK_STORE_DB']}\n"
    )
    return path


@contextmanager
def stock(args, work: Path):
    project, model, trained = stock_project()
    profile = profile_named(args.profile)
    port = free_port()
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SANIC_WORKERS": str(profile.rasa_workers),
    }
    log = open(work / "stock-rasa.log", "wb")
    process = subprocess.Popen(
        [
            str(BOT_BIN / "rasa"),
            "run",
            "--model",
            str(model),
            "--enable-api",
            "--port",
            str(port),
            "--interface",
            "127.0.0.1",
            "--endpoints",
            str(stock_endpoints(project, profile, work)),
            "--credentials",
            str(project / "credentials.yml"),
        ],
        cwd=project,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _ready(url, process), timeout=300)
        note = (
            f"stock: rasa init trained in {trained:.1f} s (cached for next runs)"
            if trained is not None
            else ""
        )
        yield Served(
            "stock rasa init", url, {"rasa": process.pid}, stock_scripts(project), None, note
        )
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _ready(url: str, process: subprocess.Popen) -> bool:
    if process.poll() is not None:
        raise RuntimeError(f"stock Rasa exited with {process.returncode}")
    try:
        return requests.get(f"{url}/status", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def free_port() -> int:
    from launcher.stack import free_port as free

    return free()


def describe(profile) -> str:
    return (
        f"API gunicorn {profile.api_workers}x{profile.api_threads} threads, "
        f"Rasa {profile.rasa_workers} Sanic worker(s), action server "
        f"{profile.action_workers}x{profile.action_threads} threads, "
        f"tracker store {'PostgreSQL' if profile.tracker_store_url else 'SQLite'}, "
        f"lock store {'Redis' if profile.lock_store_url else 'in memory'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=16)
    # 6 rounds: 1,056 messages at 16 conversations, so that p99 rests on ten messages, not three,
    # and both assistants run long enough for their garbage collections to count.
    parser.add_argument(
        "--rounds",
        type=int,
        default=6,
        help="times each conversation runs its script (alone: twice as many)",
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=3,
        help="measurements of each assistant, in alternation (both served "
        "throughout), so that each ratio compares runs minutes apart",
    )
    parser.add_argument("--profile", default="default", choices=["default", "scale"])
    parser.add_argument("--only", choices=["ours", "stock"])
    args = parser.parse_args()
    profile = profile_named(args.profile)
    print(f"== chat load, profile {args.profile}: {describe(profile)}", flush=True)
    wanted = [
        (name, serve)
        for name, serve in (("ours", ours), ("stock", stock))
        if args.only in (None, name)
    ]
    results: dict[str, list[tuple[Series, Series]]] = {name: [] for name, _ in wanted}
    with tempfile.TemporaryDirectory(prefix="chat-load-") as tmp, ExitStack() as servers:
        work = Path(tmp)
        (work / "ours").mkdir()
        served = {name: servers.enter_context(serve(args, work)) for name, serve in wanted}
        for assistant in served.values():
            if assistant.note:
                print(assistant.note, flush=True)
            warm_up(assistant.url, assistant.scripts, assistant.apologies)
        for pair in range(args.pairs):
            for name, assistant in served.items():
                alone, many = measure(
                    assistant.label,
                    assistant.url,
                    assistant.scripts,
                    args,
                    assistant.apologies,
                    assistant.pids,
                )
                results[name].append((alone, many))
                for series in (alone, many):
                    print(series.line() + "\n" + series.cpu_line(), flush=True)
            if len(served) == 2:
                print(
                    ratio_line(f"pair {pair + 1}", results["ours"][-1], results["stock"][-1]),
                    flush=True,
                )
    for label, runs in results.items():
        for alone, many in runs:
            for series in (alone, many):
                for error in series.errors[:5]:
                    print(f"  {label} error: {error}")
    if len(results) == 2:
        ratios = sorted(o[1].rate / s[1].rate for o, s in zip(results["ours"], results["stock"]))
        print(
            f"ratios ours/stock at {args.conversations} conversations, pair by pair: "
            + ", ".join(f"{r:.2f}x" for r in ratios)
            + f"; median {statistics.median(ratios):.2f}x"
        )
    failed = sum(len(s.errors) for runs in results.values() for pair in runs for s in pair)
    return 1 if failed else 0


def ratio_line(
    label: str, ours_pair: tuple[Series, Series], stock_pair: tuple[Series, Series]
) -> str:
    (ours_alone, ours_many), (stock_alone, stock_many) = ours_pair, stock_pair
    return (
        f"{label}: ratio ours/stock {ours_many.rate / stock_many.rate:.2f}x messages per "
        f"second (p99 {ours_many.ms(99):.0f} ms vs {stock_many.ms(99):.0f} ms); "
        f"alone p50 {ours_alone.ms(50):.1f} ms vs {stock_alone.ms(50):.1f} ms"
    )


if __name__ == "__main__":
    sys.exit(main())
