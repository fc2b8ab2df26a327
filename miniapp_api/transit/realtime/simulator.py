"""A realtime simulator for the demo city: buses that run late, catch up, skip a stop or are
cancelled, published as GTFS-Realtime and ingested like any other source.

Each cycle finds the trips running now (yesterday's service day included, for trips past
midnight), gives each a delay that depends only on the trip and the time (a per-trip lateness
plus a slow swing of a minute and a half), places the bus by those delayed times, and writes one
FeedMessage with a TripUpdate (the next stop's delay, a SKIPPED stop when the trip skips one,
or CANCELED) and a VehiclePosition per trip. The file is then read back through ``fetch`` and
``ingest``, exactly as ``flask transit realtime FILE`` would.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime
from pathlib import Path

from google.transit import gtfs_realtime_pb2 as rt
from sqlalchemy import select

from ...db import db, utcnow
from .. import arrivals as a
from ..gtfs.read import format_time
from ..models import TransitTrip
from ..network import TransitNetwork, active_network
from ..service_days import candidate_days, day_start
from .feed import ingest_once
from .vehicles import patterns

LEAD_SECONDS = 300  # a bus appears this long before its first departure
CANCEL_PERCENT = 2
SKIP_ONE_IN = 25


def _hash(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:8], "big")


def trip_delay(trip_id: str, service_day: object, now: datetime) -> int:
    """Seconds late (negative: early) of a trip at ``now``: deterministic, slowly changing."""
    h = _hash(trip_id, service_day)
    base = h % 420 - 60
    phase = (h >> 16) % 628 / 100
    return int(base + 90 * math.sin(now.timestamp() / 1200 + phase))


def running_trips(net: TransitNetwork, now: datetime) -> list[tuple]:
    """(trip row, service day, day start) of the trips on the road at ``now``."""
    out = []
    for day in candidate_days(now, net.zone):
        start = day_start(day, net.zone)
        offset = int((now - start).total_seconds())
        services = sorted(net.active_services(day))
        if not services or offset < -LEAD_SECONDS or offset > net.max_secs + 900:
            continue
        rows = db.session.execute(
            select(
                TransitTrip.id,
                TransitTrip.trip_id,
                TransitTrip.route_pk,
                TransitTrip.start_secs,
                TransitTrip.end_secs,
                TransitTrip.pattern_pk,
            ).where(
                TransitTrip.feed_id == net.feed_id,
                TransitTrip.service_pk.in_(services),
                TransitTrip.start_secs <= offset + LEAD_SECONDS,
                TransitTrip.end_secs >= offset - 600,
            )
        )
        out += [(row, day, start) for row in rows]
    return out


def build_feed(net: TransitNetwork, now: datetime) -> tuple[rt.FeedMessage, dict]:
    message = rt.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    message.header.incrementality = rt.FeedHeader.FULL_DATASET
    message.header.timestamp = int(now.timestamp())
    trips = running_trips(net, now)
    shapes = patterns(net, {row.pattern_pk for row, _, _ in trips})
    counts = {"trips": 0, "vehicles": 0, "canceled": 0, "skipped_stops": 0}
    for row, day, start in trips:
        p = shapes[row.pattern_pk]
        delay = trip_delay(row.trip_id, day, now)
        h = _hash("events", row.trip_id, day)
        stops = [
            a.Call(
                i,
                row.start_secs + p.arrivals[i],
                row.start_secs + p.departures[i],
                p.distances[i],
                net.stops[p.stops[i]].lat,
                net.stops[p.stops[i]].lon,
            )
            for i in range(len(p.stops))
        ]
        offset = (now - start).total_seconds()
        index, _, position = a.progress_by_time(stops, offset, [(delay, delay)] * len(stops))
        if index >= len(stops) or offset < row.start_secs + delay - LEAD_SECONDS:
            continue  # arrived already, or not out yet
        route = net.routes[row.route_pk]
        vehicle_id = f"{route.route_id}-{_hash('bus', row.trip_id, day) % 900 + 100}"
        entity = message.entity.add()
        entity.id = f"{day:%Y%m%d}-{row.id}"
        update = entity.trip_update
        _describe(update.trip, row, day)
        update.vehicle.id = vehicle_id
        update.timestamp = int(now.timestamp())
        counts["trips"] += 1
        if h % 100 < CANCEL_PERCENT:
            update.trip.schedule_relationship = rt.TripDescriptor.CANCELED
            counts["canceled"] += 1
            continue
        stu = update.stop_time_update.add()
        stu.stop_sequence = p.sequences[index]
        stu.arrival.delay = delay
        stu.departure.delay = delay
        skip = index + 2 + h % 5
        if h % SKIP_ONE_IN == 0 and skip < len(stops) - 1:
            skipped = update.stop_time_update.add()
            skipped.stop_sequence = p.sequences[skip]
            skipped.schedule_relationship = rt.TripUpdate.StopTimeUpdate.SKIPPED
            counts["skipped_stops"] += 1
        vehicle = message.entity.add()
        vehicle.id = f"v-{entity.id}"
        position_message = vehicle.vehicle
        _describe(position_message.trip, row, day)
        position_message.vehicle.id = vehicle_id
        position_message.position.latitude, position_message.position.longitude = position
        position_message.current_stop_sequence = p.sequences[index]
        at_stop = stops[index].arrival_secs + delay <= offset
        position_message.current_status = (
            rt.VehiclePosition.STOPPED_AT if at_stop else rt.VehiclePosition.IN_TRANSIT_TO
        )
        position_message.timestamp = int(now.timestamp())
        counts["vehicles"] += 1
    return message, counts


def _describe(descriptor: rt.TripDescriptor, row, day) -> None:
    descriptor.trip_id = row.trip_id
    descriptor.start_date = f"{day:%Y%m%d}"
    descriptor.start_time = format_time(row.start_secs)


def simulate_once(out: Path, now: datetime | None = None) -> dict:
    """Write the feed for ``now`` to ``out`` and ingest it; returns what happened."""

    now = now or utcnow()
    message, counts = build_feed(active_network(), now)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(message.SerializeToString())
    tmp.replace(out)
    [ingested] = ingest_once([str(out)])
    return {"simulated": counts, "ingested": ingested}
