"""A loopback stand-in of the Rasa server's HTTP API, for the API's tests.

It answers the routes the API calls (REST channel, a tracker, appending events) the way
Rasa 3.6 does and records every request, so a test can check what the API sent. The real Rasa
server is exercised by the end-to-end tests (``tests/e2e/``).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from citizen_common.identity import DEV_CHANNEL_TOKEN
from werkzeug.wrappers import Request, Response

from tests.platform_standins import StandIn


@dataclass
class SeenCall:
    method: str
    path: str
    args: dict[str, str]
    body: Any


@dataclass
class RasaStandIn(StandIn):
    replies: list[dict] = field(default_factory=list)
    events: dict[str, list[dict]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()
        self.calls: list[SeenCall] = []
        self._lock = threading.Lock()

    def handle(self, request: Request) -> Response:
        body = request.get_json(silent=True)
        with self._lock:
            self.calls.append(SeenCall(request.method, request.path, request.args.to_dict(), body))
        if request.path == "/webhooks/rest/webhook" and request.method == "POST":
            # As the project's REST channel does (bot/channels/rest.py): the API's token only.
            if request.headers.get("Authorization") != f"Bearer {DEV_CHANNEL_TOKEN}":
                return Response("unauthorized", status=401)
            return _json([{"recipient_id": body["sender"], **r} for r in self.replies])
        if request.path.startswith("/conversations/"):
            sender = unquote(request.path.split("/")[2])
            if request.path.endswith("/tracker") and request.method == "GET":
                return _json({"sender_id": sender, "events": self.events.get(sender, [])})
            if request.path.endswith("/tracker/events") and request.method == "POST":
                self.events.setdefault(sender, []).extend(
                    body if isinstance(body, list) else [body]
                )
                return _json({"sender_id": sender, "paused": False})
        return Response("not found", status=404)

    def posted(self, path_end: str) -> list[SeenCall]:
        return [c for c in self.calls if c.method == "POST" and c.path.endswith(path_end)]


def _json(value: Any) -> Response:
    return Response(json.dumps(value), mimetype="application/json")
