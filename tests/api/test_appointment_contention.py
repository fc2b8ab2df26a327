"""Booking under contention, against a running server (gunicorn, several worker processes and
threads) over real HTTP, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from launcher.stack import api_server_command, free_port
from miniapp_api.appointments.models import Appointment, Slot
from miniapp_api.appointments.rules import local_date
from miniapp_api.appointments.service import add_patient
from miniapp_api.db import db, utcnow

from .appointment_support import build_clinic, id_card, phone
from .gunicorn_support import wait_ready

ROOT = Path(__file__).resolve().parents[2]
WORKERS, THREADS = 4, 8
CITIZENS = 50


@pytest.fixture
def clinic(app):
    return build_clinic(app)


@pytest.fixture
def server(app, database_url, tmp_path):
    """The API in gunicorn on a free port, on this test's database, with the app's secrets."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CITIZEN_PROFILE": "testing",
        "SECRET_KEY": app.config["SECRET_KEY"],
        "BOT_SERVICE_TOKEN": app.config["BOT_SERVICE_TOKEN"],
        "PATIENT_DATA_KEY": app.config["PATIENT_DATA_KEY"],
        "PYTHONPATH": str(ROOT),
    }
    log = open(tmp_path / "gunicorn.log", "wb")
    process = subprocess.Popen(
        api_server_command(port, WORKERS, THREADS),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process, tmp_path / "gunicorn.log")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def citizens_with_patients(app, auth, count: int) -> list[tuple[dict, int]]:
    people = []
    for n in range(count):
        citizen_id, headers = auth.citizen(f"web:crowd-{n}")
        with app.app_context():
            patient, _ = add_patient(citizen_id, f"Resident {n}", id_card(n), phone(n))
            people.append((headers, patient.id))
    return people


def all_at_once(calls) -> list[requests.Response]:
    """Run the calls from as many threads, released together."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def visit_day():
    """A day inside the real booking window (the server runs on the real clock)."""
    return local_date(utcnow()) + timedelta(days=2)


def units_add_up(app) -> None:
    """For every slot: the units taken are exactly its booked appointments."""
    with app.app_context():
        for slot in db.session.scalars(select(Slot)):
            booked = db.session.scalars(
                select(Appointment).where(
                    Appointment.slot_id == slot.id, Appointment.status == "booked"
                )
            ).all()
            assert slot.capacity - slot.remaining == len(booked), slot.id


def test_fifty_citizens_five_units(app, auth, clinic, server):
    slot_id = clinic.slot(0, visit_day(), capacity=5)
    people = citizens_with_patients(app, auth, CITIZENS)
    responses = all_at_once(
        [
            lambda headers=headers, patient=patient: requests.post(
                f"{server}/api/v1/appointments",
                headers=headers,
                timeout=60,
                json={"slot_id": slot_id, "patient_id": patient},
            )
            for headers, patient in people
        ]
    )
    assert Counter(r.status_code for r in responses) == {201: 5, 409: CITIZENS - 5}
    refusals = [r.json() for r in responses if r.status_code == 409]
    assert {body["errcode"] for body in refusals} == {40910}
    assert all(body["errmsg"] for body in refusals)
    numbers = sorted(r.json()["data"]["queue_number"] for r in responses if r.status_code == 201)
    assert numbers == [1, 2, 3, 4, 5]
    with app.app_context():
        slot = db.session.get(Slot, slot_id)
        assert (slot.remaining, slot.issued) == (0, 5)
        rows = db.session.scalars(select(Appointment).where(Appointment.slot_id == slot_id)).all()
        assert len(rows) == 5 and len({row.citizen_id for row in rows}) == 5
    units_add_up(app)


def test_one_citizens_simultaneous_bookings_keep_the_daily_limit(app, auth, clinic, server):
    day = visit_day()
    slots = [
        clinic.slot(doctor, day, period)
        for doctor in range(4)
        for period in ("morning", "afternoon")
    ]
    [(headers, patient)] = citizens_with_patients(app, auth, 1)
    responses = all_at_once(
        [
            lambda slot_id=slot_id: requests.post(
                f"{server}/api/v1/appointments",
                headers=headers,
                timeout=60,
                json={"slot_id": slot_id, "patient_id": patient},
            )
            for slot_id in slots
        ]
    )
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 3, 409: 5}
    assert {r.json()["errcode"] for r in responses if r.status_code == 409} <= {40913, 40914}
    with app.app_context():
        booked = db.session.scalars(select(Appointment).where(Appointment.status == "booked")).all()
        assert len(booked) == 3 and len({a.doctor_id for a in booked}) == 3  # one per doctor
    units_add_up(app)


def test_reschedule_and_cancel_race(app, auth, clinic, server):
    rounds = 8
    people = citizens_with_patients(app, auth, rounds)
    day = visit_day()
    places = [
        (doctor, period, offset)
        for offset in (0, 1)
        for doctor in (0, 1)
        for period in ("morning", "afternoon", "evening")
    ]
    winners = Counter()
    for n, (headers, patient) in enumerate(people):
        doctor, period, offset = places[n]
        old_slot = clinic.slot(doctor, day + timedelta(days=offset), period, capacity=3)
        new_slot = clinic.slot(doctor + 2, day + timedelta(days=offset + 2), period, capacity=3)
        booked = requests.post(
            f"{server}/api/v1/appointments",
            headers=headers,
            timeout=60,
            json={"slot_id": old_slot, "patient_id": patient},
        )
        assert booked.status_code == 201
        appointment_id = booked.json()["data"]["id"]
        cancel, move = all_at_once(
            [
                lambda: requests.post(
                    f"{server}/api/v1/appointments/{appointment_id}/cancel",
                    headers=headers,
                    timeout=60,
                ),
                lambda: requests.post(
                    f"{server}/api/v1/appointments/{appointment_id}/reschedule",
                    headers=headers,
                    json={"slot_id": new_slot},
                    timeout=60,
                ),
            ]
        )
        assert sorted((cancel.status_code, move.status_code)) == [200, 409]
        loser = cancel if cancel.status_code == 409 else move
        assert loser.json()["errcode"] == 40916
        with app.app_context():
            mine = db.session.scalars(
                select(Appointment)
                .where(Appointment.patient_id == patient)
                .order_by(Appointment.id)
            ).all()
            first = mine[0]
            if cancel.status_code == 200:
                winners["cancel"] += 1
                assert [a.status for a in mine] == ["cancelled"]
                assert db.session.get(Slot, new_slot).remaining == 3
            else:
                winners["reschedule"] += 1
                assert [a.status for a in mine] == ["rescheduled", "booked"]
                assert first.rescheduled_to_id == mine[1].id and mine[1].slot_id == new_slot
                assert db.session.get(Slot, new_slot).remaining == 2
            assert db.session.get(Slot, old_slot).remaining == 3
    assert sum(winners.values()) == rounds
    units_add_up(app)
