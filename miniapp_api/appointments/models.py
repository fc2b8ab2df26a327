"""Hospitals, departments, doctors, their slots, the citizens' patients and appointments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..city.models import District
from ..db import UTCDateTime, db, utcnow

PERIODS = ("morning", "afternoon", "evening")
# Chief, associate chief and attending physician (the three clinical titles of the register).
TITLES = ("chief", "associate_chief", "attending")
# Hospital grades: level 3 class A, level 3 class B, level 2 class A.
LEVELS = ("3a", "3b", "2a")
BOOKED, CANCELLED, RESCHEDULED = "booked", "cancelled", "rescheduled"
STATUSES = (BOOKED, CANCELLED, RESCHEDULED)


def _is_zh(locale: str) -> bool:
    return locale.startswith("zh")


class Hospital(db.Model):
    __tablename__ = "hospital"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    short_names_zh: Mapped[list[str]] = mapped_column(JSON)
    short_names_en: Mapped[list[str]] = mapped_column(JSON)
    level: Mapped[str] = mapped_column(String(8))  # a code of LEVELS
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"), index=True)
    address_zh: Mapped[str] = mapped_column(String(256))
    address_en: Mapped[str] = mapped_column(String(256))
    phone: Mapped[str] = mapped_column(String(32))  # the hospital's public switchboard

    district: Mapped[District] = relationship()

    def name(self, locale: str) -> str:
        return self.name_zh if _is_zh(locale) else self.name_en

    def short_names(self, locale: str) -> list[str]:
        return list(self.short_names_zh if _is_zh(locale) else self.short_names_en)

    def address(self, locale: str) -> str:
        return self.address_zh if _is_zh(locale) else self.address_en

    @property
    def search_terms(self) -> list[str]:
        return [self.name_zh, self.name_en, *self.short_names_zh, *self.short_names_en]


class Department(db.Model):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospital.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    aliases_zh: Mapped[list[str]] = mapped_column(JSON)
    aliases_en: Mapped[list[str]] = mapped_column(JSON)

    hospital: Mapped[Hospital] = relationship()

    def name(self, locale: str) -> str:
        return self.name_zh if _is_zh(locale) else self.name_en

    def aliases(self, locale: str) -> list[str]:
        return list(self.aliases_zh if _is_zh(locale) else self.aliases_en)

    @property
    def search_terms(self) -> list[str]:
        return [self.name_zh, self.name_en, *self.aliases_zh, *self.aliases_en]


class Doctor(db.Model):
    __tablename__ = "doctor"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(24))  # a code of TITLES
    specialties_zh: Mapped[list[str]] = mapped_column(JSON)
    specialties_en: Mapped[list[str]] = mapped_column(JSON)
    fee_cents: Mapped[int] = mapped_column(Integer)  # registration fee, CNY fen

    department: Mapped[Department] = relationship()

    def name(self, locale: str) -> str:
        return self.name_zh if _is_zh(locale) else self.name_en

    def specialties(self, locale: str) -> list[str]:
        return list(self.specialties_zh if _is_zh(locale) else self.specialties_en)

    @property
    def search_terms(self) -> list[str]:
        return [self.name_zh, self.name_en, *self.specialties_zh, *self.specialties_en]


class Slot(db.Model):
    """A doctor's clinic in one period of one day, with a number of units to book.

    ``remaining`` is taken and given back only by conditional updates (see ``service``);
    ``issued`` counts the queue numbers handed out, so a number is never given twice.
    """

    __tablename__ = "slot"
    __table_args__ = (
        UniqueConstraint("doctor_id", "date", "period"),
        CheckConstraint("remaining >= 0", name="remaining_not_negative"),
        CheckConstraint("remaining <= capacity", name="remaining_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctor.id"), index=True)
    date: Mapped[date] = mapped_column(
        Date, index=True
    )  # local date (the city's zone, CITIZEN_TIMEZONE)
    period: Mapped[str] = mapped_column(String(16))  # a code of PERIODS
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    remaining: Mapped[int] = mapped_column(Integer)
    issued: Mapped[int] = mapped_column(Integer, default=0)

    doctor: Mapped[Doctor] = relationship()


class Patient(db.Model):
    """A person a citizen books for (themselves or family). Numbers are never stored in clear:
    sealed (AES-GCM), a keyed digest for equality, and a masked copy for display."""

    __tablename__ = "patient"
    __table_args__ = (UniqueConstraint("citizen_id", "id_card_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizen.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    id_card_sealed: Mapped[str] = mapped_column(Text)
    id_card_digest: Mapped[str] = mapped_column(String(64))
    id_card_masked: Mapped[str] = mapped_column(String(18))
    phone_sealed: Mapped[str] = mapped_column(Text)
    phone_masked: Mapped[str] = mapped_column(String(11))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Appointment(db.Model):
    """One booking of one unit of a slot. ``doctor_id`` and ``visit_date`` repeat the slot's,
    so the per-day rules count with one indexed query."""

    __tablename__ = "appointment"
    __table_args__ = (
        UniqueConstraint("slot_id", "queue_number"),
        Index("ix_appointment_citizen_day", "citizen_id", "visit_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizen.id", ondelete="CASCADE"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id"), index=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctor.id"))
    visit_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=BOOKED)
    queue_number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A reschedule closes this appointment and opens another: the two point at each other.
    rescheduled_from_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"))
    rescheduled_to_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"))

    patient: Mapped[Patient] = relationship()
    slot: Mapped[Slot] = relationship()
