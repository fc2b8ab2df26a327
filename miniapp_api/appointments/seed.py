"""The demo city's hospital network, generated deterministically from ``hospitals.json``.

Hospitals and departments are written as the file has them; doctors (names, titles,
specialties, fees) and their weekly clinics come from the file's pools through random
generators seeded with fixed strings, so every run, on every machine, gives the same network.

Seeding is idempotent and rolls the slot window forward: each run adds the slots missing from
today to ``APPOINTMENT_SLOT_DAYS`` days ahead and never touches a slot that exists (its bookings
stay as they are). Some demo slots start with units already taken, as if through the
hospital's own windows, so the demo shows nearly full and full clinics.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from ..db import db
from ..response_cache import invalidate
from .models import Department, Doctor, Hospital, Slot
from .queries import CATALOG_ANSWERS
from .rules import HOSPITAL_ZONE, local_date
from .service import SLOT_ANSWERS, now

SEED_FILE = Path(__file__).resolve().parent.parent / "seed_data" / "hospitals.json"
FULL_SHARE_OF_CHIEFS = 0.2  # share of chief physicians' demo clinics that are already full
SATURDAY, SUNDAY = 5, 6


def load() -> dict:
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


def _upsert(model, code: str, existing: dict, **fields):
    row = existing.get(code)
    if row is None:
        row = model(code=code, **fields)
        db.session.add(row)
        existing[code] = row
    else:
        for name, value in fields.items():
            setattr(row, name, value)
    return row


def _by_code(model) -> dict:
    return {row.code: row for row in db.session.scalars(select(model))}


# --- network ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class DoctorPlan:
    """A generated doctor: the row's fields and the weekly clinics."""

    code: str
    fields: dict
    clinics: frozenset[tuple[int, str]]  # (weekday, period)
    capacity: int


def _name(rng: random.Random, data: dict, taken: set[str]) -> tuple[str, str]:
    while True:
        family, given = rng.choice(data["surnames"]), rng.choice(data["given_names"])
        name_zh = family["zh"] + given["zh"]
        if name_zh not in taken:
            taken.add(name_zh)
            return name_zh, f"{family['en']} {given['en']}"


def _clinics(rng: random.Random, evening: bool) -> frozenset[tuple[int, str]]:
    weekdays = [(day, period) for day in range(5) for period in ("morning", "afternoon")]
    clinics = set(rng.sample(weekdays, rng.randint(3, 6)))
    for weekend_day, share in ((SATURDAY, 0.3), (SUNDAY, 0.2)):
        if rng.random() < share:
            clinics.add((weekend_day, "morning"))
    if evening and rng.random() < 0.5:
        clinics.add((rng.randrange(5), "evening"))
    return frozenset(clinics)


def plan_doctors(data: dict) -> dict[str, list[DoctorPlan]]:
    """The doctors of each ``<hospital>-<department>`` code, generated from the pools."""
    plans: dict[str, list[DoctorPlan]] = {}
    for hospital in data["hospitals"]:
        taken: set[str] = set()
        for department_code in hospital["departments"]:
            template = data["departments"][department_code]
            key = f"{hospital['code']}-{department_code}"
            rng = random.Random(f"{data['seed']}|{key}")
            doctors = []
            for index in range(rng.randint(*data["doctors_per_department"])):
                title = (
                    "chief"
                    if index == 0
                    else "associate_chief"
                    if index == 1
                    else rng.choice(("associate_chief", "attending", "attending"))
                )
                name_zh, name_en = _name(rng, data, taken)
                chosen = rng.sample(
                    template["specialties"], min(len(template["specialties"]), rng.randint(2, 3))
                )
                doctors.append(
                    DoctorPlan(
                        code=f"{key}-{index + 1}",
                        fields={
                            "name_zh": name_zh,
                            "name_en": name_en,
                            "title": title,
                            "specialties_zh": [s["zh"] for s in chosen],
                            "specialties_en": [s["en"] for s in chosen],
                            "fee_cents": data["fees_cents"][title],
                        },
                        clinics=_clinics(rng, template.get("evening", False)),
                        capacity=rng.randint(*data["capacity"][title]),
                    )
                )
            plans[key] = doctors
    return plans


def seed_network(data: dict) -> dict[str, DoctorPlan]:
    """Hospitals, departments and doctors, inserted or updated by code; the plans by code."""
    hospitals, departments, doctors = _by_code(Hospital), _by_code(Department), _by_code(Doctor)
    plans = plan_doctors(data)
    by_code: dict[str, DoctorPlan] = {}
    for entry in data["hospitals"]:
        fields = {k: v for k, v in entry.items() if k not in {"code", "departments"}}
        hospital = _upsert(Hospital, entry["code"], hospitals, **fields)
        db.session.flush()
        for department_code in entry["departments"]:
            template = data["departments"][department_code]
            key = f"{entry['code']}-{department_code}"
            department = _upsert(
                Department,
                key,
                departments,
                hospital_id=hospital.id,
                **{k: template[k] for k in ("name_zh", "name_en", "aliases_zh", "aliases_en")},
            )
            db.session.flush()
            for plan in plans[key]:
                _upsert(Doctor, plan.code, doctors, department_id=department.id, **plan.fields)
                by_code[plan.code] = plan
    db.session.flush()
    return by_code


# --- slots -----------------------------------------------------------------------------------
def _moment(day: date, clock: str) -> datetime:
    hours, minutes = map(int, clock.split(":"))
    return datetime.combine(day, time(hours, minutes), HOSPITAL_ZONE)


def _already_taken(seed: str, plan: DoctorPlan, title: str, day: date, period: str) -> int:
    rng = random.Random(f"{seed}|taken|{plan.code}|{day.isoformat()}|{period}")
    if title == "chief" and rng.random() < FULL_SHARE_OF_CHIEFS:
        return plan.capacity
    return int(plan.capacity * 0.7 * rng.random() ** 2)


def roll_slots(data: dict, plans: dict[str, DoctorPlan], first_day: date, days: int) -> int:
    """Add the clinics' missing slots from ``first_day`` for ``days`` days; the count added."""
    last_day = first_day + timedelta(days=days - 1)
    doctors = {d.code: d for d in db.session.scalars(select(Doctor))}
    have = set(
        db.session.execute(
            select(Slot.doctor_id, Slot.date, Slot.period).where(
                Slot.date >= first_day, Slot.date <= last_day
            )
        ).tuples()
    )
    added = 0
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for code, plan in plans.items():
            doctor = doctors[code]
            for weekday, period in sorted(plan.clinics):
                if weekday != day.weekday() or (doctor.id, day, period) in have:
                    continue
                start, end = data["periods"][period]
                taken = _already_taken(data["seed"], plan, doctor.title, day, period)
                db.session.add(
                    Slot(
                        doctor_id=doctor.id,
                        date=day,
                        period=period,
                        starts_at=_moment(day, start),
                        ends_at=_moment(day, end),
                        capacity=plan.capacity,
                        remaining=plan.capacity - taken,
                        issued=taken,
                    )
                )
                added += 1
    return added


def seed_appointments(today: date | None = None) -> dict[str, int]:
    """The network and the next ``APPOINTMENT_SLOT_DAYS`` days of slots (idempotent)."""
    from ..air.service import seed_places

    seed_places()  # the districts hospitals stand in
    data = load()
    plans = seed_network(data)
    added = roll_slots(
        data, plans, today or local_date(now()), current_app.config["APPOINTMENT_SLOT_DAYS"]
    )
    db.session.commit()
    invalidate(CATALOG_ANSWERS)  # this process's directory and slot searches see it at once
    invalidate(SLOT_ANSWERS)
    counts = {
        name: len(db.session.scalars(select(model.id)).all())
        for name, model in (
            ("hospitals", Hospital),
            ("departments", Department),
            ("doctors", Doctor),
        )
    }
    return {**counts, "slots_added": added}
