"""GTFS-Realtime ingestion: TripUpdates and VehiclePositions, matched to the active schedule.

A feed (protobuf, read from a URL or a file) is decoded with ``gtfs-realtime-bindings``; each
TripUpdate is matched to a scheduled trip on a service date (trip_id, start_date, and for
frequency trips start_time), and its StopTimeUpdates are resolved against that trip's calls —
a stop_sequence or a stop_id becomes the call's index, an absolute time becomes a delay — so the
arrivals code only propagates delays. A FULL_DATASET feed replaces what the same source said
before; a DIFFERENTIAL one updates and deletes entity by entity. Everything a feed says is
stored in one transaction; a feed that cannot be decoded changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import requests
from flask import current_app
from google.protobuf.message import DecodeError
from google.transit import gtfs_realtime_pb2 as rt
from sqlalchemy import delete, insert, select, text

from ...db import db, utcnow
from ...response_cache import invalidate
from ..gtfs.read import parse_date, parse_time
from ..models import TransitRealtimeSource, TransitRealtimeTrip, TransitTrip, TransitVehicle
from ..network import TransitNetwork, active_network
from ..service_days import DAY, day_start
from .vehicles import patterns

logger = logging.getLogger(__name__)

STOP_RELATIONSHIP = {
    rt.TripUpdate.StopTimeUpdate.SCHEDULED: "S",
    rt.TripUpdate.StopTimeUpdate.SKIPPED: "K",
    rt.TripUpdate.StopTimeUpdate.NO_DATA: "N",
    rt.TripUpdate.StopTimeUpdate.UNSCHEDULED: "S",
}
VEHICLE_STATUS = {
    rt.VehiclePosition.INCOMING_AT: "INCOMING_AT",
    rt.VehiclePosition.STOPPED_AT: "STOPPED_AT",
    rt.VehiclePosition.IN_TRANSIT_TO: "IN_TRANSIT_TO",
}
# Trips a realtime feed may mention that the schedule does not have.
UNSCHEDULED = {"ADDED", "UNSCHEDULED", "DUPLICATED", "NEW"}


class RealtimeFeedError(Exception):
    """The feed could not be read or decoded (``code``: unreachable, invalid_protobuf …)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


def fetch(source: str, timeout: float) -> bytes:
    """The feed's bytes from an http(s) URL (``requests``) or a file path."""
    if source.startswith(("http://", "https://")):
        try:
            response = requests.get(
                source, timeout=timeout, headers={"Accept": "application/x-protobuf"}
            )
        except requests.RequestException as error:
            raise RealtimeFeedError("unreachable", error.__class__.__name__) from None
        if response.status_code != 200:
            raise RealtimeFeedError("http_status", str(response.status_code))
        return response.content
    try:
        with open(source, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise RealtimeFeedError("unreadable", error.strerror or "") from None


def decode(data: bytes) -> rt.FeedMessage:
    message = rt.FeedMessage()
    try:
        message.ParseFromString(data)
    except DecodeError as error:
        raise RealtimeFeedError("invalid_protobuf", str(error)) from None
    if not message.HasField("header") or not message.header.gtfs_realtime_version:
        raise RealtimeFeedError("invalid_protobuf", "no header")
    return message


@dataclass
class Summary:
    entities: int = 0
    trip_updates: int = 0
    vehicles: int = 0
    canceled: int = 0
    unmatched: list[str] = field(default_factory=list)
    unknown_stops: int = 0
    max_delay: int = 0
    min_delay: int = 0

    def delays(self, *values: int | None) -> None:
        for value in values:
            if value is not None:
                self.max_delay = max(self.max_delay, value)
                self.min_delay = min(self.min_delay, value)

    def as_dict(self) -> dict:
        return {
            "entities": self.entities,
            "trip_updates": self.trip_updates,
            "vehicles": self.vehicles,
            "canceled": self.canceled,
            "unmatched_trips": len(self.unmatched),
            "unmatched_examples": self.unmatched[:10],
            "unknown_stops": self.unknown_stops,
            "max_delay_seconds": self.max_delay,
            "min_delay_seconds": self.min_delay,
        }


def ingest(source: str, data: bytes, now: datetime | None = None) -> dict:
    """Decode and store one feed from ``source``; returns a summary."""
    message = decode(data)
    now = now or utcnow()
    header = message.header
    stamp = (
        datetime.fromtimestamp(header.timestamp, timezone.utc)
        if header.HasField("timestamp")
        else None
    )
    full = header.incrementality != rt.FeedHeader.DIFFERENTIAL
    net = active_network()
    matcher = TripMatcher(net, message, stamp or now)
    summary = Summary(entities=len(message.entity))
    record = db.session.scalar(
        select(TransitRealtimeSource).where(TransitRealtimeSource.source == source)
    )
    if record is None:
        record = TransitRealtimeSource(source=source, incrementality="", summary={})
        db.session.add(record)
        db.session.flush()
    if full:
        db.session.execute(
            delete(TransitRealtimeTrip).where(TransitRealtimeTrip.source_pk == record.id)
        )
        db.session.execute(delete(TransitVehicle).where(TransitVehicle.source_pk == record.id))
    matcher.prefetch([e.trip_update.trip for e in message.entity if e.HasField("trip_update")])
    trips: dict[tuple[int, date], TransitRealtimeTrip] = {}
    vehicles: dict[str, TransitVehicle] = {}
    for entity in message.entity:
        if entity.is_deleted:
            if not full:
                _forget(record.id, entity, matcher)
            continue
        if entity.HasField("trip_update"):
            row = _trip_update(entity.trip_update, matcher, stamp or now, summary)
            if row is not None:
                row["source_pk"] = record.id
                trips[(row["trip_pk"], row["service_date"])] = row
        if entity.HasField("vehicle"):
            vehicle = _vehicle(entity.id, entity.vehicle, matcher, stamp or now, summary)
            if vehicle is not None:
                vehicle["source_pk"] = record.id
                vehicles[vehicle["vehicle_key"]] = vehicle
    if not full:
        _drop_replaced(record.id, trips, vehicles)
    # Bulk statements (a city has thousands of trips on the road), not the unit of work.
    if trips:
        db.session.execute(insert(TransitRealtimeTrip), list(trips.values()))
    if vehicles:
        db.session.execute(insert(TransitVehicle), list(vehicles.values()))
    record.feed_timestamp, record.received_at = stamp, now
    record.incrementality = "FULL_DATASET" if full else "DIFFERENTIAL"
    if not full:  # older entities stay: so do the delays they hold
        summary.delays(
            record.summary.get("max_delay_seconds"), record.summary.get("min_delay_seconds")
        )
    record.summary = summary.as_dict()
    db.session.commit()
    invalidate("transit")
    if db.session.get_bind().dialect.name == "postgresql":
        # The tables are rewritten every few seconds: keep the planner's row counts true, or it
        # plans the arrivals query's join for an empty table.
        db.session.execute(text("ANALYZE transit_realtime_trip, transit_vehicle"))
        db.session.commit()
    return {
        "source": source,
        "feed_timestamp": stamp.isoformat() if stamp else None,
        **summary.as_dict(),
    }


class TripMatcher:
    """Finds the scheduled trip and service date a TripDescriptor means."""

    def __init__(self, net: TransitNetwork, message: rt.FeedMessage, moment: datetime) -> None:
        self.net, self.moment = net, moment
        wanted = {e.trip_update.trip.trip_id for e in message.entity if e.HasField("trip_update")}
        wanted |= {e.vehicle.trip.trip_id for e in message.entity if e.HasField("vehicle")}
        wanted.discard("")
        self.trips: dict[str, list[tuple[int, int, int, int]]] = {}
        self.pattern_of: dict[int, int] = {}
        self.start_of: dict[int, int] = {}
        for chunk in _chunks(sorted(wanted), 500):
            for pk, trip_id, service_pk, start, end, pattern_pk in db.session.execute(
                select(
                    TransitTrip.id,
                    TransitTrip.trip_id,
                    TransitTrip.service_pk,
                    TransitTrip.start_secs,
                    TransitTrip.end_secs,
                    TransitTrip.pattern_pk,
                ).where(TransitTrip.feed_id == net.feed_id, TransitTrip.trip_id.in_(chunk))
            ):
                self.trips.setdefault(trip_id, []).append((pk, service_pk, start, end))
                self.pattern_of[pk], self.start_of[pk] = pattern_pk, start
        self.patterns: dict = {}
        self._calls: dict[int, list[tuple[int, int, int, int, int]]] = {}

    def match(self, descriptor: rt.TripDescriptor) -> tuple[int, date] | None:
        instances = self.trips.get(descriptor.trip_id, [])
        if descriptor.start_time:
            start = parse_time(descriptor.start_time)
            instances = [i for i in instances if i[2] == start]
        if descriptor.start_date:
            day = parse_date(descriptor.start_date)
            if day is None:
                return None
            days = [day]
        else:
            today = self.moment.astimezone(self.net.zone).date()
            days = [today + timedelta(days=d) for d in (-1, 0, 1)]
        best: tuple[float, int, date] | None = None
        for pk, service_pk, start, end in instances:
            for day in days:
                if service_pk not in self.net.active_services(day):
                    continue
                offset = (self.moment - day_start(day, self.net.zone)).total_seconds()
                distance = (
                    0.0 if start <= offset <= end else min(abs(offset - start), abs(offset - end))
                )
                if best is None or distance < best[0]:
                    best = (distance, pk, day)
        if best is None or (not descriptor.start_date and best[0] > DAY / 4):
            return None
        return best[1], best[2]

    def prefetch(self, descriptors: list[rt.TripDescriptor]) -> None:
        """Read the patterns of every trip the descriptors match (cached per process)."""
        wanted = {self.pattern_of[m[0]] for m in map(self.match, descriptors) if m}
        self.patterns.update(patterns(self.net, wanted - self.patterns.keys()))

    def calls(self, trip_pk: int) -> list[tuple[int, int, int, int, int]]:
        """(stop_index, stop_sequence, stop_pk, arrival_secs, departure_secs) of a trip."""
        calls = self._calls.get(trip_pk)
        if calls is None:
            pattern_pk, start = self.pattern_of[trip_pk], self.start_of[trip_pk]
            if pattern_pk not in self.patterns:
                self.patterns.update(patterns(self.net, {pattern_pk}))
            p = self.patterns[pattern_pk]
            calls = self._calls[trip_pk] = [
                (i, p.sequences[i], p.stops[i], start + p.arrivals[i], start + p.departures[i])
                for i in range(len(p.stops))
            ]
        return calls

    def call_index(
        self, trip_pk: int, sequence: int | None, stop_id: str | None, after: int = 0
    ) -> int | None:
        calls = self.calls(trip_pk)
        if sequence is not None:
            return next((c[0] for c in calls if c[1] == sequence), None)
        stop_pk = self.net.stop_by_id.get(stop_id or "")
        return next((c[0] for c in calls[after:] if c[2] == stop_pk), None)


def _trip_update(
    update: rt.TripUpdate, matcher: TripMatcher, default_stamp: datetime, summary: Summary
) -> dict | None:
    """A ``transit_realtime_trip`` row for the update, or ``None`` when no trip matches."""
    summary.trip_updates += 1
    descriptor = update.trip
    relationship = rt.TripDescriptor.ScheduleRelationship.Name(descriptor.schedule_relationship)
    matched = matcher.match(descriptor) if relationship not in UNSCHEDULED else None
    if matched is None:
        summary.unmatched.append(descriptor.trip_id or descriptor.route_id)
        return None
    trip_pk, service_date = matched
    if relationship in ("CANCELED", "DELETED"):
        summary.canceled += 1
    start = day_start(service_date, matcher.net.zone).timestamp()
    calls = {c[0]: c for c in matcher.calls(trip_pk)}
    updates: list[list] = []
    after = 0
    for stu in update.stop_time_update:
        sequence = stu.stop_sequence if stu.HasField("stop_sequence") else None
        index = matcher.call_index(trip_pk, sequence, stu.stop_id, after)
        if index is None:
            summary.unknown_stops += 1
            continue
        after = index
        call = calls[index]
        updates.append(
            [
                index,
                call[1],
                _delay(stu, "arrival", start + call[3]),
                _delay(stu, "departure", start + call[4]),
                STOP_RELATIONSHIP.get(stu.schedule_relationship, "S"),
            ]
        )
    updates.sort(key=lambda u: u[0])
    summary.delays(
        update.delay if update.HasField("delay") else None,
        *(u[2] for u in updates),
        *(u[3] for u in updates),
    )
    stamp = (
        datetime.fromtimestamp(update.timestamp, timezone.utc)
        if update.HasField("timestamp")
        else default_stamp
    )
    return dict(
        trip_pk=trip_pk,
        service_date=service_date,
        relationship=relationship,
        delay=update.delay if update.HasField("delay") else None,
        vehicle_id=update.vehicle.id or None,
        vehicle_label=update.vehicle.label or None,
        timestamp=stamp,
        updates=updates,
    )


def _delay(stu, which: str, scheduled: float) -> int | None:
    """The event's delay in seconds: its absolute ``time`` against the schedule, else ``delay``."""
    if not stu.HasField(which):
        return None
    event = getattr(stu, which)
    if event.HasField("time"):
        return int(event.time - scheduled)
    if event.HasField("delay"):
        return int(event.delay)
    return None


def _vehicle(
    entity_id: str,
    position: rt.VehiclePosition,
    matcher: TripMatcher,
    default_stamp: datetime,
    summary: Summary,
) -> dict | None:
    """A ``transit_vehicle`` row, or ``None`` for a position without coordinates."""
    if not position.HasField("position"):
        return None
    summary.vehicles += 1
    matched = matcher.match(position.trip) if position.HasField("trip") else None
    index = None
    if matched is not None and (position.HasField("current_stop_sequence") or position.stop_id):
        index = matcher.call_index(
            matched[0],
            position.current_stop_sequence if position.HasField("current_stop_sequence") else None,
            position.stop_id,
        )
    status = (
        VEHICLE_STATUS[position.current_status]
        if position.HasField("current_status") or index is not None
        else None
    )
    stamp = (
        datetime.fromtimestamp(position.timestamp, timezone.utc)
        if position.HasField("timestamp")
        else default_stamp
    )
    return dict(
        vehicle_key=(position.vehicle.id or entity_id)[:128],
        vehicle_id=position.vehicle.id or None,
        label=position.vehicle.label or None,
        trip_pk=matched[0] if matched else None,
        service_date=matched[1] if matched else None,
        lat=position.position.latitude,
        lon=position.position.longitude,
        bearing=position.position.bearing if position.position.HasField("bearing") else None,
        speed=position.position.speed if position.position.HasField("speed") else None,
        stop_index=index,
        current_status=status,
        timestamp=stamp,
    )


def _forget(source_pk: int, entity, matcher: TripMatcher) -> None:
    """A DIFFERENTIAL feed's deleted entity: drop what it said before."""
    if entity.HasField("trip_update"):
        matched = matcher.match(entity.trip_update.trip)
        if matched:
            db.session.execute(
                delete(TransitRealtimeTrip).where(
                    TransitRealtimeTrip.source_pk == source_pk,
                    TransitRealtimeTrip.trip_pk == matched[0],
                    TransitRealtimeTrip.service_date == matched[1],
                )
            )
    if entity.HasField("vehicle"):
        db.session.execute(
            delete(TransitVehicle).where(
                TransitVehicle.source_pk == source_pk,
                TransitVehicle.vehicle_key == (entity.vehicle.vehicle.id or entity.id),
            )
        )


def _drop_replaced(source_pk: int, trips: dict, vehicles: dict) -> None:
    for trip_pk, service_date in trips:
        db.session.execute(
            delete(TransitRealtimeTrip).where(
                TransitRealtimeTrip.source_pk == source_pk,
                TransitRealtimeTrip.trip_pk == trip_pk,
                TransitRealtimeTrip.service_date == service_date,
            )
        )
    if vehicles:
        db.session.execute(
            delete(TransitVehicle).where(
                TransitVehicle.source_pk == source_pk,
                TransitVehicle.vehicle_key.in_(list(vehicles)),
            )
        )
    db.session.flush()


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def ingest_once(sources: list[str]) -> list[dict]:
    """Fetch and ingest each source; a source that fails is reported, the others go on."""
    timeout = float(current_app.config["TRANSIT_REALTIME_TIMEOUT_SECONDS"])
    results = []
    for source in sources:
        try:
            results.append(ingest(source, fetch(source, timeout)))
        except RealtimeFeedError as error:
            db.session.rollback()
            results.append({"source": source, "error": error.code, "detail": str(error)})
    return results
