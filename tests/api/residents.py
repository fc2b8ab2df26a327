"""Two residents of the demo city with records of their own, made through the API itself.

Each has a patient (ID-card and phone numbers), a booked appointment, an application and a
handoff ticket, so that fuzzing reaches real records and access tests have another citizen's
ids to try. Used by the fuzzing, access and abuse tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from miniapp_api.identity import id_card_check_char


def valid_id_card(body17: str) -> str:
    return body17 + id_card_check_char(body17)


@dataclass
class Resident:
    identity: str
    citizen_id: int
    headers: dict  # a session token of the mini-app
    bot_headers: dict  # the bot's service token acting for this identity
    id_card: str
    phone: str
    patient_id: int = 0
    appointment_id: int = 0
    slot_id: int = 0
    application_number: str = ""
    ticket_number: str = ""
    extra: dict = field(default_factory=dict)


def _data(response, status: int | tuple = (200, 201)) -> dict:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, response.get_data(as_text=True)
    return response.get_json()["data"]


def free_slots(client, headers: dict, department_query: str = "心内科") -> list[dict]:
    departments = _data(
        client.get("/api/v1/departments", query_string={"q": department_query}, headers=headers)
    )["items"]
    for department in departments:
        slots = _data(
            client.get(
                "/api/v1/slots",
                headers=headers,
                query_string={"department_id": department["id"], "available": "true"},
            )
        )["items"]
        if slots:
            return slots
    raise AssertionError(f"no free slot in any {department_query} department of the demo city")


def make_resident(
    app, client, auth, name: str, id_card: str, phone: str, slot_index: int = 0
) -> Resident:
    """A citizen ``web:resident-<name>`` with a patient, an appointment, an application and a
    handoff ticket."""
    identity = f"web:resident-{name}"
    citizen_id, headers = auth.citizen(identity)
    resident = Resident(identity, citizen_id, headers, auth.bot(identity), id_card, phone)
    patient = _data(
        client.post(
            "/api/v1/patients",
            headers=headers,
            json={"name": f"Resident {name}", "id_card": id_card, "phone": phone},
        )
    )
    resident.patient_id = patient["id"]
    slot = free_slots(client, headers)[slot_index]
    booked = _data(
        client.post(
            "/api/v1/appointments",
            headers=headers,
            json={"slot_id": slot["id"], "patient_id": patient["id"]},
        ),
        201,
    )
    resident.appointment_id, resident.slot_id = booked["id"], slot["id"]
    application = _data(
        client.post(
            "/api/v1/applications",
            headers=headers,
            json={
                "item_code": "residence_permit",
                "applicant_name": f"Resident {name}",
                "id_card": id_card,
            },
        ),
        201,
    )
    resident.application_number = application["number"]
    ticket = _data(
        client.post(
            "/api/v1/handoff/tickets",
            headers=resident.bot_headers,
            json={
                "reason": "requested",
                "lang": "en",
                "transcript": [{"role": "citizen", "text": f"my phone is {phone}"}],
            },
        ),
        201,
    )
    resident.ticket_number = ticket["number"]
    return resident


def two_residents(app, client, auth) -> tuple[Resident, Resident]:
    alice = make_resident(
        app, client, auth, "alice", valid_id_card("44010619850312002"), "13700001111", slot_index=0
    )
    bob = make_resident(
        app, client, auth, "bob", valid_id_card("44010619790621003"), "13700002222", slot_index=1
    )
    return alice, bob


def operator_headers(auth) -> dict:
    return auth.citizen("web:resident-operator", role="operator")[1]
