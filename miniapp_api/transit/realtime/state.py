"""How fresh the realtime feeds are at a moment, and the range of the delays they hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from ..network import sources


@dataclass
class RealtimeState:
    status: str  # fresh, stale or none
    feed_timestamp: datetime | None
    age_seconds: int | None
    max_age_seconds: int
    latest: int = 0  # the largest delay (s) the fresh feeds hold
    earliest: int = 0  # the most negative (running early)

    def fresh(self, stamp: datetime, now: datetime) -> bool:
        return abs((now - stamp).total_seconds()) <= self.max_age_seconds


def max_age() -> int:
    return int(current_app.config["TRANSIT_REALTIME_MAX_AGE_SECONDS"])


def realtime_state(now: datetime) -> RealtimeState:
    """How old the newest realtime feed is at ``now``, whether it may be used, and the range
    of the delays in the feeds that may."""
    limit = max_age()
    state = RealtimeState("none", None, None, limit)
    for feed_timestamp, received_at, summary in sources():
        stamp = feed_timestamp or received_at
        if state.feed_timestamp is None or stamp > state.feed_timestamp:
            state.feed_timestamp = stamp
        if abs((now - stamp).total_seconds()) <= limit:
            state.latest = max(state.latest, int(summary.get("max_delay_seconds") or 0))
            state.earliest = min(state.earliest, int(summary.get("min_delay_seconds") or 0))
    if state.feed_timestamp is not None:
        state.age_seconds = int((now - state.feed_timestamp).total_seconds())
        state.status = "fresh" if abs(state.age_seconds) <= limit else "stale"
    return state
