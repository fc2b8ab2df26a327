"""Where each arriving vehicle is: stops away and metres along the route to the stop.

From the trip's VehiclePosition when it is fresh; otherwise from the predicted (or scheduled)
times of the trip's calls. A trip's calls come from its pattern (stops, times after the first
departure, distances), which many trips share and each process keeps once read: locating the
vehicles of an answer reads no stop times.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from datetime import date, datetime
from typing import NamedTuple

from ...db import db
from .. import arrivals as a
from .. import queries
from ..network import TransitNetwork
from .state import RealtimeState

BEHIND = 600  # seconds of calls looked at before where the times put a vehicle
MAX_PATTERNS = 50_000  # patterns kept per process
_lock = threading.Lock()


class Pattern(NamedTuple):
    stops: list[int]
    arrivals: list[int]
    departures: list[int]
    distances: list[float]
    sequences: list[int]


def locate_vehicles(
    net: TransitNetwork, found: list[a.Arrival], now: datetime, live: RealtimeState | None
) -> None:
    """Set ``stops_away``, ``distance_from_stop``, ``vehicle_position`` (and the vehicle id a
    VehiclePosition gives) on each arrival that is not cancelled."""
    found = [arrival for arrival in found if arrival.status != "canceled"]
    if not found:
        return
    vehicles = _vehicles(found, now, live) if live else {}
    shapes = _patterns(net, {arrival.visit.pattern_pk for arrival in found})
    for arrival in found:
        visit = arrival.visit
        pattern, base = shapes.get(visit.pattern_pk), visit.trip_start_secs
        if pattern is None:  # a version imported since this request began
            continue
        now_secs = (now - visit.day_start).total_seconds()
        vehicle = vehicles.get((visit.trip_pk, visit.service_date))
        if vehicle is not None:
            first = max(0, (vehicle.stop_index or 0) - 1) if vehicle.stop_index is not None else 0
        else:
            late = 0.0
            if arrival.predicted_arrival is not None:
                late = max(
                    0.0, (arrival.predicted_arrival - arrival.scheduled_arrival).total_seconds()
                )
            first = max(0, bisect_left(pattern.arrivals, now_secs - late - BEHIND - base) - 1)
        first = min(first, visit.stop_index)
        calls = [
            a.Call(
                i,
                base + pattern.arrivals[i],
                base + pattern.departures[i],
                pattern.distances[i],
                net.stops[pattern.stops[i]].lat,
                net.stops[pattern.stops[i]].lon,
            )
            for i in range(first, visit.stop_index + 1)
        ]
        if vehicle is not None:
            index, along = a.progress_of_vehicle(calls, vehicle)
            arrival.vehicle_id = arrival.vehicle_id or vehicle.vehicle_id
            arrival.vehicle_position = (vehicle.lat, vehicle.lon)
        else:
            delays = None
            if arrival.realtime is not None:
                delays = [a.delays_at(arrival.realtime, c.index)[:2] for c in calls]
            index, along, position = a.progress_by_time(calls, now_secs, delays)
            if index > 0:
                arrival.vehicle_position = position
        arrival.stops_away = visit.stop_index - index
        arrival.distance_from_stop = max(0.0, round(visit.dist_m - along, 1))


def _vehicles(
    found: list[a.Arrival], now: datetime, live: RealtimeState
) -> dict[tuple[int, date], a.Vehicle]:
    out: dict[tuple[int, date], a.Vehicle] = {}
    trips = sorted({arrival.visit.trip_pk for arrival in found})
    for (
        trip_pk,
        service_date,
        vehicle_id,
        label,
        lat,
        lon,
        stop_index,
        status,
        stamp,
    ) in db.session.execute(queries.VEHICLES, {"trips": trips}):
        if live.fresh(stamp, now):
            out[(trip_pk, service_date)] = a.Vehicle(
                vehicle_id or label, lat, lon, stop_index, status, stamp
            )
    return out


def patterns(net: TransitNetwork, wanted: set[int]) -> dict[int, Pattern]:
    """The patterns ``wanted``, from the process's cache (read once per feed version)."""
    return _patterns(net, wanted)


def _patterns(net: TransitNetwork, wanted: set[int]) -> dict[int, Pattern]:
    cache: dict[int, Pattern] = net.patterns
    found = {pk: cache[pk] for pk in wanted if pk in cache}
    missing = sorted(wanted - found.keys())
    if missing:
        read = {
            pk: Pattern(*parts)
            for pk, *parts in db.session.execute(queries.PATTERNS, {"patterns": missing})
        }
        with _lock:
            if len(cache) + len(read) > MAX_PATTERNS:
                cache.clear()
            cache.update(read)
        found.update(read)
    return found
