"""The air-quality action with a real Tracker against the API over HTTP."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from bot.actions.air import ActionAirQuality
from miniapp_api.air.service import seed_places, store_readings

from ..air_readings import next_hour, readings_at
from .trackers import run, tracker_for

HOUR = next_hour()


@pytest.fixture
def readings(app, live_api):
    with app.app_context():
        seed_places()
        store_readings(readings_at(HOUR))
    return live_api


def entity(name, value):
    return {"entity": name, "value": value}


def test_district_question_answers_with_codes_and_remembers_the_place(readings):
    tracker = tracker_for(
        "web:x", "天河空气怎么样", "ask_air_quality", [entity("district", "tianhe")]
    )
    events, messages = run(ActionAirQuality(), tracker)
    assert messages == [
        {
            "response": "utter_air_quality",
            "place_kind": "district",
            "place_code": "tianhe",
            "observed_at": HOUR.isoformat(),
            "aqi": 119,
            "level": 3,
            "primary": ["pm25"],
            "sensitive": ["pm25"],
        }
    ]
    assert events == [SlotSet("air_district", "tianhe"), SlotSet("air_station", None)]


def test_pollutant_question(readings):
    tracker = tracker_for(
        "web:x",
        "天河PM2.5多少",
        "ask_air_quality",
        [entity("district", "tianhe"), entity("pollutant", "pm25")],
    )
    _, [message] = run(ActionAirQuality(), tracker)
    assert message["response"] == "utter_air_pollutant"
    assert (message["pollutant"], message["concentration"], message["iaqi"]) == ("pm25", 80, 119)


def test_activity_question_uses_the_shared_location(readings):
    tracker = tracker_for(
        "web:x", "can I go running", "ask_air_quality", [entity("activity", "running")]
    )
    tracker.latest_message["metadata"] = {"location": {"latitude": 23.1331, "longitude": 113.2608}}
    events, [message] = run(ActionAirQuality(), tracker)
    assert message["response"] == "utter_air_activity" and message["activity"] == "running"
    assert (message["place_kind"], message["place_code"]) == ("station", "1352A")
    assert events[1] == SlotSet("air_station", "1352A")


def test_follow_up_reuses_the_previous_place(readings):
    tracker = tracker_for("web:x", "PM2.5呢", "ask_air_quality", [entity("pollutant", "pm25")])
    tracker.slots["air_district"] = "tianhe"
    _, [message] = run(ActionAirQuality(), tracker)
    assert message["place_code"] == "tianhe"


def test_unpublished_aqi_says_so(readings):
    tracker = tracker_for("web:x", "麓湖空气", "ask_air_quality", [entity("station", "1354A")])
    _, [message] = run(ActionAirQuality(), tracker)
    assert message["response"] == "utter_air_not_available"
    assert (message["place_code"], message.get("aqi")) == ("1354A", None)


def test_unknown_place_is_explained(readings):
    tracker = tracker_for("web:x", "火星空气", "ask_air_quality", [entity("district", "mars")])
    events, messages = run(ActionAirQuality(), tracker)
    assert (events, messages) == ([], [{"response": "utter_air_place_unknown"}])


def test_pollutant_figures_even_when_the_aqi_is_withheld(readings):
    tracker = tracker_for(
        "web:x",
        "麓湖PM2.5",
        "ask_air_quality",
        [entity("station", "1354A"), entity("pollutant", "pm25")],
    )
    _, [message] = run(ActionAirQuality(), tracker)
    assert message["response"] == "utter_air_pollutant_only"
    assert (message["concentration"], message["iaqi"]) == (20, 29)
