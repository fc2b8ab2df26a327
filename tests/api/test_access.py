"""Access: a citizen reaches only their own appointments, patients, applications and tickets,
through every route of the spec; bad tokens are refused everywhere; operator routes refuse
citizens and the bot.

The routes are enumerated from ``/api/v1/openapi.json``: a new route that names a citizen's
record, or a new operator route, fails these tests until it is covered here.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import jwt
import pytest

from miniapp_api.auth import issue_session_token
from tests.api.residents import Resident, free_slots, operator_headers, two_residents, valid_id_card
from tests.rasa_standin import RasaStandIn

# Path parameters that name a citizen's own record.
OWNED = {"appointment_id", "number", "request_id", "citizen_id"}
# Operations that take another record's id in their body.
BODY_REFERENCES = {("post", "/api/v1/appointments")}
PRIVILEGED_PREFIXES = ("/api/v1/operator/", "/api/v1/admin/")


@pytest.fixture
def database_url(seeded_sqlite_url):
    return seeded_sqlite_url


@pytest.fixture
def rasa():
    with RasaStandIn(replies=[{"text": "ok"}]) as standin:
        yield standin


@pytest.fixture
def app(app_factory, rasa):
    return app_factory(
        RASA_URL=rasa.url,
        CHAT_RATE_LIMIT="1000 per minute",
        CHAT_ADDRESS_RATE_LIMIT="1000 per minute",
    )


@pytest.fixture
def residents(app, client, auth):
    return two_residents(app, client, auth)


@pytest.fixture
def spec(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def operations(spec: dict) -> list[tuple[str, str]]:
    return [
        (method, path)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def path_parameters(path: str) -> list[str]:
    return [
        part[1:-1].split("}")[0]
        for part in path.replace("}", "}/").split("/")
        if part.startswith("{")
    ]


def bobs_value(parameter: str, path: str, bob: Resident):
    if parameter == "appointment_id":
        return bob.appointment_id
    if parameter == "citizen_id":
        return bob.citizen_id
    if parameter == "number" and "/handoff/" in path:
        return bob.ticket_number
    return bob.application_number  # applications' number, Open311's request_id


def body_for(method: str, path: str, bob: Resident, slot_id: int) -> dict | None:
    bodies = {
        ("post", "/api/v1/appointments"): {"slot_id": slot_id, "patient_id": bob.patient_id},
        ("post", "/api/v1/appointments/{appointment_id}/reschedule"): {"slot_id": slot_id},
        ("post", "/api/v1/operator/applications/{number}/transitions"): {"state": "accepted"},
        ("post", "/api/v1/operator/handoff/tickets/{number}/close"): {"note": "closed"},
    }
    return bodies.get((method, path))


def secrets_of(resident: Resident) -> list[str]:
    """What must never reach another citizen: names, numbers (raw or masked), record ids."""
    return [
        f"Resident {resident.identity.rsplit('-', 1)[1]}",
        resident.id_card,
        resident.phone,
        resident.phone[:3] + "****" + resident.phone[-4:],
        resident.application_number,
        resident.ticket_number,
    ]


def snapshot(client, resident: Resident) -> dict:
    def data(path):
        response = client.get(path, headers=resident.headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["data"]

    return {
        "appointments": data("/api/v1/appointments?status=all"),
        "patients": data("/api/v1/patients"),
        "applications": data("/api/v1/applications"),
        "me": data("/api/v1/me"),
    }


def test_no_route_reaches_another_citizens_records(app, client, auth, residents, spec):
    alice, bob = residents
    before = snapshot(client, bob)
    slot_id = free_slots(client, alice.headers)[2]["id"]
    tried = set()
    for method, path in operations(spec):
        owned = [p for p in path_parameters(path) if p in OWNED]
        if not owned and (method, path) not in BODY_REFERENCES:
            continue
        url = path
        for parameter in path_parameters(path):
            url = url.replace("{" + parameter + "}", str(bobs_value(parameter, path, bob)))
        for who, headers in (("session", alice.headers), ("bot", alice.bot_headers)):
            response = client.open(
                url,
                method=method.upper(),
                headers=headers,
                json=body_for(method, path, bob, slot_id),
            )
            text = response.get_data(as_text=True)
            assert response.status_code in (403, 404), (who, method, url, text)
            leaked = [s for s in secrets_of(bob) if s in text]
            assert not leaked, (who, method, url, leaked)
            tried.add((method, path))
    print(f"\ntried {len(tried)} routes with Bob's ids: {sorted(tried)}")
    assert len(tried) >= 10, tried
    # Nothing of Bob's changed: no cancel, reschedule, transition or close went through.
    assert snapshot(client, bob) == before
    ticket = client.get(
        f"/api/v1/operator/handoff/tickets/{bob.ticket_number}", headers=operator_headers(auth)
    ).get_json()["data"]
    assert ticket["status"] == "open"


def test_own_lists_show_only_own_records(client, residents):
    alice, bob = residents
    for path in (
        "/api/v1/appointments?status=all",
        "/api/v1/patients",
        "/api/v1/applications",
        "/api/v1/me",
        "/api/v1/chat/history",
        "/api/v1/handoff/tickets/current",
    ):
        for headers in (alice.headers, alice.bot_headers):
            text = client.get(path, headers=headers).get_data(as_text=True)
            assert not [s for s in secrets_of(bob) if s in text], path
    mine = client.get("/api/v1/appointments", headers=alice.headers).get_json()["data"]["items"]
    assert [a["id"] for a in mine] == [alice.appointment_id]


def test_registering_someone_elses_patient_makes_a_patient_of_ones_own(client, residents):
    alice, bob = residents
    response = client.post(
        "/api/v1/patients",
        headers=alice.headers,
        json={"name": "Resident bob", "id_card": bob.id_card, "phone": bob.phone},
    )
    assert response.status_code == 201
    assert response.get_json()["data"]["id"] != bob.patient_id
    booked = client.post(
        "/api/v1/appointments",
        headers=alice.headers,
        json={"slot_id": bob.slot_id, "patient_id": bob.patient_id},
    )
    assert booked.status_code == 404 and booked.get_json()["errcode"] == 40414


def test_a_session_token_cannot_borrow_another_identity(client, residents):
    """``X-Citizen-Identity`` counts only with the bot's service token."""
    alice, bob = residents
    headers = {**alice.headers, "X-Citizen-Identity": bob.identity}
    me = client.get("/api/v1/me", headers=headers).get_json()["data"]
    assert me["id"] == alice.citizen_id
    response = client.get(f"/api/v1/appointments/{bob.appointment_id}", headers=headers)
    assert response.status_code == 404


# --- operator routes ---------------------------------------------------------------------------


def test_operator_routes_refuse_citizens_and_the_bot(client, auth, residents, spec):
    alice, bob = residents
    privileged = [(m, p) for m, p in operations(spec) if p.startswith(PRIVILEGED_PREFIXES)]
    assert len(privileged) >= 5, privileged
    operator = operator_headers(auth)
    for method, path in privileged:
        url = path
        for parameter in path_parameters(path):
            url = url.replace("{" + parameter + "}", str(bobs_value(parameter, path, bob)))
        body = body_for(method, path, bob, bob.slot_id)
        for headers in (alice.headers, alice.bot_headers, auth.bot("web:demo-operator")):
            response = client.open(url, method=method.upper(), headers=headers, json=body)
            assert response.status_code == 403, (method, url, response.status_code)
            assert response.get_json()["errcode"] == 40300
        if method == "get":
            assert client.get(url, headers=operator).status_code == 200, url


# --- tokens ------------------------------------------------------------------------------------

VALID_BODIES = {
    "/api/v1/me": {"display_name": "Alice"},
    "/api/v1/applications": {
        "item_code": "residence_permit",
        "applicant_name": "Li Lei",
        "id_card": valid_id_card("44010619850312002"),
    },
    "/api/v1/patients": {
        "name": "Li Lei",
        "id_card": valid_id_card("44010619850312002"),
        "phone": "13700003333",
    },
    "/api/v1/appointments": {"slot_id": 1, "patient_id": 1},
    "/api/v1/chat": {"text": "hi"},
    "/api/v1/handoff/tickets": {"reason": "requested"},
}


def bad_tokens(app, citizen_id: int) -> dict[str, tuple[str, int]]:
    """Each bad token and the errcode it must get."""
    secret = app.config["SECRET_KEY"]
    now = datetime.now(timezone.utc)
    claims = {
        "sub": str(citizen_id),
        "plat": "web",
        "role": "citizen",
        "aud": "citizen-assistant",
        "iat": now,
        "exp": now + timedelta(hours=1),
    }
    with app.app_context():
        good, _ = issue_session_token(citizen_id, "web")
        expired, _ = issue_session_token(citizen_id, "web", ttl_seconds=-1)
        dev, _ = issue_session_token(citizen_id, "dev")
    header, payload, signature = good.split(".")
    other = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    other["sub"] = str(citizen_id + 1)  # someone else, the signature left as it was
    swapped = base64.urlsafe_b64encode(json.dumps(other).encode()).rstrip(b"=").decode()
    unsigned = jwt.encode(claims, None, algorithm="none")
    return {
        "expired": (expired, 40101),
        "tampered": (f"{header}.{swapped}.{signature}", 40102),
        "signature stripped": (f"{header}.{payload}.", 40102),
        "alg none": (unsigned, 40102),
        "another secret": (jwt.encode(claims, "x" * 40, algorithm="HS256"), 40102),
        "another audience": (
            jwt.encode({**claims, "aud": "another-app"}, secret, algorithm="HS256"),
            40102,
        ),
        "no expiry": (
            jwt.encode({k: v for k, v in claims.items() if k != "exp"}, secret, algorithm="HS256"),
            40102,
        ),
        "unknown platform": (
            jwt.encode({**claims, "plat": "hotline"}, secret, algorithm="HS256"),
            40102,
        ),
        "development login outside development": (dev, 40102),
        "not a token": ("definitely-not-a-jwt", 40102),
    }


def test_bad_tokens_are_refused_by_every_authenticated_route(app, client, residents, spec):
    alice, _ = residents
    tokens = bad_tokens(app, alice.citizen_id)
    authenticated = []
    for method, path in operations(spec):
        url = path
        for parameter in path_parameters(path):
            url = url.replace("{" + parameter + "}", "1")
        body = VALID_BODIES.get(path) if method != "get" else None
        if client.open(url, method=method.upper(), json=body).status_code != 401:
            continue  # public, or the body is judged first (and refused) before the caller
        authenticated.append((method, path))
        for name, (token, errcode) in tokens.items():
            response = client.open(
                url, method=method.upper(), json=body, headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 401, (name, method, url, response.status_code)
            if not path.startswith("/api/v1/fhir/"):
                assert response.get_json()["errcode"] == errcode, (name, method, url)
    print(f"\n{len(authenticated)} authenticated routes refused {len(tokens)} bad tokens each")
    assert len(authenticated) >= 20, authenticated
