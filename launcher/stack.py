"""The running system: the API, the action server and the Rasa server, with real HTTP between.

``make run`` uses it through ``python -m launcher``; the end-to-end tests start it on free ports.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from .environments import API_BIN, BOT_BIN
from .profiles import Profile, profile_named
from .settings import CREDENTIALS, LauncherSettings, launcher_settings

ROOT = Path(__file__).resolve().parent.parent
# CITIZEN_MODEL: run another trained model (a candidate being checked) instead of the default.
MODEL = Path(launcher_settings().model)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api_server_command(
    port: int, workers: int, threads: int, *options: str, app: str = "miniapp_api.wsgi:app"
) -> list[str]:
    """gunicorn serving the API as the launcher runs it (the benchmarks and the tests that start
    gunicorn use it too): the API's gunicorn configuration (``miniapp_api/gunicorn_conf.py``,
    which holds every flag), with the profile's workers and threads, on loopback."""
    return [
        str(API_BIN / "gunicorn"),
        "--config",
        "python:miniapp_api.gunicorn_conf",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        *options,
        app,
    ]


# The credentials between the processes, each its own (the production profile of the API refuses
# the development defaults): the environment's, else those defaults (launcher/settings.py).
INTERNAL_CREDENTIALS = {
    variable: getattr(LauncherSettings, field) for field, variable in CREDENTIALS.items()
}


def internal_credentials(environ: dict[str, str] | None = None) -> dict[str, str]:
    settings = launcher_settings(environ)
    return {variable: getattr(settings, field) for field, variable in CREDENTIALS.items()}


@dataclass
class Ports:
    api: int = 5000
    actions: int = 5055
    rasa: int = 5005

    @classmethod
    def free(cls) -> "Ports":
        return cls(api=free_port(), actions=free_port(), rasa=free_port())

    @classmethod
    def from_environment(cls) -> "Ports":
        """``API_PORT``, ``ACTIONS_PORT``, ``RASA_PORT``, else the usual ports."""
        settings = launcher_settings()
        return cls(api=settings.api_port, actions=settings.actions_port, rasa=settings.rasa_port)


@dataclass
class Process:
    name: str
    command: list[str]
    ready_url: str | None  # None: running is ready enough
    log_path: Path
    popen: subprocess.Popen | None = None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Stack:
    ports: Ports = field(default_factory=Ports)
    var_dir: Path = ROOT / "var"
    env: dict[str, str] = field(default_factory=dict)
    # Workers and stores (launcher/profiles.py): ``default``, or ``scale`` on PostgreSQL/Redis.
    profile: Profile = field(default_factory=profile_named)
    api_workers: int | None = None  # None: the profile's
    processes: list[Process] = field(default_factory=list)
    # False: only the API (and its air feeder) and the action server, for a client that loads
    # the model itself (the hotline replay, ``python -m launcher.replay``).
    with_rasa: bool = True

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.api}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.actions}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}"

    def environment(self) -> dict[str, str]:
        settings = launcher_settings()
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
            "API_URL": self.api_url,
            "ACTION_SERVER_URL": self.actions_url,
            "RASA_URL": self.rasa_url,
            **self.profile.environment(self.var_dir),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            **internal_credentials(),
            # rasa-sdk binds SANIC_HOST: loopback (or the internal address given), not 0.0.0.0.
            "SANIC_HOST": settings.action_server_host,
        }
        for name, value in (
            ("TRACKER_STORE_DIALECT", settings.tracker_store_dialect),
            ("TRACKER_STORE_HOST", settings.tracker_store_host),
            ("TRACKER_STORE_DB", settings.tracker_store_db),
        ):
            if value is not None:
                env[name] = value
        env.update(self.env)
        return env

    def define(self) -> list[Process]:
        processes = self._all_processes()
        return [p for p in processes if self.with_rasa or p.name != "rasa"]

    def _all_processes(self) -> list[Process]:
        logs = self.var_dir / "log"
        return [
            Process(
                "api",
                api_server_command(
                    self.ports.api,
                    self.api_workers or self.profile.api_workers,
                    self.profile.api_threads,
                    "--access-logfile",
                    "-",
                ),
                f"{self.api_url}/api/v1/health",
                logs / "api.log",
            ),
            # Keeps the demo air-quality network's current hour filled while the system runs.
            Process(
                "air-feed",
                [
                    str(API_BIN / "flask"),
                    "--app",
                    "miniapp_api",
                    "air",
                    "feed",
                    "--follow",
                    "--interval",
                    "60",
                ],
                None,
                logs / "air-feed.log",
            ),
            # Delivers citizens' notifications from the outbox (to the log in development).
            Process(
                "outbox",
                [
                    str(API_BIN / "flask"),
                    "--app",
                    "miniapp_api",
                    "applications",
                    "deliver",
                    "--follow",
                    "--sender",
                    launcher_settings().outbox_sender,
                ],
                None,
                logs / "outbox.log",
            ),
            # Moves the demo city's buses (GTFS-Realtime written and ingested every 15 s); with
            # TRANSIT_REALTIME_URLS set, polls those real feeds instead.
            Process(
                "transit-realtime",
                [
                    str(API_BIN / "flask"),
                    "--app",
                    "miniapp_api",
                    "transit",
                    *self._transit_realtime_arguments(),
                ],
                None,
                logs / "transit-realtime.log",
            ),
            # bot.serving: rasa-sdk and Rasa with the speed-ups measured in bench/ (README).
            Process(
                "actions",
                [
                    str(BOT_BIN / "python"),
                    "-m",
                    "bot.serving",
                    "actions",
                    "--actions",
                    "bot.actions",
                    "--port",
                    str(self.ports.actions),
                ],
                f"{self.actions_url}/health",
                logs / "actions.log",
            ),
            Process(
                "rasa",
                [
                    str(BOT_BIN / "python"),
                    "-m",
                    "bot.serving",
                    "rasa",
                    "run",
                    "--model",
                    str(MODEL),
                    "--enable-api",
                    "--auth-token",
                    self.environment()["RASA_TOKEN"],
                    # Only the web chat's own origin (the API's) may call from a page.
                    "--cors",
                    self.api_url,
                    "--port",
                    str(self.ports.rasa),
                    "--interface",
                    "127.0.0.1",
                    "--credentials",
                    str(ROOT / "bot" / "credentials.yml"),
                    "--endpoints",
                    str(ROOT / "bot" / "endpoints.yml"),
                ],
                f"{self.rasa_url}/status?token={self.environment()['RASA_TOKEN']}",
                logs / "rasa.log",
            ),
        ]

    def _transit_realtime_arguments(self) -> list[str]:
        if launcher_settings().transit_realtime_urls:
            return ["realtime", "--follow"]
        return [
            "simulate",
            "--follow",
            "--interval",
            "15",
            "--out",
            str(self.var_dir / "transit" / "realtime.pb"),
        ]

    def start(self, timeout: float = 180.0) -> "Stack":
        (self.var_dir / "log").mkdir(parents=True, exist_ok=True)
        env = self.environment()
        self.processes = self.define()
        for process in self.processes:
            self._spawn(process, env)
        self.wait_ready(timeout)
        return self

    def _spawn(self, process: Process, env: dict[str, str]) -> None:
        log = open(process.log_path, "ab")
        process.popen = subprocess.Popen(
            process.command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def restart(self, name: str, timeout: float = 180.0, grace: float = 10.0) -> None:
        """Stops one process and starts it again, ready: what a deployment does to one server
        while the others go on."""
        self.stop_process(name, grace)
        self.start_process(name, timeout)

    def stop_process(self, name: str, grace: float = 10.0) -> None:
        """Stops one process (SIGTERM to its group, SIGKILL after ``grace``), as ``stop`` does."""
        process = self.process(name)
        if process.popen is None or process.popen.poll() is not None:
            return
        os.killpg(process.popen.pid, signal.SIGTERM)
        try:
            process.popen.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.popen.pid, signal.SIGKILL)
            process.popen.wait()

    def start_process(self, name: str, timeout: float = 180.0) -> None:
        """Starts one (stopped) process again with the stack's environment; waits until ready."""
        process = self.process(name)
        self._spawn(process, self.environment())
        self.wait_ready(timeout, [process])

    def process(self, name: str) -> Process:
        return next(p for p in self.processes if p.name == name)

    def wait_ready(self, timeout: float, processes: list[Process] | None = None) -> None:
        deadline = time.monotonic() + timeout
        pending = list(self.processes if processes is None else processes)
        while pending:
            for process in list(pending):
                if process.popen.poll() is not None:
                    self.stop()
                    raise RuntimeError(
                        f"{process.name} exited with {process.popen.returncode}:\n"
                        f"{process.log_tail()}"
                    )
                if process.ready_url is None:
                    pending.remove(process)
                    continue
                try:
                    if requests.get(process.ready_url, timeout=2).status_code == 200:
                        pending.remove(process)
                except requests.RequestException:
                    pass
            if pending and time.monotonic() > deadline:
                names = ", ".join(p.name for p in pending)
                tails = "\n".join(f"--- {p.name}\n{p.log_tail()}" for p in pending)
                self.stop()
                raise TimeoutError(f"not ready after {timeout:.0f}s: {names}\n{tails}")
            time.sleep(0.5)

    def stop(self, grace: float = 10.0) -> dict[str, str]:
        """Stops every process (SIGTERM, then SIGKILL after ``grace`` seconds).

        Returns how each ended: ``"stopped"`` when it exited on SIGTERM, ``"killed"`` otherwise.
        """
        outcome: dict[str, str] = {}
        for process in self.processes:
            if process.popen and process.popen.poll() is None:
                os.killpg(process.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.processes:
            if not process.popen:
                continue
            try:
                process.popen.wait(max(0.1, deadline - time.monotonic()))
                outcome[process.name] = "stopped"
            except subprocess.TimeoutExpired:
                os.killpg(process.popen.pid, signal.SIGKILL)
                process.popen.wait()
                outcome[process.name] = "killed"
        return outcome

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
