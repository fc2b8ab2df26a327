"""Hospital appointments after the form: book, list, cancel, reschedule; and the form's questions.

The form itself (which hospital, department, day, period, doctor, patient) is filled in
``booking.py``; these actions do what the citizen asked once it is known, and word nothing: each
names a response and the API renders it in the citizen's language.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .api_client import ApiRefused, CitizenApi
from .base import ApiAction, latest_entity
from .booking import QUESTIONS, REGISTRATION, WORKING
from .dates import city_today, parse_date, parse_period

# Everything the booking form holds, forgotten once it is done.
BOOKING_SLOTS = QUESTIONS + REGISTRATION + WORKING
# What each question's response is told: the choices offered, and what is known so far.
CONTEXT_SLOTS = (
    "booking_choices",
    "hospital_id",
    "department_id",
    "appointment_date",
    "period",
    "doctor_id",
    "slot_id",
    "patient_id",
)


def reset_booking() -> List[Dict[Text, Any]]:
    return [SlotSet(name, None) for name in BOOKING_SLOTS]


class AskForBookingSlot(Action, ABC):
    """``action_ask_<slot>``: asks the form's question with the choices the form worked out."""

    slot: str

    @abstractmethod
    def name(self) -> Text:
        """``action_ask_<slot>``."""

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        context = {name: tracker.get_slot(name) for name in CONTEXT_SLOTS}
        dispatcher.utter_message(
            response=f"utter_ask_{self.slot}", **{k: v for k, v in context.items() if v is not None}
        )
        return []


def _ask_actions() -> None:
    """One ask action per question, registered with rasa-sdk under its own name."""
    for slot in QUESTIONS + REGISTRATION:
        cls = type(
            f"AskFor_{slot}",
            (AskForBookingSlot,),
            {"slot": slot, "name": lambda self: f"action_ask_{self.slot}"},
        )
        globals()[cls.__name__] = cls


_ask_actions()


class ActionBookAppointment(ApiAction):
    """Books the confirmed slot for the chosen patient, then forgets the form's answers."""

    def name(self) -> Text:
        return "action_book_appointment"

    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        slot_id, patient_id = tracker.get_slot("slot_id"), tracker.get_slot("patient_id")
        if tracker.get_slot("booking_confirmed") is not True or not (slot_id and patient_id):
            return reset_booking()
        try:
            appointment = api.book(int(slot_id), int(patient_id))
        except ApiRefused as refused:
            dispatcher.utter_message(response="utter_booking_refused", errcode=refused.errcode)
            return reset_booking()
        dispatcher.utter_message(
            response="utter_appointment_booked",
            appointment_id=appointment["id"],
            queue_number=appointment["queue_number"],
        )
        return reset_booking() + [SlotSet("appointment_id", str(appointment["id"]))]


class ActionStopBooking(Action):
    """ "Forget it" mid-booking: the form stops and its answers are forgotten."""

    def name(self) -> Text:
        return "action_stop_booking"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_booking_stopped")
        return reset_booking()


class ActionListAppointments(ApiAction):
    """ "Which appointments do I have": the citizen's active appointments."""

    def name(self) -> Text:
        return "action_list_appointments"

    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        appointments = api.my_appointments("active")
        if appointments:
            dispatcher.utter_message(
                response="utter_appointment_list", appointment_ids=[a["id"] for a in appointments]
            )
        else:
            dispatcher.utter_message(response="utter_no_appointments")
        return []


def _chosen_appointments(api: CitizenApi, tracker: Tracker) -> List[dict]:
    """The active appointments the message points at: a button's id, a date said, or all."""
    active = api.my_appointments("active")
    chosen = latest_entity(tracker, "appointment_id")
    if chosen:
        return [a for a in active if str(a["id"]) == str(chosen)]
    day = parse_date((tracker.latest_message or {}).get("text") or "", city_today())
    if day is not None:
        same_day = [a for a in active if a["slot"]["date"] == day.isoformat()]
        return same_day
    return active


class ActionCancelAppointment(ApiAction):
    """ "Cancel my Wednesday appointment": cancels the one meant, or asks which."""

    def name(self) -> Text:
        return "action_cancel_appointment"

    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        chosen = _chosen_appointments(api, tracker)
        if not chosen:
            dispatcher.utter_message(response="utter_no_appointments")
            return []
        if len(chosen) > 1:
            dispatcher.utter_message(
                response="utter_ask_which_appointment",
                purpose="cancel",
                appointment_ids=[a["id"] for a in chosen],
            )
            return []
        try:
            cancelled = api.cancel_appointment(chosen[0]["id"])
        except ApiRefused as refused:
            dispatcher.utter_message(response="utter_booking_refused", errcode=refused.errcode)
            return []
        dispatcher.utter_message(
            response="utter_appointment_cancelled", appointment_id=cancelled["id"]
        )
        return [SlotSet("appointment_id", None)]


class ActionChangeAppointment(ApiAction):
    """ "Make it the afternoon", "another doctor", "move it to Friday" after booking: one
    atomic reschedule.

    The appointment moved is the one a button names (it must be one of the citizen's own active
    appointments, or nothing moves), else the only one, else the one this conversation last
    booked or changed; with several and none of these, the citizen is asked which, as when
    cancelling, and each choice carries the change asked for."""

    def name(self) -> Text:
        return "action_change_appointment"

    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        active = api.my_appointments("active")
        text = (tracker.latest_message or {}).get("text") or ""
        day = parse_date(latest_entity(tracker, "date") or text, city_today())
        period = latest_entity(tracker, "period") or parse_period(text)
        other_doctor = latest_entity(tracker, "booking_field") == "doctor"
        named = latest_entity(tracker, "appointment_id")
        if named is not None:
            current = next((a for a in active if str(a["id"]) == str(named)), None)
        else:
            current = self._target(active, tracker)
            if current is None and len(active) > 1:
                wishes = {
                    "date": day.isoformat() if day else None,
                    "period": period,
                    "booking_field": "doctor" if other_doctor else None,
                }
                dispatcher.utter_message(
                    response="utter_ask_which_appointment_to_reschedule",
                    appointment_ids=[a["id"] for a in active],
                    **{k: v for k, v in wishes.items() if v},
                )
                return []
        if current is None:  # none, or the one named is not the citizen's
            dispatcher.utter_message(response="utter_no_appointments")
            return []
        old = current["slot"]
        if day is None and period is None and not other_doctor:
            dispatcher.utter_message(
                response="utter_ask_reschedule_to", appointment_id=current["id"]
            )
            return [SlotSet("appointment_id", str(current["id"]))]
        wanted = {
            "date": (day.isoformat() if day else old["date"]),
            "period": period or old["period"],
        }
        slot = self._new_slot(api, old, wanted, other_doctor)
        if slot is None:
            dispatcher.utter_message(
                response="utter_reschedule_unavailable", appointment_id=current["id"], **wanted
            )
            return [SlotSet("appointment_id", str(current["id"]))]
        try:
            moved = api.reschedule(current["id"], slot["id"])
        except ApiRefused as refused:
            dispatcher.utter_message(response="utter_booking_refused", errcode=refused.errcode)
            return []
        dispatcher.utter_message(
            response="utter_appointment_rescheduled",
            appointment_id=moved["id"],
            queue_number=moved["queue_number"],
        )
        return [SlotSet("appointment_id", str(moved["id"]))]

    @staticmethod
    def _target(active: List[dict], tracker: Tracker) -> Optional[dict]:
        """The only active appointment, or the one this conversation last booked or changed."""
        if len(active) == 1:
            return active[0]
        wanted = tracker.get_slot("appointment_id")
        return next((a for a in active if str(a["id"]) == str(wanted)), None)

    @staticmethod
    def _new_slot(api: CitizenApi, old: dict, wanted: dict, other_doctor: bool) -> Optional[dict]:
        slots = [
            s
            for s in api.slots(
                department_id=old["department"]["id"],
                hospital_id=old["hospital"]["id"],
                date_from=wanted["date"],
                date_to=wanted["date"],
                period=wanted["period"],
                available="true",
            )
            if s["id"] != old["id"]
        ]
        same_doctor = [s for s in slots if s["doctor"]["id"] == old["doctor"]["id"]]
        others = [s for s in slots if s["doctor"]["id"] != old["doctor"]["id"]]
        ranked = others if other_doctor else same_doctor + others
        return max(ranked, key=lambda s: s["remaining"]) if ranked else None
