"""Buses: next arrivals at a stop, stops nearby, and which routes go to a place.

Stops and routes are found by the API (aliases, typos, both languages); the replies name them by
id and the API words them in the citizen's language.

A question that names what it needs is answered at once. When something is missing (the stop,
the place, the destination), not found, or several stops match, the action sets
``transit_question``; a rule (bot/data/transit.yml) opens that question's form, which asks it
(``action_ask_<slot>``) and reads the bare answer ("珠江新城", "第二个", "sports centre", a
button's title typed): its text fills the form's slot, the form's ``validate_<slot>`` here
resolves it through the API (bot/actions/answers.py says what the form shares), and once it is
resolved the same action answers with it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .answers import BareAnswerForm, choose, names_a_choice, place_named
from .api_client import CitizenApi
from .base import ApiAction, latest_entity, shared_location
from .words import words

MAX_ARRIVALS = 6
MAX_STOPS = 5
# The longest name an answer may be (the API's stop and place search take no more).
NAME_LENGTH = 100
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

# The question asked and not answered yet (the rules open its form), what it offered, and the
# name given that matched nothing (bot/domain/transit.yml).
TRANSIT_QUESTION = "transit_question"
OFFERED_STOPS = "offered_stop_ids"
NOT_FOUND = "transit_not_found"
# Each question: its form and the form's slot (the answer, resolved).
STOP, PLACE, DESTINATION = "stop", "place", "destination"
FORMS = {
    STOP: ("bus_stop_form", "bus_stop"),
    PLACE: ("nearby_place_form", "nearby_place"),
    DESTINATION: ("destination_form", "destination"),
}
# How each question is put when nothing was offered or not found.
QUESTION_RESPONSES = {
    STOP: "utter_ask_stop",
    PLACE: "utter_ask_location",
    DESTINATION: "utter_ask_destination",
}
QUESTION_SLOTS = (TRANSIT_QUESTION, OFFERED_STOPS, NOT_FOUND)


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


def _exact_name(stop: dict, name: str) -> bool:
    wanted = name.strip().lower()
    return wanted in {str(stop.get("name", "")).lower(), str(stop.get("matchedName") or "").lower()}


def _form_answer(tracker: Tracker, question: str) -> Optional[str]:
    """The answer the question's form has just resolved (this action runs as it ends)."""
    form, slot = FORMS[question]
    return tracker.get_slot(slot) if tracker.latest_action_name == form else None


def say_question(
    dispatcher: CollectingDispatcher,
    question: str,
    route: Optional[str] = None,
    offered: Optional[List[str]] = None,
    not_found: Optional[str] = None,
) -> None:
    """The question: the name that matched nothing, the stops to choose from, or the plain
    question."""
    if not_found:
        dispatcher.utter_message(response="utter_stop_unknown", query=not_found)
    elif question == STOP and offered:
        dispatcher.utter_message(response="utter_ask_which_stop", route=route, stop_ids=offered)
    elif question == STOP:
        dispatcher.utter_message(response=QUESTION_RESPONSES[question], route=route)
    else:
        dispatcher.utter_message(response=QUESTION_RESPONSES[question])


def ask(
    tracker: Tracker,
    dispatcher: CollectingDispatcher,
    question: str,
    route: Optional[str] = None,
    offered: Optional[List[str]] = None,
    not_found: Optional[str] = None,
) -> List[Dict[Text, Any]]:
    """Asks ``question``: its form does (a rule opens it on ``transit_question``), so that the
    bare answer is understood. While another form is active (a bus question mid-booking) the
    question is only said here, and that form goes on."""
    if tracker.active_loop_name:
        say_question(dispatcher, question, route, offered, not_found)
        return []
    return [
        SlotSet(TRANSIT_QUESTION, question),
        SlotSet(OFFERED_STOPS, offered),
        SlotSet(NOT_FOUND, not_found),
        SlotSet(FORMS[question][1], None),
    ]


def answered() -> List[Dict[Text, Any]]:
    """No question is waiting for an answer any more."""
    return [SlotSet(name, None) for name in QUESTION_SLOTS] + [
        SlotSet(slot, None) for _, slot in FORMS.values()
    ]


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
        answer = _form_answer(tracker, STOP)
        if answer:  # the stop the citizen named when asked (the route as asked before)
            route = _route_name(latest_entity(tracker, "route")) or tracker.get_slot("bus_route")
            return self._board(api, dispatcher, answer, route)
        route = _route_name(latest_entity(tracker, "route")) or (
            tracker.get_slot("bus_route") if not latest_entity(tracker, "stop") else None
        )
        stop_id = latest_entity(tracker, "stop_id")
        name = latest_entity(tracker, "stop")
        if not stop_id and name:
            stations = _best(_stations(api.stops(q=name, limit=MAX_STOPS * 2)))
            if not stations:
                return [SlotSet("bus_route", route)] + ask(
                    tracker, dispatcher, STOP, route=route, not_found=name
                )
            if len(stations) > 1 and not _exact_name(stations[0], name):
                offered = [s["id"] for s in stations[:MAX_STOPS]]
                return [SlotSet("bus_route", route)] + ask(
                    tracker, dispatcher, STOP, route=route, offered=offered
                )
            stop_id = stations[0]["id"]
        stop_id = stop_id or nearest_stop(api, tracker) or tracker.get_slot("bus_stop_id")
        if not stop_id:
            return [SlotSet("bus_route", route)] + ask(tracker, dispatcher, STOP, route=route)
        return self._board(api, dispatcher, stop_id, route)

    @staticmethod
    def _board(
        api: CitizenApi, dispatcher: CollectingDispatcher, stop_id: str, route: Optional[str]
    ) -> List[Dict[Text, Any]]:
        board = api.arrivals(stop_id, route=route, limit=MAX_ARRIVALS)
        dispatcher.utter_message(
            response="utter_bus_arrivals",
            stop_id=stop_id,
            route=route,
            arrivals=[{k: a.get(k) for k in ARRIVAL_FIELDS} for a in board["arrivals"]],
            realtime=board["realtime"],
        )
        return [SlotSet("bus_route", route), SlotSet("bus_stop_id", stop_id)] + answered()


def nearest_stop(api: CitizenApi, tracker: Tracker) -> Optional[str]:
    """The stop nearest the location shared with the latest message, within walking distance."""
    location = shared_location(tracker)
    if not location:
        return None
    nearby = api.nearby_stops(
        lat=location["lat"], lon=location["lon"], limit=1, radius=NEARBY_METRES
    )
    return nearby[0]["id"] if nearby else None


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
        place = (
            _form_answer(tracker, PLACE)
            or latest_entity(tracker, "place")
            or latest_entity(tracker, "stop")
        )
        if location is None and place:
            found = api.stops(q=place, limit=1)
            if not found:
                return ask(tracker, dispatcher, PLACE, not_found=place)
            location = {"lat": found[0]["lat"], "lon": found[0]["lon"]}
        if location is None:
            return ask(tracker, dispatcher, PLACE)
        stops = _stations(
            api.nearby_stops(
                lat=location["lat"], lon=location["lon"], radius=NEARBY_METRES, limit=MAX_STOPS * 2
            )
        )
        stops = stops[:MAX_STOPS]
        if not stops:
            dispatcher.utter_message(response="utter_no_stops_nearby")
            return answered()
        dispatcher.utter_message(
            response="utter_nearby_stops",
            stops=[{"id": s["id"], "distance": s["distance"]} for s in stops],
        )
        return answered()


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
        place = (
            _form_answer(tracker, DESTINATION)
            or latest_entity(tracker, "place")
            or latest_entity(tracker, "stop")
        )
        route = _route_name(latest_entity(tracker, "route"))
        if place:
            routes = api.routes_to_place(place)["routes"]
            if not routes:
                return ask(tracker, dispatcher, DESTINATION, not_found=place)
            dispatcher.utter_message(
                response="utter_routes_to", place=place, route_ids=[r["id"] for r in routes]
            )
            return answered()
        if route:
            found = api.routes(q=route, limit=1)
            if found:
                dispatcher.utter_message(response="utter_route_stops", route_id=found[0]["id"])
                return [SlotSet("bus_route", route)] + answered()
            dispatcher.utter_message(response="utter_route_unknown", route=route)
            return answered()
        return ask(tracker, dispatcher, DESTINATION)


# --- the questions' forms (bot/domain/transit.yml): asking, and reading the bare answer ------
class ActionAskTransitQuestion(Action, ABC):
    """``action_ask_<slot>`` of a question's form: the question as the action that opened it
    left it (a name not found, stops to choose from), or as the form's last answer did.
    Subclasses name the question (a class attribute)."""

    @property
    @abstractmethod
    def question(self) -> str:
        """The question asked (a key of ``FORMS``)."""

    def name(self) -> Text:
        return f"action_ask_{FORMS[self.question][1]}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        say_question(
            dispatcher,
            self.question,
            route=tracker.get_slot("bus_route"),
            offered=tracker.get_slot(OFFERED_STOPS),
            not_found=tracker.get_slot(NOT_FOUND),
        )
        return []


class ActionAskBusStop(ActionAskTransitQuestion):
    """ "您在哪个站等车？", or "您说的是哪一个？" with the stops as buttons."""

    question = STOP


class ActionAskNearbyPlace(ActionAskTransitQuestion):
    """ "请分享您的位置，或者告诉我一个地点"."""

    question = PLACE


class ActionAskDestination(ActionAskTransitQuestion):
    """ "您要去哪里？"."""

    question = DESTINATION


class TransitAnswer(BareAnswerForm):
    """What the transit questions' validations share: the API client, the answer's words."""

    question_slots = QUESTION_SLOTS

    @staticmethod
    def api(tracker: Tracker) -> CitizenApi:
        return CitizenApi.for_tracker(tracker)

    @staticmethod
    def text(tracker: Tracker) -> str:
        return (tracker.latest_message or {}).get("text") or ""

    def query(self, tracker: Tracker) -> Optional[str]:
        """The place the answer names: its entity if NLU found one, else its words; None when
        there are none, or more than any name has (the API looks up ``NAME_LENGTH`` at most)."""
        query = (
            latest_entity(tracker, "stop")
            or latest_entity(tracker, "place")
            or place_named(self.text(tracker))
        )
        return query if query and len(query) <= NAME_LENGTH else None

    def is_a_name(self, tracker: Tracker) -> bool:
        query = self.query(tracker)
        found = self.api(tracker).stops(q=query, limit=1) if query else []
        return bool(found) and _exact_name(found[0], query)

    @staticmethod
    def not_found(slot: str, query: Optional[str]) -> Dict[Text, Any]:
        """Nothing matched: the question is asked again, saying so (as it was put when the
        answer was no name at all)."""
        return {slot: None, NOT_FOUND: query}


class ValidateBusStopForm(TransitAnswer):
    """The stop, after "您在哪个站等车？" or "您说的是哪一个？": a button tapped, one of the stops
    offered by its place ("第二个", "the last one") or by pointing ("是这个", "yes, that one": the
    first), a location shared, or a name (a button's title typed is one)."""

    form, slot = FORMS[STOP]
    own_intents = frozenset({"ask_bus_arrival"})

    def validate_bus_stop(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> Dict[Text, Any]:
        offered = list(tracker.get_slot(OFFERED_STOPS) or [])
        tapped = latest_entity(tracker, "stop_id")
        if tapped:
            return {self.slot: tapped}
        if names_a_choice(self.text(tracker)):
            chosen = choose(offered, self.text(tracker))
            # A place beyond what was offered (or nothing offered): asked again as it was.
            return {self.slot: chosen, NOT_FOUND: None}
        api = self.api(tracker)
        nearest = nearest_stop(api, tracker)
        if nearest:
            return {self.slot: nearest}
        query = self.query(tracker)
        stations = _best(_stations(api.stops(q=query, limit=MAX_STOPS * 2))) if query else []
        if not stations and offered:  # the stops offered are offered again
            return {self.slot: None, NOT_FOUND: None}
        if not stations:
            return self.not_found(self.slot, query)
        among_offered = [s for s in stations if s["id"] in offered]
        if len(among_offered) == 1:
            return {self.slot: among_offered[0]["id"]}
        if len(stations) > 1 and not _exact_name(stations[0], query):
            return {
                self.slot: None,
                OFFERED_STOPS: [s["id"] for s in stations[:MAX_STOPS]],
                NOT_FOUND: None,
            }
        return {self.slot: stations[0]["id"]}


class ValidateNearbyPlaceForm(TransitAnswer):
    """The place, after "请分享您的位置，或者告诉我一个地点": a location shared, or a place named
    ("珠江新城", "I'm near Canton Tower")."""

    form, slot = FORMS[PLACE]
    own_intents = frozenset({"ask_nearby_stops"})

    def validate_nearby_place(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> Dict[Text, Any]:
        if shared_location(tracker):  # action_nearby_stops reads it from the message
            return {self.slot: value}
        query = self.query(tracker)
        if not query or not self.api(tracker).stops(q=query, limit=1):
            return self.not_found(self.slot, query)
        return {self.slot: query, NOT_FOUND: None}


class ValidateDestinationForm(TransitAnswer):
    """Where to, after "您要去哪里？": a place some route goes to ("体育中心", "to Canton
    Tower")."""

    form, slot = FORMS[DESTINATION]
    own_intents = frozenset({"ask_route_to"})

    def validate_destination(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> Dict[Text, Any]:
        query = self.query(tracker)
        if not query or not self.api(tracker).routes_to_place(query)["routes"]:
            return self.not_found(self.slot, query)
        return {self.slot: query, NOT_FOUND: None}
