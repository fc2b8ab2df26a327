"""Finding hospitals, departments, doctors and slots (read-only queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import fuzzy
from ..city.models import District
from ..db import db
from ..errors import ApiError
from .models import Department, Doctor, Hospital, Slot
from .rules import BookingRules, booking_window, is_bookable_time

MAX_SLOT_DAYS = 31  # the longest date range one slot query may span
# Searches of the directory (hospitals, departments, doctors) are public and the directory
# changes on an administrator's time scale: an answer is served again for this long.
CATALOG_ANSWERS = "catalog"
CATALOG_ANSWER_SECONDS = 60


def _ranked(query: str | None, items: list, limit: int) -> list[tuple[float | None, object]]:
    if not query or not fuzzy.normalize(query):
        return [(None, item) for item in items[:limit]]
    return fuzzy.rank(query, items, lambda item: item.search_terms, tie_break=lambda item: item.id)[
        :limit
    ]


# --- hospitals -------------------------------------------------------------------------------
def district_codes(text: str) -> list[str]:
    """Districts named by ``text``: their code, or a name in either language, whole or in part."""
    wanted = fuzzy.normalize(text)
    if not wanted:
        return []
    codes = []
    for district in db.session.scalars(select(District)):
        names = [fuzzy.normalize(n) for n in (district.code, district.name_zh, district.name_en)]
        if any(wanted == n or (len(wanted) >= 2 and wanted in n) for n in names):
            codes.append(district.code)
    return codes


def search_hospitals(
    query: str | None, district: str | None, limit: int
) -> list[tuple[float | None, Hospital]]:
    statement = select(Hospital).options(joinedload(Hospital.district)).order_by(Hospital.id)
    if district:
        statement = statement.where(Hospital.district_code.in_(district_codes(district)))
    return _ranked(query, list(db.session.scalars(statement)), limit)


def get_hospital(hospital_id: int) -> Hospital:
    hospital = db.session.get(Hospital, hospital_id)
    if hospital is None:
        raise ApiError("unknown_hospital", data={"hospital_id": hospital_id})
    return hospital


# --- departments -----------------------------------------------------------------------------
def search_departments(
    query: str | None, hospital_id: int | None, limit: int
) -> list[tuple[float | None, Department]]:
    statement = (
        select(Department)
        .options(joinedload(Department.hospital))
        .order_by(Department.hospital_id, Department.id)
    )
    if hospital_id is not None:
        statement = statement.where(Department.hospital_id == get_hospital(hospital_id).id)
    return _ranked(query, list(db.session.scalars(statement)), limit)


def get_department(department_id: int) -> Department:
    department = db.session.get(Department, department_id)
    if department is None:
        raise ApiError("unknown_department", data={"department_id": department_id})
    return department


# --- doctors ---------------------------------------------------------------------------------
def search_doctors(
    query: str | None, hospital_id: int | None, department_id: int | None, limit: int
) -> list[tuple[float | None, Doctor]]:
    statement = (
        select(Doctor)
        .join(Doctor.department)
        .options(joinedload(Doctor.department).joinedload(Department.hospital))
        .order_by(Doctor.department_id, Doctor.id)
    )
    if hospital_id is not None:
        statement = statement.where(Department.hospital_id == get_hospital(hospital_id).id)
    if department_id is not None:
        statement = statement.where(Doctor.department_id == get_department(department_id).id)
    return _ranked(query, list(db.session.scalars(statement)), limit)


def get_doctor(doctor_id: int) -> Doctor:
    doctor = db.session.get(Doctor, doctor_id)
    if doctor is None:
        raise ApiError("unknown_doctor", data={"doctor_id": doctor_id})
    return doctor


# --- slots -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SlotFilter:
    hospital_id: int | None = None
    department_id: int | None = None
    doctor_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    period: str | None = None
    available: bool | None = None
    limit: int = 200


def slot_dates(
    date_from: date | None, date_to: date | None, now: datetime, rules: BookingRules
) -> tuple[date, date]:
    """The date range of a slot query: the bookable window unless given; checked."""
    first, last = booking_window(now, rules)
    start = date_from or (first if date_to is None or date_to >= first else date_to)
    end = date_to or max(last, start)
    if end < start or end - start > timedelta(days=MAX_SLOT_DAYS):
        raise ApiError(
            "invalid_date_range",
            data={
                "date_from": start.isoformat(),
                "date_to": end.isoformat(),
                "max_days": MAX_SLOT_DAYS,
            },
            max_days=MAX_SLOT_DAYS,
        )
    return start, end


def find_slots(wanted: SlotFilter, now: datetime, rules: BookingRules) -> list[Slot]:
    """Slots of a department or a doctor, by start time; with ``available``, only those
    bookable now with a unit left."""
    if wanted.department_id is None and wanted.doctor_id is None:
        raise ApiError("missing_slot_filter")
    start, end = slot_dates(wanted.date_from, wanted.date_to, now, rules)
    statement = (
        select(Slot)
        .join(Slot.doctor)
        .join(Doctor.department)
        .options(
            joinedload(Slot.doctor).joinedload(Doctor.department).joinedload(Department.hospital)
        )
        .where(Slot.date >= start, Slot.date <= end)
        .order_by(Slot.starts_at, Slot.doctor_id, Slot.id)
    )
    if wanted.hospital_id is not None:
        statement = statement.where(Department.hospital_id == get_hospital(wanted.hospital_id).id)
    if wanted.department_id is not None:
        statement = statement.where(Doctor.department_id == get_department(wanted.department_id).id)
    if wanted.doctor_id is not None:
        statement = statement.where(Slot.doctor_id == get_doctor(wanted.doctor_id).id)
    if wanted.period:
        statement = statement.where(Slot.period == wanted.period)
    if wanted.available:
        first, last = booking_window(now, rules)
        statement = statement.where(
            Slot.remaining > 0, Slot.starts_at > now, Slot.date >= first, Slot.date <= last
        )
    return list(db.session.scalars(statement.limit(wanted.limit)).unique())


def is_slot_bookable(slot: Slot, now: datetime, rules: BookingRules) -> bool:
    return slot.remaining > 0 and is_bookable_time(slot.date, slot.starts_at, now, rules)


def get_slot(slot_id: int) -> Slot:
    slot = db.session.get(Slot, slot_id)
    if slot is None:
        raise ApiError("unknown_slot", data={"slot_id": slot_id})
    return slot
