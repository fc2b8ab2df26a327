"""Service days: which services run on a date, and where a GTFS time of day falls in time.

GTFS measures a trip's times from "noon minus 12 h" of its service day in the agency's zone
(midnight, except on days when clocks change), so a trip of Monday's service at 25:10:00 runs at
01:10 on Tuesday. A moment therefore belongs to up to three service days' schedules: the
previous day's (times past 24:00:00), the current day's, and — near midnight, when a window
reaches past it — the next day's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

DAY = 86400


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The instant (UTC) that GTFS time 00:00:00 of service day ``day`` stands for."""
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
    return noon.astimezone(timezone.utc) - timedelta(hours=12)


def service_moment(day: date, seconds: int, zone: ZoneInfo) -> datetime:
    """The instant (UTC) of GTFS time ``seconds`` on service day ``day``."""
    return day_start(day, zone) + timedelta(seconds=seconds)


def candidate_days(moment: datetime, zone: ZoneInfo) -> list[date]:
    """The service days whose schedules can hold trips around ``moment``: yesterday,
    today and tomorrow in the agency's zone."""
    today = moment.astimezone(zone).date()
    return [today - timedelta(days=1), today, today + timedelta(days=1)]


@dataclass
class Service:
    """calendar.txt and calendar_dates.txt of one service."""

    days: str = "0000000"  # Monday .. Sunday
    start: date | None = None
    end: date | None = None
    added: set[date] = field(default_factory=set)
    removed: set[date] = field(default_factory=set)

    def runs_on(self, day: date) -> bool:
        if day in self.removed:
            return False
        if day in self.added:
            return True
        return (
            self.start is not None
            and self.end is not None
            and self.start <= day <= self.end
            and self.days[day.weekday()] == "1"
        )


def active_services(services: dict[int, Service], day: date) -> frozenset[int]:
    return frozenset(pk for pk, service in services.items() if service.runs_on(day))
