"""GTFS import and scheduled arrivals on real public feeds no one here wrote.

Cairns (TransLink, 2014) and Google's sample feed, vendored under tests/data/gtfs/. The expected
arrivals were read by hand from the feeds' own stop_times.txt, trips.txt and calendar files.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from miniapp_api.db import db
from miniapp_api.transit.gtfs.importer import import_feed
from miniapp_api.transit.models import (
    TransitFeed,
    TransitRoute,
    TransitService,
    TransitServiceDate,
    TransitShape,
    TransitStop,
    TransitStopTime,
    TransitTrip,
)
from tests.api.transit_support import (
    CAIRNS,
    GOOGLE,
    PIER,
    app,
    arrivals,
    cairns_sqlite,
    database_url,
)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_cairns_counts(app):
    with app.app_context():
        assert (
            count(TransitStop),
            count(TransitRoute),
            count(TransitTrip),
            count(TransitStopTime),
            count(TransitShape),
            count(TransitService),
            count(TransitServiceDate),
        ) == (416, 22, 1339, 37790, 54, 4, 9)
        feed = db.session.scalar(select(TransitFeed).where(TransitFeed.is_active))
        assert feed.timezone == "Australia/Brisbane"
        assert str(feed.start_date) == "2014-05-26" and str(feed.end_date) == "2014-12-28"


def test_times_past_midnight_and_empty_times_are_kept(app):
    with app.app_context():
        latest = db.session.scalar(select(func.max(TransitStopTime.arrival_secs)))
        assert latest == 29 * 3600 + 39 * 60  # 29:39:00
        # CNS...-4165903 has no time at stop 750015 (seq 15) between 18:28:00 and 18:32:00.
        trip = db.session.scalar(
            select(TransitTrip.id).where(
                TransitTrip.trip_id == "CNS2014-CNS_MUL-Weekday-00-4165903"
            )
        )
        row = db.session.get(TransitStopTime, (trip, 15))
        assert row.timepoint == 0
        assert 18 * 3600 + 28 * 60 < row.arrival_secs < 18 * 3600 + 32 * 60


def test_weekday_morning_arrivals_at_the_pier(client):
    data = arrivals(client, PIER, "2014-06-10T08:00:00+10:00", window_minutes=30, limit=20)
    got = [(a["routeShortName"], a["scheduledArrivalTime"][11:16]) for a in data["arrivals"]]
    # stop_times.txt rows at 750449 on service CNS2014-CNS_MUL-Weekday-00, 08:00-08:30.
    assert got == [
        ("141", "08:03"),
        ("111", "08:05"),
        ("131", "08:05"),
        ("140", "08:06"),
        ("113", "08:10"),
        ("121", "08:18"),
        ("110", "08:20"),
        ("142", "08:21"),
        ("143", "08:22"),
        ("120", "08:23"),
        ("123", "08:23"),
        ("150", "08:30"),
    ]
    first = data["arrivals"][0]
    assert first["tripId"] == "CNS2014-CNS_MUL-Weekday-00-4179907"
    assert first["tripHeadsign"] == "The Pier Cairns Terminus"
    assert first["scheduledArrivalTime"] == "2014-06-10T08:03:00+10:00"
    assert first["predicted"] is False and first["predictedArrivalTime"] is None
    assert first["source"] == "schedule" and first["minutesAway"] == 3
    assert first["totalStopsInTrip"] == 21 and first["departureEnabled"] is False
    assert data["realtime"]["status"] == "none" and data["dataSource"] == "schedule"


def test_stops_away_by_the_schedule(client):
    # At 07:50 trip 4179907 (route 141) has left seq 13 (07:47) for seq 14 (07:51); the Pier is
    # seq 21: seven stops (14..20) before it.
    data = arrivals(client, PIER, "2014-06-10T07:50:00+10:00", route="141", limit=1)
    [arrival] = data["arrivals"]
    assert arrival["scheduledArrivalTime"] == "2014-06-10T08:03:00+10:00"
    assert arrival["minutesAway"] == 13 and arrival["numberOfStopsAway"] == 7
    assert 0 < arrival["distanceFromStop"] < 30_000
    assert arrival["vehicleId"] is None


def test_public_holiday_runs_the_sunday_timetable(client):
    # 9 June 2014 (a Monday, Queen's Birthday): calendar_dates removes Weekday, adds Sunday.
    data = arrivals(client, PIER, "2014-06-09T08:00:00+10:00", window_minutes=60, limit=20)
    got = [(a["routeShortName"], a["scheduledArrivalTime"][11:16]) for a in data["arrivals"]]
    assert got == [
        ("110", "08:10"),
        ("150E", "08:23"),
        ("120", "08:37"),
        ("111", "08:40"),
        ("130", "08:40"),
        ("123", "08:45"),
        ("143W", "09:00"),
    ]


def test_after_midnight_trips_belong_to_yesterdays_service_day(client):
    # Saturday 00:55: the Friday-only service's 110N runs at 25:03 and 25:16 of Friday.
    data = arrivals(client, "750047", "2014-06-14T00:55:00+10:00", window_minutes=30)
    got = [
        (a["routeShortName"], a["tripHeadsign"], a["scheduledArrivalTime"], a["serviceDate"])
        for a in data["arrivals"]
    ]
    assert got == [
        ("110N", "Palm Cove", "2014-06-14T01:03:00+10:00", "2014-06-13"),
        ("110N", "The Pier Cairns Terminus", "2014-06-14T01:16:00+10:00", "2014-06-13"),
    ]
    # On a Thursday night the Friday-only trips do not run.
    data = arrivals(client, "750047", "2014-06-13T00:55:00+10:00", window_minutes=30)
    assert data["arrivals"] == []


def test_route_and_direction_filters(client):
    data = arrivals(client, PIER, "2014-06-10T08:00:00+10:00", window_minutes=30, route="121")
    assert [a["scheduledArrivalTime"][11:16] for a in data["arrivals"]] == ["08:18"]
    assert (
        arrivals(client, PIER, "2014-06-10T08:00:00+10:00", route="121", direction=1)["arrivals"]
        == []
    )
    response = client.get(f"/api/v1/transit/stops/{PIER}/arrivals?route=999")
    assert response.status_code == 404 and response.get_json()["data"] == {"route": "999"}


def test_unknown_stop_is_404_and_bad_query_422(client):
    response = client.get("/api/v1/transit/stops/nope/arrivals")
    assert response.status_code == 404
    assert response.get_json()["data"] == {"stop": "nope"}
    response = client.get(f"/api/v1/transit/stops/{PIER}/arrivals?window_minutes=0&direction=3")
    assert response.status_code == 422
    assert set(response.get_json()["data"]["errors"]["query"]) == {"window_minutes", "direction"}
    # Before 1901 zones have local-mean-time offsets (+08:05:43) that RFC 3339 cannot write.
    response = client.get(
        f"/api/v1/transit/stops/{PIER}/arrivals", query_string={"at": "1807-01-01T00:00:00+00:00"}
    )
    assert response.status_code == 422
    assert set(response.get_json()["data"]["errors"]["query"]) == {"at"}


def _broken_copy(tmp_path: Path) -> Path:
    """Cairns with three bad rows: an unknown stop, a malformed time, an unknown route."""
    out = tmp_path / "broken.zip"
    with zipfile.ZipFile(CAIRNS) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            text = source.read(name).decode("utf-8")
            if name.endswith("stop_times.txt"):
                lines = text.splitlines()
                assert ",750000," in lines[2]  # line 3
                lines[2] = lines[2].replace(",750000,", ",NO_SUCH_STOP,")
                lines[9] = lines[9].replace(":", ";", 1)
                text = "\n".join(lines) + "\n"
            if name.endswith("trips.txt"):
                lines = text.splitlines()
                lines[3] = "NO_SUCH_ROUTE" + lines[3][lines[3].index(",") :]
                text = "\n".join(lines) + "\n"
            target.writestr(name, text)
    return out


def test_broken_feed_is_rejected_with_a_report_and_the_old_feed_stays(app, tmp_path):
    broken = _broken_copy(tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["transit", "import-gtfs", str(broken)])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["imported"] is False and report["ok"] is False
    problems = {(p["file"], p["line"], p["field"], p["problem"]) for p in report["errors"]}
    assert ("trips.txt", 4, "route_id", "unknown_reference") in problems
    assert ("stop_times.txt", 3, "stop_id", "unknown_reference") in problems
    assert ("stop_times.txt", 10, "arrival_time", "invalid_time") in problems
    with app.app_context():
        feeds = db.session.scalars(select(TransitFeed)).all()
        assert [(f.is_active, f.sha256[:8]) for f in feeds] == [(True, "ff39d376")]
        assert count(TransitStopTime) == 37790


def test_reimport_replaces_the_feed_in_one_switch(app, client):
    with app.app_context():
        old = db.session.scalar(select(TransitFeed.id).where(TransitFeed.is_active))
        result = import_feed(GOOGLE)
        assert result.report.ok and result.replaced == [old]
        assert count(TransitStop) == 9 and count(TransitRoute) == 5
        assert (
            db.session.scalar(
                select(func.count()).select_from(TransitFeed).where(TransitFeed.is_active)
            )
            == 1
        )
        again = import_feed(GOOGLE, skip_if_unchanged=True)
        assert again.skipped and again.feed_id == result.feed_id
    # The API reads the new feed at once (its cache follows the active version).
    response = client.get("/api/v1/transit/stops/750449")
    assert response.status_code == 404


def test_frequencies_expand_to_trips_with_their_headway(app, client):
    with app.app_context():
        assert import_feed(GOOGLE).report.ok
        # STBA 06:00-22:00 every 30 min: 32 departures; CITY1 and CITY2: 4+12+12+18+6 each.
        query = select(TransitTrip.trip_id, func.count()).group_by(TransitTrip.trip_id)
        trips = {trip_id: n for trip_id, n in db.session.execute(query)}
        assert trips["STBA"] == 32 and trips["CITY1"] == trips["CITY2"] == 52
    # Thursday 5 June 2008, 08:30 in Los Angeles (PDT): route 40 direction 0 reaches NADAV
    # 12 minutes after leaving STAGECOACH, every 10 minutes between 08:00 and 10:00.
    data = arrivals(
        client, "NADAV", "2008-06-05T08:30:00-07:00", route="40", direction=0, window_minutes=25
    )
    got = [(a["scheduledArrivalTime"], a["frequencyHeadwaySeconds"]) for a in data["arrivals"]]
    assert got == [
        ("2008-06-05T08:32:00-07:00", 600),
        ("2008-06-05T08:42:00-07:00", 600),
        ("2008-06-05T08:52:00-07:00", 600),
    ]
    # FULLW does not run on 4 June 2007 (calendar_dates): nothing but the weekend-free gap.
    assert arrivals(client, "NADAV", "2007-06-04T08:30:00-07:00")["arrivals"] == []


def test_flask_seed_leaves_an_imported_feed_alone(app, tmp_path):
    app.config["TRANSIT_DEMO_FEED"] = str(tmp_path / "demo.zip")
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "transit_stops 416" in result.output
    assert not (tmp_path / "demo.zip").exists()
    with app.app_context():
        assert db.session.scalar(select(TransitFeed.source).where(TransitFeed.is_active)) == str(
            CAIRNS
        )
