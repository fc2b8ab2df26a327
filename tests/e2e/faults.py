"""Fault injection into a running stack: stop and start one of its processes, and a proxy that
can hold every request to the action server for longer than Rasa waits."""
from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

import requests
from werkzeug.wrappers import Request, Response

from launcher.stack import ROOT, Process, Stack
from tests.platform_standins import StandIn


def process_named(stack: Stack, name: str) -> Process:
    return next(p for p in stack.processes if p.name == name)


def stop_process(stack: Stack, name: str, grace: float = 15.0) -> None:
    """SIGTERM to the process group (SIGKILL after ``grace``), as ``Stack.stop`` does."""
    process = process_named(stack, name)
    if process.popen is None or process.popen.poll() is not None:
        return
    os.killpg(process.popen.pid, signal.SIGTERM)
    try:
        process.popen.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait()


def start_process(stack: Stack, name: str, timeout: float = 300.0,
                  env: dict[str, str] | None = None) -> float:
    """Start the stopped process again with the stack's environment (plus ``env``); returns
    the seconds until it answered its health check."""
    process = process_named(stack, name)
    began = time.monotonic()
    with open(process.log_path, "ab") as log:
        process.popen = subprocess.Popen(process.command, cwd=ROOT,
                                         env={**stack.environment(), **(env or {})},
                                         stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
    while process.ready_url:
        assert process.popen.poll() is None, process.log_tail()
        try:
            if requests.get(process.ready_url, timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        assert time.monotonic() - began < timeout, f"{name} not ready:\n{process.log_tail()}"
        time.sleep(0.5)
    return time.monotonic() - began


class DelayingProxy(StandIn):
    """Forwards every request to ``upstream``, after ``delay`` seconds (0: at once)."""

    def __init__(self, upstream: str) -> None:
        super().__init__()
        self.upstream = upstream.rstrip("/")
        self.delay = 0.0
        self.held = 0  # requests that were delayed
        self._lock = threading.Lock()

    def handle(self, request: Request) -> Response:
        if self.delay:
            with self._lock:
                self.held += 1
            time.sleep(self.delay)
        answer = requests.request(request.method, self.upstream + request.full_path.rstrip("?"),
                                  data=request.get_data(), timeout=120,
                                  headers={k: v for k, v in request.headers.items()
                                           if k.lower() not in {"host", "content-length"}})
        return Response(answer.content, status=answer.status_code,
                        content_type=answer.headers.get("Content-Type"))
