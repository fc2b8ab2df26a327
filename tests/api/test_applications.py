"""Applications through the API: submit, read, advance, guest lookup, privacy, outbox, Open311."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from miniapp_api.applications.models import ApplicationEvent, Notification
from miniapp_api.applications.outbox import JsonLinesSender, deliver_batch
from miniapp_api.applications.service import find_by_number, seed_service_items
from miniapp_api.db import db
from miniapp_api.identity import id_card_check_char

ID_CARD = "44010619900307123" + id_card_check_char("44010619900307123")
OPEN311_SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "open311"


@pytest.fixture
def catalog(app):
    with app.app_context():
        seed_service_items()
    return app


@pytest.fixture
def citizen(auth, catalog):
    return auth.citizen("wechat:o-applicant")[1]


@pytest.fixture
def operator(auth, catalog):
    return auth.citizen("web:operator", role="operator")[1]


def submit(client, headers, item="residence_permit", id_card=ID_CARD):
    return client.post(
        "/api/v1/applications",
        headers=headers,
        json={"item_code": item, "applicant_name": "Li Lei", "id_card": id_card},
    )


def advance(client, headers, number, state, **details):
    return client.post(
        f"/api/v1/operator/applications/{number}/transitions",
        headers=headers,
        json={"state": state, **details},
    )


def test_submit_read_and_timeline(client, citizen):
    response = submit(client, citizen)
    assert response.status_code == 201
    data = response.get_json()["data"]
    assert data["state"] == "submitted" and data["state_name"] == "已提交"
    assert data["applicant_id"] == "440**************" + ID_CARD[-1]
    assert ID_CARD not in response.get_data(as_text=True)
    assert data["display_number"].startswith("GZ2026-") or data["display_number"].startswith("GZ")
    mine = client.get("/api/v1/applications", headers=citizen).get_json()["data"]
    assert [a["number"] for a in mine] == [data["number"]]
    # The number reads case- and hyphen-insensitively.
    one = client.get(f"/api/v1/applications/{data['display_number'].lower()}", headers=citizen)
    assert one.status_code == 200 and len(one.get_json()["data"]["timeline"]) == 1


@pytest.mark.parametrize(
    "id_card", ["440106199003071230", "44010619900307", "abcdefghijklmnopqr", "440106199002301234"]
)
def test_invalid_id_card_is_refused_and_nothing_written(client, citizen, id_card):
    response = submit(client, citizen, id_card=id_card)
    assert response.status_code == 422
    assert client.get("/api/v1/applications", headers=citizen).get_json()["data"] == []


def test_unknown_item_is_404(client, citizen):
    assert submit(client, citizen, item="moon_landing_permit").status_code == 404


def test_another_citizens_application_is_invisible(client, auth, citizen, operator):
    number = submit(client, citizen).get_json()["data"]["number"]
    _, stranger = auth.citizen("web:stranger")
    assert client.get(f"/api/v1/applications/{number}", headers=stranger).status_code == 404
    assert client.get("/api/v1/applications", headers=stranger).get_json()["data"] == []
    assert advance(client, stranger, number, "accepted").status_code == 403
    assert advance(client, auth.bot("web:stranger"), number, "accepted").status_code == 403


def test_legal_path_and_illegal_moves(client, citizen, operator):
    number = submit(client, citizen).get_json()["data"]["number"]
    bad = advance(client, operator, number, "approved")
    assert bad.status_code == 409 and bad.get_json()["errcode"] == 40902
    assert bad.get_json()["data"]["allowed"] == ["accepted", "rejected", "supplement_requested"]
    missing = advance(client, operator, number, "supplement_requested")
    assert missing.status_code == 422 and missing.get_json()["data"] == {"missing": "materials"}
    step = advance(client, operator, number, "supplement_requested", materials=["ID photo"])
    assert step.get_json()["data"]["missing_materials"] == ["ID photo"]
    for state, details in (
        ("accepted", {}),
        ("under_review", {}),
        ("suspended", {"reason": "site visit"}),
        ("under_review", {}),
        ("approved", {}),
        ("delivered", {}),
    ):
        response = advance(client, operator, number, state, **details)
        assert response.status_code == 200, (state, response.get_json())
    data = response.get_json()["data"]
    assert [e["state"] for e in data["timeline"]] == [
        "submitted",
        "supplement_requested",
        "accepted",
        "under_review",
        "suspended",
        "under_review",
        "approved",
        "delivered",
    ]
    assert advance(client, operator, number, "under_review").status_code == 409  # terminal


def _backdate(app, number, days):
    """Moves an application's whole history ``days`` into the past."""
    with app.app_context():
        application = find_by_number(number)
        for event in application.events:
            event.at = event.at - timedelta(days=days)
        db.session.commit()


def test_due_date_and_overdue(app, client, citizen, operator):
    number = submit(client, citizen).get_json()["data"]["number"]
    advance(client, operator, number, "accepted")
    fresh = client.get(f"/api/v1/applications/{number}", headers=citizen).get_json()["data"]
    assert fresh["due_on"] and fresh["overdue"] is False
    _backdate(app, number, 60)  # residence permit: 15 working days, long past
    late = client.get(f"/api/v1/applications/{number}", headers=citizen).get_json()["data"]
    assert late["overdue"] is True
    assert date.fromisoformat(late["due_on"]) < date.fromisoformat(fresh["due_on"])


def test_guest_lookup_answers_the_same_for_any_wrong_pair(client, citizen, app_factory):
    number = submit(client, citizen).get_json()["data"]["number"]
    good = client.post(
        "/api/v1/applications/lookup", json={"number": number, "id_last4": ID_CARD[-4:]}
    )
    assert good.status_code == 200 and good.get_json()["data"]["number"] == number
    wrong_id = client.post(
        "/api/v1/applications/lookup", json={"number": number, "id_last4": "0000"}
    )
    wrong_number = client.post(
        "/api/v1/applications/lookup",
        json={"number": "GZ2026AAAAAAAAAA0", "id_last4": ID_CARD[-4:]},
    )
    assert wrong_id.status_code == wrong_number.status_code == 404
    assert wrong_id.get_data() == wrong_number.get_data()


def test_guest_lookup_is_rate_limited(app_factory, catalog):
    client = app_factory(GUEST_LOOKUP_RATE_LIMIT="3 per minute").test_client()
    codes = [
        client.post(
            "/api/v1/applications/lookup", json={"number": "GZ2026AAAAAAAAAA0", "id_last4": "1234"}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [404, 404, 404, 429]


def test_every_change_queues_one_notification_delivered_exactly_once(
    app, client, citizen, operator, tmp_path
):
    number = submit(client, citizen).get_json()["data"]["number"]
    for state in ("accepted", "under_review"):
        advance(client, operator, number, state)
    for _ in range(7):
        submit(client, citizen)
    outbox = tmp_path / "delivered.jsonl"

    class StoppedMidBatch(KeyboardInterrupt):
        """A stop (Ctrl-C, SIGTERM handler), not a failed delivery."""

    class StopsAfter(JsonLinesSender):
        """Delivers, then dies before the row is marked sent: the worst moment to stop."""

        def __init__(self, path, count):
            super().__init__(path)
            self.count = count

        def send(self, notification_id, payload):
            super().send(notification_id, payload)
            self.count -= 1
            if self.count == 0:
                raise StoppedMidBatch

    with app.app_context():
        with pytest.raises(StoppedMidBatch):
            deliver_batch(StopsAfter(outbox, 4), batch_size=5, lease=timedelta(0))
        db.session.rollback()
        # Restarted worker (new process: new sender reading what was delivered).
        deliver_batch(JsonLinesSender(outbox), batch_size=3, lease=timedelta(0))
        deliver_batch(JsonLinesSender(outbox), batch_size=50, lease=timedelta(0))
        pending = db.session.query(Notification).filter_by(status="pending").count()
        total = db.session.query(Notification).count()
    delivered = [json.loads(line)["id"] for line in outbox.read_text().splitlines()]
    assert pending == 0 and total == 10
    assert sorted(delivered) == sorted(set(delivered)) and len(delivered) == total
    first = json.loads(outbox.read_text().splitlines()[0])["payload"]
    assert first["touser"] == "o-applicant" and first["data"]["phrase3"]["value"] == "已提交"


def _validator(name):
    """The published schema ``name``, its ``$ref``s to sibling files resolved."""
    schemas = {p.name: json.loads(p.read_text()) for p in OPEN311_SCHEMAS.glob("*.json")}
    assert name in schemas, f"schema {name} missing from {OPEN311_SCHEMAS}"
    registry = Registry().with_resources(
        (file, Resource.from_contents(schema, default_specification=DRAFT4))
        for file, schema in schemas.items()
    )
    return Draft4Validator(schemas[name], registry=registry)


def test_open311_views_validate_against_the_georeport_schemas(client, auth, citizen, operator):
    services = client.get("/api/v1/open311/services.json")
    _validator("services.json").validate(services.get_json())
    assert len(services.get_json()) >= 20
    definition = client.get("/api/v1/open311/services/residence_permit.json").get_json()
    _validator("service-definition.json").validate(definition)
    number = submit(client, citizen).get_json()["data"]["number"]
    request = client.get(f"/api/v1/open311/requests/{number}.json", headers=citizen).get_json()
    _validator("requests.json").validate(request)
    assert request[0]["status"] == "open"
    advance(client, operator, number, "rejected", reason="not resident")
    closed = client.get(f"/api/v1/open311/requests/{number}.json", headers=operator).get_json()
    assert closed[0]["status"] == "closed"
    # Anyone else, with or without a token, finds nothing there.
    for headers in ({}, auth.citizen("web:nosy")[1], {"Authorization": "Bearer forged"}):
        hidden = client.get(f"/api/v1/open311/requests/{number}.json", headers=headers)
        assert hidden.status_code == 404 and hidden.get_json()[0]["code"] == 404
    missing = client.get("/api/v1/open311/requests/GZ2026AAAAAAAAAA0.json")
    assert missing.status_code == 404 and missing.get_json()[0]["code"] == 404


def test_catalog_search_tolerates_typos(client, catalog):
    found = client.get("/api/v1/catalog", query_string={"q": "居住证"}).get_json()["data"]
    assert found[0]["code"] == "residence_permit"
    typo = client.get(
        "/api/v1/catalog", query_string={"q": "residense permit", "lang": "en"}
    ).get_json()["data"]
    assert typo and typo[0]["code"] == "residence_permit"
    item = client.get("/api/v1/catalog/social_security_card?lang=en").get_json()["data"]
    assert item["time_limit_days"] > 0 and item["materials"]
