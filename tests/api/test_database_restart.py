"""The database restarted under booking load.

A PostgreSQL server of the test's own (never the shared one on 5432), the API in gunicorn on it,
citizens booking and cancelling from several threads over real HTTP while the server is stopped
and started again. Nothing the API acknowledged is lost, no unit is taken twice, every answer
during the outage is a clear 503 (never a 500), and the same gunicorn workers serve again once
the database is back (the engine's ``pool_pre_ping`` replaces dead connections).
"""

from __future__ import annotations

import os
import random
import subprocess
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from launcher.stack import api_server_command, free_port
from miniapp_api import create_app
from miniapp_api.appointments.models import Appointment, Slot
from miniapp_api.appointments.rules import local_date
from miniapp_api.appointments.service import add_patient
from miniapp_api.cli import upgrade_database
from miniapp_api.config import TestingConfig
from miniapp_api.db import db, utcnow
from tests.api.appointment_support import build_clinic, id_card, phone
from tests.api.gunicorn_support import wait_ready
from tests.conftest import Auth
from tests.own_postgres import OwnPostgres, unavailable_reason
from tests.scale import scaled

ROOT = Path(__file__).resolve().parents[2]
THREADS, CITIZENS_PER_THREAD = 6, 8
LOAD_SECONDS = 14
RESTARTS_AT = (3.0, 8.5)  # seconds into the load; each outage lasts DOWN_SECONDS
DOWN_SECONDS = 1.5

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def postgres():
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    with OwnPostgres() as server:
        yield server


@pytest.fixture(scope="module")
def city(postgres):
    """The migrated database with a small clinic: slots on two days, and citizens with
    patients and session tokens."""
    app = create_app(TestingConfig(postgres.url))
    with app.app_context():
        upgrade_database()
    clinic = build_clinic(app)
    first = local_date(utcnow()) + timedelta(days=2)
    slots = [
        clinic.slot(doctor, first + timedelta(days=day), period, capacity=6)
        for day in (0, 1)
        for doctor in range(4)
        for period in ("morning", "afternoon")
    ]
    auth = Auth(app)
    people = []
    for n in range(THREADS * CITIZENS_PER_THREAD):
        citizen_id, headers = auth.citizen(f"web:restart-{n}")
        with app.app_context():
            patient, _ = add_patient(citizen_id, f"Resident {n}", id_card(n), phone(n))
            people.append((headers, patient.id))
    with app.app_context():
        db.engine.dispose()
    return app, slots, people


@pytest.fixture(scope="module")
def server(city, postgres, tmp_path_factory):
    app = city[0]
    port = free_port()
    log_path = tmp_path_factory.mktemp("restart") / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": postgres.url,
        "CITIZEN_PROFILE": "testing",
        "SECRET_KEY": app.config["SECRET_KEY"],
        "BOT_SERVICE_TOKEN": app.config["BOT_SERVICE_TOKEN"],
        "PATIENT_DATA_KEY": app.config["PATIENT_DATA_KEY"],
        "PYTHONPATH": str(ROOT),
    }
    log = open(log_path, "wb")
    process = subprocess.Popen(
        api_server_command(port, workers=2, threads=4),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process, log_path)
        yield url, process, log_path
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@dataclass
class Ledger:
    """What one thread's citizens were told."""

    booked: dict[int, tuple[int, int]] = field(default_factory=dict)  # id -> (slot, queue no.)
    cancelled: set[int] = field(default_factory=set)  # acknowledged cancels
    cancel_tried: set[int] = field(default_factory=set)  # cancels sent, answer unknown
    statuses: Counter = field(default_factory=Counter)
    bad: list[str] = field(default_factory=list)  # answers that break the contract


def check_answer(response: requests.Response, ledger: Ledger) -> bool:
    """Records the status; False unless the request is known to have been handled."""
    ledger.statuses[response.status_code] += 1
    if response.status_code >= 500:
        body = (
            response.json()
            if response.headers.get("Content-Type", "").startswith("application/json")
            else None
        )
        if (
            response.status_code != 503
            or not body
            or body.get("errcode") != 50300
            or not body.get("errmsg")
            or not response.headers.get("Retry-After")
        ):
            ledger.bad.append(f"{response.status_code} {response.text[:200]}")
        return False
    return True


def citizen_load(
    url: str, people: list, slots: list[int], stop_at: float, ledger: Ledger, seed: int
) -> None:
    chooser = random.Random(seed)
    session = requests.Session()
    active: dict[int, int] = {}  # patient -> appointment the citizen believes active
    while time.monotonic() < stop_at:
        headers, patient = chooser.choice(people)
        try:
            if patient in active and chooser.random() < 0.5:
                appointment = active.pop(patient)
                ledger.cancel_tried.add(appointment)
                response = session.post(
                    f"{url}/api/v1/appointments/{appointment}/cancel", headers=headers, timeout=30
                )
                if check_answer(response, ledger) and response.status_code == 200:
                    ledger.cancelled.add(appointment)
            else:
                response = session.post(
                    f"{url}/api/v1/appointments",
                    headers=headers,
                    timeout=30,
                    json={"slot_id": chooser.choice(slots), "patient_id": patient},
                )
                if check_answer(response, ledger) and response.status_code == 201:
                    data = response.json()["data"]
                    ledger.booked[data["id"]] = (data["slot"]["id"], data["queue_number"])
                    active[patient] = data["id"]
        except requests.RequestException as error:  # the API itself must stay up
            ledger.bad.append(f"no answer: {error.__class__.__name__}")


def test_bookings_survive_database_restarts(city, postgres, server):
    app, slots, people = city
    url, process, log_path = server
    load_seconds = scaled(LOAD_SECONDS)
    restarts = [at + n * LOAD_SECONDS for n in range(scaled(1)) for at in RESTARTS_AT]
    ledgers = [Ledger() for _ in range(THREADS)]
    started = time.monotonic()
    threads = [
        threading.Thread(
            target=citizen_load,
            args=(
                url,
                people[n * CITIZENS_PER_THREAD : (n + 1) * CITIZENS_PER_THREAD],
                slots,
                started + load_seconds,
                ledgers[n],
                n,
            ),
        )
        for n in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    outages = []
    for at in restarts:
        time.sleep(max(0.0, started + at - time.monotonic()))
        outages.append((time.monotonic(), postgres.restart(DOWN_SECONDS)))
    for thread in threads:
        thread.join(load_seconds + 60)
    last_restart_end = outages[-1][0] + outages[-1][1]

    statuses = sum((ledger.statuses for ledger in ledgers), Counter())
    booked = {k: v for ledger in ledgers for k, v in ledger.booked.items()}
    cancelled = set().union(*(ledger.cancelled for ledger in ledgers))
    cancel_tried = set().union(*(ledger.cancel_tried for ledger in ledgers))
    print(
        f"\n{len(outages)} database restarts under load: {dict(statuses)}; "
        f"{len(booked)} bookings and {len(cancelled)} cancellations acknowledged"
    )
    assert [bad for ledger in ledgers for bad in ledger.bad] == []
    assert statuses[500] == 0 and statuses[503] > 0  # the outages were felt, and clearly
    # Reconnected by itself: the same gunicorn (never restarted) reads and writes again.
    assert process.poll() is None
    assert time.monotonic() > last_restart_end
    assert requests.get(f"{url}/api/v1/health", timeout=10).status_code == 200
    headers, patient = people[0]
    assert (
        requests.get(f"{url}/api/v1/appointments", headers=headers, timeout=10).status_code == 200
    )
    patient_added = requests.post(
        f"{url}/api/v1/patients",
        headers=headers,
        timeout=10,
        json={"name": "After the restart", "id_card": id_card(999), "phone": phone(999)},
    )
    assert patient_added.status_code == 201, patient_added.text
    assert "unhandled error" not in log_path.read_text(errors="replace")

    with app.app_context():
        rows = {a.id: a for a in db.session.scalars(select(Appointment))}
        for appointment_id, (slot_id, queue_number) in booked.items():
            row = rows.get(appointment_id)
            assert row is not None, f"acknowledged booking {appointment_id} lost"
            assert (row.slot_id, row.queue_number) == (slot_id, queue_number)
            if appointment_id in cancelled:
                assert row.status == "cancelled", appointment_id
            elif appointment_id not in cancel_tried:
                assert row.status == "booked", appointment_id
        by_slot = defaultdict(list)
        for row in rows.values():
            by_slot[row.slot_id].append(row)
        for slot in db.session.scalars(select(Slot).where(Slot.id.in_(slots))):
            taken = by_slot[slot.id]
            numbers = [a.queue_number for a in taken]
            assert len(numbers) == len(set(numbers)), f"queue number issued twice: {slot.id}"
            active = [a for a in taken if a.status == "booked"]
            assert slot.capacity - slot.remaining == len(active), slot.id
            assert max(numbers, default=0) <= slot.issued
            assert len({a.patient_id for a in active}) == len(active)  # nobody twice
        db.session.remove()
        db.engine.dispose()
