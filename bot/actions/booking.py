"""The booking form's brain: what the citizen just said, checked against the API, and what to ask next.

The form ``booking_form`` (bot/domain/appointments.yml) gathers, in order: hospital, department,
date, period, doctor (or "any"), patient, confirmation. Every slot is filled here, never by Rasa's
own mappings, so one place decides:

- what a message means for the booking (entities from NLU or button payloads, dates and periods
  parsed from the text, free text searched in the API when it answers the question asked);
- corrections at any point ("the afternoon instead", "another doctor"): a changed answer clears
  what depended on it;
- what is really available: when the date and period leave no slot, the nearest alternatives are
  offered instead of a question that cannot be answered;
- which question comes next, with the choices it offers (slot ``booking_choices``), which the
  ``action_ask_*`` actions hand to the API's renderer.

A message that is not about the booking changes nothing, so the form rejects it and the rules
for interruptions (air quality, a bus, help, "forget it") take over.
"""
from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from .api_client import ApiRefused, ApiUnavailable, CitizenApi, SignInRequired
from . import verification
from .base import NOT_UNDERSTOOD, SERVICE_UNAVAILABLE, SIGN_IN_REQUIRED
from .dates import city_today, parse_date, parse_period
from .sealing import seal, unseal
from .words import pattern

logger = logging.getLogger(__name__)

FORM = "booking_form"
BOOKING_INTENTS = {"book_appointment", "inform_booking", "change_booking", "affirm", "deny"}
# The questions, in the order the form asks them.
QUESTIONS = ("hospital_id", "department_id", "appointment_date", "period", "doctor_id",
             "patient_id", "booking_confirmed")
REGISTRATION = ("patient_name", "patient_id_card", "patient_phone")
# A changed answer clears the answers that were chosen because of it.
DEPENDENTS = {
    "hospital_id": ("department_id", "doctor_id", "slot_id", "booking_confirmed"),
    "department_id": ("doctor_id", "slot_id", "booking_confirmed"),
    "appointment_date": ("slot_id", "booking_confirmed"),
    "period": ("slot_id", "booking_confirmed"),
    "doctor_id": ("slot_id", "booking_confirmed"),
    "patient_id": ("booking_confirmed",),
}
# What "another doctor" / "change the hospital" names (entity booking_field) → the slot it clears.
FIELDS = {"hospital": "hospital_id", "department": "department_id", "date": "appointment_date",
          "period": "period", "doctor": "doctor_id", "patient": "patient_id",
          "time": "appointment_date"}
ANY_DOCTOR = "any"
ANY_DOCTOR_WORDS = pattern("booking", "any_doctor", re.IGNORECASE)
ID_CARD = re.compile(r"(?<![0-9])[1-9]\d{16}[0-9Xx](?![0-9A-Za-z])")
PHONE = re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])")
NAME_PREFIX = pattern("booking", "name_prefix", re.IGNORECASE)
MAX_CHOICES = 8
ALTERNATIVES = 4


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value).strip() if value not in (None, "") else None


def _as_id(value: Optional[str]) -> Optional[int]:
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


class Booking:
    """The booking being gathered in one conversation, and the events that update it."""

    def __init__(self, api: CitizenApi, tracker: Tracker, dispatcher: CollectingDispatcher,
                 today: Optional[date] = None) -> None:
        self.api, self.tracker, self.dispatcher = api, tracker, dispatcher
        self.today = today or city_today()
        self.values: Dict[str, Any] = {name: tracker.get_slot(name)
                                       for name in QUESTIONS + REGISTRATION
                                       + ("slot_id", "booking_choices", "department_query")}
        self.changed: Dict[str, Any] = {}
        self.noticed = False
        self.requested = tracker.get_slot("requested_slot")
        message = tracker.latest_message or {}
        self.text: str = message.get("text") or ""
        self.intent: str = (message.get("intent") or {}).get("name") or ""

    # --- state ------------------------------------------------------------------------------
    def get(self, name: str) -> Any:
        return self.values.get(name)

    def set(self, name: str, value: Any) -> None:
        if name in DEPENDENTS and value != self.values.get(name):
            for dependent in DEPENDENTS[name]:
                self._store(dependent, None)
        self._store(name, value)

    def _store(self, name: str, value: Any) -> None:
        self.values[name] = value
        self.changed[name] = value

    def notify(self, response: str, **arguments: Any) -> None:
        """Tells the citizen something about their answer (it counts as an answer)."""
        self.noticed = True
        self.dispatcher.utter_message(response=response, **arguments)

    # --- the turn ---------------------------------------------------------------------------
    def understand(self) -> bool:
        """Applies the latest message; False when it is not about the booking at all."""
        if self.requested in REGISTRATION:
            return self._registration_answer()
        if self.intent not in BOOKING_INTENTS:
            return False
        self._corrections()
        self._hospital()
        self._department()
        self._date_and_period()
        self._doctor()
        self._patient()
        self._confirmation()
        return bool(self.changed) or self.noticed or self.intent == "book_appointment"

    def _corrections(self) -> None:
        field = _entity(self.tracker, "booking_field")
        if self.intent == "change_booking" and field in FIELDS:
            self.set(FIELDS[field], None)

    def _answers(self, question: str) -> bool:
        """Whether free text in this message is an answer to ``question``."""
        return self.requested == question and self.intent in ("inform_booking",
                                                               "book_appointment")

    def _hospital(self) -> None:
        chosen = _as_id(_entity(self.tracker, "hospital_id"))
        query = _entity(self.tracker, "hospital")
        if chosen is None and query is None and self._answers("hospital_id"):
            query = self.text
        if chosen is not None:
            self.set("hospital_id", str(chosen))
            return
        if not query:
            return
        found = _best(self.api.hospitals(q=query, limit=MAX_CHOICES))
        if len(found) == 1 or (found and _exact(found[0], query)):
            self.set("hospital_id", str(found[0]["id"]))
        elif found:
            self.set("hospital_id", None)
            self._store("booking_choices", {"kind": "hospital", "reason": "ambiguous",
                                            "query": query,
                                            "ids": [h["id"] for h in found]})
        else:
            self.notify("utter_booking_not_found", kind="hospital", query=query)

    def _department(self) -> None:
        chosen = _as_id(_entity(self.tracker, "department_id"))
        query = _entity(self.tracker, "department")
        if chosen is None and query is None and self._answers("department_id"):
            query = self.text
        if chosen is not None:
            self.set("department_id", str(chosen))
            return
        if not query:
            query = self.get("department_query") if self.get("hospital_id") else None
            if not query or self.get("department_id"):
                return
        hospital = self.get("hospital_id")
        found = _best(self.api.departments(q=query, hospital_id=hospital, limit=MAX_CHOICES * 2))
        if not found:
            self.notify("utter_booking_not_found", kind="department", query=query)
            return
        if not hospital:
            # "I need to see a dermatologist": remember it, ask which hospital has one.
            self._store("department_query", query)
            hospitals = list(dict.fromkeys(d["hospital"]["id"] for d in found))
            if len(hospitals) == 1:
                self.set("hospital_id", str(hospitals[0]))
                self.set("department_id", str(found[0]["id"]))
            else:
                self._store("booking_choices", {"kind": "hospital", "reason": "department",
                                                "query": query, "ids": hospitals})
            return
        if len(found) == 1 or _exact(found[0], query):
            self.set("department_id", str(found[0]["id"]))
        else:
            self._store("booking_choices", {"kind": "department", "reason": "ambiguous",
                                            "query": query, "ids": [d["id"] for d in found]})

    def _date_and_period(self) -> None:
        said_date = _entity(self.tracker, "date")
        day = parse_date(said_date or self.text, self.today)
        if day is not None:
            if day <= self.today:
                self.notify("utter_booking_date_too_early", date=day.isoformat())
            else:
                self.set("appointment_date", day.isoformat())
        period = _entity(self.tracker, "period") or parse_period(self.text)
        if period in ("morning", "afternoon", "evening"):
            self.set("period", period)

    def _doctor(self) -> None:
        chosen = _entity(self.tracker, "doctor_id")
        if chosen == ANY_DOCTOR or (chosen is None and ANY_DOCTOR_WORDS.search(self.text)
                                    and self.requested == "doctor_id"):
            self.set("doctor_id", ANY_DOCTOR)
            return
        if _as_id(chosen) is not None:
            self.set("doctor_id", str(_as_id(chosen)))
            return
        query = _entity(self.tracker, "doctor")
        if query is None and self._answers("doctor_id"):
            query = self.text
        if not query or not self.get("department_id"):
            return
        found = self.api.doctors(q=query, hospital_id=self.get("hospital_id"),
                                 department_id=self.get("department_id"), limit=MAX_CHOICES)
        if found:
            self.set("doctor_id", str(found[0]["id"]))
        else:
            self.notify("utter_booking_not_found", kind="doctor", query=query)

    def _patient(self) -> None:
        chosen = _as_id(_entity(self.tracker, "patient_id"))
        if chosen is not None:
            self.set("patient_id", str(chosen))

    def _confirmation(self) -> None:
        if self.requested != "booking_confirmed" or self.changed:
            return
        if self.intent == "affirm":
            self._store("booking_confirmed", True)
        elif self.intent == "deny":
            self._store("booking_confirmed", False)

    def _registration_answer(self) -> bool:
        """Name, ID-card number or phone of a new patient, whatever the NLU thought."""
        if self.requested == "patient_id_card":
            match = ID_CARD.search(self.text)
            if not match:
                return False
            self._store("patient_id_card", seal(match.group(0).upper()))
        elif self.requested == "patient_phone":
            match = PHONE.search(self.text.replace(" ", "").replace("-", ""))
            if not match:
                return False
            self._store("patient_phone", seal(match.group(0)))
        else:
            if self.intent not in BOOKING_INTENTS | {"nlu_fallback", "greet"} \
                    and not NAME_PREFIX.match(self.text.strip()):
                return False
            name = NAME_PREFIX.sub("", self.text.strip()).strip(" 。.,，!！")
            if not 1 <= len(name) <= 30 or any(ch.isdigit() for ch in name):
                return False
            self._store("patient_name", name)
        return True

    # --- what is available ------------------------------------------------------------------
    def settle(self) -> Optional[str]:
        """Checks availability and the patient; returns the next question (None: done)."""
        if self.get("booking_confirmed") is False:
            return None
        for question in QUESTIONS[:4]:
            if not self.get(question):
                return self._ask(question)
        if not self._settle_slot():
            return self._ask("appointment_date")
        if not self.get("doctor_id"):
            return self._ask("doctor_id")
        if not self.get("patient_id"):
            return self._settle_patient()
        if self.get("booking_confirmed") is None:
            return self._ask("booking_confirmed")
        return None

    def _slots(self, **query: Any) -> List[dict]:
        return self.api.slots(hospital_id=self.get("hospital_id"),
                              department_id=self.get("department_id"), available="true",
                              **query)

    def _settle_slot(self) -> bool:
        """Picks the slot for the date, period and doctor; offers alternatives if none."""
        day, period, doctor = self.get("appointment_date"), self.get("period"), \
            self.get("doctor_id")
        specific = doctor not in (None, ANY_DOCTOR)
        slots = self._slots(date_from=day, date_to=day, period=period,
                            doctor_id=doctor if specific else None)
        if slots:
            if doctor:
                best = max(slots, key=lambda s: s["remaining"])
                self._store("slot_id", str(best["id"]))
            else:
                doctors = list(dict.fromkeys(s["doctor"]["id"] for s in slots))
                self._store("booking_choices", {"kind": "doctor", "reason": "choose",
                                                "ids": doctors[:MAX_CHOICES]})
            return True
        tomorrow = self.today + timedelta(days=1)
        nearest = self._slots(date_from=tomorrow.isoformat(),
                              doctor_id=doctor if specific else None)
        offers = list(dict.fromkeys((s["date"], s["period"]) for s in nearest))
        offers.sort(key=lambda o: (abs((date.fromisoformat(o[0])
                                        - date.fromisoformat(day)).days), o))
        self.notify("utter_no_slots", date=day, period=period,
                    department_id=self.get("department_id"),
                    doctor_id=doctor if specific else None,
                    alternatives=[{"date": d, "period": p} for d, p in offers[:ALTERNATIVES]])
        self.set("appointment_date", None)
        self.set("period", None)
        self._store("booking_choices", {"kind": "alternatives", "reason": "no_slots",
                                        "offers": [list(o) for o in offers[:ALTERNATIVES]]})
        return False

    def _settle_patient(self) -> Optional[str]:
        if all(self.get(name) for name in REGISTRATION):
            return self._register()
        patients = self.api.patients()
        if not patients:
            return next(name for name in REGISTRATION if not self.get(name))
        named = [p for p in patients if p["name"] and p["name"] in self.text]
        if len(patients) == 1 or len(named) == 1:
            self.set("patient_id", str((named or patients)[0]["id"]))
            return self.settle()
        self._store("booking_choices", {"kind": "patient", "reason": "choose",
                                        "ids": [p["id"] for p in patients][:MAX_CHOICES]})
        return "patient_id"

    def _register(self) -> Optional[str]:
        id_card, phone = unseal(self.get("patient_id_card")), unseal(self.get("patient_phone"))
        if id_card is None or phone is None:  # a slot not sealed by us: ask again
            field = "patient_id_card" if id_card is None else "patient_phone"
            self._store(field, None)
            return field
        try:
            patient = self.api.add_patient(self.get("patient_name"), id_card, phone)
        except ApiRefused as refused:
            field = "patient_id_card" if refused.errcode == INVALID_ID_CARD_ERRCODE \
                else "patient_phone"
            self.notify("utter_patient_invalid", field=field)
            self._store(field, None)
            return field
        for name in REGISTRATION:
            self._store(name, None)  # the registered patient's id is all the form keeps
        self.set("patient_id", str(patient["id"]))
        return self.settle()

    def _ask(self, question: str) -> str:
        choices = self.get("booking_choices") or {}
        if question == "hospital_id" and choices.get("kind") != "hospital":
            self._store("booking_choices", None)
        return question

    def events(self, next_question: Optional[str]) -> List[Dict[Text, Any]]:
        """The changed slots, and the next question. ``booking_choices`` is always set: an
        answer that changed nothing (a value not found, already explained) is still an answer,
        and Rasa rejects a form turn that sets no slot."""
        changed = {"booking_choices": self.get("booking_choices"), **self.changed}
        return [SlotSet(name, value) for name, value in changed.items()] \
            + [SlotSet("requested_slot", next_question)]


INVALID_ID_CARD_ERRCODE = 42201


def _best(found: List[dict]) -> List[dict]:
    """The matches that share the best score (the API ranks them; typos score lower)."""
    top = max((f.get("score") or 0 for f in found), default=0)
    return [f for f in found if (f.get("score") or 0) == top]


def _exact(item: dict, query: str) -> bool:
    query = query.strip().lower()
    names = [item.get("name", "")] + list(item.get("short_names") or []) \
        + list(item.get("aliases") or [])
    return any(query == str(n).lower() for n in names)


class ValidateBookingForm(FormValidationAction):
    """Fills and checks the booking form's slots (see the module's docstring)."""

    today: Callable[[], date] = staticmethod(city_today)

    def name(self) -> Text:
        return f"validate_{FORM}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        booking = Booking(CitizenApi.for_tracker(tracker), tracker, dispatcher, self.today())
        try:
            if not booking.understand():
                return []  # not about the booking: the form rejects, the rules take over
            next_question = booking.settle()
        except ApiUnavailable as error:
            logger.warning("booking: API unavailable (%s)", error)
            dispatcher.utter_message(response=SERVICE_UNAVAILABLE)
            return still_asking(tracker)
        except ApiRefused as refused:  # one the booking did not expect: input not understood
            logger.warning("booking: API refused (%s)", refused)
            dispatcher.utter_message(response=NOT_UNDERSTOOD)
            return still_asking(tracker)
        except SignInRequired:
            # A guest may look for free slots; choosing a patient and booking need proof. The
            # form stops here, so the guest is not asked again what it cannot take; a hotline
            # caller is asked to prove who they are.
            stop = [ActiveLoop(None), SlotSet("requested_slot", None)]
            if verification.is_hotline(tracker.sender_id):
                return stop + verification.begin(dispatcher)
            dispatcher.utter_message(response=SIGN_IN_REQUIRED)
            return stop
        if booking.get("booking_confirmed") is False:
            dispatcher.utter_message(response="utter_booking_stopped")
        return booking.events(next_question)


def still_asking(tracker: Tracker) -> List[Dict[Text, Any]]:
    """The form keeps its question after a reply of this action's own: without a slot event
    Rasa would take the turn for "not about the booking" and drop the reply (the question
    stays unanswered, so it is set to nothing again)."""
    asked = tracker.get_slot("requested_slot")
    return [SlotSet(asked, None)] if asked else []
