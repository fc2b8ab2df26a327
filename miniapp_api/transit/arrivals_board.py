"""Transit queries: next arrivals at a stop or station, realtime freshness, trips' calls.

The arrivals query reads ``transit_stop_time`` through its ``(stop_pk, arrival_secs)`` index
once per service day in play (yesterday's, for trips past 24:00:00; today's; tomorrow's near
midnight) and joins each call's trip by key; the pure rules in ``arrivals`` do the rest.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Iterator

from ..db import db
from ..errors import ApiError
from . import arrivals as a
from . import queries
from .network import TransitNetwork
from .realtime.state import RealtimeState, realtime_state
from .realtime.vehicles import locate_vehicles
from .search import find_routes
from .service_days import candidate_days, day_start

EARLY_SLACK = 300  # seconds: calls read beyond the delays the realtime data holds
EXTRA = 5  # candidates beyond the limit, in case a vehicle turns out to have passed the stop


def route_filter(net: TransitNetwork, route: str | None) -> set[int] | None:
    if not route:
        return None
    pk = net.route_by_id.get(route)
    if pk is not None:
        return {pk}
    matches = find_routes(net, route, exact_only=True)
    if not matches:
        raise ApiError("not_found", data={"route": route})
    return {r.pk for r in matches}


def next_arrivals(
    net: TransitNetwork,
    stop_pks: list[int],
    now: datetime,
    window: timedelta,
    limit: int,
    routes: set[int] | None = None,
    direction: int | None = None,
    include_canceled: bool = False,
) -> tuple[list[a.Arrival], RealtimeState]:
    state = realtime_state(now)
    live = state if state.status == "fresh" else None
    rows = _candidates(net, stop_pks, now, window, routes, direction, live)
    found = a.next_arrivals(
        _visits(rows, now, live),
        now,
        window,
        limit + EXTRA,
        include_canceled,
        earliest_delay=live.earliest if live else 0,
    )
    found = _add_trips(net, found)
    locate_vehicles(net, found, now, live)
    found = [arrival for arrival in found if arrival.stops_away is None or arrival.stops_away >= 0]
    return found[:limit], state


def _candidates(
    net: TransitNetwork,
    stop_pks: list[int],
    now: datetime,
    window: timedelta,
    routes: set[int] | None,
    direction: int | None,
    live: RealtimeState | None,
) -> list[tuple]:
    """Scheduled calls at the stops that may arrive within the window, each with its trip's
    realtime row when ``live`` (one query per service day in play, realtime joined in), as
    (seconds from now to the scheduled arrival, row, service day, its start), soonest first."""
    before = (live.latest if live else 0) + EARLY_SLACK
    after = window.total_seconds() + (EARLY_SLACK - live.earliest if live else 0)
    statement = queries.calls_at_stops(live is not None, routes is not None, direction is not None)
    chosen: dict[tuple[int, date, int], tuple] = {}
    for day in candidate_days(now, net.zone):
        start = day_start(day, net.zone)
        offset = (now - start).total_seconds()
        low, high = int(offset - before), int(offset + after)
        services = net.active_services(day)
        if high < 0 or low > net.max_secs or not services:
            continue
        params = {
            "stops": stop_pks,
            "low": low,
            "high": high,
            "services": sorted(services),
            "day": day,
            "routes": sorted(routes or ()),
            "direction": direction,
        }
        for row in db.session.execute(statement, params):
            if row[5] < offset and (not live or row[16] is None):
                continue  # left already, and no realtime data says it is late
            key = (row[0], day, row[3])
            held = chosen.get(key)
            # The same trip in two realtime sources: the newer one.
            if held is None or (
                live and row[16] is not None and (held[1][16] is None or held[1][16] < row[16])
            ):
                chosen[key] = (row[4] - offset, row, day, start)
    return sorted(chosen.values(), key=lambda item: (item[0], item[1][10], item[1][0]))


def _visits(
    rows: list[tuple], now: datetime, live: RealtimeState | None
) -> Iterator[tuple[a.Visit, a.TripRealtime | None]]:
    """The candidates as visits with their fresh realtime data, built as they are asked for."""
    for _, row, day, start in rows:
        realtime = None
        if live and row[16] is not None and live.fresh(row[16], now):
            updates = tuple(a.StopUpdate(*u) for u in json.loads(row[14]))
            realtime = a.TripRealtime(row[12], row[13], updates, row[15], row[16])
        yield a.Visit(*row[:12], day, start), realtime


MAX_TRIPS = 200_000  # trips kept per process


def _add_trips(net: TransitNetwork, found: list[a.Arrival]) -> list[a.Arrival]:
    """The trip's id, headsign, length, headway and pattern, for the arrivals answered (from
    the process's cache of the feed's trips, read on first use); a trip gone since (a new
    version imported meanwhile) drops its arrival."""
    cache = net.trips
    wanted = {arrival.visit.trip_pk for arrival in found}
    known = {pk: cache[pk] for pk in wanted if pk in cache}
    missing = sorted(wanted - known.keys())
    if missing:
        rows = {
            row[0]: tuple(row[1:]) for row in db.session.execute(queries.TRIPS, {"trips": missing})
        }
        if len(cache) + len(rows) > MAX_TRIPS:
            cache.clear()
        cache.update(rows)
        known.update(rows)
    out = []
    for arrival in found:
        trip = known.get(arrival.visit.trip_pk)
        if trip is None:
            continue
        trip_id, headsign, stop_count, headway, pattern_pk, start = trip
        arrival.visit = arrival.visit._replace(
            trip_id=trip_id,
            headsign=headsign,
            stop_count=stop_count,
            headway_secs=headway,
            pattern_pk=pattern_pk,
            trip_start_secs=start,
        )
        out.append(arrival)
    return out
