"""A read-only FHIR R4 view of slots, doctors' schedules and appointments.

Responses are FHIR JSON (``application/fhir+json``), not our envelope; errors are
OperationOutcome resources with the HTTP status. A doctor's clinic is one ``Schedule`` (its id
is the doctor's id), each period of it a ``Slot``. Statuses come from the R4 value sets:

- Slot (slotstatus): ``free`` when bookable now with a unit left, ``busy`` when full,
  ``busy-unavailable`` when outside the booking window or started;
- Appointment (appointmentstatus): ``booked``; ``cancelled`` when cancelled or moved away by a
  reschedule (then ``cancelationReason`` says so).

Slot search parameters: ``schedule`` (``Schedule/{id}`` or ``{id}``, comma for any of several),
``service-type`` (a department id, ``[system|]code``), ``start`` (repeatable, with the
prefixes eq, ne, ge, gt, le, lt; a date or a dateTime, local time when no offset is given),
``status`` (free, busy, busy-unavailable), ``_count`` (at most 500) and ``_offset``.
Unknown parameters are ignored, as FHIR's lenient handling allows.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from functools import wraps
from typing import Callable
from urllib.parse import urlencode

from flask import Response, request
from flask_smorest import Blueprint
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..auth import current_citizen
from ..db import db
from ..errors import ERRORS, ApiError
from ..i18n import current_locale, translate
from ..routing import MAX_RECORD_ID
from .models import BOOKED, Appointment, Department, Doctor, Slot
from .queries import is_slot_bookable
from .rules import HOSPITAL_ZONE, BookingRules, booking_window
from .service import booking_rules, citizens_appointment, now

bp = Blueprint(
    "fhir",
    __name__,
    url_prefix="/api/v1/fhir",
    description="FHIR R4 view of slots and appointments (application/fhir+json)",
)

FHIR_JSON = "application/fhir+json"
SYSTEM = "https://citizen-assistant.example/fhir"
DEPARTMENT_SYSTEM = f"{SYSTEM}/CodeSystem/department"
QUEUE_NUMBER_SYSTEM = f"{SYSTEM}/sid/queue-number"
CANCELLATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"
SLOT_STATUSES = ("free", "busy", "busy-unavailable")
DEFAULT_COUNT, MAX_COUNT = 100, 500
_ISSUE_CODE = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    422: "invalid",
    429: "throttled",
    503: "transient",
}
_PREFIXES = ("eq", "ne", "ge", "gt", "le", "lt")


class SearchError(ValueError):
    """A search parameter the server cannot understand: 400."""


# --- responses -------------------------------------------------------------------------------
def fhir_response(resource: dict, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(
        json.dumps(resource, ensure_ascii=False), status=status, mimetype=FHIR_JSON, headers=headers
    )
    response.charset = "utf-8"
    return response


def operation_outcome(
    status: int, message_id: str, diagnostics: str | None = None, headers: dict | None = None
) -> Response:
    issue = {
        "severity": "error",
        "code": _ISSUE_CODE.get(status, "exception"),
        "details": {"text": translate(message_id)},
    }
    if diagnostics:
        issue["diagnostics"] = diagnostics
    return fhir_response({"resourceType": "OperationOutcome", "issue": [issue]}, status, headers)


def fhir_view(view: Callable) -> Callable:
    """Errors of the view as OperationOutcome instead of our envelope."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except ApiError as error:
            return operation_outcome(
                error.kind.status, error.kind.message_id, headers=error.headers
            )
        except SearchError as error:
            return operation_outcome(400, ERRORS["bad_request"].message_id, str(error))

    return wrapper


def _resource_id(text: str) -> int:
    """Our resources' ids are positive integers; anything else does not exist."""
    if (
        not text.isascii()
        or not text.isdigit()
        or len(text) > 10
        or not 1 <= int(text) <= MAX_RECORD_ID
    ):
        raise ApiError("not_found")
    return int(text)


def _instant(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _base() -> str:
    return request.url_root.rstrip("/") + bp.url_prefix


# --- resources -------------------------------------------------------------------------------
def _department_concept(department: Department, locale: str) -> dict:
    return {
        "coding": [
            {
                "system": DEPARTMENT_SYSTEM,
                "code": str(department.id),
                "display": department.name(locale),
            }
        ],
        "text": department.name(locale),
    }


def slot_status(slot: Slot, moment: datetime, rules: BookingRules) -> str:
    if is_slot_bookable(slot, moment, rules):
        return "free"
    first, last = booking_window(moment, rules)
    if slot.remaining <= 0 and slot.starts_at > moment and first <= slot.date <= last:
        return "busy"
    return "busy-unavailable"


def slot_resource(slot: Slot, locale: str, moment: datetime, rules: BookingRules) -> dict:
    doctor = slot.doctor
    return {
        "resourceType": "Slot",
        "id": str(slot.id),
        "serviceType": [_department_concept(doctor.department, locale)],
        "schedule": {"reference": f"Schedule/{doctor.id}", "display": doctor.name(locale)},
        "status": slot_status(slot, moment, rules),
        "start": _instant(slot.starts_at),
        "end": _instant(slot.ends_at),
        "overbooked": False,
        "comment": translate(
            "fhir.slot.comment", locale, remaining=slot.remaining, capacity=slot.capacity
        ),
    }


def schedule_resource(doctor: Doctor, locale: str) -> dict:
    hospital = doctor.department.hospital
    return {
        "resourceType": "Schedule",
        "id": str(doctor.id),
        "active": True,
        "serviceType": [_department_concept(doctor.department, locale)],
        "actor": [
            {"reference": f"Practitioner/{doctor.id}", "display": doctor.name(locale)},
            {"reference": f"Location/{hospital.id}", "display": hospital.name(locale)},
        ],
        "comment": translate(f"doctor.title.{doctor.title}", locale),
    }


def appointment_resource(appointment: Appointment, locale: str) -> dict:
    slot = appointment.slot
    doctor = slot.doctor
    hospital = doctor.department.hospital
    active = appointment.status == BOOKED
    attendance = "accepted" if active else "declined"
    resource = {
        "resourceType": "Appointment",
        "id": str(appointment.id),
        "identifier": [{"system": QUEUE_NUMBER_SYSTEM, "value": str(appointment.queue_number)}],
        "status": "booked" if active else "cancelled",
        "serviceType": [_department_concept(doctor.department, locale)],
        "start": _instant(slot.starts_at),
        "end": _instant(slot.ends_at),
        "created": _instant(appointment.created_at),
        "slot": [{"reference": f"Slot/{slot.id}"}],
        "participant": [
            {
                "actor": {
                    "reference": f"Patient/{appointment.patient_id}",
                    "display": appointment.patient.name,
                },
                "required": "required",
                "status": attendance,
            },
            {
                "actor": {"reference": f"Practitioner/{doctor.id}", "display": doctor.name(locale)},
                "required": "required",
                "status": attendance,
            },
            {
                "actor": {"reference": f"Location/{hospital.id}", "display": hospital.name(locale)},
                "required": "information-only",
                "status": attendance,
            },
        ],
    }
    if not active:
        resource["cancelationReason"] = {
            "coding": [{"system": CANCELLATION_SYSTEM, "code": "pat", "display": "Patient"}],
            "text": translate(f"appointment.status.{appointment.status}", locale),
        }
    return resource


# --- search parameters -----------------------------------------------------------------------
def _values(name: str) -> list[str]:
    """Every comma-separated value of a repeatable parameter."""
    return [v.strip() for raw in request.args.getlist(name) for v in raw.split(",") if v.strip()]


def _ids(name: str, prefix: str = "", system: str | None = None) -> list[int]:
    """Ids in a reference (``prefix`` + id) or token (``[system|]id``) parameter."""
    ids = []
    for value in _values(name):
        if system is not None and "|" in value:
            given, _, value = value.partition("|")
            if given and given != system:
                raise SearchError(f"{name}: unknown system {given}")
        value = value.removeprefix(prefix)
        if (
            not value.isascii()
            or not value.isdigit()
            or len(value) > 10
            or not 1 <= int(value) <= MAX_RECORD_ID
        ):
            raise SearchError(f"{name}: {value!r} is not an id")
        ids.append(int(value))
    return ids


def _date_range(value: str) -> tuple[datetime, datetime]:
    """The instants [low, high) a FHIR date or dateTime value stands for."""
    try:
        if len(value) == 10:
            low = datetime.combine(date.fromisoformat(value), time(), HOSPITAL_ZONE)
            return low, low + timedelta(days=1)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=HOSPITAL_ZONE)
        return moment, moment + timedelta(seconds=1)
    except (ValueError, OverflowError):  # not a date, or at the very end of the calendar
        raise SearchError(f"start: {value!r} is not a date or dateTime") from None


def _start_condition(parameter: str):
    prefix, value = (
        (parameter[:2], parameter[2:]) if parameter[:2] in _PREFIXES else ("eq", parameter)
    )
    low, high = _date_range(value)
    column = Slot.starts_at
    return {
        "eq": (column >= low) & (column < high),
        "ne": (column < low) | (column >= high),
        "ge": column >= low,
        "gt": column >= high,
        "le": column < high,
        "lt": column < low,
    }[prefix]


def _count(name: str, default: int, maximum: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    if not value.isascii() or not value.isdigit():
        raise SearchError(f"{name}: {value!r} is not a number")
    return maximum if len(value) > len(str(maximum)) else min(int(value), maximum)


# --- routes ----------------------------------------------------------------------------------
_SEARCH_DOC = {
    "parameters": [
        {
            "in": "query",
            "name": "schedule",
            "schema": {"type": "string"},
            "description": "Schedule/{doctor id}, comma-separated for several",
        },
        {
            "in": "query",
            "name": "service-type",
            "schema": {"type": "string"},
            "description": f"department id, optionally {DEPARTMENT_SYSTEM}|id",
        },
        {
            "in": "query",
            "name": "start",
            "schema": {"type": "array", "items": {"type": "string"}},
            "explode": True,
            "description": "prefix eq|ne|ge|gt|le|lt and a date or dateTime",
        },
        {
            "in": "query",
            "name": "status",
            "schema": {"type": "string"},
            "description": f"{', '.join(SLOT_STATUSES)}; comma-separated for several",
        },
        {
            "in": "query",
            "name": "_count",
            "schema": {"type": "integer", "minimum": 0},
            "description": f"page size; at most {MAX_COUNT} are returned, as FHIR allows",
        },
        {"in": "query", "name": "_offset", "schema": {"type": "integer", "minimum": 0}},
    ]
}


def _fhir_doc(resource: str, description: str) -> dict:
    content = {FHIR_JSON: {"schema": {"type": "object", "description": f"FHIR R4 {resource}"}}}
    outcome = {FHIR_JSON: {"schema": {"type": "object", "description": "OperationOutcome"}}}
    return {
        "responses": {
            "200": {"description": description, "content": content},
            "400": {"description": "invalid parameter", "content": outcome},
            "401": {"description": "no valid token (Appointment)", "content": outcome},
            "404": {"description": "not found", "content": outcome},
        }
    }


@bp.get("/Slot")
@bp.doc(**_SEARCH_DOC, **_fhir_doc("Bundle", "searchset Bundle of Slot resources"))
@fhir_view
def search_slots():
    """Search slots (FHIR R4 searchset Bundle), by start time."""
    moment, rules, locale = now(), booking_rules(), current_locale()
    statement = select(Slot).join(Slot.doctor)
    if doctors := _ids("schedule", prefix="Schedule/"):
        statement = statement.where(Slot.doctor_id.in_(doctors))
    if departments := _ids("service-type", system=DEPARTMENT_SYSTEM):
        statement = statement.where(Doctor.department_id.in_(departments))
    for parameter in _values("start"):
        statement = statement.where(_start_condition(parameter))
    statuses = set(_values("status"))
    if unknown := statuses - set(SLOT_STATUSES):
        raise SearchError(f"status: {sorted(unknown)} not in {list(SLOT_STATUSES)}")
    count, offset = _count("_count", DEFAULT_COUNT, MAX_COUNT), _count("_offset", 0, 10**9)
    statement = statement.options(
        joinedload(Slot.doctor).joinedload(Doctor.department).joinedload(Department.hospital)
    )
    ordered = statement.order_by(Slot.starts_at, Slot.id)
    if statuses:  # derived from the clock and the rules: filtered here, not in SQL
        matching = [
            s
            for s in db.session.scalars(ordered).unique()
            if slot_status(s, moment, rules) in statuses
        ]
        total, page = len(matching), matching[offset : offset + count]
    else:
        total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
        page = list(db.session.scalars(ordered.offset(offset).limit(count)).unique())
    return fhir_response(_bundle(page, total, count, offset, locale, moment, rules))


def _bundle(
    page: list[Slot],
    total: int,
    count: int,
    offset: int,
    locale: str,
    moment: datetime,
    rules: BookingRules,
) -> dict:
    base = _base()
    query = [(k, v) for k, v in request.args.items(multi=True) if k not in {"_offset"}]
    links = [{"relation": "self", "url": request.url}]
    if offset + count < total:
        links.append(
            {
                "relation": "next",
                "url": f"{base}/Slot?" + urlencode(query + [("_offset", offset + count)]),
            }
        )
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [
            {
                "fullUrl": f"{base}/Slot/{s.id}",
                "resource": slot_resource(s, locale, moment, rules),
                "search": {"mode": "match"},
            }
            for s in page
        ],
    }


@bp.get("/Slot/<slot_id>")
@bp.doc(**_fhir_doc("Slot", "one Slot"))
@fhir_view
def read_slot(slot_id: str):
    """One slot as a FHIR R4 Slot."""
    slot = db.session.get(Slot, _resource_id(slot_id))
    if slot is None:
        raise ApiError("not_found")
    return fhir_response(slot_resource(slot, current_locale(), now(), booking_rules()))


@bp.get("/Schedule/<doctor_id>")
@bp.doc(**_fhir_doc("Schedule", "one doctor's Schedule"))
@fhir_view
def read_schedule(doctor_id: str):
    """A doctor's clinic schedule as a FHIR R4 Schedule."""
    doctor = db.session.get(Doctor, _resource_id(doctor_id))
    if doctor is None:
        raise ApiError("not_found")
    return fhir_response(schedule_resource(doctor, current_locale()))


@bp.get("/Appointment/<appointment_id>")
@bp.doc(**_fhir_doc("Appointment", "one of the calling citizen's appointments"))
@fhir_view
def read_appointment(appointment_id: str):
    """One of the calling citizen's appointments as a FHIR R4 Appointment (others: 404)."""
    citizen = current_citizen()
    try:
        appointment = citizens_appointment(citizen.id, _resource_id(appointment_id))
    except ApiError:
        raise ApiError("not_found") from None
    return fhir_response(appointment_resource(appointment, current_locale()))
