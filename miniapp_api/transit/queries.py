"""The arrivals path's statements, built once: SQLAlchemy then reuses their cache keys and
compiled forms, and psycopg prepares them on the server after a few runs."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Date, Text, and_, bindparam, cast, select

from .models import (
    TransitPattern,
    TransitRealtimeTrip,
    TransitStopTime,
    TransitTrip,
    TransitVehicle,
)

st, rt, trip, vehicle = TransitStopTime, TransitRealtimeTrip, TransitTrip, TransitVehicle

# In the order of ``arrivals.Visit``'s first fields.
CALL_COLUMNS = (
    st.trip_pk,
    st.stop_pk,
    st.stop_sequence,
    st.stop_index,
    st.arrival_secs,
    st.departure_secs,
    st.dist_m,
    st.stop_headsign,
    st.pickup_type,
    st.drop_off_type,
    st.route_pk,
    st.direction_id,
)
# ``updates`` as text: decoded only for the calls the answer gets to.
REALTIME_COLUMNS = (rt.relationship, rt.delay, cast(rt.updates, Text), rt.vehicle_id, rt.timestamp)


@lru_cache(maxsize=None)
def calls_at_stops(live: bool, by_route: bool, by_direction: bool):
    """Calls at ``stops`` between ``low`` and ``high`` on ``services``; with ``live``, each
    call's trip's realtime row on service date ``day`` (or nulls)."""
    query = select(*CALL_COLUMNS, *(REALTIME_COLUMNS if live else ()))
    if live:
        query = query.outerjoin(
            rt, and_(rt.trip_pk == st.trip_pk, rt.service_date == bindparam("day", type_=Date))
        )
    query = query.where(
        st.stop_pk.in_(bindparam("stops", expanding=True)),
        st.arrival_secs.between(bindparam("low"), bindparam("high")),
        st.service_pk.in_(bindparam("services", expanding=True)),
    )
    if by_route:
        query = query.where(st.route_pk.in_(bindparam("routes", expanding=True)))
    if by_direction:
        query = query.where(st.direction_id == bindparam("direction"))
    return query


TRIPS = select(
    trip.id,
    trip.trip_id,
    trip.headsign,
    trip.stop_count,
    trip.headway_secs,
    trip.pattern_pk,
    trip.start_secs,
).where(trip.id.in_(bindparam("trips", expanding=True)))

VEHICLES = (
    select(
        vehicle.trip_pk,
        vehicle.service_date,
        vehicle.vehicle_id,
        vehicle.label,
        vehicle.lat,
        vehicle.lon,
        vehicle.stop_index,
        vehicle.current_status,
        vehicle.timestamp,
    )
    .where(vehicle.trip_pk.in_(bindparam("trips", expanding=True)))
    .order_by(vehicle.timestamp)
)

PATTERNS = select(
    TransitPattern.id,
    TransitPattern.stops,
    TransitPattern.arrivals,
    TransitPattern.departures,
    TransitPattern.distances,
    TransitPattern.sequences,
).where(TransitPattern.id.in_(bindparam("patterns", expanding=True)))
