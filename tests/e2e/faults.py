"""Fault injection into a running stack: a proxy that can hold every request to the action
server for longer than Rasa waits (processes are stopped and started by ``Stack`` itself)."""

from __future__ import annotations

import threading
import time

import requests
from werkzeug.wrappers import Request, Response

from tests.platform_standins import StandIn


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
        answer = requests.request(
            request.method,
            self.upstream + request.full_path.rstrip("?"),
            data=request.get_data(),
            timeout=120,
            headers={
                k: v
                for k, v in request.headers.items()
                if k.lower() not in {"host", "content-length"}
            },
        )
        return Response(
            answer.content,
            status=answer.status_code,
            content_type=answer.headers.get("Content-Type"),
        )
