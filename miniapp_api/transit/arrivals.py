"""Next arrivals: scheduled calls at a stop, moved by realtime data (pure computation).

Delay propagation follows GTFS-Realtime: a StopTimeUpdate's delay holds for the later stops
until the next update; a NO_DATA update makes the later stops unknown (schedule); a SKIPPED stop
is not served, and the delay before it carries on past it; a trip-level delay covers the stops
before the first update; a CANCELED (or DELETED) trip serves no stop. Realtime data older than
the configured age is not used.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, NamedTuple, Sequence

from .geometry import fraction_along

CANCELED = {"CANCELED", "DELETED"}


class Visit(NamedTuple):
    """A trip instance's scheduled call at the stop (times in seconds of its service day).

    The first fields are in the order the arrivals query selects them; the trip's own fields
    are filled in for the arrivals that are answered."""

    trip_pk: int
    stop_pk: int
    stop_sequence: int
    stop_index: int
    arrival_secs: int
    departure_secs: int
    dist_m: float
    stop_headsign: str | None
    pickup_type: int
    drop_off_type: int
    route_pk: int
    direction_id: int | None
    service_date: date
    day_start: datetime  # UTC instant of 00:00:00 of the service day
    trip_id: str = ""
    headsign: str | None = None
    stop_count: int = 0
    headway_secs: int | None = None
    pattern_pk: int = 0
    trip_start_secs: int = 0

    def at(self, seconds: float) -> datetime:
        return self.day_start + timedelta(seconds=seconds)


@dataclass(frozen=True)
class StopUpdate:
    index: int
    sequence: int
    arrival_delay: int | None
    departure_delay: int | None
    relationship: str  # S scheduled, K skipped, N no data


@dataclass(frozen=True)
class TripRealtime:
    relationship: str
    delay: int | None
    updates: tuple[StopUpdate, ...]
    vehicle_id: str | None
    timestamp: datetime


@dataclass(frozen=True)
class Vehicle:
    vehicle_id: str | None
    lat: float
    lon: float
    stop_index: int | None
    status: str | None
    timestamp: datetime


@dataclass(frozen=True)
class Call:
    index: int
    arrival_secs: int
    departure_secs: int
    dist_m: float
    lat: float
    lon: float


@dataclass
class Arrival:
    visit: Visit
    scheduled_arrival: datetime
    scheduled_departure: datetime
    predicted_arrival: datetime | None
    predicted_departure: datetime | None
    status: str  # scheduled, skipped, canceled
    realtime: TripRealtime | None
    vehicle_id: str | None = None
    stops_away: int | None = None
    distance_from_stop: float | None = None
    vehicle_position: tuple[float, float] | None = None

    @property
    def arrival(self) -> datetime:
        return self.predicted_arrival or self.scheduled_arrival

    @property
    def departure(self) -> datetime:
        return self.predicted_departure or self.scheduled_departure


def delays_at(realtime: TripRealtime, index: int) -> tuple[int | None, int | None, bool]:
    """(arrival delay, departure delay, skipped) of the call at ``index``; delays are ``None``
    when realtime data says nothing about it."""
    propagated = realtime.delay
    for update in realtime.updates:
        if update.index > index:
            break
        if update.index == index:
            if update.relationship == "K":
                return propagated, propagated, True
            if update.relationship == "N":
                return None, None, False
            arrival = update.arrival_delay
            if arrival is None:
                arrival = propagated if propagated is not None else update.departure_delay
            departure = update.departure_delay if update.departure_delay is not None else arrival
            return arrival, departure, False
        if update.relationship == "N":
            propagated = None
        elif update.relationship == "S":
            propagated = (
                update.departure_delay
                if update.departure_delay is not None
                else update.arrival_delay
                if update.arrival_delay is not None
                else propagated
            )
    return propagated, propagated, False


def arrival_of(visit: Visit, realtime: TripRealtime | None) -> Arrival:
    scheduled_arrival = visit.at(visit.arrival_secs)
    scheduled_departure = visit.at(visit.departure_secs)
    if realtime is None:
        return Arrival(visit, scheduled_arrival, scheduled_departure, None, None, "scheduled", None)
    if realtime.relationship in CANCELED:
        return Arrival(
            visit,
            scheduled_arrival,
            scheduled_departure,
            None,
            None,
            "canceled",
            realtime,
            realtime.vehicle_id,
        )
    arrival_delay, departure_delay, skipped = delays_at(realtime, visit.stop_index)
    predicted_arrival = predicted_departure = None
    if arrival_delay is not None:
        predicted_arrival = visit.at(visit.arrival_secs + arrival_delay)
        predicted_departure = visit.at(visit.departure_secs + (departure_delay or 0))
        if predicted_departure < predicted_arrival:
            predicted_departure = predicted_arrival
    return Arrival(
        visit,
        scheduled_arrival,
        scheduled_departure,
        predicted_arrival,
        predicted_departure,
        "skipped" if skipped else "scheduled",
        realtime,
        realtime.vehicle_id,
    )


def next_arrivals(
    candidates: Iterable[tuple[Visit, TripRealtime | None]],
    now: datetime,
    window: timedelta,
    limit: int,
    include_canceled: bool = False,
    earliest_delay: int = 0,
) -> list[Arrival]:
    """Arrivals (soonest first) of vehicles that have not left the stop by ``now`` and arrive
    within ``window``; skipped calls and cancelled trips only when ``include_canceled``.

    ``candidates`` are scheduled calls in order of scheduled arrival, with their trip's fresh
    realtime data if any; no delay is below ``earliest_delay`` (seconds, <= 0), so once a
    call's scheduled arrival is that much later than the ``limit``-th arrival found, no later
    call can come sooner, and the rest are not looked at.
    """
    out: list[Arrival] = []
    latest: list[float] = []  # the ``limit`` soonest arrivals so far, as a max-heap (negated)
    seen: set[tuple[int, date, int]] = set()
    end = now + window
    for visit, trip_realtime in candidates:
        if (
            len(latest) >= limit
            and (visit.at(visit.arrival_secs + min(0, earliest_delay)) - now).total_seconds()
            > -latest[0]
        ):
            break
        key = (visit.trip_pk, visit.service_date, visit.stop_index)
        if key in seen:
            continue
        seen.add(key)
        arrival = arrival_of(visit, trip_realtime)
        if arrival.status != "scheduled" and not include_canceled:
            continue
        if arrival.departure < now or arrival.arrival > end:
            continue
        out.append(arrival)
        away = (arrival.arrival - now).total_seconds()
        if len(latest) < limit:
            heapq.heappush(latest, -away)
        elif away < -latest[0]:
            heapq.heapreplace(latest, -away)
    out.sort(key=lambda a: (a.arrival, a.visit.route_pk, a.visit.trip_pk))
    return out[:limit]


# --- where the vehicle is ----------------------------------------------------------------
def progress_by_time(
    calls: Sequence[Call],
    now_secs: float,
    delays: Sequence[tuple[int | None, int | None]] | None = None,
) -> tuple[int, float, tuple[float, float]]:
    """(stop index of the next call, metres along, position) of a vehicle running to its
    schedule, or to the predicted times when ``delays`` (per call) are given. ``calls`` may be
    the part of the trip that matters (consecutive calls, in order)."""

    def times(i: int) -> tuple[float, float]:
        arrival, departure = calls[i].arrival_secs, calls[i].departure_secs
        if delays is not None and delays[i][0] is not None:
            arrival += delays[i][0]
            departure += delays[i][1] if delays[i][1] is not None else delays[i][0]
        return arrival, max(arrival, departure)

    first_arrival, first_departure = times(0)
    if now_secs < first_departure:
        return calls[0].index, calls[0].dist_m, (calls[0].lat, calls[0].lon)
    for i in range(1, len(calls)):
        arrival, departure = times(i)
        if now_secs < arrival:
            previous_departure = times(i - 1)[1]
            span = arrival - previous_departure
            share = 1.0 if span <= 0 else max(0.0, min(1.0, (now_secs - previous_departure) / span))
            a, b = calls[i - 1], calls[i]
            return (
                b.index,
                a.dist_m + share * (b.dist_m - a.dist_m),
                (a.lat + share * (b.lat - a.lat), a.lon + share * (b.lon - a.lon)),
            )
        if now_secs < departure:
            return calls[i].index, calls[i].dist_m, (calls[i].lat, calls[i].lon)
    last = calls[-1]
    return last.index + 1, last.dist_m, (last.lat, last.lon)


def progress_of_vehicle(calls: Sequence[Call], vehicle: Vehicle) -> tuple[int, float]:
    """(stop index of the next call, metres along) from a VehiclePosition; ``calls`` must
    start at most one call before the vehicle's stop."""
    positions = {call.index: i for i, call in enumerate(calls)}
    if vehicle.stop_index is None or vehicle.stop_index not in positions:
        # no stop given: the nearest segment of the trip
        if len(calls) < 2:
            return calls[0].index, calls[0].dist_m
        i = min(range(1, len(calls)), key=lambda k: _off_segment(vehicle, calls[k - 1], calls[k]))
        status = "IN_TRANSIT_TO"
    else:
        i, status = positions[vehicle.stop_index], vehicle.status or "IN_TRANSIT_TO"
    if status == "STOPPED_AT" or i == 0:
        return calls[i].index, calls[i].dist_m
    a, b = calls[i - 1], calls[i]
    share = fraction_along((vehicle.lat, vehicle.lon), (a.lat, a.lon), (b.lat, b.lon))
    return b.index, a.dist_m + share * (b.dist_m - a.dist_m)


def _off_segment(vehicle: Vehicle, a: Call, b: Call) -> float:
    from ..city.geo import distance_metres

    share = fraction_along((vehicle.lat, vehicle.lon), (a.lat, a.lon), (b.lat, b.lon))
    lat, lon = a.lat + share * (b.lat - a.lat), a.lon + share * (b.lon - a.lon)
    return distance_metres(vehicle.lat, vehicle.lon, lat, lon)
