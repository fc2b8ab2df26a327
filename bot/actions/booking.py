"""The booking form's brain: what the citizen just said, checked against the API, and what to ask next.

The form ``booking_form`` gathers, in the order its ``required_slots`` in
bot/domain/appointments.yml list them (the one list of them, read here): hospital, department,
date, period, doctor (or "any"), patient, confirmation. Every slot is filled here, in rasa-sdk's
validation loop (``ValidateBookingForm``), never by Rasa's own mappings, so one place decides:

- what a message means for the booking (entities from NLU or button payloads, dates and periods
  parsed from the text, free text searched in the API when it answers the question asked, even
  when NLU made nothing of it: a bare "协和", "张医生", "李小明"; an ordinal or deictic over the
  choices just offered: "第二个", "the first one", "就呢个");
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
from contextvars import ContextVar
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

import yaml
from citizen_common import errcodes
from citizen_common.privacy import MAINLAND_MOBILE
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from . import verification
from .answers import choose, names_a_choice
from .api_client import ApiRefused, ApiUnavailable, CitizenApi, SignInRequired
from .base import NOT_UNDERSTOOD, SERVICE_UNAVAILABLE, SIGN_IN_REQUIRED
from .dates import city_today, parse_date, parse_period
from .sealing import seal, unseal
from .words import pattern

logger = logging.getLogger(__name__)

FORM = "booking_form"
DOMAIN_FILE = Path(__file__).resolve().parents[1] / "domain" / "appointments.yml"
BOOKING_INTENTS = {"book_appointment", "inform_booking", "change_booking", "affirm", "deny"}
# Intents a bare answer to the question asked is often taken for ("协和" alone has no request):
# read as an answer while the form asks.
BARE_ANSWER_INTENTS = {"nlu_fallback"}
# Free text searched as the name the question asks for.
NAME_ANSWER_INTENTS = {"inform_booking", "book_appointment"} | BARE_ANSWER_INTENTS


def _form_questions() -> Tuple[str, ...]:
    """The form's questions in the order it asks them: its ``required_slots`` in the domain,
    the one place they are listed (the ask actions are registered at import, before any
    domain reaches the action server, so the file is read rather than the domain sent)."""
    domain = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))
    return tuple(domain["forms"][FORM]["required_slots"])


QUESTIONS = _form_questions()
# A new patient's registration, asked instead of ``patient_id`` when the citizen has none.
REGISTRATION = ("patient_name", "patient_id_card", "patient_phone")
# What the form works out along the way: the slot chosen, the choices offered with the next
# question, a department asked for before its hospital.
WORKING = ("slot_id", "booking_choices", "department_query")
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
FIELDS = {
    "hospital": "hospital_id",
    "department": "department_id",
    "date": "appointment_date",
    "period": "period",
    "doctor": "doctor_id",
    "patient": "patient_id",
    "time": "appointment_date",
}
# The kind of choices offered (``booking_choices``) → the question they answer.
CHOICE_SLOTS = {
    "hospital": "hospital_id",
    "department": "department_id",
    "doctor": "doctor_id",
    "patient": "patient_id",
    "alternatives": "appointment_date",
}
ANY_DOCTOR = "any"
ANY_DOCTOR_WORDS = pattern("booking", "any_doctor", re.IGNORECASE)
ID_CARD = re.compile(r"(?<![0-9])[1-9]\d{16}[0-9Xx](?![0-9A-Za-z])")
PHONE = re.compile(rf"(?<![0-9]){MAINLAND_MOBILE}(?![0-9])")
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

    def __init__(
        self,
        api: CitizenApi,
        tracker: Tracker,
        dispatcher: CollectingDispatcher,
        today: Optional[date] = None,
    ) -> None:
        self.api, self.tracker, self.dispatcher = api, tracker, dispatcher
        self.today = today or city_today()
        self.values: Dict[str, Any] = {
            name: tracker.get_slot(name) for name in QUESTIONS + REGISTRATION + WORKING
        }
        self.changed: Dict[str, Any] = {}
        # What the current extract_/validate_ step changed (``take`` hands it to rasa-sdk).
        self.pending: Dict[str, Any] = {}
        self.question: Optional[str] = None
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
        self.pending[name] = value

    def propose(self, name: str, value: Any) -> None:
        """An answer the message gives, which ``validate_<name>`` accepts with ``set`` (that
        clears what depended on the old one); until then it counts as a change of this turn."""
        self.changed[name] = value
        self.pending[name] = value

    def take(self) -> Dict[str, Any]:
        """The slots changed since the last call: one extract_/validate_ step's answer."""
        taken, self.pending = self.pending, {}
        return taken

    def notify(self, response: str, **arguments: Any) -> None:
        """Tells the citizen something about their answer (it counts as an answer)."""
        self.noticed = True
        self.dispatcher.utter_message(response=response, **arguments)

    # --- the turn ---------------------------------------------------------------------------
    def about_questions(self) -> bool:
        """Whether the message may answer the form's questions (not a registration answer, and
        an intent of the booking's, or a bare answer to the question asked)."""
        if self.requested in REGISTRATION:
            return False
        return self.intent in BOOKING_INTENTS or (
            self.requested in QUESTIONS and self.intent in BARE_ANSWER_INTENTS
        )

    def understood(self) -> bool:
        """Whether the message was about the booking at all (else the form rejects it)."""
        return bool(self.changed) or self.noticed or self.intent == "book_appointment"

    def _corrections(self) -> None:
        field = _entity(self.tracker, "booking_field")
        if self.intent == "change_booking" and field in FIELDS:
            self.set(FIELDS[field], None)

    def _answers(self, question: str) -> bool:
        """Whether free text in this message is a name answering ``question`` (an ordinal
        names a choice, not a hospital or a doctor)."""
        return (
            self.requested == question
            and self.intent in NAME_ANSWER_INTENTS
            and not names_a_choice(self.text)
        )

    def _choice(self) -> None:
        """ "第二个", "the first one", "就呢个": the choice just offered for the question asked."""
        choices = self.get("booking_choices") or {}
        kind = choices.get("kind")
        if CHOICE_SLOTS.get(kind) != self.requested or not names_a_choice(self.text):
            return
        if kind == "alternatives":
            offer = choose(choices.get("offers") or [], self.text)
            if offer:
                self.propose("appointment_date", offer[0])
                self.propose("period", offer[1])
            return
        chosen = choose(choices.get("ids") or [], self.text)
        if chosen is None:
            return
        if kind in ("hospital", "department"):
            self.set(CHOICE_SLOTS[kind], str(chosen))
        else:
            self.propose(CHOICE_SLOTS[kind], str(chosen))

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
            self._store(
                "booking_choices",
                {
                    "kind": "hospital",
                    "reason": "ambiguous",
                    "query": query,
                    "ids": [h["id"] for h in found],
                },
            )
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
                self._store(
                    "booking_choices",
                    {"kind": "hospital", "reason": "department", "query": query, "ids": hospitals},
                )
            return
        if len(found) == 1 or _exact(found[0], query):
            self.set("department_id", str(found[0]["id"]))
        else:
            self._store(
                "booking_choices",
                {
                    "kind": "department",
                    "reason": "ambiguous",
                    "query": query,
                    "ids": [d["id"] for d in found],
                },
            )

    def _date(self) -> None:
        said_date = _entity(self.tracker, "date")
        day = parse_date(said_date or self.text, self.today)
        if day is not None:
            if day <= self.today:
                self.notify("utter_booking_date_too_early", date=day.isoformat())
            else:
                self.propose("appointment_date", day.isoformat())

    def _period(self) -> None:
        period = _entity(self.tracker, "period") or parse_period(self.text)
        if period in ("morning", "afternoon", "evening"):
            self.propose("period", period)

    def _doctor(self) -> None:
        chosen = _entity(self.tracker, "doctor_id")
        if chosen == ANY_DOCTOR or (
            chosen is None and ANY_DOCTOR_WORDS.search(self.text) and self.requested == "doctor_id"
        ):
            self.propose("doctor_id", ANY_DOCTOR)
            return
        if _as_id(chosen) is not None:
            self.propose("doctor_id", str(_as_id(chosen)))
            return
        query = _entity(self.tracker, "doctor")
        if query is None and self._answers("doctor_id"):
            query = self.text
        if not query or not self.get("department_id"):
            return
        found = self.api.doctors(
            q=query,
            hospital_id=self.get("hospital_id"),
            department_id=self.get("department_id"),
            limit=MAX_CHOICES,
        )
        if found:
            self.propose("doctor_id", str(found[0]["id"]))
        else:
            self.notify("utter_booking_not_found", kind="doctor", query=query)

    def _patient(self) -> None:
        chosen = _as_id(_entity(self.tracker, "patient_id"))
        if chosen is None and self._answers("patient_id"):
            named = [p for p in self.api.patients() if p["name"] and p["name"] in self.text]
            chosen = named[0]["id"] if len(named) == 1 else None
        if chosen is not None:
            self.propose("patient_id", str(chosen))

    def _confirmation(self) -> None:
        if self.requested != "booking_confirmed" or self.changed:
            return
        if self.intent == "affirm":
            self._store("booking_confirmed", True)
        elif self.intent == "deny":
            self._store("booking_confirmed", False)

    def _registration_answer(self) -> bool:
        """Name, ID-card number or phone of a new patient, whatever the NLU thought (the
        numbers as said: ``validate_<slot>`` seals them)."""
        if self.requested == "patient_id_card":
            match = ID_CARD.search(self.text)
            if not match:
                return False
            self.propose("patient_id_card", match.group(0).upper())
        elif self.requested == "patient_phone":
            match = PHONE.search(self.text.replace(" ", "").replace("-", ""))
            if not match:
                return False
            self.propose("patient_phone", match.group(0))
        else:
            if self.intent not in BOOKING_INTENTS | {
                "nlu_fallback",
                "greet",
            } and not NAME_PREFIX.match(self.text.strip()):
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
        return self.api.slots(
            hospital_id=self.get("hospital_id"),
            department_id=self.get("department_id"),
            available="true",
            **query,
        )

    def _settle_slot(self) -> bool:
        """Picks the slot for the date, period and doctor; offers alternatives if none."""
        day, period, doctor = (
            self.get("appointment_date"),
            self.get("period"),
            self.get("doctor_id"),
        )
        specific = doctor not in (None, ANY_DOCTOR)
        slots = self._slots(
            date_from=day, date_to=day, period=period, doctor_id=doctor if specific else None
        )
        if slots:
            if doctor:
                best = max(slots, key=lambda s: s["remaining"])
                self._store("slot_id", str(best["id"]))
            else:
                doctors = list(dict.fromkeys(s["doctor"]["id"] for s in slots))
                self._store(
                    "booking_choices",
                    {"kind": "doctor", "reason": "choose", "ids": doctors[:MAX_CHOICES]},
                )
            return True
        tomorrow = self.today + timedelta(days=1)
        nearest = self._slots(
            date_from=tomorrow.isoformat(), doctor_id=doctor if specific else None
        )
        offers = list(dict.fromkeys((s["date"], s["period"]) for s in nearest))
        offers.sort(
            key=lambda o: (abs((date.fromisoformat(o[0]) - date.fromisoformat(day)).days), o)
        )
        self.notify(
            "utter_no_slots",
            date=day,
            period=period,
            department_id=self.get("department_id"),
            doctor_id=doctor if specific else None,
            alternatives=[{"date": d, "period": p} for d, p in offers[:ALTERNATIVES]],
        )
        self.set("appointment_date", None)
        self.set("period", None)
        self._store(
            "booking_choices",
            {
                "kind": "alternatives",
                "reason": "no_slots",
                "offers": [list(o) for o in offers[:ALTERNATIVES]],
            },
        )
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
        self._store(
            "booking_choices",
            {
                "kind": "patient",
                "reason": "choose",
                "ids": [p["id"] for p in patients][:MAX_CHOICES],
            },
        )
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
            field = (
                "patient_id_card"
                if refused.errcode == errcodes.INVALID_ID_CARD
                else "patient_phone"
            )
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


def _best(found: List[dict]) -> List[dict]:
    """The matches that share the best score (the API ranks them; typos score lower)."""
    top = max((f.get("score") or 0 for f in found), default=0)
    return [f for f in found if (f.get("score") or 0) == top]


def _exact(item: dict, query: str) -> bool:
    query = query.strip().lower()
    names = (
        [item.get("name", "")]
        + list(item.get("short_names") or [])
        + list(item.get("aliases") or [])
    )
    return any(query == str(n).lower() for n in names)


_turn: ContextVar[Booking] = ContextVar("booking_turn")


def _accepted(slot: str) -> Callable[..., Dict[Text, Any]]:
    """``validate_<slot>`` for an answer checked as it was extracted (see the class)."""

    def validate(
        self: "ValidateBookingForm",
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> Dict[Text, Any]:
        return {slot: value}

    return validate


def _replaces(slot: str) -> Callable[..., Dict[Text, Any]]:
    """``validate_<slot>`` for an answer that replaces the one before: what was chosen because
    of the old answer (a slot, the confirmation) is cleared."""

    def validate(
        self: "ValidateBookingForm",
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> Dict[Text, Any]:
        booking = _turn.get()
        booking.set(slot, value)
        return booking.take()

    return validate


def _sealed(slot: str) -> Callable[..., Dict[Text, Any]]:
    """``validate_<slot>`` for an identity number: the conversation keeps it sealed only."""

    def validate(
        self: "ValidateBookingForm",
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> Dict[Text, Any]:
        booking = _turn.get()
        booking._store(slot, seal(value) if value else value)
        return booking.take()

    return validate


class ValidateBookingForm(FormValidationAction):
    """Fills and checks the booking form's slots (see the module's docstring) in rasa-sdk's own
    loop: ``extract_<slot>`` for each slot of ``required_slots`` in order, ``validate_<slot>``
    for each slot extracted, then ``next_requested_slot``.

    - ``extract_<slot>`` reads the answer to one question from the message. Where the answer is
      free text or a name, extracting it means finding the record in the API (a hospital, a
      department within the hospital just chosen, a doctor), so these run in the form's order,
      and a hospital or department chosen clears what depended on the old one right there (the
      next extraction reads the new one). A message that answers nothing extracts nothing, so
      the form rejects it and the rules for interruptions take over; that is why answers that
      cannot be used (a past date, a number that is no ID-card number) are refused here too,
      not in ``validate_<slot>``: a refused validation still counts as an answer for Rasa.
    - ``validate_<slot>`` accepts an answer: a new date, period, doctor or patient clears the
      slot and confirmation chosen for the old one; identity numbers are sealed.
    - then (``get_validation_events``, after the ``validate_<slot>`` steps) the answers are
      settled together: the free slot for the date, period and doctor (or the nearest
      alternatives), the patient (or their registration), and the question that comes next
      with the choices it offers, which ``next_requested_slot`` asks. These depend on several
      answers at once and on the API, so no single ``validate_<slot>`` can decide them.

    rasa-sdk runs extract_/validate_ with no state of their own between them; the turn's
    ``Booking`` (what is known, what changed) is kept in a context variable for that one run.
    """

    today: Callable[[], date] = staticmethod(city_today)

    def name(self) -> Text:
        return f"validate_{FORM}"

    def domain_slots(self, domain: Dict[Text, Any]) -> List[Text]:
        """The form's questions, as the domain lists them (``QUESTIONS``)."""
        return list(QUESTIONS)

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Text]:
        """Every slot this action fills: the questions, a new patient's registration, and
        what the form works out along the way (rasa-sdk returns only these slots' events)."""
        return list(domain_slots) + list(REGISTRATION) + list(WORKING)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """rasa-sdk's loop, with the API's failures answered as every action answers them."""
        token = _turn.set(
            Booking(CitizenApi.for_tracker(tracker), tracker, dispatcher, self.today())
        )
        try:
            return await super().run(dispatcher, tracker, domain)
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
        finally:
            _turn.reset(token)

    # --- extraction: the answers in the message, in the form's order -------------------------
    @staticmethod
    def _extract(
        *steps: Callable[[Booking], None], registration: Optional[str] = None
    ) -> Dict[Text, Any]:
        booking = _turn.get()
        if registration is not None:
            if booking.requested == registration:
                booking._registration_answer()
        elif booking.about_questions():
            for step in steps:
                step(booking)
        return booking.take()

    def extract_hospital_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        """A correction ("another hospital") first, then the hospital named or chosen."""
        return self._extract(Booking._corrections, Booking._choice, Booking._hospital)

    def extract_department_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        return self._extract(Booking._department)

    def extract_appointment_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        return self._extract(Booking._date)

    def extract_period(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        return self._extract(Booking._period)

    def extract_doctor_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        return self._extract(Booking._doctor)

    def extract_patient_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        return self._extract(Booking._patient)

    def extract_booking_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        return self._extract(Booking._confirmation)

    def extract_patient_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        return self._extract(registration="patient_name")

    def extract_patient_id_card(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        return self._extract(registration="patient_id_card")

    def extract_patient_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        return self._extract(registration="patient_phone")

    def _worked_out(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        """Never said by the citizen: set by the other steps and by settling."""
        return {}

    extract_slot_id = extract_booking_choices = extract_department_query = _worked_out

    # --- validation ----------------------------------------------------------------------------
    validate_hospital_id = _accepted("hospital_id")
    validate_department_id = _accepted("department_id")
    validate_appointment_date = _replaces("appointment_date")
    validate_period = _replaces("period")
    validate_doctor_id = _replaces("doctor_id")
    validate_patient_id = _replaces("patient_id")
    validate_booking_confirmed = _accepted("booking_confirmed")
    validate_patient_name = _accepted("patient_name")
    validate_patient_id_card = _sealed("patient_id_card")
    validate_patient_phone = _sealed("patient_phone")
    validate_slot_id = _accepted("slot_id")
    validate_booking_choices = _accepted("booking_choices")
    validate_department_query = _accepted("department_query")

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        """The validated answers, then what settling them changed (see ``settle``), with
        ``booking_choices`` always set: an answer that changed nothing (a value not found,
        already explained) is still an answer, and Rasa rejects a form turn that sets no slot.
        Nothing at all when the message was not about the booking."""
        events = await super().get_validation_events(dispatcher, tracker, domain)
        booking = _turn.get()
        if not booking.understood():
            return []
        booking.question = booking.settle()
        settled = booking.take()
        settled["booking_choices"] = booking.get("booking_choices")
        if booking.get("booking_confirmed") is False:
            dispatcher.utter_message(response="utter_booking_stopped")
        return events + [SlotSet(name, value) for name, value in settled.items()]

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Optional[Dict[Text, Any]]:
        """The question settling chose (none: the form is done); nothing when the message
        was not about the booking, so the form rejects it."""
        booking = _turn.get()
        if not booking.understood():
            return None
        return SlotSet("requested_slot", booking.question)


def still_asking(tracker: Tracker) -> List[Dict[Text, Any]]:
    """The form keeps its question after a reply of this action's own: without a slot event
    Rasa would take the turn for "not about the booking" and drop the reply (the question
    stays unanswered, so it is set to nothing again)."""
    asked = tracker.get_slot("requested_slot")
    return [SlotSet(asked, None)] if asked else []
