"""The active feed's small tables, held in each API process.

Stops, routes, services, translations and route patterns of a city fit in a few megabytes and
are read on every request, so each process loads them once per feed version (the active
version is checked with one indexed query per request) and answers names, calendars and
"which routes stop here" from memory. Trips and stop times stay in the database.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, g, has_request_context
from sqlalchemy import func, select, true

from ..db import db
from ..errors import ApiError
from .models import (
    TransitFeed,
    TransitRealtimeSource,
    TransitRoute,
    TransitRouteStop,
    TransitService,
    TransitServiceDate,
    TransitStop,
    TransitTranslation,
    TransitTrip,
)
from .service_days import Service, active_services

STATION = 1


@dataclass
class StopInfo:
    pk: int
    stop_id: str
    code: str | None
    name: str
    lat: float
    lon: float
    location_type: int
    parent_pk: int | None
    platform_code: str | None
    children: list[int] = field(default_factory=list)


@dataclass
class RouteInfo:
    pk: int
    route_id: str
    short_name: str | None
    long_name: str | None
    route_type: int
    color: str | None
    text_color: str | None
    sort_order: int | None


@dataclass
class Direction:
    route_pk: int
    direction_id: int
    headsign: str | None
    shape_pk: int | None
    stops: list[tuple[int, float]]  # (stop pk, metres along)


class TransitNetwork:
    def __init__(self, feed: TransitFeed) -> None:
        self.feed_id = feed.id
        self.key = (feed.id, feed.sha256, feed.imported_at)
        self.zone = ZoneInfo(feed.timezone)
        self.language = _language(feed.language)
        self.imported_at = feed.imported_at
        self.stops: dict[int, StopInfo] = {}
        self.stop_by_id: dict[str, int] = {}
        self.routes: dict[int, RouteInfo] = {}
        self.route_by_id: dict[str, int] = {}
        self.services: dict[int, Service] = {}
        self.directions: dict[tuple[int, int], Direction] = {}
        self.routes_at_stop: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        self.translations: dict[tuple, str] = {}
        self.max_secs = 0
        self._active: dict[date, frozenset[int]] = {}
        self.search_index: Any = None  # built by ``search`` on first use
        self.patterns: dict[int, Any] = {}  # filled by ``vehicles`` as trips are located
        self.trips: dict[int, tuple] = {}  # filled by ``service`` as trips are answered
        self._load()

    def _load(self) -> None:
        feed_id = self.feed_id
        for row in db.session.scalars(
            select(TransitStop).where(TransitStop.feed_id == feed_id).order_by(TransitStop.id)
        ):
            self.stops[row.id] = StopInfo(
                row.id,
                row.stop_id,
                row.code,
                row.name,
                row.lat,
                row.lon,
                row.location_type,
                row.parent_pk,
                row.platform_code,
            )
            self.stop_by_id[row.stop_id] = row.id
        for stop in sorted(self.stops.values(), key=lambda s: (s.platform_code or "", s.stop_id)):
            if stop.parent_pk in self.stops:
                self.stops[stop.parent_pk].children.append(stop.pk)
        for row in db.session.scalars(
            select(TransitRoute).where(TransitRoute.feed_id == feed_id).order_by(TransitRoute.id)
        ):
            self.routes[row.id] = RouteInfo(
                row.id,
                row.route_id,
                row.short_name,
                row.long_name,
                row.route_type,
                row.color,
                row.text_color,
                row.sort_order,
            )
            self.route_by_id[row.route_id] = row.id
        for row in db.session.scalars(
            select(TransitService).where(TransitService.feed_id == feed_id)
        ):
            self.services[row.id] = Service(row.days, row.start_date, row.end_date)
        for pk, day, kind in db.session.execute(
            select(
                TransitServiceDate.service_pk,
                TransitServiceDate.date,
                TransitServiceDate.exception_type,
            )
            .join(TransitService, TransitService.id == TransitServiceDate.service_pk)
            .where(TransitService.feed_id == feed_id)
        ):
            (self.services[pk].added if kind == 1 else self.services[pk].removed).add(day)
        for row in db.session.execute(
            select(TransitRouteStop)
            .join(TransitRoute, TransitRoute.id == TransitRouteStop.route_pk)
            .where(TransitRoute.feed_id == feed_id)
            .order_by(
                TransitRouteStop.route_pk, TransitRouteStop.direction_id, TransitRouteStop.position
            )
        ).scalars():
            key = (row.route_pk, row.direction_id)
            direction = self.directions.get(key)
            if direction is None:
                direction = self.directions[key] = Direction(
                    row.route_pk, row.direction_id, row.headsign, row.shape_pk, []
                )
            direction.stops.append((row.stop_pk, row.dist_m))
            self.routes_at_stop[row.stop_pk].append((row.route_pk, row.direction_id, row.position))
        for row in db.session.execute(
            select(TransitTranslation).where(TransitTranslation.feed_id == feed_id)
        ).scalars():
            language = _language(row.language)
            if row.record_id:
                self.translations[
                    (
                        row.table_name,
                        row.field_name,
                        language,
                        "id",
                        row.record_id,
                        row.record_sub_id or "",
                    )
                ] = row.translation
            elif row.field_value:
                self.translations[
                    (row.table_name, row.field_name, language, "value", row.field_value)
                ] = row.translation
        self.max_secs = (
            db.session.scalar(
                select(func.max(TransitTrip.end_secs)).where(TransitTrip.feed_id == feed_id)
            )
            or 0
        )

    # --- calendars ---------------------------------------------------------------------
    def active_services(self, day: date) -> frozenset[int]:
        active = self._active.get(day)
        if active is None:
            active = self._active[day] = active_services(self.services, day)
        return active

    # --- names -------------------------------------------------------------------------
    def translate(
        self,
        table: str,
        field_name: str,
        locale: str,
        value: str | None,
        record_id: str | None = None,
        sub_id: str = "",
    ) -> str | None:
        """``value`` in ``locale``'s language when the feed translates it; else ``value``."""
        if value is None:
            return None
        language = _language(locale)
        if language == self.language:
            return value
        if record_id is not None:
            found = self.translations.get((table, field_name, language, "id", record_id, sub_id))
            if found:
                return found
        return self.translations.get((table, field_name, language, "value", value), value)

    def stop_name(self, stop: StopInfo, locale: str) -> str:
        return self.translate("stops", "stop_name", locale, stop.name, stop.stop_id) or ""

    def route_names(self, route: RouteInfo, locale: str) -> tuple[str | None, str | None]:
        return (
            self.translate("routes", "route_short_name", locale, route.short_name, route.route_id),
            self.translate("routes", "route_long_name", locale, route.long_name, route.route_id),
        )

    def headsign(self, headsign: str | None, locale: str, trip_id: str | None = None) -> str | None:
        return self.translate("trips", "trip_headsign", locale, headsign, trip_id)

    def station_of(self, stop_pk: int) -> StopInfo:
        """The station a platform belongs to, or the stop itself."""
        stop = self.stops[stop_pk]
        parent = self.stops.get(stop.parent_pk) if stop.parent_pk else None
        return parent if parent is not None and parent.location_type == STATION else stop

    def boarding_stops(self, stop_pk: int) -> list[int]:
        """A station's platforms (those with calls), or the stop itself."""
        stop = self.stops[stop_pk]
        if stop.location_type == STATION:
            return [pk for pk in stop.children if self.stops[pk].location_type == 0]
        return [stop_pk]


def _language(tag: str | None) -> str | None:
    """``zh_CN``, ``zh-Hans``, ``ZH`` -> ``zh``; ``en-AU`` -> ``en``."""
    if not tag:
        return None
    return tag.replace("_", "-").split("-")[0].lower()


_lock = threading.Lock()


# The active version and, in the same round trip, the realtime sources (see ``sources``).
ACTIVE = (
    select(
        TransitFeed.id,
        TransitFeed.sha256,
        TransitFeed.imported_at,
        TransitRealtimeSource.feed_timestamp,
        TransitRealtimeSource.received_at,
        TransitRealtimeSource.summary,
    )
    .select_from(TransitFeed)
    .outerjoin(TransitRealtimeSource, true())
    .where(TransitFeed.is_active)
)


def active_network() -> TransitNetwork:
    """The active feed's network; 503 (``transit_unavailable``) when no feed is imported.

    In a request, the realtime sources read with it are kept for ``sources``."""
    rows = db.session.execute(ACTIVE).all()
    if not rows:
        raise ApiError("transit_unavailable")
    key = rows[0][:3]
    if has_request_context():
        g.transit_sources = [row[3:] for row in rows if row[4] is not None]
    cache = current_app.extensions.setdefault("transit_network", {})
    current = cache.get("current")
    if current is not None and current.key == tuple(key):
        return current
    with _lock:
        current = cache.get("current")
        if current is None or current.key != tuple(key):
            current = cache["current"] = TransitNetwork(db.session.get(TransitFeed, key[0]))
    return current


def sources() -> list[tuple]:
    """(feed timestamp, received at, summary) of each realtime source: as read by this
    request's ``active_network()``, else now."""
    if has_request_context() and "transit_sources" in g:
        return g.transit_sources
    return [
        tuple(row)
        for row in db.session.execute(
            select(
                TransitRealtimeSource.feed_timestamp,
                TransitRealtimeSource.received_at,
                TransitRealtimeSource.summary,
            )
        )
    ]
