"""Hospitals, doctors, slots, patients and appointments as the API shows them.

Names are in the request's locale; ID-card and phone numbers only ever in their masked copies.
"""

from __future__ import annotations

from datetime import datetime

from babel.numbers import format_currency

from ..i18n import babel_locale, translate
from .models import (
    LEVELS,
    PERIODS,
    STATUSES,
    TITLES,
    Appointment,
    Department,
    Doctor,
    Hospital,
    Patient,
    Slot,
)
from .queries import is_slot_bookable
from .rules import BookingRules, cancel_deadline


def message_ids() -> list[str]:
    """Message ids built from codes (levels, titles, periods, statuses) and the FHIR view's."""
    return (
        [f"hospital.level.{code}" for code in LEVELS]
        + [f"doctor.title.{code}" for code in TITLES]
        + [f"slot.period.{code}" for code in PERIODS]
        + [f"appointment.status.{code}" for code in STATUSES]
        + ["fhir.slot.comment"]
    )


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def fee_yuan(doctor: Doctor) -> float:
    return doctor.fee_cents / 100


def present_hospital(hospital: Hospital, locale: str, score: float | None = None) -> dict:
    return {
        "id": hospital.id,
        "code": hospital.code,
        "name": hospital.name(locale),
        "short_names": hospital.short_names(locale),
        "level": translate(f"hospital.level.{hospital.level}", locale),
        "level_code": hospital.level,
        "district": {"code": hospital.district_code, "name": hospital.district.name(locale)},
        "address": hospital.address(locale),
        "phone": hospital.phone,
        "score": _score(score),
    }


def _hospital_ref(hospital: Hospital, locale: str) -> dict:
    return {"id": hospital.id, "name": hospital.name(locale)}


def present_department(department: Department, locale: str, score: float | None = None) -> dict:
    return {
        "id": department.id,
        "code": department.code,
        "name": department.name(locale),
        "aliases": department.aliases(locale),
        "hospital": _hospital_ref(department.hospital, locale),
        "score": _score(score),
    }


def present_doctor(doctor: Doctor, locale: str, score: float | None = None) -> dict:
    department = doctor.department
    return {
        "id": doctor.id,
        "name": doctor.name(locale),
        "title": translate(f"doctor.title.{doctor.title}", locale),
        "title_code": doctor.title,
        "specialties": doctor.specialties(locale),
        "fee": fee_yuan(doctor),
        "fee_text": format_currency(fee_yuan(doctor), "CNY", locale=babel_locale(locale)),
        "department": {"id": department.id, "name": department.name(locale)},
        "hospital": _hospital_ref(department.hospital, locale),
        "score": _score(score),
    }


def present_slot(slot: Slot, locale: str, now: datetime, rules: BookingRules) -> dict:
    doctor = slot.doctor
    department = doctor.department
    hospital = department.hospital
    return {
        "id": slot.id,
        "date": slot.date,
        "period": slot.period,
        "period_name": translate(f"slot.period.{slot.period}", locale),
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "capacity": slot.capacity,
        "remaining": slot.remaining,
        "bookable": is_slot_bookable(slot, now, rules),
        "doctor": {
            "id": doctor.id,
            "name": doctor.name(locale),
            "title": translate(f"doctor.title.{doctor.title}", locale),
            "title_code": doctor.title,
            "fee": fee_yuan(doctor),
        },
        "department": {"id": department.id, "name": department.name(locale)},
        "hospital": {
            "id": hospital.id,
            "name": hospital.name(locale),
            "address": hospital.address(locale),
            "phone": hospital.phone,
        },
    }


def present_patient(patient: Patient) -> dict:
    return {
        "id": patient.id,
        "name": patient.name,
        "id_card": patient.id_card_masked,
        "phone": patient.phone_masked,
    }


def present_appointment(
    appointment: Appointment, locale: str, now: datetime, rules: BookingRules
) -> dict:
    slot = appointment.slot
    return {
        "id": appointment.id,
        "status": appointment.status,
        "status_name": translate(f"appointment.status.{appointment.status}", locale),
        "queue_number": appointment.queue_number,
        "patient": present_patient(appointment.patient),
        "slot": present_slot(slot, locale, now, rules),
        "created_at": appointment.created_at,
        "cancelled_at": appointment.cancelled_at,
        "cancel_deadline": cancel_deadline(slot.starts_at, rules),
        "rescheduled_from_id": appointment.rescheduled_from_id,
        "rescheduled_to_id": appointment.rescheduled_to_id,
    }
