"""The FHIR R4 view, parsed by fhirclient's R4 models in strict mode; statuses are checked
against the R4 value sets explicitly (the models do not check them)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fhirclient.models.appointment import Appointment
from fhirclient.models.bundle import Bundle
from fhirclient.models.operationoutcome import OperationOutcome
from fhirclient.models.schedule import Schedule
from fhirclient.models.slot import Slot

from .appointment_support import NOW, app, clinic, clock, days, id_card, phone

# http://hl7.org/fhir/R4/valueset-slotstatus.html and valueset-appointmentstatus.html
SLOT_STATUS = {"busy", "free", "busy-unavailable", "busy-tentative", "entered-in-error"}
APPOINTMENT_STATUS = {
    "proposed",
    "pending",
    "booked",
    "arrived",
    "fulfilled",
    "cancelled",
    "noshow",
    "entered-in-error",
    "checked-in",
    "waitlist",
}
PARTICIPANT_STATUS = {"accepted", "declined", "tentative", "needs-action"}
PARTICIPANT_REQUIRED = {"required", "optional", "information-only"}
ISSUE_SEVERITY = {"fatal", "error", "warning", "information"}
FHIR_JSON = "application/fhir+json"


@pytest.fixture
def citizen(auth):
    return auth.citizen("alipay:2088-fhir")[1]


def fhir(client, path, status=200, **headers):
    response = client.get(f"/api/v1/fhir/{path}", headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == FHIR_JSON
    body = response.get_json(force=True)
    assert "errcode" not in body  # not our envelope
    return body


def outcome(body) -> OperationOutcome:
    parsed = OperationOutcome(body, strict=True)
    assert parsed.issue and all(i.severity in ISSUE_SEVERITY for i in parsed.issue)
    return parsed


def slot_bundle(client, query) -> tuple[Bundle, list[Slot]]:
    body = fhir(client, f"Slot?{query}")
    bundle = Bundle(body, strict=True)
    assert bundle.type == "searchset"
    slots = [Slot(entry["resource"], strict=True) for entry in body["entry"]]
    assert all(isinstance(e.resource, Slot) for e in bundle.entry or [])
    for slot in slots:
        assert slot.status in SLOT_STATUS
        assert slot.start.datetime < slot.end.datetime
    return bundle, slots


def book(client, headers, slot_id):
    patient = client.post(
        "/api/v1/patients",
        headers=headers,
        json={"name": "Wang Fang", "id_card": id_card(2), "phone": phone(2)},
    ).get_json()["data"]["id"]
    response = client.post(
        "/api/v1/appointments", headers=headers, json={"slot_id": slot_id, "patient_id": patient}
    )
    assert response.status_code == 201
    return response.get_json()["data"]


def test_slot_search_bundle_and_statuses(client, clinic):
    free = clinic.slot(0, days(1))
    full = clinic.slot(0, days(2), remaining=0)
    too_far = clinic.slot(0, days(9))
    past = clinic.slot(0, days(-1))
    other = clinic.slot(2, days(1))
    bundle, slots = slot_bundle(client, f"schedule=Schedule/{clinic.doctors[0]}")
    assert bundle.total == 4 and [s.id for s in slots] == [
        str(i) for i in (past, free, full, too_far)
    ]
    status = {s.id: s.status for s in slots}
    assert status == {
        str(free): "free",
        str(full): "busy",
        str(too_far): "busy-unavailable",
        str(past): "busy-unavailable",
    }
    assert all(s.schedule.reference == f"Schedule/{clinic.doctors[0]}" for s in slots)
    assert str(other) not in status
    entry = bundle.entry[0]
    assert entry.fullUrl.endswith(f"/api/v1/fhir/Slot/{past}") and entry.search.mode == "match"


def test_slot_search_parameters(client, clinic):
    ids = {day: clinic.slot(0, days(day)) for day in (1, 2, 3, 4)}
    derm = clinic.slot(2, days(2))
    _, slots = slot_bundle(
        client, f"service-type={clinic.cardiology}&start=ge2026-11-26&start=le2026-11-27"
    )
    assert [s.id for s in slots] == [str(ids[2]), str(ids[3])]
    _, slots = slot_bundle(
        client,
        "service-type=https://citizen-assistant.example/fhir/CodeSystem/"
        f"department|{clinic.dermatology}",
    )
    assert [s.id for s in slots] == [str(derm)]
    _, slots = slot_bundle(client, f"schedule={clinic.doctors[0]}&start=gt2026-11-27")
    assert [s.id for s in slots] == [str(ids[4])]
    # 08:00 local on the 26th is 00:00 UTC: "le" includes that instant, "lt" does not.
    _, slots = slot_bundle(
        client, f"schedule={clinic.doctors[0]}&start=le2026-11-26T00:00:00%2B00:00"
    )
    assert [s.id for s in slots] == [str(ids[1]), str(ids[2])]
    _, slots = slot_bundle(client, f"schedule={clinic.doctors[0]}&start=lt2026-11-26T08:00:00")
    assert [s.id for s in slots] == [str(ids[1])]
    _, slots = slot_bundle(client, "start=2026-11-26")
    assert {s.id for s in slots} == {str(ids[2]), str(derm)}
    _, slots = slot_bundle(
        client,
        f"schedule={clinic.doctors[0]},{clinic.doctors[2]}&status=free"
        "&start=ge2026-11-26&start=lt2026-11-27",
    )
    assert {s.id for s in slots} == {str(ids[2]), str(derm)}


def test_slot_status_search_and_paging(client, clinic):
    clinic.slot(0, days(1), remaining=0)
    free = [clinic.slot(0, days(d)) for d in (2, 3, 4)]
    bundle, slots = slot_bundle(client, f"schedule={clinic.doctors[0]}&status=free&_count=2")
    assert bundle.total == 3 and [s.id for s in slots] == [str(i) for i in free[:2]]
    following = next(link.url for link in bundle.link if link.relation == "next")
    _, rest = slot_bundle(client, following.split("/fhir/Slot?", 1)[1])
    assert [s.id for s in rest] == [str(free[2])]
    bundle, slots = slot_bundle(client, f"schedule={clinic.doctors[0]}&status=busy")
    assert bundle.total == 1 and slots[0].status == "busy"


@pytest.mark.parametrize(
    "query",
    [
        "start=ge2026-13-45",
        "start=soon",
        "schedule=Schedule/abc",
        "status=maybe",
        "_count=many",
        "service-type=http://other.example/cs|1",
    ],
)
def test_bad_search_parameters_are_operation_outcomes(client, clinic, query):
    parsed = outcome(fhir(client, f"Slot?{query}", status=400))
    assert parsed.issue[0].code == "invalid" and parsed.issue[0].diagnostics


def test_read_slot_and_schedule(client, clinic):
    slot_id = clinic.slot(1, days(1))
    slot = Slot(fhir(client, f"Slot/{slot_id}"), strict=True)
    assert slot.status == "free" and slot.serviceType[0].coding[0].code == str(clinic.cardiology)
    schedule = Schedule(fhir(client, slot.schedule.reference), strict=True)
    assert schedule.actor[0].reference == f"Practitioner/{clinic.doctors[1]}"
    english = Schedule(
        fhir(client, slot.schedule.reference, **{"Accept-Language": "en"}), strict=True
    )
    assert english.actor[0].display == "Doctor B"
    for missing in ("Slot/999999", "Slot/abc", "Schedule/0", "Schedule/x1"):
        parsed = outcome(fhir(client, missing, status=404))
        assert parsed.issue[0].code == "not-found"


def test_appointment_for_its_owner(client, clinic, citizen):
    slot_id = clinic.slot(0, days(1))
    mine = book(client, citizen, slot_id)
    appointment = Appointment(fhir(client, f"Appointment/{mine['id']}", **citizen), strict=True)
    assert appointment.status == "booked" and appointment.status in APPOINTMENT_STATUS
    assert appointment.slot[0].reference == f"Slot/{slot_id}"
    assert appointment.identifier[0].value == "1"  # the queue number
    assert appointment.start.datetime.isoformat() == "2026-11-25T00:00:00+00:00"
    assert appointment.created.datetime == NOW
    for participant in appointment.participant:
        assert participant.status in PARTICIPANT_STATUS
        assert participant.required in PARTICIPANT_REQUIRED
    actors = [p.actor.reference for p in appointment.participant]
    assert actors[0].startswith("Patient/") and actors[1] == f"Practitioner/{clinic.doctors[0]}"
    text = client.get(f"/api/v1/fhir/Appointment/{mine['id']}", headers=citizen).get_data(
        as_text=True
    )
    assert id_card(2) not in text and phone(2) not in text


def test_cancelled_and_rescheduled_appointments(client, clinic, citizen):
    first = book(client, citizen, clinic.slot(0, days(1)))
    moved = client.post(
        f"/api/v1/appointments/{first['id']}/reschedule",
        headers=citizen,
        json={"slot_id": clinic.slot(0, days(2))},
    ).get_json()["data"]
    client.post(f"/api/v1/appointments/{moved['id']}/cancel", headers=citizen)
    for appointment_id in (first["id"], moved["id"]):
        parsed = Appointment(fhir(client, f"Appointment/{appointment_id}", **citizen), strict=True)
        assert parsed.status == "cancelled" and parsed.status in APPOINTMENT_STATUS
        assert parsed.cancelationReason.coding[0].code == "pat"
        assert {p.status for p in parsed.participant} == {"declined"}


def test_appointment_is_only_for_its_owner(client, auth, clinic, citizen):
    mine = book(client, citizen, clinic.slot(0, days(1)))
    stranger = auth.citizen("web:fhir-stranger")[1]
    hidden = fhir(client, f"Appointment/{mine['id']}", status=404, **stranger)
    unknown = fhir(client, "Appointment/999999", status=404, **stranger)
    assert hidden == unknown and outcome(hidden).issue[0].code == "not-found"
    parsed = outcome(fhir(client, f"Appointment/{mine['id']}", status=401))
    assert parsed.issue[0].code == "login"
    outcome(fhir(client, "Appointment/not-a-number", status=404, **citizen))
    bot = auth.bot("alipay:2088-fhir")  # the same citizen through the bot
    assert fhir(client, f"Appointment/{mine['id']}", **bot)["id"] == str(mine["id"])


def test_status_follows_the_clock(client, clinic, clock):
    slot_id = clinic.slot(0, days(1))
    assert Slot(fhir(client, f"Slot/{slot_id}"), strict=True).status == "free"
    clock.moment = NOW + timedelta(days=1)  # the slot's day is now today: not bookable
    assert Slot(fhir(client, f"Slot/{slot_id}"), strict=True).status == "busy-unavailable"


def test_documented_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/fhir/Slot",
        "/api/v1/fhir/Slot/{slot_id}",
        "/api/v1/fhir/Schedule/{doctor_id}",
        "/api/v1/fhir/Appointment/{appointment_id}",
    ):
        ok = spec["paths"][path]["get"]["responses"]["200"]
        assert FHIR_JSON in ok["content"], path
    parameters = {p["name"] for p in spec["paths"]["/api/v1/fhir/Slot"]["get"]["parameters"]}
    assert {"schedule", "service-type", "start", "status"} <= parameters
