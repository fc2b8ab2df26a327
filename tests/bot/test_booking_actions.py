"""The booking form and appointment actions, with a real Tracker, against the API over HTTP."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.api_client import CitizenApi
from bot.actions.appointments import (
    ActionBookAppointment,
    ActionCancelAppointment,
    ActionChangeAppointment,
    ActionListAppointments,
)
from bot.actions.booking import ValidateBookingForm
from bot.actions.dates import city_today
from bot.actions.sealing import seal, unseal
from tests.e2e.booking import WEEKDAYS, a_morning_with_the_afternoon_free
from tests.edge import assertion, proven_metadata

from .trackers import run

VALID_ID_CARD = "11010519491231002X"
PERIOD_WORDS = {"morning": "上午", "afternoon": "下午", "evening": "晚上"}


def entity(name, value):
    return {"entity": name, "value": value}


def tracker(sender, text, intent, entities=(), requested=None, proven=True, **slots):
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": list(entities),
        "metadata": proven_metadata(sender, proven=proven),
    }
    return Tracker(
        sender_id=sender,
        slots={"requested_slot": requested, **slots},
        latest_message=message,
        events=[{"event": "user", "text": text, "parse_data": message}],
        paused=False,
        followup_action=None,
        active_loop={"name": "booking_form"} if requested else {},
        latest_action_name="action_listen",
    )


def validate(form_tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateBookingForm().run(dispatcher, form_tracker, {}))
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return slots, [
        {k: v for k, v in m.items() if v not in (None, [], {}) and k != "template"}
        for m in dispatcher.messages
    ]


@pytest.fixture
def sender():
    return f"web:booking-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def xiehe_cardiology(live_api):
    """协和医院's cardiology, and a date and period in the booking window with free slots."""
    api = CitizenApi("web:booking-probe", assertion("web:booking-probe"))
    [hospital] = api.hospitals(q="协和医院")
    [department] = [
        d for d in api.departments(q="心内科", hospital_id=hospital["id"]) if d["name"] == "心内科"
    ]
    slots = api.slots(department_id=department["id"], available="true")
    return hospital, department, a_morning_with_the_afternoon_free(slots)


def test_one_sentence_fills_hospital_department_date_and_period(xiehe_cardiology, sender):
    hospital, department, free = xiehe_cardiology
    text = f"帮我挂{free['date']}{PERIOD_WORDS[free['period']]}协和医院心内科的号"
    slots, messages = validate(
        tracker(
            sender,
            text,
            "book_appointment",
            [entity("hospital", "协和医院"), entity("department", "心内科")],
        )
    )
    assert slots["hospital_id"] == str(hospital["id"])
    assert slots["department_id"] == str(department["id"])
    assert (slots["appointment_date"], slots["period"]) == (free["date"], free["period"])
    # Several doctors may have slots then: the form asks which, offering those that do.
    assert slots["requested_slot"] == "doctor_id"
    assert slots["booking_choices"]["kind"] == "doctor"
    assert free["doctor"]["id"] in slots["booking_choices"]["ids"]
    assert messages == []


def test_an_ambiguous_hospital_is_asked_about(live_api, sender):
    slots, _ = validate(
        tracker(sender, "挂人民医院的号", "book_appointment", [entity("hospital", "人民医院")])
    )
    assert slots["requested_slot"] == "hospital_id"
    choices = slots["booking_choices"]
    assert (choices["kind"], choices["reason"]) == ("hospital", "ambiguous")
    assert len(choices["ids"]) >= 2
    assert slots.get("hospital_id") is None


def test_a_hospital_named_bare_is_the_answer_whatever_nlu_made_of_it(live_api, sender):
    """ "您想去哪家医院？" — "协和": no request NLU knows (nlu_fallback), yet the answer."""
    [xiehe] = CitizenApi(sender, assertion(sender)).hospitals(q="协和医院")
    slots, messages = validate(tracker(sender, "协和", "nlu_fallback", requested="hospital_id"))
    assert slots["hospital_id"] == str(xiehe["id"])
    assert slots["requested_slot"] == "department_id"
    assert messages == []


@pytest.mark.parametrize("answer, index", [("第二个", 1), ("the first one", 0), ("最后一个", -1)])
def test_an_ordinal_picks_one_of_the_hospitals_offered(live_api, sender, answer, index):
    offered, _ = validate(
        tracker(sender, "挂人民医院的号", "book_appointment", [entity("hospital", "人民医院")])
    )
    ids = offered["booking_choices"]["ids"]
    slots, messages = validate(
        tracker(sender, answer, "nlu_fallback", requested="hospital_id", **offered)
    )
    assert slots["hospital_id"] == str(ids[index])
    assert slots["requested_slot"] == "department_id"
    assert messages == []  # not searched for a hospital called "第二个"


def test_an_ordinal_with_nothing_offered_is_no_answer(live_api, sender):
    slots, messages = validate(tracker(sender, "第二个", "nlu_fallback", requested="hospital_id"))
    assert slots.get("hospital_id") is None
    assert all(m.get("query") != "第二个" for m in messages)


def test_a_doctor_chosen_by_a_deictic_and_a_patient_named_bare(xiehe_cardiology, sender):
    hospital, department, free = xiehe_cardiology
    filled = _walk_to_patient(sender, xiehe_cardiology)
    offered, _ = validate(
        tracker(
            sender, PERIOD_WORDS[free["period"]], "inform_booking", requested="period", **filled
        )
    )
    assert offered["booking_choices"]["kind"] == "doctor"
    first = offered["booking_choices"]["ids"][0]
    filled.update(offered)
    slots, _ = validate(tracker(sender, "就呢个", "affirm", requested="doctor_id", **filled))
    assert slots["doctor_id"] == str(first)
    # Two patients: "李小红" alone (nlu_fallback) names one of them.
    api = CitizenApi(sender, assertion(sender))
    api.add_patient("王小明", VALID_ID_CARD, "13800138000")
    red = api.add_patient("李小红", "110105198001010016", "13900139000")
    filled.update(slots)
    slots, _ = validate(tracker(sender, "李小红", "nlu_fallback", requested="patient_id", **filled))
    assert slots["patient_id"] == str(red["id"])
    assert slots["requested_slot"] == "booking_confirmed"


def test_a_department_without_a_hospital_offers_the_hospitals_that_have_it(live_api, sender):
    # A weekday in the booking window whatever today is ("on Friday" said on a Friday is today).
    day = city_today() + timedelta(days=2)
    slots, _ = validate(
        tracker(
            sender,
            f"I need to see a dermatologist on {WEEKDAYS[day.weekday()]}",
            "book_appointment",
            [entity("department", "dermatologist")],
        )
    )
    assert slots["requested_slot"] == "hospital_id"
    assert slots["booking_choices"]["reason"] == "department"
    assert slots["department_query"] == "dermatologist"
    assert slots.get("appointment_date") in (day.isoformat(), None)
    # Choosing one of the offered hospitals settles the department too.
    hospital_id = slots["booking_choices"]["ids"][0]
    chosen, _ = validate(
        tracker(
            sender,
            "/inform_booking",
            "inform_booking",
            [entity("hospital_id", str(hospital_id))],
            requested="hospital_id",
            **slots,
        )
    )
    assert chosen["hospital_id"] == str(hospital_id)
    assert chosen["department_id"]
    assert chosen["requested_slot"] in ("appointment_date", "period", "doctor_id")


def test_unknown_hospital_is_explained_and_asked_again(live_api, sender):
    slots, messages = validate(
        tracker(
            sender,
            "火星医院",
            "inform_booking",
            [entity("hospital", "火星医院")],
            requested="hospital_id",
        )
    )
    assert messages == [
        {"response": "utter_booking_not_found", "kind": "hospital", "query": "火星医院"}
    ]
    assert slots["requested_slot"] == "hospital_id"


def test_a_message_about_something_else_leaves_the_form(live_api, sender):
    slots, messages = validate(
        tracker(sender, "今天空气怎么样", "ask_air_quality", requested="doctor_id", hospital_id="1")
    )
    assert (slots, messages) == ({}, [])


def test_corrections_clear_what_depended_on_them(xiehe_cardiology, sender):
    hospital, department, free = xiehe_cardiology
    filled = dict(
        hospital_id=str(hospital["id"]),
        department_id=str(department["id"]),
        appointment_date=free["date"],
        period="morning",
        doctor_id="any",
        slot_id=str(free["id"]),
        patient_id="1",
        booking_confirmed=None,
    )
    later, _ = validate(
        tracker(sender, "换成下午", "change_booking", requested="booking_confirmed", **filled)
    )
    assert later["period"] == "afternoon"
    assert (
        later["slot_id"] is None
        or later["slot_id"] != str(free["id"])
        or free["period"] == "afternoon"
    )
    other, _ = validate(
        tracker(
            sender,
            "换个医生",
            "change_booking",
            [entity("booking_field", "doctor")],
            requested="booking_confirmed",
            **filled,
        )
    )
    assert other["doctor_id"] is None
    assert other["requested_slot"] == "doctor_id"


def _walk_to_patient(sender, xiehe_cardiology):
    hospital, department, free = xiehe_cardiology
    return dict(
        hospital_id=str(hospital["id"]),
        department_id=str(department["id"]),
        appointment_date=free["date"],
        period=free["period"],
    )


def test_new_patient_registration_and_a_refused_id_number(xiehe_cardiology, sender):
    filled = _walk_to_patient(sender, xiehe_cardiology)
    slots, _ = validate(
        tracker(
            sender,
            "任意医生",
            "inform_booking",
            [entity("doctor_id", "any")],
            requested="doctor_id",
            **filled,
        )
    )
    assert slots["requested_slot"] == "patient_name"
    filled.update(doctor_id="any", slot_id=slots["slot_id"])
    slots, _ = validate(
        tracker(sender, "我叫李小红", "inform_booking", requested="patient_name", **filled)
    )
    assert slots["patient_name"] == "李小红"
    assert slots["requested_slot"] == "patient_id_card"
    filled["patient_name"] = "李小红"
    slots, _ = validate(
        tracker(sender, "110105194912310021", "nlu_fallback", requested="patient_id_card", **filled)
    )
    assert slots["requested_slot"] == "patient_phone"
    assert slots["patient_id_card"].startswith("sealed:")  # never the number itself
    assert unseal(slots["patient_id_card"]) == "110105194912310021"
    filled["patient_id_card"] = seal("110105194912310021")  # wrong check digit
    slots, messages = validate(
        tracker(sender, "13800138000", "inform_booking", requested="patient_phone", **filled)
    )
    assert messages == [{"response": "utter_patient_invalid", "field": "patient_id_card"}]
    assert slots["requested_slot"] == "patient_id_card"
    assert slots["patient_id_card"] is None
    filled.update(patient_id_card=seal(VALID_ID_CARD), patient_phone=None)
    slots, messages = validate(
        tracker(sender, "手机 138 0013 8000", "inform_booking", requested="patient_phone", **filled)
    )
    assert messages == []
    assert slots["patient_id"]
    # The ID number leaves the conversation once the patient is registered.
    assert slots["patient_id_card"] is None and slots["patient_phone"] is None
    assert slots["requested_slot"] == "booking_confirmed"


def _book(sender, xiehe_cardiology, live_api):
    """Registers a patient and books the free slot through the form and the action."""
    hospital, department, free = xiehe_cardiology
    patient = CitizenApi(sender, assertion(sender)).add_patient(
        "王小明", VALID_ID_CARD, "13800138000"
    )
    filled = dict(
        _walk_to_patient(sender, xiehe_cardiology),
        doctor_id=str(free["doctor"]["id"]),
        slot_id=str(free["id"]),
        patient_id=str(patient["id"]),
    )
    slots, _ = validate(tracker(sender, "确认", "affirm", requested="booking_confirmed", **filled))
    assert slots["booking_confirmed"] is True and slots["requested_slot"] is None
    events, messages = run(
        ActionBookAppointment(), tracker(sender, "确认", "affirm", **filled, booking_confirmed=True)
    )
    [booked] = messages
    assert booked["response"] == "utter_appointment_booked"
    assert SlotSet("slot_id", None) in events
    return booked


def test_confirm_books_and_the_citizen_sees_it(xiehe_cardiology, sender, live_api):
    booked = _book(sender, xiehe_cardiology, live_api)
    [mine] = CitizenApi(sender, assertion(sender)).my_appointments()
    assert (mine["id"], mine["queue_number"]) == (booked["appointment_id"], booked["queue_number"])
    _, messages = run(
        ActionListAppointments(), tracker(sender, "我挂了哪些号", "list_appointments")
    )
    assert messages == [{"response": "utter_appointment_list", "appointment_ids": [mine["id"]]}]


def test_deny_at_the_confirmation_books_nothing(xiehe_cardiology, sender):
    filled = dict(
        _walk_to_patient(sender, xiehe_cardiology), doctor_id="any", slot_id="1", patient_id="1"
    )
    slots, messages = validate(
        tracker(sender, "不要", "deny", requested="booking_confirmed", **filled)
    )
    assert slots["booking_confirmed"] is False and slots["requested_slot"] is None
    assert messages == [{"response": "utter_booking_stopped"}]
    events, messages = run(
        ActionBookAppointment(), tracker(sender, "不要", "deny", **filled, booking_confirmed=False)
    )
    assert messages == [] and CitizenApi(sender, assertion(sender)).my_appointments() == []


def test_cancel_by_the_day_said(xiehe_cardiology, sender, live_api):
    booked = _book(sender, xiehe_cardiology, live_api)
    day = date.fromisoformat(xiehe_cardiology[2]["date"])
    other_day = (day + timedelta(days=1)).isoformat()
    _, messages = run(
        ActionCancelAppointment(), tracker(sender, f"取消我{other_day}的预约", "cancel_appointment")
    )
    assert messages == [{"response": "utter_no_appointments"}]
    _, messages = run(
        ActionCancelAppointment(),
        tracker(sender, f"取消我{day.isoformat()}的预约", "cancel_appointment"),
    )
    assert messages == [
        {"response": "utter_appointment_cancelled", "appointment_id": booked["appointment_id"]}
    ]
    assert CitizenApi(sender, assertion(sender)).my_appointments() == []


def test_change_moves_to_another_doctor_atomically(xiehe_cardiology, sender, live_api):
    booked = _book(sender, xiehe_cardiology, live_api)
    events, messages = run(
        ActionChangeAppointment(),
        tracker(sender, "换个医生", "change_booking", [entity("booking_field", "doctor")]),
    )
    [mine] = CitizenApi(sender, assertion(sender)).my_appointments()
    if messages[0]["response"] == "utter_appointment_rescheduled":
        assert mine["slot"]["doctor"]["id"] != xiehe_cardiology[2]["doctor"]["id"]
        assert mine["id"] == messages[0]["appointment_id"]
    else:  # no other doctor free then: the booking stays as it was
        assert messages[0]["response"] == "utter_reschedule_unavailable"
        assert mine["id"] == booked["appointment_id"]


def _two_appointments(sender, xiehe_cardiology):
    """Two active cardiology appointments of ``sender``'s, on different days (none booked
    through this conversation, so its tracker names neither)."""
    api = CitizenApi(sender, assertion(sender))
    patient = api.add_patient("王小明", VALID_ID_CARD, "13800138000")
    slots = api.slots(department_id=xiehe_cardiology[1]["id"], available="true")
    first = slots[0]
    second = next(s for s in slots if s["date"] != first["date"])
    return [api.book(s["id"], patient["id"]) for s in (first, second)]


def test_rescheduling_with_several_appointments_asks_which(xiehe_cardiology, sender):
    booked = _two_appointments(sender, xiehe_cardiology)
    api = CitizenApi(sender, assertion(sender))
    before = api.my_appointments()
    events, messages = run(
        ActionChangeAppointment(),
        tracker(sender, "换成下午", "change_booking", [entity("period", "afternoon")]),
    )
    assert (events, messages) == (
        [],
        [
            {
                "response": "utter_ask_which_appointment_to_reschedule",
                "appointment_ids": [a["id"] for a in before],
                "period": "afternoon",
            }
        ],
    )
    assert {a["id"] for a in before} == {a["id"] for a in booked}
    assert api.my_appointments() == before  # nothing moved before the citizen chose
    # The button chosen names the appointment and carries the change asked for.
    chosen = before[1]
    events, [reply] = run(
        ActionChangeAppointment(),
        tracker(
            sender,
            "/change_booking",
            "change_booking",
            [entity("appointment_id", str(chosen["id"])), entity("period", "afternoon")],
        ),
    )
    after = {a["id"]: a for a in api.my_appointments()}
    assert before[0]["id"] in after  # the other one stays as it was
    if reply["response"] == "utter_appointment_rescheduled":
        moved = after[reply["appointment_id"]]
        assert moved["slot"]["period"] == "afternoon"
        assert moved["slot"]["date"] == chosen["slot"]["date"]
        assert chosen["id"] not in after
    else:  # nothing free that afternoon: the chosen one stays, and the conversation names it
        assert reply == {
            "response": "utter_reschedule_unavailable",
            "appointment_id": chosen["id"],
            "date": chosen["slot"]["date"],
            "period": "afternoon",
        }
        assert chosen["id"] in after
    assert SlotSet("appointment_id", str(reply["appointment_id"])) in events


def test_rescheduling_another_citizens_appointment_is_refused(xiehe_cardiology, sender):
    mine = _two_appointments(sender, xiehe_cardiology)
    other = f"web:booking-other-{uuid.uuid4().hex[:8]}"
    [theirs, _] = _two_appointments(other, xiehe_cardiology)
    before = {who: CitizenApi(who, assertion(who)).my_appointments() for who in (sender, other)}
    for slots in ({}, {"appointment_id": str(mine[0]["id"])}):
        events, messages = run(
            ActionChangeAppointment(),
            tracker(
                sender,
                "/change_booking",
                "change_booking",
                [entity("appointment_id", str(theirs["id"])), entity("period", "afternoon")],
                **slots,
            ),
        )
        assert (events, messages) == ([], [{"response": "utter_no_appointments"}])
    after = {who: CitizenApi(who, assertion(who)).my_appointments() for who in (sender, other)}
    assert after == before  # neither theirs nor one of mine moved instead
