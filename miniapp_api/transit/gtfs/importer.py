"""Importing a GTFS feed: parse and check everything, then write it and switch to it in one
transaction.

The new version's rows are written beside the old one's (bulk: COPY on PostgreSQL, executemany
on SQLite), the active flag moves to it, and the old version's rows and the realtime data tied to
its trips are deleted — all before one commit. A feed with errors is rejected before anything is
written, with its report; whatever goes wrong later rolls back, and the old feed stays.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import Iterable

from sqlalchemy import func, select, text, update

from ...db import db
from ...response_cache import invalidate
from ..models import (
    TransitAgency,
    TransitFeed,
    TransitPattern,
    TransitRoute,
    TransitService,
    TransitShape,
    TransitStop,
    TransitTrip,
)
from .parse import IdBase, parse_feed
from .read import FeedReport, FeedSource

logger = logging.getLogger(__name__)

# parsed table -> (database table, columns in the order the parser builds rows)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "agency": (
        "transit_agency",
        ("id", "feed_id", "agency_id", "name", "url", "timezone", "lang", "phone"),
    ),
    "stops": (
        "transit_stop",
        (
            "id",
            "feed_id",
            "stop_id",
            "code",
            "name",
            "lat",
            "lon",
            "location_type",
            "parent_pk",
            "platform_code",
            "wheelchair_boarding",
        ),
    ),
    "routes": (
        "transit_route",
        (
            "id",
            "feed_id",
            "route_id",
            "agency_pk",
            "short_name",
            "long_name",
            "route_type",
            "color",
            "text_color",
            "sort_order",
        ),
    ),
    "service": (
        "transit_service",
        ("id", "feed_id", "service_id", "days", "start_date", "end_date"),
    ),
    "service_dates": ("transit_service_date", ("service_pk", "date", "exception_type")),
    "shapes": ("transit_shape", ("id", "feed_id", "shape_id", "polyline", "length_m")),
    "patterns": (
        "transit_pattern",
        ("id", "feed_id", "stops", "arrivals", "departures", "distances", "sequences"),
    ),
    "trips": (
        "transit_trip",
        (
            "id",
            "feed_id",
            "trip_id",
            "route_pk",
            "service_pk",
            "headsign",
            "short_name",
            "direction_id",
            "block_id",
            "shape_pk",
            "pattern_pk",
            "start_secs",
            "end_secs",
            "stop_count",
            "headway_secs",
        ),
    ),
    "stop_times": (
        "transit_stop_time",
        (
            "trip_pk",
            "stop_sequence",
            "stop_pk",
            "route_pk",
            "service_pk",
            "direction_id",
            "stop_index",
            "arrival_secs",
            "departure_secs",
            "dist_m",
            "stop_headsign",
            "pickup_type",
            "drop_off_type",
            "timepoint",
        ),
    ),
    "route_stops": (
        "transit_route_stop",
        ("route_pk", "direction_id", "position", "stop_pk", "dist_m", "headsign", "shape_pk"),
    ),
    "translations": (
        "transit_translation",
        (
            "feed_id",
            "table_name",
            "field_name",
            "language",
            "translation",
            "record_id",
            "record_sub_id",
            "field_value",
        ),
    ),
}
# Deleting a retired version: children before parents.
RETIRE = (
    "DELETE FROM transit_realtime_trip",
    "DELETE FROM transit_vehicle",
    "DELETE FROM transit_route_stop WHERE route_pk IN "
    "(SELECT id FROM transit_route WHERE feed_id = :f)",
    "DELETE FROM transit_stop_time WHERE trip_pk IN "
    "(SELECT id FROM transit_trip WHERE feed_id = :f)",
    "DELETE FROM transit_trip WHERE feed_id = :f",
    "DELETE FROM transit_pattern WHERE feed_id = :f",
    "DELETE FROM transit_service_date WHERE service_pk IN "
    "(SELECT id FROM transit_service WHERE feed_id = :f)",
    "DELETE FROM transit_service WHERE feed_id = :f",
    "DELETE FROM transit_shape WHERE feed_id = :f",
    "DELETE FROM transit_route WHERE feed_id = :f",
    "UPDATE transit_stop SET parent_pk = NULL WHERE feed_id = :f",
    "DELETE FROM transit_stop WHERE feed_id = :f",
    "DELETE FROM transit_agency WHERE feed_id = :f",
    "DELETE FROM transit_translation WHERE feed_id = :f",
)


@dataclass
class ImportResult:
    source: str
    report: FeedReport
    feed_id: int | None = None
    replaced: list[int] = field(default_factory=list)
    skipped: bool = False
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "imported": self.feed_id is not None and not self.skipped,
            "skipped_same_feed": self.skipped,
            "feed_id": self.feed_id,
            "replaced_feeds": self.replaced,
            "seconds": round(self.seconds, 2),
            "phase_seconds": {name: round(s, 2) for name, s in self.phases.items()},
            **self.report.as_dict(),
        }


def import_feed(path: Path, skip_if_unchanged: bool = False) -> ImportResult:
    """Import the feed at ``path`` (a .zip or a folder) and make it the active one."""
    started = time.monotonic()
    source = FeedSource(path)
    try:
        result = _import(source, str(path), skip_if_unchanged)
    except BaseException:
        db.session.rollback()
        raise
    finally:
        source.close()
    invalidate("transit")
    result.seconds = time.monotonic() - started
    return result


def _import(source: FeedSource, name: str, skip_if_unchanged: bool) -> ImportResult:
    session = db.session
    digest = source.sha256()
    active = session.scalar(select(TransitFeed).where(TransitFeed.is_active))
    if skip_if_unchanged and active is not None and active.sha256 == digest:
        return ImportResult(name, FeedReport(counts=active.counts), active.id, skipped=True)
    if session.get_bind().dialect.name == "postgresql":
        # One import at a time: concurrent ones would hand out the same keys.
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('transit_import'))"))
    feed = TransitFeed(
        source=name[-512:], sha256=digest, is_active=False, timezone="UTC", counts={}
    )
    session.add(feed)
    session.flush()
    clock = time.monotonic()
    phases: dict[str, float] = {}
    parsed, report = parse_feed(source, feed.id, _next_ids())
    phases["read_and_check"], clock = time.monotonic() - clock, time.monotonic()
    if not report.ok:
        session.rollback()
        return ImportResult(name, report, phases=phases)
    feed.timezone, feed.language = parsed.timezone, parsed.language
    feed.start_date, feed.end_date = parsed.start_date, parsed.end_date
    feed.counts = report.counts
    session.flush()
    connection = session.connection()
    # Stored in the order the arrivals query reads them (by stop, then time), so the calls at
    # a busy stop sit on a few pages instead of one page each.
    parsed.rows["stop_times"].sort(key=itemgetter(2, 7))
    for table in COLUMNS:
        _bulk_insert(connection, *COLUMNS[table], parsed.rows[table])
    phases["write"], clock = time.monotonic() - clock, time.monotonic()
    # Only the active version has rows: a failed import rolled its own back.
    retired = [active.id] if active is not None else []
    session.execute(update(TransitFeed).values(is_active=False))
    feed.is_active = True
    session.flush()
    for old in retired:
        for statement in RETIRE:
            session.execute(text(statement), {"f": old})
    session.commit()
    phases["switch_and_retire"], clock = time.monotonic() - clock, time.monotonic()
    if connection.dialect.name == "postgresql":
        with db.engine.connect() as analyze:
            analyze.execute(
                text(
                    "ANALYZE transit_stop_time, transit_trip, transit_stop, "
                    "transit_route_stop, transit_realtime_trip, transit_vehicle"
                )
            )
            analyze.commit()
        phases["analyze"] = time.monotonic() - clock
    return ImportResult(name, report, feed.id, replaced=retired, phases=phases)


def _next_ids() -> IdBase:
    def next_id(model) -> int:
        return (db.session.scalar(select(func.max(model.id))) or 0) + 1

    return IdBase(
        agency=next_id(TransitAgency),
        stop=next_id(TransitStop),
        route=next_id(TransitRoute),
        service=next_id(TransitService),
        shape=next_id(TransitShape),
        pattern=next_id(TransitPattern),
        trip=next_id(TransitTrip),
    )


def _bulk_insert(connection, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    raw = connection.connection.dbapi_connection
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    cursor = raw.cursor()
    if table in DATED_TABLES:
        rows = _iso_dates(rows)
    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
    cursor.close()


DATED_TABLES = {"transit_service", "transit_service_date"}


def _iso_dates(rows: Iterable[tuple]) -> Iterable[tuple]:
    """Dates as ISO text, as SQLAlchemy stores them on SQLite."""
    for row in rows:
        yield tuple(v.isoformat() if isinstance(v, date) else v for v in row)
