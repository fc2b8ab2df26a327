"""Micro-caching of public answers (miniapp_api/response_cache.py): the same question gets the
same bytes for a few seconds, per locale; an ingest in the process drops the answers at once;
errors and citizens' data are never cached; ``RESPONSE_CACHE=false`` turns it off."""

from __future__ import annotations

from datetime import timedelta

from miniapp_api.air.models import AirReading
from miniapp_api.air.service import seed_places, store_readings
from miniapp_api.db import db

from ..air_readings import HOUR, readings_at

STATION = "1347A"


def aqi(client, **params) -> int:
    response = client.get("/api/v1/air/now", query_string={"station": STATION, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]["report"]["aqi"]


def write_behind_the_apis_back(app, pm25: float) -> None:
    """A reading changed in the database without the API's ingest (another process's)."""
    with app.app_context():
        reading = (
            db.session.query(AirReading).filter_by(station_code=STATION, hour_start=HOUR).one()
        )
        reading.pm25 = pm25
        db.session.commit()


def test_the_same_question_gets_the_cached_answer_until_an_ingest(client, air_network):
    before = aqi(client)
    write_behind_the_apis_back(air_network, 5.0)
    assert aqi(client) == before  # cached: another process's write shows once it expires
    with air_network.app_context():
        store_readings({(STATION, HOUR): {"pm25": 5.0}})  # an ingest here drops it at once
    assert aqi(client) < before


def test_a_new_hour_written_anywhere_shows_at_once(client, air_network):
    """The answer is keyed by the readings' version: another process's new hour is new data."""
    before = client.get("/api/v1/air/now", query_string={"station": STATION}).get_json()
    with air_network.app_context():  # as the feeder process would, without this process knowing
        db.session.add(
            AirReading(station_code=STATION, hour_start=HOUR + timedelta(hours=1), pm25=5.0)
        )
        db.session.commit()
    after = client.get("/api/v1/air/now", query_string={"station": STATION}).get_json()
    assert after["data"]["hour_start"] != before["data"]["hour_start"]


def test_each_locale_and_query_has_its_own_answer(client, air_network):
    zh = client.get("/api/v1/air/now", query_string={"station": STATION}).get_json()
    en = client.get("/api/v1/air/now", query_string={"station": STATION, "lang": "en"}).get_json()
    assert zh["data"]["report"]["category"] != en["data"]["report"]["category"]
    city = client.get("/api/v1/air/now").get_json()
    assert city["data"]["place"]["kind"] == "city"


def test_errors_are_not_cached(client, air_network):
    missing = client.get("/api/v1/air/now", query_string={"district": "atlantis"})
    assert missing.status_code == 404
    assert client.get("/api/v1/air/now", query_string={"district": "atlantis"}).status_code == 404


def test_answers_carry_the_security_headers_when_cached_too(client, air_network):
    first = client.get("/api/v1/air/now", query_string={"station": STATION})
    second = client.get("/api/v1/air/now", query_string={"station": STATION})
    assert first.get_data() == second.get_data()
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Cache-Control"):
        assert first.headers.get(header) == second.headers.get(header) is not None


def test_switched_off_every_answer_is_fresh(app_factory):
    app = app_factory(RESPONSE_CACHE=False)
    with app.app_context():
        seed_places()
        store_readings(readings_at(HOUR))
    client = app.test_client()
    before = aqi(client)
    write_behind_the_apis_back(app, 5.0)
    assert aqi(client) < before
