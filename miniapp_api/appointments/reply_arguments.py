"""The bot's booking replies: records named by id, worded in the conversation's language.

Actions send ids (hospital, department, slot, patient, appointment) and codes; this module turns
them into names, times and buttons at render time. A patient or appointment is named only when it
belongs to the conversation's citizen (``g.conversation_sender``, set by the NLG endpoint), so a
forged id renders nothing private.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Iterable

from babel.dates import format_time
from babel.numbers import format_currency
from flask import g

from ..citizens.service import find_by_identity, parse_sender_id
from ..db import db
from ..errors import ERRORS, ApiError
from ..i18n import babel_locale, format_skeleton, join_list, translate
from .models import PERIODS, Appointment, Department, Doctor, Hospital, Patient, Slot
from .presenter import fee_yuan
from .rules import HOSPITAL_ZONE, booking_window
from .service import booking_rules, now

MAX_BUTTONS = 8
_KIND_BY_ERRCODE = {kind.errcode: kind for kind in ERRORS.values()}


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _get(model, value: Any):
    record_id = _as_int(value)
    return db.session.get(model, record_id) if record_id is not None else None


def _conversation_citizen_id() -> int | None:
    """The conversation's citizen, read once a request (a reply may name several records)."""
    if "conversation_citizen_id" not in g:
        g.conversation_citizen_id = _citizen_id_of(getattr(g, "conversation_sender", None))
    return g.conversation_citizen_id


def _citizen_id_of(sender: str | None) -> int | None:
    if not sender:
        return None
    try:
        citizen = find_by_identity(*parse_sender_id(sender))
    except ApiError:
        return None
    return citizen.id if citizen else None


def _own(model, value: Any):
    """The patient or appointment ``value`` if it is the conversation citizen's."""
    record = _get(model, value)
    citizen_id = _conversation_citizen_id()
    return record if record is not None and record.citizen_id == citizen_id else None


def _day(value: Any, locale: str) -> str:
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return format_skeleton("MMMMdEEEE", day, locale)  # "Wed, Nov 25" in English


def _period(code: Any, locale: str) -> str:
    return translate(f"slot.period.{code}", locale) if code in PERIODS else ""


def _when(slot: Slot, locale: str) -> str:
    start = format_time(
        slot.starts_at.astimezone(HOSPITAL_ZONE), "HH:mm", locale=babel_locale(locale)
    )
    end = format_time(slot.ends_at.astimezone(HOSPITAL_ZONE), "HH:mm", locale=babel_locale(locale))
    return f"{_day(slot.date, locale)} {_period(slot.period, locale)} {start}–{end}"


def _slot_names(slot: Slot, locale: str) -> dict:
    doctor = slot.doctor
    department = doctor.department
    hospital = department.hospital
    return {
        "hospital": hospital.name(locale),
        "address": hospital.address(locale),
        "department": department.name(locale),
        "doctor": doctor.name(locale),
        "title": translate(f"doctor.title.{doctor.title}", locale),
        "fee": format_currency(fee_yuan(doctor), "CNY", locale=babel_locale(locale)),
        "when": _when(slot, locale),
    }


def _appointment_names(appointment: Appointment, locale: str) -> dict:
    return {
        **_slot_names(appointment.slot, locale),
        "patient": appointment.patient.name,
        "queue_number": appointment.queue_number,
    }


def _payload(intent: str, **entities: Any) -> str:
    return f"/{intent}" + json.dumps({k: str(v) for k, v in entities.items()}, ensure_ascii=False)


def booking_arguments(arguments: dict, locale: str) -> dict:
    """Names, times and clauses for every booking reply (each uses the ones it needs)."""
    derived: dict[str, Any] = {}
    if hospital := _get(Hospital, arguments.get("hospital_id")):
        derived.update(hospital=hospital.name(locale), address=hospital.address(locale))
    if department := _get(Department, arguments.get("department_id")):
        derived.update(department=department.name(locale))
    doctor = _get(Doctor, arguments.get("doctor_id"))
    derived["whom"] = doctor.name(locale) if doctor else derived.get("department", "")
    if arguments.get("appointment_date"):
        derived["date"] = _day(arguments["appointment_date"], locale)
    if arguments.get("date"):
        derived["date"] = _day(arguments["date"], locale)
    derived["period_name"] = _period(arguments.get("period"), locale)
    if slot := _get(Slot, arguments.get("slot_id")):
        derived.update(_slot_names(slot, locale))
    if patient := _own(Patient, arguments.get("patient_id")):
        derived["patient"] = patient.name
    if appointment := _own(Appointment, arguments.get("appointment_id")):
        derived.update(_appointment_names(appointment, locale))
    rules = booking_rules()
    first, last = booking_window(now(), rules)
    derived.update(
        first_date=_day(first, locale), last_date=_day(last, locale), days=rules.max_days_ahead
    )
    derived["lead"] = _lead(arguments.get("booking_choices"), locale)
    derived.update(_problem(arguments, locale))
    derived.update(_alternatives(arguments.get("alternatives"), locale))
    listed = [
        a
        for a in (_own(Appointment, i) for i in arguments.get("appointment_ids") or [])
        if a is not None
    ]
    if listed:
        entries = [
            translate("appointment.list_entry", locale, **_appointment_names(a, locale))
            for a in listed
        ]
        derived.update(count=len(entries), appointments_list=join_list(entries, locale))
    elif "appointment_ids" in arguments:
        derived.update(count=0, appointments_list="")
    return derived


def _lead(choices: Any, locale: str) -> str:
    if not isinstance(choices, dict) or choices.get("kind") not in ("hospital", "department"):
        return ""
    reason = choices.get("reason")
    if reason not in ("ambiguous", "department"):
        return ""
    return translate(
        f"booking.lead.{choices['kind']}.{reason}", locale, query=str(choices.get("query") or "")
    )


def _problem(arguments: dict, locale: str) -> dict:
    """``problem``: what was wrong with an answer; ``reason``: the rule a refusal broke."""
    derived = {}
    if arguments.get("field") in ("patient_id_card", "patient_phone"):
        derived["problem"] = translate(f"booking.invalid.{arguments['field']}", locale)
    if arguments.get("kind") in ("hospital", "department", "doctor"):
        derived["problem"] = translate(
            f"booking.not_found.{arguments['kind']}",
            locale,
            query=str(arguments.get("query") or ""),
        )
    kind = _KIND_BY_ERRCODE.get(_as_int(arguments.get("errcode")))
    if kind is not None:
        derived["reason"] = translate(kind.message_id, locale)
    return derived


def _alternatives(offers: Any, locale: str) -> dict:
    if not isinstance(offers, list):
        return {}
    named = [
        translate(
            "booking.alternative",
            locale,
            date=_day(o.get("date"), locale),
            period_name=_period(o.get("period"), locale),
        )
        for o in offers
        if isinstance(o, dict)
    ]
    if not named:
        return {"alternatives_clause": translate("booking.no_alternatives_clause", locale)}
    return {
        "alternatives_clause": translate(
            "booking.alternatives_clause", locale, alternatives_list=join_list(named, locale)
        )
    }


# --- buttons ---------------------------------------------------------------------------------
def _choice_ids(arguments: dict, kind: str) -> list[int]:
    choices = arguments.get("booking_choices")
    if isinstance(choices, dict) and choices.get("kind") == kind:
        return [i for i in (_as_int(v) for v in choices.get("ids") or []) if i is not None]
    return []


def _records(model, ids: Iterable[int]) -> list:
    """The records of ``ids`` that exist, in the order of ``ids``, read by one query (the
    buttons of a choice name up to eight)."""
    ids = list(ids)
    if not ids:
        return []
    found = {
        record.id: record
        for record in db.session.scalars(db.select(model).where(model.id.in_(set(ids))))
    }
    return [found[i] for i in ids if i in found]


def hospital_buttons(locale: str, arguments: dict) -> list[dict]:
    ids = _choice_ids(arguments, "hospital")
    hospitals = (
        _records(Hospital, ids)
        if ids
        else db.session.scalars(db.select(Hospital).order_by(Hospital.id)).all()
    )
    return [
        {"title": h.name(locale), "payload": _payload("inform_booking", hospital_id=h.id)}
        for h in hospitals[:MAX_BUTTONS]
    ]


def department_buttons(locale: str, arguments: dict) -> list[dict]:
    ids = _choice_ids(arguments, "department")
    if ids:
        departments = _records(Department, ids)
    else:
        hospital_id = _as_int(arguments.get("hospital_id"))
        departments = db.session.scalars(
            db.select(Department)
            .where(Department.hospital_id == hospital_id)
            .order_by(Department.id)
            .limit(MAX_BUTTONS)
        ).all()
    return [
        {"title": d.name(locale), "payload": _payload("inform_booking", department_id=d.id)}
        for d in departments[:MAX_BUTTONS]
    ]


def date_buttons(locale: str, arguments: dict) -> list[dict]:
    choices = arguments.get("booking_choices")
    if isinstance(choices, dict) and choices.get("kind") == "alternatives":
        return [
            {
                "title": translate(
                    "booking.alternative",
                    locale,
                    date=_day(d, locale),
                    period_name=_period(p, locale),
                ),
                "payload": _payload("inform_booking", date=d, period=p),
            }
            for d, p in (o for o in choices.get("offers") or [] if len(o) == 2)
        ]
    first, last = booking_window(now(), booking_rules())
    days = [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
    return [
        {"title": _day(d, locale), "payload": _payload("inform_booking", date=d.isoformat())}
        for d in days
    ]


def period_buttons(locale: str, arguments: dict) -> list[dict]:
    return [
        {"title": _period(p, locale), "payload": _payload("inform_booking", period=p)}
        for p in PERIODS
    ]


def doctor_buttons(locale: str, arguments: dict) -> list[dict]:
    buttons = []
    for doctor in _records(Doctor, _choice_ids(arguments, "doctor")):
        title = translate(
            "booking.doctor_choice",
            locale,
            doctor=doctor.name(locale),
            title=translate(f"doctor.title.{doctor.title}", locale),
            fee=format_currency(fee_yuan(doctor), "CNY", locale=babel_locale(locale)),
        )
        buttons.append({"title": title, "payload": _payload("inform_booking", doctor_id=doctor.id)})
    return buttons + [
        {
            "title": translate("booking.any_doctor", locale),
            "payload": _payload("inform_booking", doctor_id="any"),
        }
    ]


def patient_buttons(locale: str, arguments: dict) -> list[dict]:
    citizen_id = _conversation_citizen_id()
    patients = [
        p
        for p in _records(Patient, _choice_ids(arguments, "patient"))
        if p.citizen_id == citizen_id
    ]
    return [
        {"title": p.name, "payload": _payload("inform_booking", patient_id=p.id)} for p in patients
    ]


def confirm_buttons(locale: str, arguments: dict) -> list[dict]:
    return [
        {"title": translate("button.confirm", locale), "payload": "/affirm"},
        {"title": translate("button.cancel_booking", locale), "payload": "/deny"},
    ]


def _appointment_choice(locale: str, arguments: dict, intent: str, **entities: Any) -> list[dict]:
    """One button per appointment of the citizen's in ``appointment_ids``: ``intent`` with the
    appointment's id and ``entities``."""
    buttons = []
    for appointment in (_own(Appointment, i) for i in arguments.get("appointment_ids") or []):
        if appointment is not None:
            names = _appointment_names(appointment, locale)
            buttons.append(
                {
                    "title": f"{names['when']} {names['department']}",
                    "payload": _payload(intent, appointment_id=appointment.id, **entities),
                }
            )
    return buttons


def appointment_buttons(locale: str, arguments: dict) -> list[dict]:
    """Which appointment to cancel."""
    return _appointment_choice(locale, arguments, "cancel_appointment")


# What a reschedule asked for, carried by the buttons that ask which appointment it is for.
RESCHEDULE_WISHES = ("date", "period", "booking_field")


def reschedule_buttons(locale: str, arguments: dict) -> list[dict]:
    """Which appointment to move: each button carries the change the citizen asked for (a day,
    a period, another doctor), so choosing one completes the request."""
    wishes = {k: arguments[k] for k in RESCHEDULE_WISHES if arguments.get(k) not in (None, "")}
    return _appointment_choice(locale, arguments, "change_booking", **wishes)


def message_ids() -> list[str]:
    return (
        [
            f"booking.lead.{k}.{r}"
            for k, r in (
                ("hospital", "ambiguous"),
                ("hospital", "department"),
                ("department", "ambiguous"),
            )
        ]
        + [f"booking.not_found.{k}" for k in ("hospital", "department", "doctor")]
        + [f"booking.invalid.{f}" for f in ("patient_id_card", "patient_phone")]
        + [
            "booking.alternatives_clause",
            "booking.no_alternatives_clause",
            "booking.alternative",
            "booking.any_doctor",
            "booking.doctor_choice",
            "button.confirm",
            "button.cancel_booking",
            "appointment.list_entry",
        ]
    )
