"""A GTFS feed as parsed: the rows of each table with the integer keys the importer handed out,
and what the later files need to look up (shared by ``parse`` and ``trips``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

TABLES = (
    "agency",
    "stops",
    "routes",
    "service",
    "service_dates",
    "shapes",
    "patterns",
    "trips",
    "stop_times",
    "route_stops",
    "translations",
)


@dataclass
class IdBase:
    """The next free integer key of each table (the importer reads them from the database)."""

    agency: int = 1
    stop: int = 1
    route: int = 1
    service: int = 1
    shape: int = 1
    pattern: int = 1
    trip: int = 1


@dataclass
class ParsedFeed:
    feed_id: int
    timezone: str = "UTC"
    language: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    rows: dict[str, list[tuple]] = field(default_factory=lambda: {t: [] for t in TABLES})
    # lookups the later files need
    stop_pk: dict[str, int] = field(default_factory=dict)
    stop_coords: dict[int, tuple[float, float]] = field(default_factory=dict)
    stop_types: dict[int, int] = field(default_factory=dict)
    route_pk: dict[str, int] = field(default_factory=dict)
    service_pk: dict[str, int] = field(default_factory=dict)
    shape_pk: dict[str, int] = field(default_factory=dict)
    shapes: dict[int, tuple[list, list[float], list[float] | None]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.rows.items()}


@dataclass
class TripRow:
    line: int
    trip_id: str
    route_pk: int
    service_pk: int
    headsign: str | None
    short_name: str | None
    direction_id: int | None
    block_id: str | None
    shape_pk: int | None
