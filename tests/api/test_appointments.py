"""Patients and appointments through the API: every booking rule and every error, privacy, and
ownership (another citizen's records are as absent as made-up ones)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from miniapp_api.appointments.models import Appointment, Patient, Slot
from miniapp_api.appointments.protection import UnsealError, unseal
from miniapp_api.appointments.service import patient_numbers
from miniapp_api.db import db

from .appointment_support import NOW, app, build_clinic, clinic, clock, days, id_card, phone

EN = {"Accept-Language": "en"}


@pytest.fixture
def citizen(auth):
    return auth.citizen("wechat:o-patient-mother")[1]


def add_patient(client, headers, n=1, **overrides):
    body = {"name": "Li Na", "id_card": id_card(n), "phone": phone(n), **overrides}
    return client.post("/api/v1/patients", json=body, headers=headers)


@pytest.fixture
def patient(client, citizen):
    return add_patient(client, citizen).get_json()["data"]["id"]


def book(client, headers, slot_id, patient_id):
    return client.post(
        "/api/v1/appointments", json={"slot_id": slot_id, "patient_id": patient_id}, headers=headers
    )


def refused(response, status, errcode):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["errcode"] == errcode and body["errmsg"] and not body["errmsg"].startswith("error.")
    return body


def slot_state(app, slot_id):
    with app.app_context():
        slot = db.session.get(Slot, slot_id)
        booked = db.session.scalars(
            select(Appointment).where(
                Appointment.slot_id == slot_id, Appointment.status == "booked"
            )
        ).all()
        return slot.remaining, len(booked)


def appointment_count(app):
    with app.app_context():
        return len(db.session.scalars(select(Appointment.id)).all())


# --- patients --------------------------------------------------------------------------------
def test_patient_registered_masked_and_listed(client, citizen):
    response = add_patient(client, citizen, phone="+86 138-0000-0001")
    assert response.status_code == 201
    data = response.get_json()["data"]
    card = id_card(1)
    assert data["id_card"] == card[:3] + "*" * 14 + card[-1]
    assert data["phone"] == "138****0001"
    assert card not in response.get_data(as_text=True)
    listed = client.get("/api/v1/patients", headers=citizen).get_json()["data"]["items"]
    assert listed == [data]


def test_same_person_again_is_the_same_patient(client, citizen):
    first = add_patient(client, citizen).get_json()["data"]
    again = add_patient(client, citizen, phone=phone(77), id_card=id_card(1).lower())
    assert again.status_code == 200
    assert again.get_json()["data"]["id"] == first["id"]
    assert again.get_json()["data"]["phone"] == "138****0077"  # the new phone is kept
    assert len(client.get("/api/v1/patients", headers=citizen).get_json()["data"]["items"]) == 1


@pytest.mark.parametrize(
    "card",
    [
        "440106199003070010",
        "44010619900307",
        "abcdefghijklmnopqr",
        "440106199002301234",
        "440106209901010014",
    ],
)
def test_invalid_id_card_refused_nothing_written(client, citizen, card):
    refused(add_patient(client, citizen, id_card=card), 422, 42201)
    assert client.get("/api/v1/patients", headers=citizen).get_json()["data"]["items"] == []


@pytest.mark.parametrize(
    "number",
    [
        "1380000000",
        "23800000001",
        "1380000000a",
        "12800000001",
        "138000000011",
        "１３８００００００１",
    ],
)
def test_invalid_phone_refused(client, citizen, number):
    body = refused(add_patient(client, citizen, phone=number), 422, 42210)
    assert client.get("/api/v1/patients", headers=citizen).get_json()["data"]["items"] == []
    assert body["data"] is None


def test_patient_body_validated(client, citizen):
    response = client.post("/api/v1/patients", json={"name": "Li"}, headers=citizen)
    body = refused(response, 422, 42200)
    assert set(body["data"]["errors"]["json"]) == {"id_card", "phone"}
    refused(add_patient(client, citizen, name="   "), 422, 42200)


def test_patient_limit(app_factory, auth):
    app = app_factory(MAX_PATIENTS_PER_CITIZEN=2)
    client, headers = app.test_client(), auth.citizen("web:big-family")[1]
    assert [add_patient(client, headers, n).status_code for n in (1, 2)] == [201, 201]
    body = refused(add_patient(client, headers, 3), 409, 40918)
    assert body["data"] == {"limit": 2}
    assert add_patient(client, headers, 1).status_code == 200  # a known one is still found


def test_numbers_sealed_at_rest(app, client, citizen):
    card, number = id_card(5), phone(5)
    patient_id = add_patient(client, citizen, 5).get_json()["data"]["id"]
    with app.app_context():
        row = (
            db.session.execute(text("SELECT * FROM patient WHERE id = :id"), {"id": patient_id})
            .mappings()
            .one()
        )
        dump = " ".join(str(value) for value in row.values())
        assert card not in dump and card[:17] not in dump and number not in dump
        assert row["id_card_masked"] == card[:3] + "*" * 14 + card[-1]
        patient = db.session.get(Patient, patient_id)
        assert patient_numbers(patient) == (card, number)
        # Sealed for this citizen and field: copied elsewhere it does not open.
        with pytest.raises(UnsealError):
            unseal(row["id_card_sealed"], f"patient:{patient.citizen_id + 1}:id_card")
        with pytest.raises(UnsealError):
            unseal(row["id_card_sealed"], f"patient:{patient.citizen_id}:phone")


def test_another_key_cannot_open_or_find(app_factory, auth):
    first = app_factory(PATIENT_DATA_KEY="k" * 40)
    headers = auth.citizen("web:keyed")[1]
    add_patient(first.test_client(), headers, 9)
    second = app_factory(PATIENT_DATA_KEY="z" * 40)
    with second.app_context():
        patient = db.session.scalars(select(Patient)).one()
        with pytest.raises(UnsealError):
            patient_numbers(patient)
    # Under another key the same person's digest differs: registered again, not matched.
    assert add_patient(second.test_client(), headers, 9).status_code == 201


def test_numbers_masked_in_logs(client, citizen, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    logging.getLogger("test").info("registering %s with %s", id_card(3), phone(3))
    add_patient(client, citizen, 3)
    text_logged = "\n".join(r.getMessage() for r in caplog.records)
    assert id_card(3) not in text_logged and phone(3) not in text_logged
    assert "138****0003" in text_logged


# --- booking ---------------------------------------------------------------------------------
def test_book_takes_a_unit_and_numbers_the_queue(app, client, auth, clinic, citizen, patient):
    slot = clinic.slot(0, days(1), capacity=3)
    response = book(client, citizen, slot, patient)
    assert response.status_code == 201
    data = response.get_json()["data"]
    assert data["status"] == "booked" and data["queue_number"] == 1
    assert data["patient"]["id_card"].count("*") == 14 and data["patient"]["phone"] == "138****0001"
    assert data["slot"]["id"] == slot and data["slot"]["remaining"] == 2
    assert data["slot"]["doctor"]["name"] == "甲医生" and data["slot"]["hospital"]["address"]
    assert data["created_at"].startswith("2026-11-24T02:00") and data["cancelled_at"] is None
    assert data["cancel_deadline"].startswith("2026-11-25T00:00")  # 08:00 local, cut-off 0
    other = auth.citizen("web:someone-else")[1]
    other_patient = add_patient(client, other, 2).get_json()["data"]["id"]
    assert book(client, other, slot, other_patient).get_json()["data"]["queue_number"] == 2
    assert slot_state(app, slot) == (1, 2)


def test_slot_full(app, client, clinic, citizen, patient):
    slot = clinic.slot(0, days(1), capacity=5, remaining=0)
    body = refused(book(client, citizen, slot, patient), 409, 40910)
    assert body["data"] == {"slot_id": slot}
    assert slot_state(app, slot) == (0, 0) and appointment_count(app) == 0
    english = client.post(
        "/api/v1/appointments",
        json={"slot_id": slot, "patient_id": patient},
        headers={**citizen, **EN},
    )
    assert english.get_json()["errmsg"].startswith("This slot is fully booked")


@pytest.mark.parametrize("day, errcode", [(0, 40911), (8, 40911), (-1, 40912)])
def test_booking_window(app, client, clinic, citizen, patient, day, errcode):
    slot = clinic.slot(0, days(day), period="afternoon")  # today's afternoon is still ahead
    body = refused(book(client, citizen, slot, patient), 409, errcode)
    if errcode == 40911:
        assert body["data"] == {"first_date": "2026-11-25", "last_date": "2026-12-01"}
        assert "2026" in body["errmsg"]
    assert appointment_count(app) == 0


def test_window_edges_bookable(client, clinic, citizen, patient):
    assert book(client, citizen, clinic.slot(0, days(1)), patient).status_code == 201
    assert book(client, citizen, clinic.slot(1, days(7)), patient).status_code == 201


def test_window_is_configurable_and_started_slots_refused(app_factory, auth, clock):
    app = app_factory(APPOINTMENT_CLOCK=clock, BOOKING_MIN_DAYS_AHEAD=0, BOOKING_MAX_DAYS_AHEAD=10)
    clinic, client = build_clinic(app), app.test_client()
    headers = auth.citizen("web:same-day")[1]
    patient = add_patient(client, headers).get_json()["data"]["id"]
    refused(book(client, headers, clinic.slot(0, days(0), "morning"), patient), 409, 40912)
    assert book(client, headers, clinic.slot(0, days(0), "afternoon"), patient).status_code == 201
    assert book(client, headers, clinic.slot(1, days(10)), patient).status_code == 201
    refused(book(client, headers, clinic.slot(1, days(11)), patient), 409, 40911)


def test_one_per_doctor_per_day(app, client, clinic, citizen, patient):
    assert book(client, citizen, clinic.slot(0, days(2), "morning"), patient).status_code == 201
    afternoon = clinic.slot(0, days(2), "afternoon")
    body = refused(book(client, citizen, afternoon, patient), 409, 40913)
    assert body["data"] == {"limit": 1}
    # Per citizen: another family member with the same doctor that day is refused too.
    relative = add_patient(client, citizen, 2, name="Li Lei").get_json()["data"]["id"]
    refused(book(client, citizen, afternoon, relative), 409, 40913)
    # Another doctor the same day, or the same doctor another day, is fine.
    assert book(client, citizen, clinic.slot(1, days(2)), patient).status_code == 201
    assert book(client, citizen, clinic.slot(0, days(3)), patient).status_code == 201
    assert slot_state(app, afternoon) == (10, 0)


def test_at_most_three_a_day(app, client, clinic, citizen, patient):
    for doctor in range(3):
        assert book(client, citizen, clinic.slot(doctor, days(4)), patient).status_code == 201
    fourth = clinic.slot(3, days(4))
    body = refused(book(client, citizen, fourth, patient), 409, 40914)
    assert body["data"] == {"limit": 3}
    assert "3" in body["errmsg"]
    assert slot_state(app, fourth) == (10, 0)
    assert book(client, citizen, clinic.slot(3, days(5)), patient).status_code == 201


def test_daily_limits_are_configurable(app_factory, auth, clock):
    app = app_factory(
        APPOINTMENT_CLOCK=clock, MAX_APPOINTMENTS_PER_DAY=1, MAX_APPOINTMENTS_PER_DOCTOR_DAY=2
    )
    clinic, client = build_clinic(app), app.test_client()
    headers = auth.citizen("web:strict-day")[1]
    patient = add_patient(client, headers).get_json()["data"]["id"]
    assert book(client, headers, clinic.slot(0, days(1)), patient).status_code == 201
    refused(book(client, headers, clinic.slot(1, days(1)), patient), 409, 40914)


def test_cancelled_appointments_do_not_count(client, clinic, citizen, patient):
    first = book(client, citizen, clinic.slot(0, days(2)), patient).get_json()["data"]
    assert (
        client.post(f"/api/v1/appointments/{first['id']}/cancel", headers=citizen).status_code
        == 200
    )
    assert book(client, citizen, clinic.slot(0, days(2), "afternoon"), patient).status_code == 201


def test_unknown_slot_and_patient(app, client, clinic, citizen, patient):
    slot = clinic.slot(0, days(1))
    refused(book(client, citizen, 999999, patient), 404, 40413)
    refused(book(client, citizen, slot, 999999), 404, 40414)
    refused(
        client.post(
            "/api/v1/appointments",
            json={"slot_id": str(slot), "patient_id": patient},
            headers=citizen,
        ),
        422,
        42200,
    )
    assert appointment_count(app) == 0


# --- cancel ----------------------------------------------------------------------------------
def test_cancel_frees_the_unit(app, client, clinic, citizen, patient, clock):
    slot = clinic.slot(0, days(1), capacity=2)
    appointment = book(client, citizen, slot, patient).get_json()["data"]
    clock.moment = NOW + timedelta(hours=1)
    response = client.post(f"/api/v1/appointments/{appointment['id']}/cancel", headers=citizen)
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["status"] == "cancelled" and data["cancelled_at"].startswith("2026-11-24T03:00")
    assert data["slot"]["remaining"] == 2
    assert slot_state(app, slot) == (2, 0)
    refused(
        client.post(f"/api/v1/appointments/{appointment['id']}/cancel", headers=citizen), 409, 40916
    )
    assert slot_state(app, slot) == (2, 0)  # a second cancel does not give a unit back twice


def test_cancel_cut_off(app_factory, auth, clock):
    app = app_factory(APPOINTMENT_CLOCK=clock, CANCEL_CUTOFF_MINUTES=120)
    clinic, client = build_clinic(app), app.test_client()
    headers = auth.citizen("web:late")[1]
    patient = add_patient(client, headers).get_json()["data"]["id"]
    slot = clinic.slot(0, days(1))  # 08:00 local on the 25th: deadline 06:00 local
    appointment = book(client, headers, slot, patient).get_json()["data"]
    assert appointment["cancel_deadline"].startswith("2026-11-24T22:00")
    clock.moment = appointment_start(app, slot) - timedelta(minutes=119)
    body = refused(
        client.post(f"/api/v1/appointments/{appointment['id']}/cancel", headers=headers), 409, 40915
    )
    assert body["data"]["deadline_at"].startswith("2026-11-24T22:00")
    assert slot_state(app, slot) == (9, 1)
    clock.moment = appointment_start(app, slot) - timedelta(minutes=120)
    assert (
        client.post(f"/api/v1/appointments/{appointment['id']}/cancel", headers=headers).status_code
        == 200
    )


def test_cancel_allowed_until_the_start_by_default(app, client, clinic, citizen, patient, clock):
    slot = clinic.slot(0, days(1))
    first = book(client, citizen, slot, patient).get_json()["data"]
    clock.moment = appointment_start(app, slot) + timedelta(seconds=1)
    refused(client.post(f"/api/v1/appointments/{first['id']}/cancel", headers=citizen), 409, 40915)
    clock.moment = appointment_start(app, slot)
    assert (
        client.post(f"/api/v1/appointments/{first['id']}/cancel", headers=citizen).status_code
        == 200
    )


def appointment_start(app, slot_id):
    with app.app_context():
        return db.session.get(Slot, slot_id).starts_at


# --- reschedule ------------------------------------------------------------------------------
def reschedule(client, headers, appointment_id, slot_id):
    return client.post(
        f"/api/v1/appointments/{appointment_id}/reschedule",
        json={"slot_id": slot_id},
        headers=headers,
    )


def test_reschedule_swaps_in_one_step(app, client, clinic, citizen, patient):
    old_slot, new_slot = clinic.slot(0, days(2), capacity=4), clinic.slot(0, days(3), capacity=4)
    old = book(client, citizen, old_slot, patient).get_json()["data"]
    response = reschedule(client, citizen, old["id"], new_slot)
    assert response.status_code == 200
    moved = response.get_json()["data"]
    assert moved["id"] != old["id"] and moved["status"] == "booked"
    assert moved["slot"]["id"] == new_slot and moved["queue_number"] == 1
    assert moved["rescheduled_from_id"] == old["id"] and moved["patient"]["id"] == patient
    previous = client.get(f"/api/v1/appointments/{old['id']}", headers=citizen).get_json()["data"]
    assert previous["status"] == "rescheduled" and previous["rescheduled_to_id"] == moved["id"]
    assert previous["cancelled_at"] is not None
    assert slot_state(app, old_slot) == (4, 0) and slot_state(app, new_slot) == (3, 1)
    active = client.get("/api/v1/appointments", headers=citizen).get_json()["data"]["items"]
    assert [a["id"] for a in active] == [moved["id"]]


def test_reschedule_same_doctor_same_day(client, clinic, citizen, patient):
    """The rules exclude the appointment being moved: morning to afternoon with one doctor."""
    old = book(client, citizen, clinic.slot(0, days(2), "morning"), patient).get_json()["data"]
    response = reschedule(client, citizen, old["id"], clinic.slot(0, days(2), "afternoon"))
    assert response.status_code == 200


def test_reschedule_within_a_full_day(client, clinic, citizen, patient):
    held = [
        book(client, citizen, clinic.slot(d, days(2)), patient).get_json()["data"] for d in range(3)
    ]
    assert reschedule(client, citizen, held[0]["id"], clinic.slot(3, days(2))).status_code == 200
    others = [book(client, citizen, clinic.slot(d, days(5)), patient) for d in range(3)]
    assert all(r.status_code == 201 for r in others)
    body = refused(reschedule(client, citizen, held[1]["id"], clinic.slot(3, days(5))), 409, 40914)
    assert body["data"] == {"limit": 3}
    still = client.get(f"/api/v1/appointments/{held[1]['id']}", headers=citizen).get_json()
    assert still["data"]["status"] == "booked"


@pytest.mark.parametrize(
    "target, errcode",
    [
        ("full", 40910),
        ("same", 40917),
        ("too_far", 40911),
        ("past", 40912),
        ("doctor_taken", 40913),
        ("unknown", 40413),
    ],
)
def test_reschedule_refused_keeps_the_old_appointment(
    app, client, clinic, citizen, patient, target, errcode
):
    old_slot = clinic.slot(0, days(2))
    old = book(client, citizen, old_slot, patient).get_json()["data"]
    book(client, citizen, clinic.slot(1, days(3)), patient)
    slot_id = {
        "full": lambda: clinic.slot(1, days(4), remaining=0),
        "same": lambda: old_slot,
        "too_far": lambda: clinic.slot(1, days(9)),
        "past": lambda: clinic.slot(1, days(-1)),
        "doctor_taken": lambda: clinic.slot(1, days(3), "afternoon"),
        "unknown": lambda: 999999,
    }[target]()
    refused(
        reschedule(client, citizen, old["id"], slot_id), 409 if errcode != 40413 else 404, errcode
    )
    kept = client.get(f"/api/v1/appointments/{old['id']}", headers=citizen).get_json()["data"]
    assert kept["status"] == "booked" and kept["rescheduled_to_id"] is None
    assert slot_state(app, old_slot) == (9, 1)
    assert appointment_count(app) == 2


def test_reschedule_cancelled_or_late(client, clinic, citizen, patient, clock, app):
    slot = clinic.slot(0, days(1))
    first = book(client, citizen, slot, patient).get_json()["data"]
    clock.moment = appointment_start(app, slot) + timedelta(minutes=5)
    refused(reschedule(client, citizen, first["id"], clinic.slot(1, days(3))), 409, 40915)
    clock.moment = NOW
    client.post(f"/api/v1/appointments/{first['id']}/cancel", headers=citizen)
    refused(reschedule(client, citizen, first["id"], clinic.slot(1, days(4))), 409, 40916)


# --- reading ---------------------------------------------------------------------------------
def test_list_active_and_all(client, clinic, citizen, patient, clock):
    later = book(client, citizen, clinic.slot(0, days(3)), patient).get_json()["data"]
    sooner = book(client, citizen, clinic.slot(1, days(1)), patient).get_json()["data"]
    gone = book(client, citizen, clinic.slot(2, days(2)), patient).get_json()["data"]
    client.post(f"/api/v1/appointments/{gone['id']}/cancel", headers=citizen)
    active = client.get("/api/v1/appointments", headers=citizen).get_json()["data"]["items"]
    assert [a["id"] for a in active] == [sooner["id"], later["id"]]
    every = client.get("/api/v1/appointments?status=all", headers=citizen).get_json()["data"]
    assert [a["id"] for a in every["items"]] == [sooner["id"], gone["id"], later["id"]]
    # Once its slot is over, an appointment is no longer active.
    clock.moment = NOW + timedelta(days=2)
    active = client.get("/api/v1/appointments", headers=citizen).get_json()["data"]["items"]
    assert [a["id"] for a in active] == [later["id"]]
    refused(client.get("/api/v1/appointments?status=maybe", headers=citizen), 422, 42200)


def test_my_list_shows_a_change_made_by_another_process_at_once(
    app, app_factory, client, clinic, citizen, patient, clock, auth
):
    """The list is served again while the citizen's records version stays; a booking or a
    cancellation through another API process (another app on the same database) raises it."""
    first = book(client, citizen, clinic.slot(0, days(1)), patient).get_json()["data"]

    def mine():
        return [
            a["id"]
            for a in client.get(
                "/api/v1/appointments",
                headers=citizen,
            ).get_json()["data"]["items"]
        ]

    assert mine() == [first["id"]]
    other_process = app_factory(APPOINTMENT_CLOCK=clock).test_client()
    second = book(other_process, citizen, clinic.slot(1, days(2)), patient).get_json()["data"]
    assert mine() == [first["id"], second["id"]]
    other_process.post(f"/api/v1/appointments/{first['id']}/cancel", headers=citizen)
    assert mine() == [second["id"]]
    # Another citizen asking the same question gets their own (empty) list, not a hit.
    stranger = auth.citizen("wechat:o-stranger")[1]
    assert client.get("/api/v1/appointments", headers=stranger).get_json()["data"]["items"] == []
    # A patient's phone changed elsewhere shows at once too (it is in every appointment).
    add_patient(other_process, citizen, phone="13912345678")
    listed = client.get("/api/v1/appointments", headers=citizen).get_json()["data"]["items"]
    assert listed[0]["patient"]["phone"] == "139****5678"


def test_names_in_the_request_locale(client, clinic, citizen, patient):
    appointment = book(client, citizen, clinic.slot(0, days(1)), patient).get_json()["data"]
    english = client.get(f"/api/v1/appointments/{appointment['id']}", headers={**citizen, **EN})
    data = english.get_json()["data"]
    assert data["slot"]["doctor"]["name"] == "Doctor A"
    assert data["slot"]["doctor"]["title"] == "Chief Physician"
    assert data["slot"]["period_name"] == "morning" and data["status_name"] == "booked"
    assert appointment["slot"]["period_name"] == "上午"


def test_the_bot_acts_for_the_conversation_citizen(client, auth, clinic):
    bot = auth.bot("web:chat-resident")
    patient = add_patient(client, bot, 4).get_json()["data"]["id"]
    appointment = book(client, bot, clinic.slot(0, days(1)), patient)
    assert appointment.status_code == 201
    listed = client.get("/api/v1/appointments", headers=bot).get_json()["data"]["items"]
    assert [a["id"] for a in listed] == [appointment.get_json()["data"]["id"]]


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/patients"),
        ("post", "/api/v1/patients"),
        ("get", "/api/v1/appointments"),
        ("post", "/api/v1/appointments"),
        ("get", "/api/v1/appointments/1"),
        ("post", "/api/v1/appointments/1/cancel"),
        ("post", "/api/v1/appointments/1/reschedule"),
    ],
)
def test_citizen_routes_need_a_citizen(client, method, path):
    response = getattr(client, method)(
        path, json={"slot_id": 1, "patient_id": 1, "name": "x", "id_card": "x", "phone": "x"}
    )
    assert response.status_code in (401, 422)
    if method == "get" or path.endswith("cancel"):
        refused(response, 401, 40100)


def test_another_citizens_records_do_not_exist(app, client, auth, clinic, citizen, patient):
    slot, target = clinic.slot(0, days(1)), clinic.slot(1, days(2))
    mine = book(client, citizen, slot, patient).get_json()["data"]["id"]
    stranger = auth.citizen("web:stranger")[1]
    stranger_patient = add_patient(client, stranger, 8).get_json()["data"]["id"]

    def same_as_unknown(response, unknown, errcode):
        body = refused(response, 404, errcode)
        assert body["errmsg"] == unknown.get_json()["errmsg"]
        assert set(body) == set(unknown.get_json())

    same_as_unknown(
        client.get(f"/api/v1/appointments/{mine}", headers=stranger),
        client.get("/api/v1/appointments/999999", headers=stranger),
        40415,
    )
    same_as_unknown(
        client.post(f"/api/v1/appointments/{mine}/cancel", headers=stranger),
        client.post("/api/v1/appointments/999999/cancel", headers=stranger),
        40415,
    )
    same_as_unknown(
        reschedule(client, stranger, mine, target),
        reschedule(client, stranger, 999999, target),
        40415,
    )
    same_as_unknown(
        book(client, stranger, target, patient), book(client, stranger, target, 999999), 40414
    )
    assert (
        client.get("/api/v1/appointments?status=all", headers=stranger).get_json()["data"]["items"]
        == []
    )
    ids = [
        p["id"]
        for p in client.get("/api/v1/patients", headers=stranger).get_json()["data"]["items"]
    ]
    assert ids == [stranger_patient]
    # And nothing changed for the owner.
    kept = client.get(f"/api/v1/appointments/{mine}", headers=citizen).get_json()["data"]
    assert kept["status"] == "booked"
    assert slot_state(app, slot) == (9, 1) and slot_state(app, target) == (10, 0)
