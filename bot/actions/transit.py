"""Buses: next arrivals at a stop, stops nearby, and which routes go to a place.

Stops and routes are found by the API (aliases, typos, both languages); the replies name them by
id and the API words them in the citizen's language.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .api_client import CitizenApi
from .base import ApiAction, latest_entity, shared_location
from .words import words

MAX_ARRIVALS = 6
MAX_STOPS = 5
NEARBY_METRES = 800
# What a reply says of each arrival (the API's OneBusAway-shaped fields).
ARRIVAL_FIELDS = (
    "routeId",
    "tripId",
    "tripHeadsign",
    "minutesAway",
    "numberOfStopsAway",
    "predicted",
    "status",
)


def _stations(stops: List[dict]) -> List[dict]:
    """One entry per station: platforms of one station are one place to the citizen."""
    seen: Dict[str, dict] = {}
    for stop in stops:
        seen.setdefault(str(stop.get("parentStationId") or stop["id"]), stop)
    return list(seen.values())


def _best(stops: List[dict]) -> List[dict]:
    """The stations sharing the best match score (a typo scores lower than the name)."""
    top = max((s.get("score") or 0 for s in stops), default=0)
    return [s for s in stops if (s.get("score") or 0) == top]


def _route_name(route: Optional[str]) -> Optional[str]:
    """ "55 lu", "bus 55", "Route 55" (and the Chinese forms in words.yml) → "55"."""
    if not route:
        return None
    cleaned = route.strip().lower()
    for affix in words("transit")["route_affixes"]:
        cleaned = cleaned.replace(affix, " ")
    return " ".join(cleaned.split()).upper() or None


class ActionBusArrivals(ApiAction):
    """ "How long until bus 55 gets to Tianhe Coach Terminal": the next arrivals at the stop,
    for one route or all."""

    def name(self) -> Text:
        return "action_bus_arrivals"

    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        route = _route_name(latest_entity(tracker, "route")) or (
            tracker.get_slot("bus_route") if not latest_entity(tracker, "stop") else None
        )
        stop_id = latest_entity(tracker, "stop_id")
        name = latest_entity(tracker, "stop")
        if not stop_id and name:
            stations = _best(_stations(api.stops(q=name, limit=MAX_STOPS * 2)))
            if not stations:
                dispatcher.utter_message(response="utter_stop_unknown", query=name)
                return [SlotSet("bus_route", route)]
            if len(stations) > 1 and not _exact_name(stations[0], name):
                dispatcher.utter_message(
                    response="utter_ask_which_stop",
                    route=route,
                    stop_ids=[s["id"] for s in stations[:MAX_STOPS]],
                )
                return [SlotSet("bus_route", route)]
            stop_id = stations[0]["id"]
        stop_id = stop_id or self._nearest(api, tracker) or tracker.get_slot("bus_stop_id")
        if not stop_id:
            dispatcher.utter_message(response="utter_ask_stop", route=route)
            return [SlotSet("bus_route", route)]
        board = api.arrivals(stop_id, route=route, limit=MAX_ARRIVALS)
        dispatcher.utter_message(
            response="utter_bus_arrivals",
            stop_id=stop_id,
            route=route,
            arrivals=[{k: a.get(k) for k in ARRIVAL_FIELDS} for a in board["arrivals"]],
            realtime=board["realtime"],
        )
        return [SlotSet("bus_route", route), SlotSet("bus_stop_id", stop_id)]

    @staticmethod
    def _nearest(api: CitizenApi, tracker: Tracker) -> Optional[str]:
        location = shared_location(tracker)
        if not location:
            return None
        nearby = api.nearby_stops(
            lat=location["lat"], lon=location["lon"], limit=1, radius=NEARBY_METRES
        )
        return nearby[0]["id"] if nearby else None


def _exact_name(stop: dict, name: str) -> bool:
    wanted = name.strip().lower()
    return wanted in {str(stop.get("name", "")).lower(), str(stop.get("matchedName") or "").lower()}


class ActionNearbyStops(ApiAction):
    """ "Bus stops near me": stops near the shared location, or near a place named."""

    def name(self) -> Text:
        return "action_nearby_stops"

    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        location = shared_location(tracker)
        place = latest_entity(tracker, "place") or latest_entity(tracker, "stop")
        if location is None and place:
            found = api.stops(q=place, limit=1)
            if not found:
                dispatcher.utter_message(response="utter_stop_unknown", query=place)
                return []
            location = {"lat": found[0]["lat"], "lon": found[0]["lon"]}
        if location is None:
            dispatcher.utter_message(response="utter_ask_location")
            return []
        stops = _stations(
            api.nearby_stops(
                lat=location["lat"], lon=location["lon"], radius=NEARBY_METRES, limit=MAX_STOPS * 2
            )
        )
        stops = stops[:MAX_STOPS]
        if not stops:
            dispatcher.utter_message(response="utter_no_stops_nearby")
            return []
        dispatcher.utter_message(
            response="utter_nearby_stops",
            stops=[{"id": s["id"], "distance": s["distance"]} for s in stops],
        )
        return []


class ActionRoutesTo(ApiAction):
    """ "Which bus goes to the Sports Centre": the routes that stop there; "where does bus 55
    stop": a route's stops."""

    def name(self) -> Text:
        return "action_routes_to"

    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        place = latest_entity(tracker, "place") or latest_entity(tracker, "stop")
        route = _route_name(latest_entity(tracker, "route"))
        if place:
            routes = api.routes_to_place(place)["routes"]
            if not routes:
                dispatcher.utter_message(response="utter_stop_unknown", query=place)
                return []
            dispatcher.utter_message(
                response="utter_routes_to", place=place, route_ids=[r["id"] for r in routes]
            )
            return []
        if route:
            found = api.routes(q=route, limit=1)
            if found:
                dispatcher.utter_message(response="utter_route_stops", route_id=found[0]["id"])
                return [SlotSet("bus_route", route)]
            dispatcher.utter_message(response="utter_route_unknown", route=route)
            return []
        dispatcher.utter_message(response="utter_ask_destination")
        return []
