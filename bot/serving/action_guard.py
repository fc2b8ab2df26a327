"""The action server answers Rasa alone: a bearer token on every call, bodies bounded after
decompression.

rasa-sdk serves its webhook to whoever reaches the port, and inflates a ``deflate`` body with
``zlib.decompress``, without a bound (a few kilobytes can inflate to gigabytes). This guard is a
rasa-sdk plugin (its ``attach_sanic_app_extensions`` hook, registered with rasa-sdk's plugin
manager before the server starts) adding one request middleware:

- ``/health`` stays open (the launcher's readiness probe);
- anything else needs ``Authorization: Bearer <ACTION_SERVER_TOKEN>``, which Rasa sends
  (``bot/endpoints.yml``, ``action_endpoint.headers``); else 401;
- a body, or a ``deflate`` body once inflated, over ``ACTION_SERVER_MAX_BODY_BYTES`` is 413.

The launcher also binds the server to loopback (``SANIC_HOST``), not rasa-sdk's ``0.0.0.0``.
"""

from __future__ import annotations

import os
import zlib
from typing import Optional

import pluggy
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.edge import bearer_matches

hookimpl = pluggy.HookimplMarker("rasa_sdk")
DEV_ACTION_SERVER_TOKEN = "development-action-server-token-not-for-production"
# A tracker late in a long conversation is a few hundred kilobytes.
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
OPEN_PATHS = frozenset({"/health"})


def action_server_token() -> str:
    return os.environ.get("ACTION_SERVER_TOKEN") or DEV_ACTION_SERVER_TOKEN


def max_body_bytes() -> int:
    return int(os.environ.get("ACTION_SERVER_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES))


def inflated_size_exceeds(body: bytes, limit: int) -> bool:
    """True when ``body`` (zlib's deflate) inflates to more than ``limit`` bytes, or is not
    deflate at all; inflates at most ``limit + 1`` bytes to find out."""
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(body, limit + 1)
    except zlib.error:
        return True
    return len(inflated) > limit or bool(inflater.unconsumed_tail)


def refusal(request: Request, token: str, limit: int) -> Optional[HTTPResponse]:
    """The answer to a call that may not go on (``None`` for one that may)."""
    if request.path in OPEN_PATHS:
        return None
    if not bearer_matches(request.headers.get("Authorization"), token):
        return response.json(
            {"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": "Bearer"}
        )
    body = request.body or b""
    if len(body) > limit or (
        request.headers.get("Content-Encoding") == "deflate" and inflated_size_exceeds(body, limit)
    ):
        return response.json({"error": "payload too large"}, status=413)
    return None


class ActionServerGuard:
    """The rasa-sdk plugin adding the guard to the action server's Sanic app."""

    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        token, limit = action_server_token(), max_body_bytes()

        @app.on_request
        async def guard(request: Request) -> Optional[HTTPResponse]:
            return refusal(request, token, limit)


def register() -> None:
    """Registers the guard with rasa-sdk's plugin manager (once)."""
    from rasa_sdk.plugin import plugin_manager

    manager = plugin_manager()
    if not any(isinstance(p, ActionServerGuard) for p in manager.get_plugins()):
        manager.register(ActionServerGuard())
