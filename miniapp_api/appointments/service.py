"""Patients and appointments: register, book, cancel, reschedule, read.

Concurrency. Every change is one short transaction that first takes its locks, then re-checks the
citizen's rules, then writes:

- a unit of a slot is taken by one conditional ``UPDATE slot SET remaining = remaining - 1,
  issued = issued + 1 WHERE id = :id AND remaining > 0 RETURNING issued``; the returned count
  is the queue number, so capacity and numbering cannot race (and ``(slot_id, queue_number)``
  is unique as the backstop);
- an appointment changes state only through ``UPDATE ... WHERE status = 'booked'``, so of a
  cancel and a reschedule racing on one appointment exactly one applies;
- the per-citizen rules are re-counted after the citizen is locked: an ``UPDATE`` of their
  row (raising their ``records_version``, which also tells cached answers about their records
  that they are out of date) locks it on PostgreSQL as ``SELECT ... FOR UPDATE`` would; on
  SQLite that first write of the transaction holds the database's write lock, so every check
  that follows it sees a state no one else can change.

Locks are taken in one order (citizen, appointment, slots by id), so transactions do not
deadlock; a busy database or a deadlock the server reports anyway is retried a few times.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import TypeVar

from flask import current_app
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import contains_eager

from ..citizens.models import Citizen
from ..db import db, utcnow
from ..errors import ApiError
from ..identity import is_mainland_mobile, normalize_id_card
from ..privacy import mask_id_card, mask_phone
from ..response_cache import invalidate
from . import protection
from .models import BOOKED, CANCELLED, RESCHEDULED, Appointment, Department, Doctor, Patient, Slot
from .queries import get_slot
from .rules import (
    BookingRules,
    RuleBroken,
    check_bookable_time,
    check_cancellable,
    check_citizen_day,
    local_date,
)

T = TypeVar("T")
ATTEMPTS = 5
_PHONE_NOISE = re.compile(r"[\s\-()]+")
_COUNTRY_CODE = re.compile(r"^(?:\+|00)?86(?=1\d{10}$)")
_TRANSIENT_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected
# Slot searches are public (which units are left) and cached for this long: another process's
# booking shows within it; the booking itself always checks the slot in the database.
SLOT_ANSWERS = "slots"
SLOT_ANSWER_SECONDS = 2
# A citizen's appointment list is served again until their records change (any process: their
# records version) or for this long (slots' remaining units, names, a clinic session ending).
MY_APPOINTMENTS_ANSWER_SECONDS = 10


# --- time and rules --------------------------------------------------------------------------
def now() -> datetime:
    """The rules' clock: ``APPOINTMENT_CLOCK`` when configured (tests), else the real time."""
    clock = current_app.config.get("APPOINTMENT_CLOCK")
    return clock() if clock else utcnow()


def booking_rules() -> BookingRules:
    return BookingRules.from_config(current_app.config)


def refusal(broken: RuleBroken) -> ApiError:
    return ApiError(broken.kind, data=broken.data or None, **broken.data)


def _check(rule: Callable[[], None]) -> None:
    try:
        rule()
    except RuleBroken as broken:
        raise refusal(broken) from None


# --- patients --------------------------------------------------------------------------------
def normalize_phone(text: str) -> str | None:
    """A mainland mobile number without spaces, hyphens or +86, or None if it is not one."""
    candidate = _COUNTRY_CODE.sub("", _PHONE_NOISE.sub("", text or ""))
    return candidate if is_mainland_mobile(candidate) else None


def _context(citizen_id: int, field: str) -> str:
    return f"patient:{citizen_id}:{field}"


def citizens_patients(citizen_id: int) -> list[Patient]:
    return list(
        db.session.scalars(
            select(Patient).where(Patient.citizen_id == citizen_id).order_by(Patient.id)
        )
    )


def citizens_patient(citizen_id: int, patient_id: int) -> Patient:
    """One of the citizen's patients; another citizen's is as unknown as a made-up id."""
    patient = db.session.get(Patient, patient_id)
    if patient is None or patient.citizen_id != citizen_id:
        raise ApiError("unknown_patient", data={"patient_id": patient_id})
    return patient


def _same_person(citizen_id: int, id_digest: str) -> Patient | None:
    return db.session.scalars(
        select(Patient).where(Patient.citizen_id == citizen_id, Patient.id_card_digest == id_digest)
    ).first()


def add_patient(citizen_id: int, name: str, id_card: str, phone: str) -> tuple[Patient, bool]:
    """The citizen's patient with this ID-card number, registered now unless already there
    (then its phone is updated). Returns the patient and whether it was created."""
    name = " ".join((name or "").split())
    if not name:
        raise ApiError("validation_failed", data={"errors": {"json": {"name": ["empty"]}}})
    card = normalize_id_card(id_card, today=local_date(now()))
    if card is None:
        raise ApiError("invalid_id_card")
    mobile = normalize_phone(phone)
    if mobile is None:
        raise ApiError("invalid_phone")
    id_digest = protection.digest(card, "id_card")
    if existing := _same_person(citizen_id, id_digest):
        _set_phone(existing, mobile)
        records_changed(citizen_id)
        db.session.commit()
        return existing, False
    held = db.session.scalar(
        select(func.count()).select_from(Patient).where(Patient.citizen_id == citizen_id)
    )
    limit = current_app.config["MAX_PATIENTS_PER_CITIZEN"]
    if held >= limit:
        raise ApiError("patient_limit_reached", data={"limit": limit}, limit=limit)
    patient = Patient(
        citizen_id=citizen_id,
        name=name,
        id_card_digest=id_digest,
        id_card_sealed=protection.seal(card, _context(citizen_id, "id_card")),
        id_card_masked=mask_id_card(card),
    )
    _set_phone(patient, mobile)
    db.session.add(patient)
    records_changed(citizen_id)
    try:
        db.session.commit()
        return patient, True
    except IntegrityError:  # the same person registered by a concurrent request
        db.session.rollback()
        existing = _same_person(citizen_id, id_digest)
        if existing is None:
            raise
        return existing, False


def _set_phone(patient: Patient, mobile: str) -> None:
    patient.phone_sealed = protection.seal(mobile, _context(patient.citizen_id, "phone"))
    patient.phone_masked = mask_phone(mobile)


def patient_numbers(patient: Patient) -> tuple[str, str]:
    """The patient's ID-card and phone numbers in clear, for the hospital's systems only."""
    return (
        protection.unseal(patient.id_card_sealed, _context(patient.citizen_id, "id_card")),
        protection.unseal(patient.phone_sealed, _context(patient.citizen_id, "phone")),
    )


# --- reading appointments --------------------------------------------------------------------
def citizens_appointment(citizen_id: int, appointment_id: int) -> Appointment:
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or appointment.citizen_id != citizen_id:
        raise ApiError("unknown_appointment", data={"appointment_id": appointment_id})
    return appointment


def citizens_appointments(citizen_id: int, status: str = "active") -> list[Appointment]:
    """``active``: booked and not yet over; ``all``: every appointment. By start time."""
    values = {"citizen_id": citizen_id, "now": now()}
    return list(db.session.scalars(_appointments_statement(status == "active"), values))


@lru_cache(maxsize=None)
def _appointments_statement(active: bool):
    """Everything the presenter reads, in one query (not one per appointment and relation),
    filled from the joins the query makes anyway (half the work of ``joinedload``'s own);
    built once, so SQLAlchemy neither rebuilds it nor recomputes its cache key per request."""
    statement = (
        select(Appointment)
        .join(Appointment.slot)
        .join(Slot.doctor)
        .join(Doctor.department)
        .join(Department.hospital)
        .join(Appointment.patient)
        .options(
            contains_eager(Appointment.slot)
            .contains_eager(Slot.doctor)
            .contains_eager(Doctor.department)
            .contains_eager(Department.hospital),
            contains_eager(Appointment.patient),
        )
        .where(Appointment.citizen_id == bindparam("citizen_id"))
        .order_by(Slot.starts_at, Appointment.id)
    )
    if active:
        statement = statement.where(Appointment.status == BOOKED, Slot.ends_at > bindparam("now"))
    return statement


# --- changes ---------------------------------------------------------------------------------
def _is_transient(error: OperationalError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate in _TRANSIENT_SQLSTATES or "database is locked" in str(error.orig)


def _in_transaction(work: Callable[[], T]) -> T:
    """Run ``work`` (which commits) as one transaction; roll back on any refusal, retry when
    the database was busy or broke a deadlock."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return work()
        except OperationalError as error:
            db.session.rollback()
            if attempt == ATTEMPTS or not _is_transient(error):
                raise
            time.sleep(random.uniform(0.01, 0.05) * attempt)
        except BaseException:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


def _lock_citizen(citizen_id: int) -> None:
    """Locks the citizen's row for this transaction by marking their records changed (an
    update locks the row as ``SELECT ... FOR UPDATE`` would; undone if the change is)."""
    records_changed(citizen_id)


def records_changed(citizen_id: int) -> None:
    """Raises the citizen's ``records_version`` in the current transaction: answers made from
    the previous version (``response_cache.cached_own``) are no longer served, in any process."""
    db.session.execute(
        update(Citizen)
        .where(Citizen.id == citizen_id)
        .values(records_version=Citizen.records_version + 1)
    )


def _take_unit(slot_id: int) -> int | None:
    """Take one unit of the slot if one is left; the queue number it carries, or None."""
    statement = (
        update(Slot)
        .where(Slot.id == slot_id, Slot.remaining > 0)
        .values(remaining=Slot.remaining - 1, issued=Slot.issued + 1)
        .returning(Slot.issued)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(statement).scalar_one_or_none()


def _give_back_unit(slot_id: int) -> None:
    db.session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.remaining < Slot.capacity)
        .values(remaining=Slot.remaining + 1)
        .execution_options(synchronize_session=False)
    )


def _close(appointment_id: int, status: str, moment: datetime) -> bool:
    """booked -> ``status``; False if the appointment was no longer booked."""
    result = db.session.execute(
        update(Appointment)
        .where(Appointment.id == appointment_id, Appointment.status == BOOKED)
        .values(status=status, cancelled_at=moment)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _check_citizen_day(
    citizen_id: int, slot: Slot, rules: BookingRules, moving: int | None = None
) -> None:
    statement = select(Appointment.doctor_id).where(
        Appointment.citizen_id == citizen_id,
        Appointment.visit_date == slot.date,
        Appointment.status == BOOKED,
    )
    if moving is not None:
        statement = statement.where(Appointment.id != moving)
    held = list(db.session.scalars(statement))
    _check(lambda: check_citizen_day(slot.doctor_id, held, rules))


def _check_slot(
    citizen_id: int, slot: Slot, moment: datetime, rules: BookingRules, moving: int | None = None
) -> None:
    """Every rule for one more appointment in ``slot``, read without locks (fast refusals)."""
    _check(lambda: check_bookable_time(slot.date, slot.starts_at, moment, rules))
    _check_citizen_day(citizen_id, slot, rules, moving)
    if slot.remaining <= 0:
        raise ApiError("slot_full", data={"slot_id": slot.id})


def _new_appointment(
    citizen_id: int,
    patient_id: int,
    slot: Slot,
    queue_number: int,
    moment: datetime,
    moved_from: int | None = None,
) -> Appointment:
    appointment = Appointment(
        citizen_id=citizen_id,
        patient_id=patient_id,
        slot_id=slot.id,
        doctor_id=slot.doctor_id,
        visit_date=slot.date,
        status=BOOKED,
        queue_number=queue_number,
        created_at=moment,
        rescheduled_from_id=moved_from,
    )
    db.session.add(appointment)
    db.session.flush()
    return appointment


def _commit() -> None:
    try:
        db.session.commit()
    except IntegrityError:  # a unique key the locks should have made impossible
        db.session.rollback()
        raise ApiError("conflict") from None
    invalidate(SLOT_ANSWERS)  # this process's cached slot searches show the change at once


def book(citizen_id: int, slot_id: int, patient_id: int) -> Appointment:
    """Take a unit of the slot for one of the citizen's patients, or refuse with the rule."""
    citizens_patient(citizen_id, patient_id)

    def attempt() -> Appointment:
        slot, moment, rules = get_slot(slot_id), now(), booking_rules()
        _check_slot(citizen_id, slot, moment, rules)
        _lock_citizen(citizen_id)
        queue_number = _take_unit(slot.id)
        if queue_number is None:
            raise ApiError("slot_full", data={"slot_id": slot.id})
        _check_citizen_day(citizen_id, slot, rules)  # authoritative: under the locks
        appointment = _new_appointment(citizen_id, patient_id, slot, queue_number, moment)
        _commit()
        return appointment

    return _in_transaction(attempt)


def cancel(citizen_id: int, appointment_id: int) -> Appointment:
    def attempt() -> Appointment:
        appointment = citizens_appointment(citizen_id, appointment_id)
        moment, rules = now(), booking_rules()
        _check(
            lambda: check_cancellable(appointment.status, appointment.slot.starts_at, moment, rules)
        )
        _lock_citizen(citizen_id)
        if not _close(appointment.id, CANCELLED, moment):
            raise ApiError("appointment_not_active", data={"appointment_id": appointment.id})
        _give_back_unit(appointment.slot_id)
        _commit()
        return appointment

    return _in_transaction(attempt)


def reschedule(citizen_id: int, appointment_id: int, slot_id: int) -> Appointment:
    """Move an appointment to another slot in one swap: afterwards the citizen holds either the
    old appointment (refused) or the new one (done), never both and never neither."""

    def attempt() -> Appointment:
        appointment = citizens_appointment(citizen_id, appointment_id)
        target, moment, rules = get_slot(slot_id), now(), booking_rules()
        if target.id == appointment.slot_id:
            raise ApiError("reschedule_same_slot", data={"slot_id": target.id})
        _check(
            lambda: check_cancellable(appointment.status, appointment.slot.starts_at, moment, rules)
        )
        _check_slot(citizen_id, target, moment, rules, moving=appointment.id)
        _lock_citizen(citizen_id)
        if not _close(appointment.id, RESCHEDULED, moment):
            raise ApiError("appointment_not_active", data={"appointment_id": appointment.id})
        _check_citizen_day(citizen_id, target, rules, moving=appointment.id)
        queue_number = None
        for locked in sorted((appointment.slot_id, target.id)):  # one lock order for slots
            if locked == target.id:
                queue_number = _take_unit(target.id)
                if queue_number is None:
                    raise ApiError("slot_full", data={"slot_id": target.id})
            else:
                _give_back_unit(appointment.slot_id)
        moved = _new_appointment(
            citizen_id,
            appointment.patient_id,
            target,
            queue_number,
            moment,
            moved_from=appointment.id,
        )
        db.session.execute(
            update(Appointment)
            .where(Appointment.id == appointment.id)
            .values(rescheduled_to_id=moved.id)
            .execution_options(synchronize_session=False)
        )
        _commit()
        return moved

    return _in_transaction(attempt)
