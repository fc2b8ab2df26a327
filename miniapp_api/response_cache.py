"""Micro-caching of public answers: the same question within a few seconds gets the same bytes.

The busiest mini-app calls ask for public data that changes on its own clock, not per request:
the city's air quality (hourly readings) and the next buses at a stop (realtime feeds every
15-30 s). At a pollution alert or a holiday morning thousands of citizens ask the same thing in
the same seconds; rendering it once per few seconds instead of once per request is what keeps
the API's cost per request near the server's own.

- Only public GET answers (no citizen's data), only 200s, keyed by the endpoint, the full path
  with its query and the response locale; each kept for its endpoint's ``seconds``.
- Writes in this process that change the data drop their tag at once (an air-quality ingest,
  a realtime feed); other processes' copies expire within ``seconds``, which bounds staleness.
  Where another process's write must show at once (a new hour of air readings ingested by the
  feeder or an operator's CLI), the endpoint names a ``version`` of its data: one cheap query
  (an indexed maximum) whose value is part of the key.
- A citizen's own answers (``cached_own``: my appointments) are keyed by the citizen too, and
  by their ``records_version``: a number every change of their appointments and patients
  raises in its own transaction, read with the caller's row that authentication reads anyway.
  A booking in any process is therefore seen at once everywhere; ``seconds`` bounds only what
  others change (a slot's remaining units, catalogue names) and the passing of time.
- Per application (``app.extensions``), bounded (least recently stored dropped first),
  thread-safe. ``RESPONSE_CACHE=false`` turns it off.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import datetime
from functools import wraps
from typing import Any, Callable, Hashable

from flask import current_app, request

from .i18n import current_locale

EXTENSION = "response_cache"
MAX_ENTRIES = 2048


class ResponseCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, tuple[float, str, int, bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[int, bytes, str] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, _tag, status, body, mimetype = entry
            if expires <= time.monotonic():
                del self._entries[key]
                return None
            return status, body, mimetype

    def put(
        self, key: tuple, tag: str, seconds: float, status: int, body: bytes, mimetype: str
    ) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + seconds, tag, status, body, mimetype)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def invalidate(self, tag: str) -> None:
        with self._lock:
            for key in [k for k, entry in self._entries.items() if entry[1] == tag]:
                del self._entries[key]


def _cache() -> ResponseCache | None:
    if not current_app.config.get("RESPONSE_CACHE", True):
        return None
    return current_app.extensions.setdefault(EXTENSION, ResponseCache())


def invalidate(tag: str) -> None:
    """Drops this process's cached answers of ``tag`` (call after writing their data)."""
    if (cache := _cache()) is not None:
        cache.invalidate(tag)


def cached_public(
    tag: str, seconds: float, version: Callable[[], Hashable] | None = None
) -> Callable:
    """Caches a public GET view's 200 answers for ``seconds`` (place it right under the route
    decorator, so a hit skips argument parsing and serialisation too); with ``version``, only
    while the data's version is the one the answer was made from."""

    return _cached(tag, seconds, lambda: version() if version else None)


def cached_own(tag: str, seconds: float, clock: Callable[[], datetime]) -> Callable:
    """Caches a GET view's 200 answers about the calling citizen's own records, per citizen and
    ``records_version`` (authentication first: a refused caller gets their 401, never a hit),
    and per ``seconds`` of the ``clock`` the answers are computed with (what is still to come
    depends on the time, and the application's clock is the one that says it)."""
    from .auth import records_version_of_caller

    def own() -> Hashable:
        citizen_id, records_version = records_version_of_caller()
        return citizen_id, records_version, int(clock().timestamp() // seconds)

    return _cached(tag, seconds, own)


def _cached(tag: str, seconds: float, version: Callable[[], Hashable]) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            cache = _cache()
            if cache is None or request.method != "GET":
                return view(*args, **kwargs)
            key = (request.endpoint, request.full_path, current_locale(), version())
            if hit := cache.get(key):
                status, body, mimetype = hit
                return current_app.response_class(body, status=status, mimetype=mimetype)
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code == 200 and not response.direct_passthrough:
                cache.put(key, tag, seconds, 200, response.get_data(), response.mimetype)
            return response

        return wrapper

    return decorator
