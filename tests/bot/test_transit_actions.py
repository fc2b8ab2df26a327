"""Bus actions with a real Tracker, against the API (demo feed imported) over HTTP."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from rasa_sdk.events import SlotSet

from bot.actions.transit import ActionBusArrivals, ActionNearbyStops, ActionRoutesTo

from .trackers import run, tracker_for

ZHUJIANG_NEW_TOWN = {"latitude": 23.1190, "longitude": 113.3215}


# The demo timetable runs from about 06:00 to 23:00 city time (UTC+8).
WEDNESDAY_MORNING = datetime(2026, 12, 2, 2, 30, tzinfo=timezone.utc)  # 10:30 in the city
WEDNESDAY_NIGHT = datetime(2026, 12, 2, 19, 40, tzinfo=timezone.utc)  # 03:40 in the city


def entity(name, value):
    return {"entity": name, "value": value}


@pytest.fixture
def city_clock(monkeypatch):
    """Sets the time the API's arrivals are computed at (they depend on the hour)."""
    from miniapp_api.transit import views

    def set_to(moment: datetime) -> None:
        monkeypatch.setattr(views, "utcnow", lambda: moment)

    return set_to


def ask_for_55_at_tianhe():
    return tracker_for(
        "web:bus-1",
        "55路还有几分钟到天河客运站",
        "ask_bus_arrival",
        [entity("route", "55路"), entity("stop", "天河客运站")],
    )


def test_route_and_stop_give_the_next_arrivals(live_api, city_clock):
    city_clock(WEDNESDAY_MORNING)
    events, [message] = run(ActionBusArrivals(), ask_for_55_at_tianhe())
    assert message["response"] == "utter_bus_arrivals"
    assert message["stop_id"] == "tianhe_coach_terminal" and message["route"] == "55"
    assert message["arrivals"]
    assert all(set(a) >= {"routeId", "minutesAway"} for a in message["arrivals"])
    assert all(a["routeId"] == "55" for a in message["arrivals"])
    assert SlotSet("bus_stop_id", "tianhe_coach_terminal") in events


def test_at_night_the_stop_is_answered_with_no_arrivals(live_api, city_clock):
    city_clock(WEDNESDAY_NIGHT)
    events, [message] = run(ActionBusArrivals(), ask_for_55_at_tianhe())
    assert message["response"] == "utter_bus_arrivals"
    assert message["stop_id"] == "tianhe_coach_terminal" and "arrivals" not in message
    assert SlotSet("bus_stop_id", "tianhe_coach_terminal") in events


def test_an_unknown_stop_is_said_so(live_api):
    tracker = tracker_for(
        "web:bus-2", "火星站下一班车", "ask_bus_arrival", [entity("stop", "火星站")]
    )
    _, messages = run(ActionBusArrivals(), tracker)
    assert messages == [{"response": "utter_stop_unknown", "query": "火星站"}]


def test_a_route_without_a_stop_asks_where(live_api):
    _, messages = run(
        ActionBusArrivals(),
        tracker_for("web:bus-3", "55路到哪了", "ask_bus_arrival", [entity("route", "55路")]),
    )
    assert messages == [{"response": "utter_ask_stop", "route": "55"}]


def test_nearby_stops_from_a_shared_location(live_api):
    tracker = tracker_for("web:bus-4", "附近有什么公交站", "ask_nearby_stops")
    tracker.latest_message["metadata"] = {"location": ZHUJIANG_NEW_TOWN}
    _, [message] = run(ActionNearbyStops(), tracker)
    assert message["response"] == "utter_nearby_stops"
    distances = [s["distance"] for s in message["stops"]]
    assert distances == sorted(distances) and distances[0] < 800


def test_nearby_stops_without_a_location_asks_for_one(live_api):
    _, messages = run(
        ActionNearbyStops(), tracker_for("web:bus-5", "附近有什么公交站", "ask_nearby_stops")
    )
    assert messages == [{"response": "utter_ask_location"}]


def test_routes_to_a_place_and_a_routes_stops(live_api):
    _, [message] = run(
        ActionRoutesTo(),
        tracker_for("web:bus-6", "去体育中心坐几路", "ask_route_to", [entity("place", "体育中心")]),
    )
    assert message["response"] == "utter_routes_to" and message["route_ids"]
    _, [message] = run(
        ActionRoutesTo(),
        tracker_for("web:bus-7", "55路经过哪些站", "ask_route_to", [entity("route", "55路")]),
    )
    assert message["response"] == "utter_route_stops"
