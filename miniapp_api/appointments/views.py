"""The hospital and appointment endpoints.

Hospitals, departments, doctors and slots are public. Patients and appointments belong to the
calling citizen (a session token, or the bot's token with ``X-Citizen-Identity``); another
citizen's are answered exactly like ids that do not exist.
"""

from __future__ import annotations

from flask_smorest import Blueprint

from ..auth import current_citizen
from ..envelope import envelope_of, ok
from ..i18n import current_locale
from ..response_cache import cached_own, cached_public
from . import queries, service
from .presenter import (
    present_appointment,
    present_department,
    present_doctor,
    present_hospital,
    present_patient,
    present_slot,
)
from .queries import CATALOG_ANSWER_SECONDS, CATALOG_ANSWERS
from .schemas import (
    AppointmentQuerySchema,
    AppointmentSchema,
    BookSchema,
    DepartmentQuerySchema,
    DepartmentSchema,
    DoctorQuerySchema,
    DoctorSchema,
    HospitalQuerySchema,
    HospitalSchema,
    PatientCreateSchema,
    PatientSchema,
    RescheduleSchema,
    SlotQuerySchema,
    SlotSchema,
    items_of,
)
from .service import MY_APPOINTMENTS_ANSWER_SECONDS, SLOT_ANSWER_SECONDS, SLOT_ANSWERS

bp = Blueprint(
    "appointments",
    __name__,
    url_prefix="/api/v1",
    description="Hospitals, doctors, slots, patients and appointments",
)


def _items(items: list) -> dict:
    return ok({"items": items})


# --- public directory ------------------------------------------------------------------------
@bp.get("/hospitals")
@cached_public(CATALOG_ANSWERS, seconds=CATALOG_ANSWER_SECONDS)
@bp.arguments(HospitalQuerySchema, location="query")
@bp.response(200, envelope_of(items_of(HospitalSchema)))
def hospitals(query: dict):
    """Hospitals; ``q`` matches names, short names and English names (typos tolerated), best
    first; ``district`` is a district's code or name."""
    locale = current_locale()
    found = queries.search_hospitals(query.get("q"), query.get("district"), query["limit"])
    return _items([present_hospital(h, locale, score) for score, h in found])


@bp.get("/hospitals/<int:hospital_id>")
@bp.response(200, envelope_of(HospitalSchema))
def hospital(hospital_id: int):
    """One hospital."""
    return ok(present_hospital(queries.get_hospital(hospital_id), current_locale()))


@bp.get("/departments")
@cached_public(CATALOG_ANSWERS, seconds=CATALOG_ANSWER_SECONDS)
@bp.arguments(DepartmentQuerySchema, location="query")
@bp.response(200, envelope_of(items_of(DepartmentSchema)))
def departments(query: dict):
    """Departments; ``q`` matches names and aliases in Chinese and English (typos tolerated)."""
    locale = current_locale()
    found = queries.search_departments(query.get("q"), query.get("hospital_id"), query["limit"])
    return _items([present_department(d, locale, score) for score, d in found])


@bp.get("/departments/<int:department_id>")
@bp.response(200, envelope_of(DepartmentSchema))
def department(department_id: int):
    """One department."""
    return ok(present_department(queries.get_department(department_id), current_locale()))


@bp.get("/doctors")
@cached_public(CATALOG_ANSWERS, seconds=CATALOG_ANSWER_SECONDS)
@bp.arguments(DoctorQuerySchema, location="query")
@bp.response(200, envelope_of(items_of(DoctorSchema)))
def doctors(query: dict):
    """Doctors; ``q`` matches names and specialties in both languages."""
    locale = current_locale()
    found = queries.search_doctors(
        query.get("q"), query.get("hospital_id"), query.get("department_id"), query["limit"]
    )
    return _items([present_doctor(d, locale, score) for score, d in found])


@bp.get("/doctors/<int:doctor_id>")
@bp.response(200, envelope_of(DoctorSchema))
def doctor(doctor_id: int):
    """One doctor."""
    return ok(present_doctor(queries.get_doctor(doctor_id), current_locale()))


@bp.get("/slots")
@cached_public(SLOT_ANSWERS, seconds=SLOT_ANSWER_SECONDS)
@bp.arguments(SlotQuerySchema, location="query")
@bp.response(200, envelope_of(items_of(SlotSchema)))
def slots(query: dict):
    """Slots of a department or a doctor (one is required) by start time; dates default to
    the bookable window."""
    moment, rules, locale = service.now(), service.booking_rules(), current_locale()
    found = queries.find_slots(queries.SlotFilter(**query), moment, rules)
    return _items([present_slot(s, locale, moment, rules) for s in found])


@bp.get("/slots/<int:slot_id>")
@bp.response(200, envelope_of(SlotSchema))
def slot(slot_id: int):
    """One slot."""
    return ok(
        present_slot(
            queries.get_slot(slot_id), current_locale(), service.now(), service.booking_rules()
        )
    )


# --- the citizen's patients ------------------------------------------------------------------
@bp.get("/patients")
@bp.response(200, envelope_of(items_of(PatientSchema)))
def patients():
    """The calling citizen's patients (themselves and family), numbers masked."""
    return _items([present_patient(p) for p in service.citizens_patients(current_citizen().id)])


@bp.post("/patients")
@bp.arguments(PatientCreateSchema)
@bp.response(201, envelope_of(PatientSchema))
@bp.alt_response(
    200,
    schema=envelope_of(PatientSchema),
    description="the same person was already registered: that patient",
)
def add_patient(body: dict):
    """Register a patient: name, ID-card number (GB 11643 check digit) and mainland mobile."""
    patient, created = service.add_patient(
        current_citizen().id, body["name"], body["id_card"], body["phone"]
    )
    return ok(present_patient(patient)), 201 if created else 200


# --- the citizen's appointments --------------------------------------------------------------
def _appointment(appointment) -> dict:
    return ok(
        present_appointment(appointment, current_locale(), service.now(), service.booking_rules())
    )


@bp.post("/appointments")
@bp.arguments(BookSchema)
@bp.response(201, envelope_of(AppointmentSchema))
def book(body: dict):
    """Book a unit of a slot for one of the citizen's patients; each broken rule has its own
    errcode (slot full, outside the window, in the past, same doctor that day, daily limit)."""
    return _appointment(service.book(current_citizen().id, body["slot_id"], body["patient_id"]))


@bp.get("/appointments")
@cached_own("appointments", seconds=MY_APPOINTMENTS_ANSWER_SECONDS, clock=service.now)
@bp.arguments(AppointmentQuerySchema, location="query")
@bp.response(200, envelope_of(items_of(AppointmentSchema)))
def appointments(query: dict):
    """The calling citizen's appointments by start time (``status=all`` for the history)."""
    moment, rules, locale = service.now(), service.booking_rules(), current_locale()
    found = service.citizens_appointments(current_citizen().id, query["status"])
    return _items([present_appointment(a, locale, moment, rules) for a in found])


@bp.get("/appointments/<int:appointment_id>")
@bp.response(200, envelope_of(AppointmentSchema))
def appointment(appointment_id: int):
    """One of the calling citizen's appointments."""
    return _appointment(service.citizens_appointment(current_citizen().id, appointment_id))


@bp.post("/appointments/<int:appointment_id>/cancel")
@bp.response(200, envelope_of(AppointmentSchema))
def cancel(appointment_id: int):
    """Cancel a booked appointment until the cut-off before its start; the unit is freed."""
    return _appointment(service.cancel(current_citizen().id, appointment_id))


@bp.post("/appointments/<int:appointment_id>/reschedule")
@bp.arguments(RescheduleSchema)
@bp.response(200, envelope_of(AppointmentSchema))
def reschedule(body: dict, appointment_id: int):
    """Move an appointment to another slot in one swap; answers the new appointment (the old
    one becomes ``rescheduled``)."""
    return _appointment(service.reschedule(current_citizen().id, appointment_id, body["slot_id"]))
