"""What the benchmarks share: percentiles, a seeded database, the stack on free ports, and the
stock ``rasa init`` assistant (trained once per Rasa version, cached under /tmp)."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from launcher.environments import API_PYTHON, BOT_BIN  # noqa: E402
from launcher.profiles import Profile, ensure_postgres_database, profile_named  # noqa: E402
from launcher.stack import Ports, Stack  # noqa: E402

CACHE = Path(os.environ.get("CITIZEN_BENCH_CACHE", "/tmp/citizen-bench"))


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100), nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Series:
    """Latencies (seconds) of one load run and what went wrong."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # CPU milliseconds per request, by process (tree), measured around the run.
    cpu_ms: dict[str, float] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.latencies) + len(self.errors)

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else float("nan")

    def ms(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000

    def line(self, unit: str = "msg/s") -> str:
        return (
            f"{self.name:<34} {self.count:6d}  {self.rate:8.1f} {unit}  "
            f"p50 {self.ms(50):7.1f} ms  p90 {self.ms(90):7.1f} ms  "
            f"p99 {self.ms(99):7.1f} ms  errors {len(self.errors)}"
        )

    def cpu_line(self) -> str:
        parts = ", ".join(f"{name} {ms:.1f}" for name, ms in self.cpu_ms.items())
        return f"{'':<34} CPU ms per request: {parts} (total {sum(self.cpu_ms.values()):.1f})"


def migrate_and_seed(database_url: str) -> float:
    """``flask db-upgrade`` and ``flask seed`` on a database; returns the seconds taken."""
    started = time.monotonic()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FLASK_APP": "miniapp_api",
        "PYTHONPATH": str(ROOT),
    }
    for command in (["db-upgrade"], ["seed"]):
        subprocess.run(
            [str(API_PYTHON), "-m", "flask", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    return time.monotonic() - started


def schema_key() -> str:
    """A digest of the migrations and seed data: a cached database made from others is stale."""
    import hashlib

    digest = hashlib.sha256()
    sources = sorted((ROOT / "miniapp_api" / "migrations" / "versions").glob("*.py"))
    sources += sorted((ROOT / "miniapp_api" / "seed_data").glob("*"))
    for path in sources:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def seeded_sqlite(work: Path) -> str:
    """A migrated, seeded SQLite database for a run, copied from a cached one when possible
    (the demo city takes a minute to seed; its slots are rolled forward by ``flask seed``)."""
    cached = CACHE / f"citizen-seeded-{schema_key()}.sqlite3"
    target = work / "citizen.sqlite3"
    url = f"sqlite:///{target}"
    if cached.exists():
        shutil.copy(cached, target)
        migrate_and_seed(url)  # brings it to today's migrations and slots
    else:
        migrate_and_seed(url)
        CACHE.mkdir(parents=True, exist_ok=True)
        shutil.copy(target, cached)
    return url


def prepared_profile(name: str, work: Path) -> Profile:
    """The profile ``name`` with its API database migrated and seeded: a SQLite copy in ``work``
    (default), or the profile's PostgreSQL databases (created when missing, scale)."""
    profile = profile_named(name)
    if profile.database_url and profile.database_url.startswith("postgresql"):
        ensure_postgres_database(profile.database_url)
        migrate_and_seed(profile.database_url)
    else:
        from dataclasses import replace

        profile = replace(profile, database_url=seeded_sqlite(work))
    if profile.tracker_store_url and profile.tracker_store_url.startswith("postgresql"):
        ensure_postgres_database(profile.tracker_store_url)
    return profile


def start_stack(profile: Profile, work: Path, timeout: float = 300.0) -> tuple[Stack, float]:
    """Our stack on free ports; returns it and the seconds from process start to ready."""
    stack = Stack(ports=Ports.free(), var_dir=work, profile=profile)
    started = time.monotonic()
    stack.start(timeout=timeout)
    return stack, time.monotonic() - started


# --- the load generators' HTTP client ---------------------------------------------------------
class Client:
    """One kept-alive HTTP connection (http.client: the lightest client, to leave the CPU to
    the server)."""

    def __init__(
        self, base: str, headers: dict[str, str] | None = None, timeout: float = 30
    ) -> None:
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        self.headers = {"Accept": "application/json", **(headers or {})}

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, None

    def close(self) -> None:
        self.connection.close()


# --- the stock assistant -----------------------------------------------------------------------
def rasa_version() -> str:
    out = subprocess.run(
        [str(BOT_BIN / "python"), "-c", "import rasa; print(rasa.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def stock_project() -> tuple[Path, Path, float | None]:
    """A ``rasa init --no-prompt`` project trained once per Rasa version under the cache.

    Returns the project directory, its model, and the training seconds when it was trained now.
    """
    project = CACHE / f"stock-rasa-{rasa_version()}"
    models = sorted((project / "models").glob("*.tar.gz")) if project.exists() else []
    if models:
        return project, models[-1], None
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    started = time.monotonic()
    subprocess.run(
        [str(BOT_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
    )
    seconds = time.monotonic() - started
    models = sorted((project / "models").glob("*.tar.gz"))
    return project, models[-1], seconds


def stock_examples(project: Path) -> dict[str, list[str]]:
    """The stock assistant's own NLU examples, by intent (its ``data/nlu.yml``)."""
    examples: dict[str, list[str]] = {}
    intent = None
    for line in (project / "data" / "nlu.yml").read_text().splitlines():
        if match := re.match(r"- intent: (\w+)", line.strip()):
            intent = match.group(1)
            examples[intent] = []
        elif intent and (match := re.match(r"\s+- (.+)", line)):
            examples[intent].append(match.group(1).strip())
    return examples


def wait_until(check, timeout: float, interval: float = 0.25) -> float:
    """Calls ``check`` until it returns true; returns the seconds waited."""
    started = time.monotonic()
    while True:
        if check():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"not ready after {timeout:.0f} s")
        time.sleep(interval)


# --- CPU time of a process tree (robust to other loads on the machine, unlike wall time) -----
def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds user+system) of a live process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks


def cpu_seconds(root: int) -> float:
    """CPU seconds used so far by ``root`` and its live descendants (gunicorn and Sanic
    workers included)."""
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))):
            parents[int(entry.name)], used[int(entry.name)] = stat
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(used.get(pid, 0.0) for pid in tree)
