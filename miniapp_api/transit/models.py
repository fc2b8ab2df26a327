"""Transit tables: a GTFS feed (static schedule) and the GTFS-Realtime data that moves it.

Every static row belongs to one imported feed version (``TransitFeed``); exactly one version is
active. Keys inside the database are integers assigned by the importer (GTFS ids are strings and
stay in ``*_id`` columns), so the hot table, ``transit_stop_time``, is narrow and its index on
``(stop_pk, arrival_secs)`` answers "what calls at this stop in this time range" directly.

Times of day are seconds from "noon minus 12 h" of the service day, as GTFS defines them, so
25:10:00 (a trip of yesterday's service day after midnight) is 90600.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, db, utcnow


class TransitFeed(db.Model):
    """One imported GTFS feed version; the API reads the active one."""

    __tablename__ = "transit_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)


class TransitAgency(db.Model):
    __tablename__ = "transit_agency"
    __table_args__ = (UniqueConstraint("feed_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    feed_id: Mapped[int] = mapped_column(ForeignKey("transit_feed.id"))
    agency_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(String(255))
    timezone: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(64))


class TransitStop(db.Model):
    """A stop, platform (a stop with a parent station) or station (``location_type`` 1)."""

    __tablename__ = "transit_stop"
    __table_args__ = (UniqueConstraint("feed_id", "stop_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    feed_id: Mapped[int] = mapped_column(ForeignKey("transit_feed.id"))
    stop_id: Mapped[str] = mapped_column(String(128))
    code: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    location_type: Mapped[int] = mapped_column(SmallInteger)
    parent_pk: Mapped[int | None] = mapped_column(ForeignKey("transit_stop.id"), index=True)
    platform_code: Mapped[str | None] = mapped_column(String(32))
    wheelchair_boarding: Mapped[int | None] = mapped_column(SmallInteger)


class TransitRoute(db.Model):
    __tablename__ = "transit_route"
    __table_args__ = (UniqueConstraint("feed_id", "route_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    feed_id: Mapped[int] = mapped_column(ForeignKey("transit_feed.id"))
    route_id: Mapped[str] = mapped_column(String(128))
    agency_pk: Mapped[int | None] = mapped_column(ForeignKey("transit_agency.id"), index=True)
    short_name: Mapped[str | None] = mapped_column(String(64))
    long_name: Mapped[str | None] = mapped_column(String(255))
    route_type: Mapped[int] = mapped_column(Integer)
    color: Mapped[str | None] = mapped_column(String(8))
    text_color: Mapped[str | None] = mapped_column(String(8))
    sort_order: Mapped[int | None] = mapped_column(Integer)


class TransitService(db.Model):
    """A calendar.txt row (``days`` is "1111100" for Monday..Sunday), or a service that exists
    only through calendar_dates.txt (``days`` all zero, no dates)."""

    __tablename__ = "transit_service"
    __table_args__ = (UniqueConstraint("feed_id", "service_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    feed_id: Mapped[int] = mapped_column(ForeignKey("transit_feed.id"))
    service_id: Mapped[str] = mapped_column(String(128))
    days: Mapped[str] = mapped_column(String(7))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class TransitServiceDate(db.Model):
    """calendar_dates.txt: 1 adds the service on ``date``, 2 removes it."""

    __tablename__ = "transit_service_date"

    service_pk: Mapped[int] = mapped_column(ForeignKey("transit_service.id"), primary_key=True)
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    exception_type: Mapped[int] = mapped_column(SmallInteger)


class TransitShape(db.Model):
    """A shape as an encoded polyline (Google's algorithm, 1e-5 degrees) and its length."""

    __tablename__ = "transit_shape"
    __table_args__ = (UniqueConstraint("feed_id", "shape_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    feed_id: Mapped[int] = mapped_column(ForeignKey("transit_feed.id"))
    shape_id: Mapped[str] = mapped_column(String(128))
    polyline: Mapped[str] = mapped_column(Text)
    length_m: Mapped[float] = mapped_column(Float)


class TransitPattern(db.Model):
    """A trip's stops, times (seconds after its first departure), distances along it (m) and
    stop_sequence values, shared by every trip that runs them the same way: where a vehicle
    is, and what a realtime update's stop_sequence means, from one row."""

    __tablename__ = "transit_pattern"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    feed_id: Mapped[int] = mapped_column(ForeignKey("transit_feed.id"), index=True)
    stops: Mapped[list[int]] = mapped_column(JSON)
    arrivals: Mapped[list[int]] = mapped_column(JSON)
    departures: Mapped[list[int]] = mapped_column(JSON)
    distances: Mapped[list[float]] = mapped_column(JSON)
    sequences: Mapped[list[int]] = mapped_column(JSON)


class TransitTrip(db.Model):
    """A trip; a frequencies.txt template becomes one row per departure (``headway_secs`` set
    when the departures are headway-based, ``exact_times`` 0)."""

    __tablename__ = "transit_trip"
    __table_args__ = (Index("ix_transit_trip_feed_trip", "feed_id", "trip_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    feed_id: Mapped[int] = mapped_column(ForeignKey("transit_feed.id"))
    trip_id: Mapped[str] = mapped_column(String(128))
    route_pk: Mapped[int] = mapped_column(ForeignKey("transit_route.id"), index=True)
    service_pk: Mapped[int] = mapped_column(ForeignKey("transit_service.id"), index=True)
    headsign: Mapped[str | None] = mapped_column(String(255))
    short_name: Mapped[str | None] = mapped_column(String(64))
    direction_id: Mapped[int | None] = mapped_column(SmallInteger)
    block_id: Mapped[str | None] = mapped_column(String(128))
    shape_pk: Mapped[int | None] = mapped_column(ForeignKey("transit_shape.id"), index=True)
    pattern_pk: Mapped[int] = mapped_column(ForeignKey("transit_pattern.id"), index=True)
    start_secs: Mapped[int] = mapped_column(Integer)
    end_secs: Mapped[int] = mapped_column(Integer)
    stop_count: Mapped[int] = mapped_column(SmallInteger)
    headway_secs: Mapped[int | None] = mapped_column(Integer)


class TransitStopTime(db.Model):
    """A trip's call at a stop. ``stop_index`` is the 0-based position in the trip (stop
    sequences may have gaps); ``dist_m`` metres along the trip from its first stop; times
    missing in the feed were interpolated (``timepoint`` 0). The trip's route, service and
    direction are repeated here so that "what calls at this stop, now, on this route" reads
    one index and no trip rows.

    No foreign keys: this table is written only by the importer, which checks every reference
    before writing and deletes a version's rows before its trips and stops; per-row key checks
    would triple the time a city's million rows take to load."""

    __tablename__ = "transit_stop_time"
    __table_args__ = (Index("ix_transit_stop_time_stop_arrival", "stop_pk", "arrival_secs"),)

    trip_pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    stop_sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    stop_pk: Mapped[int] = mapped_column(Integer)
    route_pk: Mapped[int] = mapped_column(Integer)
    service_pk: Mapped[int] = mapped_column(Integer)
    direction_id: Mapped[int | None] = mapped_column(SmallInteger)
    stop_index: Mapped[int] = mapped_column(SmallInteger)
    arrival_secs: Mapped[int] = mapped_column(Integer)
    departure_secs: Mapped[int] = mapped_column(Integer)
    dist_m: Mapped[float] = mapped_column(Float)
    stop_headsign: Mapped[str | None] = mapped_column(String(255))
    pickup_type: Mapped[int] = mapped_column(SmallInteger)
    drop_off_type: Mapped[int] = mapped_column(SmallInteger)
    timepoint: Mapped[int] = mapped_column(SmallInteger)


class TransitRouteStop(db.Model):
    """The stops of each route direction, in order (the direction's most common stop
    pattern), computed at import: route pages, "which routes stop here", place search."""

    __tablename__ = "transit_route_stop"

    route_pk: Mapped[int] = mapped_column(ForeignKey("transit_route.id"), primary_key=True)
    direction_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    stop_pk: Mapped[int] = mapped_column(ForeignKey("transit_stop.id"), index=True)
    dist_m: Mapped[float] = mapped_column(Float)
    headsign: Mapped[str | None] = mapped_column(String(255))
    shape_pk: Mapped[int | None] = mapped_column(ForeignKey("transit_shape.id"))


class TransitTranslation(db.Model):
    """translations.txt (by record id or by field value)."""

    __tablename__ = "transit_translation"

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("transit_feed.id"), index=True)
    table_name: Mapped[str] = mapped_column(String(32))
    field_name: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(16))
    translation: Mapped[str] = mapped_column(String(255))
    record_id: Mapped[str | None] = mapped_column(String(128))
    record_sub_id: Mapped[str | None] = mapped_column(String(128))
    field_value: Mapped[str | None] = mapped_column(String(255))


# --- GTFS-Realtime ------------------------------------------------------------------------
class TransitRealtimeSource(db.Model):
    """The last feed read from one GTFS-Realtime source (a URL or a file)."""

    __tablename__ = "transit_realtime_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(512), unique=True)
    feed_timestamp: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    incrementality: Mapped[str] = mapped_column(String(16))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)


class TransitRealtimeTrip(db.Model):
    """A TripUpdate matched to a scheduled trip on a service date. ``updates`` holds the
    StopTimeUpdates resolved against the schedule: ``[stop_index, stop_sequence,
    arrival_delay, departure_delay, relationship]`` sorted by stop index (delays in seconds,
    ``None`` when not given; relationship ``S`` scheduled, ``K`` skipped, ``N`` no data)."""

    __tablename__ = "transit_realtime_trip"
    __table_args__ = (
        UniqueConstraint("source_pk", "trip_pk", "service_date"),
        Index("ix_transit_realtime_trip_trip", "trip_pk", "service_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_pk: Mapped[int] = mapped_column(ForeignKey("transit_realtime_source.id"))
    trip_pk: Mapped[int] = mapped_column(ForeignKey("transit_trip.id"))
    service_date: Mapped[date] = mapped_column(Date)
    relationship: Mapped[str] = mapped_column(String(16))
    delay: Mapped[int | None] = mapped_column(Integer)
    vehicle_id: Mapped[str | None] = mapped_column(String(64))
    vehicle_label: Mapped[str | None] = mapped_column(String(64))
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    updates: Mapped[list[list[Any]]] = mapped_column(JSON)


class TransitVehicle(db.Model):
    """A VehiclePosition, matched to a scheduled trip when its trip is known."""

    __tablename__ = "transit_vehicle"
    __table_args__ = (
        UniqueConstraint("source_pk", "vehicle_key"),
        Index("ix_transit_vehicle_trip", "trip_pk", "service_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_pk: Mapped[int] = mapped_column(ForeignKey("transit_realtime_source.id"))
    vehicle_key: Mapped[str] = mapped_column(String(128))  # vehicle id, else the entity id
    vehicle_id: Mapped[str | None] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(String(64))
    trip_pk: Mapped[int | None] = mapped_column(ForeignKey("transit_trip.id"))
    service_date: Mapped[date | None] = mapped_column(Date)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    bearing: Mapped[float | None] = mapped_column(Float)
    speed: Mapped[float | None] = mapped_column(Float)
    stop_index: Mapped[int | None] = mapped_column(SmallInteger)
    current_status: Mapped[str | None] = mapped_column(String(16))
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
