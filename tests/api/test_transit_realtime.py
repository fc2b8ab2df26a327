"""GTFS-Realtime on the Cairns schedule: feeds built here with gtfs-realtime-bindings.

Trip CNS2014-CNS_MUL-Weekday-00-4179907 (route 141) on Tuesday 10 June 2014 calls at seq 15 at
07:51, seq 19 at 07:59, seq 20 (750226) at 08:00 and ends at the Pier (750449, seq 21) at 08:03.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from google.transit import gtfs_realtime_pb2 as rt
from sqlalchemy import select

from miniapp_api.db import db
from miniapp_api.transit.models import TransitRealtimeTrip, TransitVehicle
from tests.api.transit_support import CAIRNS, PIER, app, arrivals, cairns_sqlite, database_url

TRIP = "CNS2014-CNS_MUL-Weekday-00-4179907"
AT = "2014-06-10T07:50:00+10:00"


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def feed(
    stamp: str = AT,
    trips: list[dict] = (),
    vehicles: list[dict] = (),
    incrementality: int = rt.FeedHeader.FULL_DATASET,
) -> bytes:
    """A FeedMessage: ``trips`` as {trip_id, start_date?, relationship?, delay?, vehicle?,
    updates: [(seq, arrival delay, relationship?) or {seq, arrival_time}]}."""
    message = rt.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    message.header.incrementality = incrementality
    message.header.timestamp = epoch(stamp)
    for n, spec in enumerate(trips):
        entity = message.entity.add()
        entity.id = f"tu{n}"
        update = entity.trip_update
        update.trip.trip_id = spec["trip_id"]
        if "start_date" in spec:
            update.trip.start_date = spec["start_date"]
        update.trip.schedule_relationship = getattr(
            rt.TripDescriptor, spec.get("relationship", "SCHEDULED")
        )
        if "delay" in spec:
            update.delay = spec["delay"]
        if "vehicle" in spec:
            update.vehicle.id = spec["vehicle"]
        for item in spec.get("updates", ()):
            stu = update.stop_time_update.add()
            if isinstance(item, dict):
                stu.stop_sequence = item["seq"]
                stu.arrival.time = epoch(item["arrival_time"])
                continue
            seq, delay, *relationship = item
            stu.stop_sequence = seq
            if delay is not None:
                stu.arrival.delay = delay
            if relationship:
                stu.schedule_relationship = getattr(rt.TripUpdate.StopTimeUpdate, relationship[0])
    for n, spec in enumerate(vehicles):
        entity = message.entity.add()
        entity.id = f"vp{n}"
        vehicle = entity.vehicle
        vehicle.trip.trip_id = spec["trip_id"]
        vehicle.vehicle.id = spec["id"]
        vehicle.position.latitude, vehicle.position.longitude = spec["position"]
        vehicle.current_stop_sequence = spec["seq"]
        vehicle.current_status = getattr(rt.VehiclePosition, spec["status"])
        vehicle.timestamp = epoch(stamp)
    return message.SerializeToString()


def ingest(app, tmp_path, data: bytes, name: str = "feed.pb") -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    result = app.test_cli_runner().invoke(args=["transit", "realtime", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.splitlines()[-1])


def the_141(client, at: str = AT, **params) -> dict:
    """Arrivals at the Pier of route 141, keeping only trip 4179907's."""
    data = arrivals(client, PIER, at, route="141", **params)
    data["arrivals"] = [a for a in data["arrivals"] if a["tripId"] == TRIP]
    return data


def test_a_delay_moves_the_prediction_and_propagates_downstream(app, client, tmp_path):
    summary = ingest(
        app,
        tmp_path,
        feed(
            trips=[
                {
                    "trip_id": TRIP,
                    "start_date": "20140610",
                    "vehicle": "bus-7",
                    "updates": [(15, 300)],
                }
            ]
        ),
    )
    assert summary["trip_updates"] == 1 and summary["unmatched_trips"] == 0
    data = the_141(client)
    [arrival] = data["arrivals"]
    assert data["realtime"]["status"] == "fresh" and data["realtime"]["ageSeconds"] == 0
    assert data["dataSource"] == "realtime"
    assert arrival["predicted"] is True and arrival["source"] == "realtime"
    assert arrival["scheduledArrivalTime"] == "2014-06-10T08:03:00+10:00"
    assert arrival["predictedArrivalTime"] == "2014-06-10T08:08:00+10:00"
    assert arrival["delaySeconds"] == 300 and arrival["minutesAway"] == 18
    assert arrival["vehicleId"] == "bus-7"
    assert arrival["lastUpdateTime"] == "2014-06-10T07:50:00+10:00"


def test_a_later_update_takes_over_and_no_data_stops_the_propagation(app, client, tmp_path):
    ingest(app, tmp_path, feed(trips=[{"trip_id": TRIP, "updates": [(15, 300), (19, 120)]}]))
    [arrival] = the_141(client)["arrivals"]
    assert arrival["predictedArrivalTime"] == "2014-06-10T08:05:00+10:00"
    ingest(
        app,
        tmp_path,
        feed(trips=[{"trip_id": TRIP, "updates": [(15, 300), (20, None, "NO_DATA")]}]),
    )
    [arrival] = the_141(client)["arrivals"]
    assert arrival["predicted"] is False and arrival["predictedArrivalTime"] is None
    assert arrival["arrivalTime"] == "2014-06-10T08:03:00+10:00"


def test_an_absolute_time_becomes_a_delay(app, client, tmp_path):
    ingest(
        app,
        tmp_path,
        feed(
            trips=[
                {
                    "trip_id": TRIP,
                    "updates": [{"seq": 19, "arrival_time": "2014-06-10T08:01:30+10:00"}],
                }
            ]
        ),
    )  # scheduled 07:59
    [arrival] = the_141(client)["arrivals"]
    assert arrival["delaySeconds"] == 150
    assert arrival["predictedArrivalTime"] == "2014-06-10T08:05:30+10:00"


def test_successive_feeds_move_the_prediction(app, client, tmp_path):
    predictions = []
    for stamp, delay in (
        ("2014-06-10T07:50:00+10:00", 60),
        ("2014-06-10T07:51:00+10:00", 240),
        ("2014-06-10T07:52:00+10:00", 0),
    ):
        ingest(app, tmp_path, feed(stamp, trips=[{"trip_id": TRIP, "updates": [(15, delay)]}]))
        [arrival] = the_141(client, stamp)["arrivals"]
        predictions.append(arrival["predictedArrivalTime"][11:19])
    assert predictions == ["08:04:00", "08:07:00", "08:03:00"]


def test_a_cancelled_trip_does_not_arrive(app, client, tmp_path):
    ingest(app, tmp_path, feed(trips=[{"trip_id": TRIP, "relationship": "CANCELED"}]))
    assert the_141(client)["arrivals"] == []
    [arrival] = the_141(client, include_canceled="true")["arrivals"]
    assert arrival["status"] == "canceled" and arrival["predicted"] is False
    # Other routes at the Pier keep their schedule.
    others = arrivals(client, PIER, AT, window_minutes=20)["arrivals"]
    assert others and TRIP not in {a["tripId"] for a in others}


def test_a_skipped_stop_is_not_served_and_the_delay_carries_past_it(app, client, tmp_path):
    ingest(
        app,
        tmp_path,
        feed(trips=[{"trip_id": TRIP, "updates": [(15, 180), (20, None, "SKIPPED")]}]),
    )
    # 750226 (seq 20) is skipped: no arrival there for this trip.
    served = arrivals(client, "750226", AT, route="141")["arrivals"]
    assert TRIP not in {a["tripId"] for a in served}
    shown = arrivals(client, "750226", AT, route="141", include_canceled="true")["arrivals"]
    assert [a["status"] for a in shown if a["tripId"] == TRIP] == ["skipped"]
    # The Pier (seq 21) gets the 180 s from seq 15, carried over the skipped stop.
    [arrival] = the_141(client)["arrivals"]
    assert arrival["predictedArrivalTime"] == "2014-06-10T08:06:00+10:00"


def test_stale_realtime_falls_back_to_the_schedule_and_says_so(app, client, tmp_path):
    ingest(
        app,
        tmp_path,
        feed("2014-06-10T07:40:00+10:00", trips=[{"trip_id": TRIP, "updates": [(15, 300)]}]),
    )
    data = the_141(client)  # ten minutes later; the limit is 120 s
    [arrival] = data["arrivals"]
    assert data["realtime"] == {
        "status": "stale",
        "ageSeconds": 600,
        "maxAgeSeconds": 120,
        "feedTimestamp": "2014-06-10T07:40:00+10:00",
    }
    assert data["dataSource"] == "schedule"
    assert arrival["predicted"] is False and arrival["arrivalTime"] == "2014-06-10T08:03:00+10:00"


def test_staleness_limit_is_configurable(app_factory, tmp_path):
    app = app_factory(TRANSIT_REALTIME_MAX_AGE_SECONDS=900)
    with app.app_context():
        from miniapp_api.transit.gtfs.importer import import_feed

        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            import_feed(CAIRNS)
    ingest(
        app,
        tmp_path,
        feed("2014-06-10T07:40:00+10:00", trips=[{"trip_id": TRIP, "updates": [(15, 300)]}]),
    )
    data = the_141(app.test_client())
    assert data["realtime"]["status"] == "fresh"
    assert data["arrivals"][0]["predictedArrivalTime"] == "2014-06-10T08:08:00+10:00"


def test_vehicle_position_gives_stops_away_and_distance(app, client, tmp_path):
    # Stopped at seq 18 (750244, index 17): the Pier is index 20, three stops on.
    ingest(
        app,
        tmp_path,
        feed(
            trips=[{"trip_id": TRIP, "updates": [(18, 60)]}],
            vehicles=[
                {
                    "trip_id": TRIP,
                    "id": "bus-141-2",
                    "position": (-16.9235, 145.7725),
                    "seq": 18,
                    "status": "STOPPED_AT",
                }
            ],
        ),
    )
    [arrival] = the_141(client)["arrivals"]
    assert arrival["vehicleId"] == "bus-141-2"
    assert arrival["numberOfStopsAway"] == 3
    assert arrival["vehiclePosition"] == {
        "lat": pytest.approx(-16.9235),
        "lon": pytest.approx(145.7725),
    }
    schedule_only = the_141(client, at="2014-06-10T07:50:00+10:00")["arrivals"][0]
    assert schedule_only["distanceFromStop"] > 0
    with app.app_context():
        vehicle = db.session.scalar(select(TransitVehicle))
        assert (vehicle.stop_index, vehicle.current_status) == (17, "STOPPED_AT")


def test_after_midnight_realtime_uses_the_trips_service_date(app, client, tmp_path):
    # 110N at 25:16 on Friday 13 June's service: 01:16 on Saturday.
    trip = "CNS2014-CNS_MUL-Weekday-00-4166108"
    stamp = "2014-06-14T01:00:00+10:00"
    summary = ingest(
        app,
        tmp_path,
        feed(stamp, trips=[{"trip_id": trip, "start_date": "20140613", "delay": 120}]),
    )
    assert summary["unmatched_trips"] == 0
    with app.app_context():
        row = db.session.scalar(select(TransitRealtimeTrip))
        assert str(row.service_date) == "2014-06-13"
    data = arrivals(client, "750047", stamp, window_minutes=30)
    [arrival] = [a for a in data["arrivals"] if a["tripId"] == trip]
    assert arrival["serviceDate"] == "2014-06-13"
    assert arrival["predictedArrivalTime"] == "2014-06-14T01:18:00+10:00"


def test_unknown_trips_are_counted_and_bad_feeds_change_nothing(app, client, tmp_path):
    ingest(app, tmp_path, feed(trips=[{"trip_id": TRIP, "updates": [(15, 300)]}]))
    summary = ingest(
        app,
        tmp_path,
        feed(
            trips=[
                {"trip_id": "NOT_A_TRIP", "updates": [(1, 5)]},
                {"trip_id": TRIP, "updates": [(15, 60)]},
            ]
        ),
        name="second.pb",
    )
    assert summary["unmatched_trips"] == 1 and summary["unmatched_examples"] == ["NOT_A_TRIP"]
    bad = tmp_path / "bad.pb"
    bad.write_bytes(b"\x08\x96\x01 this is not a feed")
    result = app.test_cli_runner().invoke(args=["transit", "realtime", str(bad)])
    assert json.loads(result.output)["error"] == "invalid_protobuf"
    # The first file's source still has its own update (FULL_DATASET replaces per source).
    [arrival] = the_141(client)["arrivals"]
    assert arrival["predictedArrivalTime"] in (
        "2014-06-10T08:08:00+10:00",
        "2014-06-10T08:04:00+10:00",
    )


def test_a_differential_feed_updates_and_deletes_entity_by_entity(app, client, tmp_path):
    ingest(app, tmp_path, feed(trips=[{"trip_id": TRIP, "updates": [(15, 300)]}]), name="d.pb")
    assert the_141(client)["arrivals"][0]["delaySeconds"] == 300
    ingest(
        app,
        tmp_path,
        feed(
            trips=[{"trip_id": TRIP, "updates": [(15, 60)]}],
            incrementality=rt.FeedHeader.DIFFERENTIAL,
        ),
        name="d.pb",
    )
    assert the_141(client)["arrivals"][0]["delaySeconds"] == 60
    message = rt.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    message.header.incrementality = rt.FeedHeader.DIFFERENTIAL
    message.header.timestamp = epoch(AT)
    deleted = message.entity.add()
    deleted.id, deleted.is_deleted = "tu0", True
    deleted.trip_update.trip.trip_id = TRIP
    ingest(app, tmp_path, message.SerializeToString(), name="d.pb")
    [arrival] = the_141(client)["arrivals"]
    assert arrival["predicted"] is False


class _FeedServer(BaseHTTPRequestHandler):
    body = b""
    requests = 0

    def do_GET(self):
        type(self).requests += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def test_feed_polled_from_a_url(app, client):
    _FeedServer.body = feed(trips=[{"trip_id": TRIP, "updates": [(15, 420)]}])
    _FeedServer.requests = 0
    server = HTTPServer(("127.0.0.1", 0), _FeedServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/gtfs-rt/trip-updates"
        result = app.test_cli_runner().invoke(args=["transit", "realtime", url])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["trip_updates"] == 1
    finally:
        server.shutdown()
        server.server_close()
    assert _FeedServer.requests == 1
    [arrival] = the_141(client)["arrivals"]
    assert arrival["predictedArrivalTime"] == "2014-06-10T08:10:00+10:00"
