"""The demo city's network through the API: search, nearby, routes, routes to a place, the
simulator, and the contract (OpenAPI, errors)."""

from __future__ import annotations

import hashlib
import shutil
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from miniapp_api.db import db
from miniapp_api.transit.gtfs.demo import write_demo_feed
from miniapp_api.transit.gtfs.importer import import_feed

WEEKDAY_8AM = "2026-11-25T08:00:00+08:00"  # a Wednesday


@pytest.fixture(scope="session")
def demo_zip(tmp_path_factory):
    return write_demo_feed(tmp_path_factory.mktemp("demo") / "demo-gtfs.zip")


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def demo_app(request, demo_zip, sqlite_template, tmp_path_factory):
    """One app per engine with the demo feed imported, shared by the module's tests."""
    from miniapp_api import create_app
    from miniapp_api.config import TestingConfig

    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("demo-db") / "citizen.sqlite3"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")
    app = create_app(TestingConfig(url))
    with app.app_context():
        result = import_feed(demo_zip)
        assert result.report.ok, result.report.as_dict()["errors"]
    yield app
    with app.app_context():
        if url.startswith("postgresql"):
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def get(demo_app):
    client = demo_app.test_client()

    def get(url: str, lang: str = "zh-CN", status: int = 200, **params):
        response = client.get(url, query_string=params, headers={"Accept-Language": lang})
        assert response.status_code == status, response.get_json()
        return response.get_json()["data"]

    return get


def test_demo_feed_is_deterministic_and_city_sized(demo_zip, tmp_path, demo_app):
    again = write_demo_feed(tmp_path / "again.zip")
    digest = hashlib.sha256
    assert digest(again.read_bytes()).digest() == digest(demo_zip.read_bytes()).digest()
    with demo_app.app_context():
        counts = import_feed(demo_zip, skip_if_unchanged=True).report.counts
    assert counts["routes"] >= 30 and counts["stop_times"] > 300_000
    assert counts["stops"] >= 700  # 594 crossings, 30 stations and their platforms


def test_route_55_in_both_languages(get):
    [route] = get("/api/v1/transit/routes", q="55路")
    assert (route["id"], route["shortName"], route["longName"]) == ("55", "55", "天河客运站—客村")
    [route] = get("/api/v1/transit/routes", lang="en", q="Route 55")
    assert route["longName"] == "Tianhe Coach Terminal – Kecun"
    [night] = get("/api/v1/transit/routes", lang="en", q="N1")
    assert night["shortName"] == "N1" and get("/api/v1/transit/routes", q="夜1路")[0]["id"] == "N1"
    assert len(get("/api/v1/transit/routes", limit=500)) >= 30


def test_route_detail_has_both_directions_in_order(get):
    route = get("/api/v1/transit/routes/55", lang="en", include_shape="true")
    outbound, inbound = route["directions"]
    assert outbound["directionId"] == 0 and inbound["directionId"] == 1
    assert outbound["stops"][0]["parentStationId"] == "tianhe_coach_terminal"
    assert outbound["stops"][-1]["parentStationId"] == "kecun"
    assert outbound["headsign"] == "Kecun" and inbound["headsign"] == "Tianhe Coach Terminal"
    assert [s["parentStationId"] or s["id"] for s in inbound["stops"]] == [
        s["parentStationId"] or s["id"] for s in reversed(outbound["stops"])
    ]
    along = [s["distanceAlong"] for s in outbound["stops"]]
    assert along == sorted(along) and along[0] == 0 and along[-1] > 5000
    assert outbound["polyline"] and outbound["tripsToday"] > 50
    assert get("/api/v1/transit/routes/nope", status=404) == {"route": "nope"}


@pytest.mark.parametrize(
    "query, lang, expected",
    [
        ("天河客运站", "zh-CN", "tianhe_coach_terminal"),
        ("天河客运占", "zh-CN", "tianhe_coach_terminal"),  # typo
        ("天河客站", "zh-CN", "tianhe_coach_terminal"),  # alias
        ("体育中心站", "zh-CN", "sports_center"),
        ("Zhujiang New Town", "en", "zhujiang_new_town"),
        ("zhujang new twon", "en", "zhujiang_new_town"),  # typos
        ("小蛮腰", "zh-CN", "canton_tower"),  # alias
        ("天河客運站", "zh-CN", "tianhe_coach_terminal"),  # traditional script
        ("體育中心", "zh-CN", "sports_center"),
        ("Tiyu Zhongxin", "en", "sports_center"),
    ],
)
def test_stop_search(get, query, lang, expected):
    found = get("/api/v1/transit/stops", lang=lang, q=query)
    assert found[0]["id"] == expected, [f["id"] for f in found]


def test_a_station_comes_once_with_its_platforms(get):
    found = get("/api/v1/transit/stops", q="体育中心")
    assert [f["id"] for f in found].count("sports_center") == 1
    station = found[0]
    assert station["locationType"] == "station" and station["name"] == "体育中心"
    codes = [p["platformCode"] for p in station["platforms"]]
    assert len(codes) >= 2 and codes == sorted(codes)
    assert all(p["directions"] for p in station["platforms"])
    assert {"55", "B1", "N1"} <= {r["id"] for r in station["routes"]}
    platform = get(f"/api/v1/transit/stops/{station['platforms'][0]['id']}", lang="en")
    assert platform["parentStationId"] == "sports_center"
    assert platform["parentStationName"] == "Sports Center"
    assert platform["name"] == "Sports Center" and platform["locationType"] == "stop"


def test_nearby_stops_sorted_by_distance(get):
    station = get("/api/v1/transit/stops/sports_center")
    found = get("/api/v1/transit/stops/nearby", lat=station["lat"], lon=station["lon"], radius=800)
    distances = [f["distance"] for f in found]
    assert found[0]["id"] == "sports_center" and distances[0] < 50
    assert distances == sorted(distances) and all(d <= 800 for d in distances)
    assert len(found) >= 4
    assert all(p["distance"] is not None for p in found[0]["platforms"])
    assert get("/api/v1/transit/stops/nearby", lat=0.0, lon=0.0) == []
    errors = get("/api/v1/transit/stops/nearby", status=422, lat=91, lon=113.3, radius=99999)
    assert set(errors["errors"]["query"]) == {"lat", "radius"}


def test_routes_to_a_place(get):
    answer = get("/api/v1/transit/places/routes", q="体育中心")
    assert answer["places"][0]["id"] == "sports_center"
    assert {"55", "B1", "N1"} <= {r["id"] for r in answer["routes"]}
    terminal = get("/api/v1/transit/stops/tianhe_coach_terminal")
    answer = get(
        "/api/v1/transit/places/routes",
        q="体育中心",
        lat=terminal["lat"],
        lon=terminal["lon"],
        radius=300,
    )
    routes = {r["id"]: r for r in answer["routes"]}
    assert {"55", "B1"} <= set(routes) and "N1" not in routes
    [towards] = routes["55"]["directions"]
    assert towards["directionId"] == 0
    assert towards["boardAt"]["parentStationId"] == "tianhe_coach_terminal"
    assert towards["alightAt"]["parentStationId"] == "sports_center"
    assert towards["stopsBetween"] > 3 and towards["walkMetres"] < 300


def test_scheduled_arrivals_at_a_station_for_one_route(get):
    data = get(
        "/api/v1/transit/stops/sports_center/arrivals",
        lang="en",
        at=WEEKDAY_8AM,
        route="55路",
        limit=6,
    )
    assert data["realtime"]["status"] == "none" and data["dataSource"] == "schedule"
    assert {a["routeShortName"] for a in data["arrivals"]} == {"55"}
    assert {a["tripHeadsign"] for a in data["arrivals"]} == {"Kecun", "Tianhe Coach Terminal"}
    times = [a["arrivalTime"] for a in data["arrivals"]]
    assert times == sorted(times) and times[0] >= WEEKDAY_8AM
    one_way = get(
        "/api/v1/transit/stops/sports_center/arrivals",
        at=WEEKDAY_8AM,
        route="55",
        direction=0,
        limit=6,
    )["arrivals"]
    assert {a["tripHeadsign"] for a in one_way} == {"客村"}
    gaps = [
        (datetime.fromisoformat(b["arrivalTime"]) - datetime.fromisoformat(a["arrivalTime"]))
        for a, b in zip(one_way, one_way[1:])
    ]
    assert all(timedelta(minutes=3) <= gap <= timedelta(minutes=8) for gap in gaps)  # peak


def test_arrivals_are_written_as_their_schema_says(demo_app, tmp_path):
    """The arrivals endpoint skips marshmallow for speed: it must write what the schema would."""
    from miniapp_api.envelope import envelope_of
    from miniapp_api.transit.realtime.simulator import simulate_once
    from miniapp_api.transit.schemas import ArrivalsSchema

    with demo_app.app_context():
        simulate_once(tmp_path / "realtime.pb", now=datetime.fromisoformat(WEEKDAY_8AM))
    client = demo_app.test_client()
    try:
        for params in (
            {"at": WEEKDAY_8AM, "limit": 20},
            {"at": WEEKDAY_8AM, "route": "55"},
            {"at": "2026-11-26T00:30:00+08:00"},
        ):
            body = client.get(
                "/api/v1/transit/stops/sports_center/arrivals", query_string=params
            ).get_json()
            schema = envelope_of(ArrivalsSchema)()
            assert schema.dump(schema.load(body)) == body
            assert body["data"]["arrivals"]
            assert set(body["data"]["arrivals"][0]) == set(
                ArrivalsSchema().fields["arrivals"].inner.schema.fields
            )
    finally:
        _forget_realtime(demo_app)


def _forget_realtime(app) -> None:
    from miniapp_api.transit.models import TransitRealtimeSource

    with app.app_context():
        for table in ("transit_realtime_trip", "transit_vehicle"):
            db.session.execute(text(f"DELETE FROM {table}"))
        db.session.query(TransitRealtimeSource).delete()
        db.session.commit()


def test_the_simulator_moves_the_buses(demo_app, get, tmp_path):
    from miniapp_api.transit.realtime.simulator import simulate_once

    now = datetime.fromisoformat(WEEKDAY_8AM)
    seen = []
    try:
        for step in range(2):
            moment = now + timedelta(minutes=2 * step)
            with demo_app.app_context():
                outcome = simulate_once(tmp_path / "realtime.pb", now=moment)
            assert outcome["simulated"]["trips"] > 300
            assert outcome["ingested"]["unmatched_trips"] == 0
            data = get(
                "/api/v1/transit/stops/sports_center/arrivals", at=moment.isoformat(), limit=8
            )
            assert data["realtime"]["status"] == "fresh" and data["dataSource"] == "realtime"
            live = [a for a in data["arrivals"] if a["predicted"]]
            assert live and all(a["vehicleId"] and a["numberOfStopsAway"] >= 0 for a in live)
            seen.append(
                {a["tripId"]: (a["predictedArrivalTime"], a["numberOfStopsAway"]) for a in live}
            )
        common = set(seen[0]) & set(seen[1])
        assert common and any(seen[0][t] != seen[1][t] for t in common)
    finally:
        _forget_realtime(demo_app)


def test_no_feed_is_a_503(client):
    response = client.get("/api/v1/transit/stops", query_string={"q": "体育中心"})
    assert response.status_code == 503
    assert response.get_json()["errcode"] == 50340


@pytest.fixture
def database_url(sqlite_url):
    return sqlite_url


def test_every_transit_route_is_in_the_openapi_spec(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = {p for p in spec["paths"] if p.startswith("/api/v1/transit")}
    assert paths == {
        "/api/v1/transit/stops",
        "/api/v1/transit/stops/nearby",
        "/api/v1/transit/stops/{stop_id}",
        "/api/v1/transit/stops/{stop_id}/arrivals",
        "/api/v1/transit/routes",
        "/api/v1/transit/routes/{route_id}",
        "/api/v1/transit/places/routes",
    }
    arrival = spec["components"]["schemas"]["Arrival"]["properties"]
    assert {
        "routeShortName",
        "tripHeadsign",
        "scheduledArrivalTime",
        "predictedArrivalTime",
        "minutesAway",
        "numberOfStopsAway",
        "distanceFromStop",
        "vehicleId",
        "predicted",
    } <= set(arrival)
