"""Transit queries: next arrivals at a stop or station, realtime freshness, trips' calls.

The arrivals query reads ``transit_stop_time`` through its ``(stop_pk, arrival_secs)`` index
once per service day in play (yesterday's, for trips past 24:00:00; today's; tomorrow's near
midnight) and joins each call's trip by key; the pure rules in ``arrivals`` do the rest.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from ..db import db, utcnow
from ..errors import ApiError
from . import arrivals as a
from .catalogue import Catalogue
from .models import (TransitRealtimeSource, TransitRealtimeTrip, TransitStopTime, TransitTrip,
                     TransitVehicle)
from .search import find_routes
from .service_days import candidate_days, day_start

# How late a scheduled call may still come (realtime), and how early.
LATE = timedelta(minutes=60)
EARLY = timedelta(minutes=15)
EXTRA = 5  # candidates beyond the limit, in case a vehicle turns out to have passed the stop


@dataclass
class RealtimeState:
    status: str  # fresh, stale or none
    feed_timestamp: datetime | None
    age_seconds: int | None
    max_age_seconds: int

    def fresh(self, stamp: datetime, now: datetime) -> bool:
        return abs((now - stamp).total_seconds()) <= self.max_age_seconds


def max_age() -> int:
    return int(current_app.config["TRANSIT_REALTIME_MAX_AGE_SECONDS"])


def realtime_state(now: datetime) -> RealtimeState:
    """How old the newest realtime feed is at ``now``, and whether it may be used."""
    limit = max_age()
    stamp = db.session.scalar(select(func.max(func.coalesce(
        TransitRealtimeSource.feed_timestamp, TransitRealtimeSource.received_at))))
    if stamp is None:
        return RealtimeState("none", None, None, limit)
    if isinstance(stamp, str):  # SQLite returns the aggregate untyped
        stamp = datetime.fromisoformat(stamp)
    if stamp.tzinfo is None:
        from datetime import timezone

        stamp = stamp.replace(tzinfo=timezone.utc)
    age = int((now - stamp).total_seconds())
    return RealtimeState("fresh" if abs(age) <= limit else "stale", stamp, age, limit)


def route_filter(cat: Catalogue, route: str | None) -> set[int] | None:
    if not route:
        return None
    pk = cat.route_by_id.get(route)
    if pk is not None:
        return {pk}
    matches = find_routes(cat, route, exact_only=True)
    if not matches:
        raise ApiError("not_found", data={"route": route})
    return {r.pk for r in matches}


def next_arrivals(cat: Catalogue, stop_pks: list[int], now: datetime, window: timedelta,
                  limit: int, routes: set[int] | None = None, direction: int | None = None,
                  include_canceled: bool = False) -> tuple[list[a.Arrival], RealtimeState]:
    state = realtime_state(now)
    live = state.status == "fresh"
    visits = _visits(cat, stop_pks, now, window, routes, direction, live)
    realtime = _realtime(cat, visits, now, state) if live else {}
    found = a.next_arrivals(visits, realtime, now, window, limit + EXTRA, include_canceled)
    _locate_vehicles(cat, found, now, state if live else None)
    found = [arrival for arrival in found if arrival.stops_away is None or arrival.stops_away >= 0]
    return found[:limit], state


def _visits(cat: Catalogue, stop_pks: list[int], now: datetime, window: timedelta,
            routes: set[int] | None, direction: int | None, live: bool) -> list[a.Visit]:
    st, trip = TransitStopTime, TransitTrip
    before = LATE if live else timedelta(minutes=5)
    after = window + (EARLY if live else timedelta(0))
    visits: list[a.Visit] = []
    for day in candidate_days(now, cat.zone):
        start = day_start(day, cat.zone)
        low = int((now - before - start).total_seconds())
        high = int((now + after - start).total_seconds())
        services = cat.active_services(day)
        if high < 0 or low > cat.max_secs or not services:
            continue
        query = (select(st.trip_pk, st.stop_pk, st.stop_sequence, st.stop_index, st.arrival_secs,
                        st.departure_secs, st.dist_m, st.stop_headsign, st.pickup_type,
                        st.drop_off_type, trip.trip_id, trip.route_pk, trip.direction_id,
                        trip.headsign, trip.stop_count, trip.headway_secs)
                 .join(trip, trip.id == st.trip_pk)
                 .where(st.stop_pk.in_(stop_pks), st.arrival_secs.between(low, high),
                        trip.service_pk.in_(sorted(services))))
        if routes is not None:
            query = query.where(trip.route_pk.in_(sorted(routes)))
        if direction is not None:
            query = query.where(trip.direction_id == direction)
        for row in db.session.execute(query):
            visits.append(a.Visit(
                trip_pk=row.trip_pk, trip_id=row.trip_id, service_date=day, day_start=start,
                route_pk=row.route_pk, direction_id=row.direction_id, headsign=row.headsign,
                stop_pk=row.stop_pk, stop_sequence=row.stop_sequence, stop_index=row.stop_index,
                stop_count=row.stop_count, arrival_secs=row.arrival_secs,
                departure_secs=row.departure_secs, dist_m=row.dist_m,
                stop_headsign=row.stop_headsign, pickup_type=row.pickup_type,
                drop_off_type=row.drop_off_type, headway_secs=row.headway_secs))
    return visits


def _realtime(cat: Catalogue, visits: list[a.Visit], now: datetime,
              state: RealtimeState) -> dict[tuple[int, date], a.TripRealtime]:
    trip_pks = sorted({v.trip_pk for v in visits})
    out: dict[tuple[int, date], a.TripRealtime] = {}
    if not trip_pks:
        return out
    rows = db.session.scalars(select(TransitRealtimeTrip).where(
        TransitRealtimeTrip.trip_pk.in_(trip_pks)).order_by(TransitRealtimeTrip.timestamp))
    for row in rows:
        if not state.fresh(row.timestamp, now):
            continue
        updates = tuple(a.StopUpdate(*u) for u in row.updates)
        out[(row.trip_pk, row.service_date)] = a.TripRealtime(
            row.relationship, row.delay, updates, row.vehicle_id, row.timestamp)
    return out


def _locate_vehicles(cat: Catalogue, found: list[a.Arrival], now: datetime,
                     state: RealtimeState | None) -> None:
    """Stops away and distance of each arrival's vehicle: from its VehiclePosition when fresh,
    else from the predicted (or scheduled) times along its trip."""
    trip_pks = sorted({arrival.visit.trip_pk for arrival in found})
    if not trip_pks:
        return
    calls: dict[int, list[a.Call]] = {}
    for row in db.session.execute(
            select(TransitStopTime.trip_pk, TransitStopTime.stop_index, TransitStopTime.stop_pk,
                   TransitStopTime.arrival_secs, TransitStopTime.departure_secs,
                   TransitStopTime.dist_m)
            .where(TransitStopTime.trip_pk.in_(trip_pks))
            .order_by(TransitStopTime.trip_pk, TransitStopTime.stop_sequence)):
        stop = cat.stops[row.stop_pk]
        calls.setdefault(row.trip_pk, []).append(a.Call(row.stop_index, row.arrival_secs,
                                                        row.departure_secs, row.dist_m,
                                                        stop.lat, stop.lon))
    vehicles: dict[tuple[int, date], a.Vehicle] = {}
    if state is not None:
        for row in db.session.scalars(select(TransitVehicle).where(
                TransitVehicle.trip_pk.in_(trip_pks)).order_by(TransitVehicle.timestamp)):
            if state.fresh(row.timestamp, now):
                vehicles[(row.trip_pk, row.service_date)] = a.Vehicle(
                    row.vehicle_id or row.label, row.lat, row.lon, row.stop_index,
                    row.current_status, row.timestamp)
    for arrival in found:
        visit = arrival.visit
        trip_calls = calls.get(visit.trip_pk)
        if not trip_calls or arrival.status == "canceled":
            continue
        vehicle = vehicles.get((visit.trip_pk, visit.service_date))
        if vehicle is not None:
            index, along = a.progress_of_vehicle(trip_calls, vehicle)
            arrival.vehicle_id = arrival.vehicle_id or vehicle.vehicle_id
            arrival.vehicle_position = (vehicle.lat, vehicle.lon)
        else:
            delays = None
            if arrival.realtime is not None:
                delays = [a.delays_at(arrival.realtime, c.index)[:2] for c in trip_calls]
            now_secs = (now - visit.day_start).total_seconds()
            index, along, position = a.progress_by_time(trip_calls, now_secs, delays)
            if index > 0:
                arrival.vehicle_position = position
        arrival.stops_away = visit.stop_index - index
        arrival.distance_from_stop = max(0.0, round(visit.dist_m - along, 1))


def now_or(moment: datetime | None) -> datetime:
    return moment or utcnow()
