"""A small clinic, a settable clock and valid identity numbers for the appointment tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import pytest

from miniapp_api.air.service import seed_places
from miniapp_api.appointments.models import Department, Doctor, Hospital, Slot
from miniapp_api.appointments.rules import HOSPITAL_ZONE
from miniapp_api.db import db
from miniapp_api.identity import id_card_check_char

# Tuesday 24 November 2026, 10:00 in Asia/Shanghai: bookable 25 Nov to 1 Dec.
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 24)
PERIOD_HOURS = {"morning": (8, 12), "afternoon": (14, 17), "evening": (18, 21)}


def id_card(n: int, born: str = "19900307") -> str:
    body = f"440106{born}{n:03d}"
    return body + id_card_check_char(body)


def phone(n: int) -> str:
    return f"138{n:08d}"


class Clock:
    """``APPOINTMENT_CLOCK``: the moment the rules see, moved by the tests."""

    def __init__(self, moment: datetime = NOW) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@dataclass
class Clinic:
    app: Any
    hospital: int
    cardiology: int
    dermatology: int
    doctors: list[int] = field(default_factory=list)  # A, B cardiology; C, D dermatology

    def slot(
        self,
        doctor: int,
        day: date,
        period: str = "morning",
        capacity: int = 10,
        remaining: int | None = None,
    ) -> int:
        """A slot of doctor number ``doctor`` (0-3); its id."""
        start, end = PERIOD_HOURS[period]
        taken = 0 if remaining is None else capacity - remaining
        with self.app.app_context():
            row = Slot(
                doctor_id=self.doctors[doctor],
                date=day,
                period=period,
                starts_at=datetime.combine(day, time(start), HOSPITAL_ZONE),
                ends_at=datetime.combine(day, time(end), HOSPITAL_ZONE),
                capacity=capacity,
                remaining=capacity - taken,
                issued=taken,
            )
            db.session.add(row)
            db.session.commit()
            return row.id


def build_clinic(app) -> Clinic:
    """One hospital, two departments, four doctors; no slots (tests add the ones they need)."""
    with app.app_context():
        return _build(app)


def _build(app) -> Clinic:
    seed_places()
    hospital = Hospital(
        code="test",
        name_zh="测试医院",
        name_en="Test Hospital",
        short_names_zh=["测试"],
        short_names_en=["Test"],
        level="3a",
        district_code="tianhe",
        address_zh="天河路 1 号",
        address_en="1 Tianhe Road",
        phone="020-1234 5678",
    )
    db.session.add(hospital)
    db.session.flush()
    departments = []
    for code, zh, en in (
        ("cardiology", "心内科", "Cardiology"),
        ("dermatology", "皮肤科", "Dermatology"),
    ):
        department = Department(
            code=f"test-{code}",
            hospital_id=hospital.id,
            name_zh=zh,
            name_en=en,
            aliases_zh=[],
            aliases_en=[],
        )
        db.session.add(department)
        db.session.flush()
        departments.append(department.id)
    doctors = []
    for index, (name_zh, name_en) in enumerate(
        (
            ("甲医生", "Doctor A"),
            ("乙医生", "Doctor B"),
            ("丙医生", "Doctor C"),
            ("丁医生", "Doctor D"),
        )
    ):
        doctor = Doctor(
            code=f"test-{index}",
            department_id=departments[index // 2],
            name_zh=name_zh,
            name_en=name_en,
            title="chief",
            specialties_zh=["高血压"],
            specialties_en=["hypertension"],
            fee_cents=5000,
        )
        db.session.add(doctor)
        db.session.flush()
        doctors.append(doctor.id)
    db.session.commit()
    return Clinic(app, hospital.id, departments[0], departments[1], doctors)


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


# Fixtures of the appointment tests (imported by their modules): the demo clinic on a testing app
# whose booking rules read the movable clock.
@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(app_factory, clock):
    return app_factory(APPOINTMENT_CLOCK=clock)


@pytest.fixture
def clinic(app):
    return build_clinic(app)
