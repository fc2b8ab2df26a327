"""Bus actions with a real Tracker, against the API (demo feed imported) over HTTP."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from rasa_sdk.events import ActionExecutionRejected, ActiveLoop, SlotSet

from bot.actions.answers import chosen_index, place_named
from bot.actions.transit import (
    ActionAskBusStop,
    ActionAskDestination,
    ActionAskNearbyPlace,
    ActionBusArrivals,
    ActionNearbyStops,
    ActionRoutesTo,
    ValidateBusStopForm,
    ValidateDestinationForm,
    ValidateNearbyPlaceForm,
)

from .trackers import form_answer_tracker, run, tracker_for

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


def slots_of(events) -> dict:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def asked(events) -> dict:
    """The slots the bus_stop_form's question is asked with (as after the action's events)."""
    return {k: v for k, v in slots_of(events).items() if v is not None}


def test_an_unknown_stop_is_said_so_and_asked_again(live_api):
    tracker = tracker_for(
        "web:bus-2", "火星站下一班车", "ask_bus_arrival", [entity("stop", "火星站")]
    )
    events, messages = run(ActionBusArrivals(), tracker)
    # The stop's form asks (bot/data/transit.yml opens it on transit_question), saying so.
    assert messages == []
    assert SlotSet("transit_question", "stop") in events
    assert SlotSet("transit_not_found", "火星站") in events
    _, messages = run(ActionAskBusStop(), tracker_for("web:bus-2", "", "", slots=asked(events)))
    assert messages == [{"response": "utter_stop_unknown", "query": "火星站"}]


def test_a_route_without_a_stop_asks_where(live_api):
    events, messages = run(
        ActionBusArrivals(),
        tracker_for("web:bus-3", "55路到哪了", "ask_bus_arrival", [entity("route", "55路")]),
    )
    assert messages == []
    assert asked(events) == {"bus_route": "55", "transit_question": "stop"}
    _, messages = run(ActionAskBusStop(), tracker_for("web:bus-3", "", "", slots=asked(events)))
    assert messages == [{"response": "utter_ask_stop", "route": "55"}]


def test_mid_booking_the_stop_is_asked_without_a_form(live_api):
    """The booking's form is active: no second form; the question is said, the booking goes on."""
    tracker = tracker_for(
        "web:bus-3b",
        "顺便问下55路还有多久",
        "ask_bus_arrival",
        [entity("route", "55路")],
        active_loop="booking_form",
    )
    events, messages = run(ActionBusArrivals(), tracker)
    assert messages == [{"response": "utter_ask_stop", "route": "55"}]
    assert events == [SlotSet("bus_route", "55")]


def test_nearby_stops_from_a_shared_location(live_api):
    tracker = tracker_for("web:bus-4", "附近有什么公交站", "ask_nearby_stops")
    tracker.latest_message["metadata"] = {"location": ZHUJIANG_NEW_TOWN}
    _, [message] = run(ActionNearbyStops(), tracker)
    assert message["response"] == "utter_nearby_stops"
    distances = [s["distance"] for s in message["stops"]]
    assert distances == sorted(distances) and distances[0] < 800


def test_nearby_stops_without_a_location_asks_for_one(live_api):
    events, messages = run(
        ActionNearbyStops(), tracker_for("web:bus-5", "附近有什么公交站", "ask_nearby_stops")
    )
    assert messages == [] and asked(events) == {"transit_question": "place"}
    _, messages = run(ActionAskNearbyPlace(), tracker_for("web:bus-5", "", "", slots=asked(events)))
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


# --- bare answers to the questions (the forms of bot/domain/transit.yml) ---------------------
TIANHE = ["tianhe_city", "tianhe_coach_terminal"]  # what "天河" matches, equally well


def answer(form_validation, text, intent="nlu_fallback", confidence=0.45, **options):
    """``validate_<form>`` on the citizen's answer ``text`` (NLU's intent for it, as given)."""
    tracker = form_answer_tracker(
        "web:bus-answer",
        form_validation.form,
        form_validation.slot,
        text,
        intent,
        confidence,
        **options,
    )
    return run(form_validation, tracker)


def after_the_form(form, slots, text="", intent="nlu_fallback", entities=None):
    """The conversation as the form ends and the action that asked runs again."""
    return tracker_for(
        "web:bus-answer", text, intent, entities, slots=slots, latest_action_name=form
    )


@pytest.mark.parametrize(
    "text, index",
    [
        ("第二个", 1),
        ("第二個", 1),
        ("是第二个吧", 1),
        ("那就第二个吧", 1),
        ("the second one", 1),
        ("2nd", 1),
        ("第一個", 0),
        ("是这个", 0),
        ("就係呢個啦", 0),
        ("呢個", 0),
        ("嗰個", 0),
        ("那个", 0),
        ("就嗰個", 0),
        ("yes, that one", 0),
        ("that's it", 0),
        ("最後一個", -1),
        ("the last one", -1),
        ("不是这个", None),
        ("珠江新城", None),
        ("the sports centre", None),
    ],
)
def test_ordinals_and_deictics_name_a_choice(text, index):
    assert chosen_index(text) == index


@pytest.mark.parametrize(
    "text, place",
    [
        ("珠江新城", "珠江新城"),
        ("我在珠江新城", "珠江新城"),
        ("珠江新城附近吧", "珠江新城"),
        ("我喺天河城", "天河城"),
        ("去体育中心", "体育中心"),
        ("I'm at the Sports Centre", "Sports Centre"),
        ("to Canton Tower please", "Canton Tower"),
    ],
)
def test_the_place_in_an_answer(text, place):
    assert place_named(text) == place


def test_a_bare_stop_name_answers_which_stop_and_the_arrivals_follow(live_api, city_clock):
    """ "下一班55路什么时候来" — "您在哪个站等车？" — "珠江新城"."""
    city_clock(WEDNESDAY_MORNING)
    events, messages = answer(ValidateBusStopForm(), "珠江新城")
    assert messages == [] and slots_of(events)["bus_stop"] == "zhujiang_new_town"
    slots = {"bus_route": "55", "transit_question": "stop", **asked(events)}
    events, [message] = run(ActionBusArrivals(), after_the_form("bus_stop_form", slots, "珠江新城"))
    assert message["response"] == "utter_bus_arrivals"
    assert (message["stop_id"], message["route"]) == ("zhujiang_new_town", "55")
    assert SlotSet("transit_question", None) in events and SlotSet("bus_stop", None) in events


def test_an_english_bare_stop_name_is_found(live_api):
    events, _ = answer(ValidateBusStopForm(), "sports centre")
    assert slots_of(events)["bus_stop"] == "sports_center"


def test_a_location_shared_as_the_answer_gives_the_nearest_stop(live_api):
    events, _ = answer(
        ValidateBusStopForm(), "", metadata={"location": ZHUJIANG_NEW_TOWN}, confidence=0.0
    )
    assert slots_of(events)["bus_stop"]


def test_several_stops_offer_buttons_and_an_ordinal_picks_one(live_api):
    events, messages = run(
        ActionBusArrivals(),
        tracker_for("web:bus-8", "天河下一班车", "ask_bus_arrival", [entity("stop", "天河")]),
    )
    assert messages == []
    offered = slots_of(events)["offered_stop_ids"]
    assert sorted(offered) == sorted(TIANHE)
    _, [question] = run(ActionAskBusStop(), tracker_for("web:bus-8", "", "", slots=asked(events)))
    assert question == {"response": "utter_ask_which_stop", "stop_ids": offered}
    for text in ("第二个", "the second one", "第二個"):
        chosen, _ = answer(ValidateBusStopForm(), text, slots={"offered_stop_ids": offered})
        assert slots_of(chosen)["bus_stop"] == offered[1], text
    for text in ("是这个", "yes, that one", "呢個", "嗰個"):
        chosen, _ = answer(ValidateBusStopForm(), text, slots={"offered_stop_ids": offered})
        assert slots_of(chosen)["bus_stop"] == offered[0], text
    chosen, _ = answer(ValidateBusStopForm(), "the last one", slots={"offered_stop_ids": offered})
    assert slots_of(chosen)["bus_stop"] == offered[-1]


@pytest.mark.parametrize("typed", ["天河客运站", "Tianhe Coach Terminal"])
def test_a_buttons_title_typed_chooses_it(live_api, typed):
    events, _ = answer(ValidateBusStopForm(), typed, slots={"offered_stop_ids": TIANHE})
    assert slots_of(events)["bus_stop"] == "tianhe_coach_terminal"


def test_a_tapped_button_chooses_its_stop(live_api):
    events, _ = answer(
        ValidateBusStopForm(),
        '/ask_bus_arrival{"stop_id": "tianhe_city"}',
        "ask_bus_arrival",
        1.0,
        entities=[entity("stop_id", "tianhe_city")],
        slots={"offered_stop_ids": TIANHE},
    )
    assert slots_of(events)["bus_stop"] == "tianhe_city"


def test_an_ordinal_beyond_the_offer_asks_again(live_api):
    events, messages = answer(ValidateBusStopForm(), "第五个", slots={"offered_stop_ids": TIANHE})
    assert messages == [] and slots_of(events)["bus_stop"] is None
    assert "offered_stop_ids" not in slots_of(events)  # the same stops are offered again


def test_an_unknown_answer_is_asked_again_saying_so(live_api):
    events, _ = answer(ValidateBusStopForm(), "火星站")
    assert slots_of(events)["bus_stop"] is None
    assert slots_of(events)["transit_not_found"] == "火星站"
    _, messages = run(ActionAskBusStop(), tracker_for("web:bus-9", "", "", slots=asked(events)))
    assert messages == [{"response": "utter_stop_unknown", "query": "火星站"}]


def test_an_ambiguous_answer_offers_the_stops(live_api):
    events, _ = answer(ValidateBusStopForm(), "天河")
    assert slots_of(events)["bus_stop"] is None
    assert sorted(slots_of(events)["offered_stop_ids"]) == sorted(TIANHE)


def test_the_same_question_asked_again_answers_it(live_api):
    """ "10路到体育中心几点" while asked for the stop: its stop is the answer, its route kept."""
    events, _ = answer(
        ValidateBusStopForm(),
        "10路到体育中心几点",
        "ask_bus_arrival",
        0.98,
        entities=[entity("route", "10路"), entity("stop", "体育中心")],
    )
    assert slots_of(events)["bus_stop"] == "sports_center"


def test_another_request_leaves_the_form(live_api):
    events, messages = answer(ValidateBusStopForm(), "今天空气怎么样", "ask_air_quality", 0.99)
    assert messages == []
    assert ActiveLoop(None) in events and ActionExecutionRejected("bus_stop_form") in events
    assert SlotSet("requested_slot", None) in events
    assert SlotSet("transit_question", None) in events and SlotSet("bus_stop", None) in events


@pytest.mark.parametrize(
    "text, intent, confidence",
    [
        ("算了", "stop_booking", 0.99),
        ("不用了", "deny", 0.9),
        ("never mind", "stop_booking", 1.0),
        # The words drop the question whatever NLU took them for.
        ("取消", "cancel_appointment", 0.72),
        ("算啦", "affirm", 0.58),
        ("唔使喇", "nlu_fallback", 0.45),
        ("那算了吧", "nlu_fallback", 0.45),
    ],
)
def test_forget_it_ends_the_form_with_the_question_emptied(live_api, text, intent, confidence):
    """The form ends (its requested slot emptied) with nothing taken; the rule after it tells
    a dropped question (transit_question empty) from an answered one, and says so."""
    events, messages = answer(ValidateBusStopForm(), text, intent, confidence)
    assert messages == []
    assert SlotSet("requested_slot", None) in events
    assert SlotSet("transit_question", None) in events and SlotSet("bus_stop", None) in events
    assert ActionExecutionRejected("bus_stop_form") not in events


def test_a_stop_named_like_another_request_is_still_the_answer(live_api):
    events, _ = answer(ValidateBusStopForm(), "Tianhe Coach Terminal", "ask_air_quality", 0.9)
    assert ActiveLoop(None) not in events
    assert slots_of(events)["bus_stop"] == "tianhe_coach_terminal"


def test_the_form_opening_takes_nothing_from_the_question(live_api):
    """At activation (no slot asked yet) the question itself is no answer."""
    tracker = tracker_for(
        "web:bus-10", "下一班55路什么时候来", "ask_bus_arrival", active_loop="bus_stop_form"
    )
    events, messages = run(ValidateBusStopForm(), tracker)
    assert events == [] and messages == []


@pytest.mark.parametrize(
    "text, place", [("珠江新城", "珠江新城"), ("I'm near Canton Tower", "Canton Tower")]
)
def test_a_bare_place_answers_where_and_the_stops_near_it_follow(live_api, text, place):
    """ "附近有什么公交站" — "请分享您的位置，或者告诉我一个地点" — "珠江新城"."""
    events, messages = answer(ValidateNearbyPlaceForm(), text)
    assert messages == [] and slots_of(events)["nearby_place"] == place
    slots = {"transit_question": "place", **asked(events)}
    events, [message] = run(ActionNearbyStops(), after_the_form("nearby_place_form", slots, text))
    assert message["response"] == "utter_nearby_stops" and message["stops"]
    assert SlotSet("transit_question", None) in events


def test_an_unknown_place_is_asked_again(live_api):
    events, _ = answer(ValidateNearbyPlaceForm(), "火星")
    assert slots_of(events)["nearby_place"] is None
    _, messages = run(
        ActionAskNearbyPlace(), tracker_for("web:bus-11", "", "", slots=asked(events))
    )
    assert messages == [{"response": "utter_stop_unknown", "query": "火星"}]


def test_a_bare_destination_answers_where_to_and_the_routes_follow(live_api):
    """ "坐公交" — "您要去哪里？" — "体育中心"."""
    events, messages = run(
        ActionRoutesTo(), tracker_for("web:bus-12", "我想坐公交", "ask_route_to")
    )
    assert messages == [] and asked(events) == {"transit_question": "destination"}
    _, messages = run(
        ActionAskDestination(), tracker_for("web:bus-12", "", "", slots=asked(events))
    )
    assert messages == [{"response": "utter_ask_destination"}]
    for text, place in (("体育中心", "体育中心"), ("to the sports centre", "sports centre")):
        events, _ = answer(ValidateDestinationForm(), text)
        assert slots_of(events)["destination"] == place
        slots = {"transit_question": "destination", **asked(events)}
        _, [message] = run(ActionRoutesTo(), after_the_form("destination_form", slots, text))
        assert message["response"] == "utter_routes_to" and message["place"] == place
        assert message["route_ids"]


def test_a_destination_with_no_routes_is_asked_again(live_api):
    events, _ = answer(ValidateDestinationForm(), "火星")
    assert slots_of(events)["destination"] is None
    assert slots_of(events)["transit_not_found"] == "火星"


def test_the_form_opening_right_after_the_question_takes_nothing_from_it(live_api):
    """As Rasa opens the form: the question's turn set the answer's slot empty (the action
    asking cleared it), which makes it a candidate; the question is still no answer."""
    tracker = tracker_for("web:bus-13", "下一班55路什么时候来", "ask_bus_arrival", [])
    tracker.events += [
        {"event": "slot", "name": "bus_stop", "value": None},
        {"event": "slot", "name": "requested_slot", "value": None},
        {"event": "action", "name": "bus_stop_form"},
        {"event": "slot", "name": "bus_stop", "value": None},
    ]
    events, messages = run(ValidateBusStopForm(), tracker)
    assert events == [] and messages == []


def test_an_unknown_answer_to_which_stop_offers_the_same_stops_again(live_api):
    events, _ = answer(ValidateBusStopForm(), "火星站", slots={"offered_stop_ids": TIANHE})
    assert slots_of(events)["bus_stop"] is None and slots_of(events)["transit_not_found"] is None
    _, messages = run(
        ActionAskBusStop(),
        tracker_for("web:bus-14", "", "", slots={"offered_stop_ids": TIANHE}),
    )
    assert messages == [{"response": "utter_ask_which_stop", "stop_ids": TIANHE}]


def test_an_answer_longer_than_any_name_is_asked_again_plainly(live_api):
    events, messages = answer(ValidateBusStopForm(), "站" * 500)
    assert messages == [] and slots_of(events)["bus_stop"] is None
    assert slots_of(events)["transit_not_found"] is None
