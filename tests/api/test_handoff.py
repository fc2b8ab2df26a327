"""Human handoff through the API: the bot opens tickets, operators list, read and close them,
and closing a ticket tells Rasa to resume the conversation."""

from __future__ import annotations

import pytest

from miniapp_api.db import db
from miniapp_api.handoff.models import HandoffTicket
from tests.platform_standins import unused_loopback_url
from tests.rasa_standin import RasaStandIn

SENDER = "wechat:o-handoff-citizen"
TRANSCRIPT = [
    {
        "role": "citizen",
        "text": "我的手机号是13812345678，身份证440106199003071234",
        "at": "2026-11-24T01:00:00+00:00",
    },
    {"role": "bot", "text": "抱歉，我没太明白。", "at": "2026-11-24T01:00:01+00:00"},
    {"role": "citizen", "text": "转人工"},
]


@pytest.fixture
def rasa():
    with RasaStandIn() as standin:
        yield standin


@pytest.fixture
def app(app_factory, rasa):
    return app_factory(RASA_URL=rasa.url)


@pytest.fixture
def operator(auth):
    return auth.citizen("web:operator-1", role="operator")[1]


def open_ticket(client, auth, sender=SENDER, reason="requested", transcript=TRANSCRIPT, **extra):
    return client.post(
        "/api/v1/handoff/tickets",
        headers=auth.bot(sender),
        json={"reason": reason, "transcript": transcript, **extra},
    )


def test_the_bot_opens_one_ticket_per_conversation(client, auth, operator):
    first = open_ticket(client, auth, lang="zh_CN")
    assert first.status_code == 201
    created = first.get_json()["data"]
    assert created["status"] == "open" and created["created"] is True
    assert created["number"].startswith("HD") and len(created["number"]) == 10
    # Asked again while it is open: the same ticket, not a second one.
    again = open_ticket(client, auth, reason="fallback")
    assert again.status_code == 200
    assert again.get_json()["data"] == {**created, "created": False}
    # Another conversation gets its own.
    other = open_ticket(client, auth, sender="hotline:13900001111")
    assert other.status_code == 201 and other.get_json()["data"]["number"] != created["number"]


def test_operator_reads_the_transcript_with_numbers_masked(client, auth, operator):
    number = open_ticket(client, auth).get_json()["data"]["number"]
    response = client.get(f"/api/v1/operator/handoff/tickets/{number}", headers=operator)
    assert response.status_code == 200
    ticket = response.get_json()["data"]
    assert ticket["sender_id"] == SENDER and ticket["channel"] == "wechat"
    assert ticket["status_name"] == "待处理" and ticket["reason"] == "requested"
    assert [turn["role"] for turn in ticket["transcript"]] == ["citizen", "bot", "citizen"]
    body = response.get_data(as_text=True)
    assert "13812345678" not in body and "440106199003071234" not in body
    assert "138****5678" in ticket["transcript"][0]["text"]
    english = client.get(f"/api/v1/operator/handoff/tickets/{number}?lang=en", headers=operator)
    assert english.get_json()["data"]["reason_name"] == "The citizen asked for a person"


def test_operator_lists_the_open_queue_oldest_first(client, auth, operator):
    numbers = [
        open_ticket(client, auth, sender=f"web:queue-{i}").get_json()["data"]["number"]
        for i in range(3)
    ]
    response = client.get("/api/v1/operator/handoff/tickets?status=open&limit=2", headers=operator)
    page = response.get_json()["data"]
    assert page["total"] == 3
    assert [t["number"] for t in page["items"]] == numbers[:2]
    assert "transcript" not in page["items"][0]


def test_closing_resumes_the_conversation_in_rasa(client, auth, operator, rasa, app):
    number = open_ticket(client, auth).get_json()["data"]["number"]
    response = client.post(
        f"/api/v1/operator/handoff/tickets/{number}/close",
        headers=operator,
        json={"note": "called back"},
    )
    assert response.status_code == 200
    closed = response.get_json()["data"]
    assert closed["status"] == "closed" and closed["closed_at"] and closed["note"] == "called back"
    posted = rasa.posted("/tracker/events")
    assert len(posted) == 1
    assert posted[0].path == f"/conversations/{SENDER}/tracker/events"
    assert posted[0].body == [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
    # Closed once: a second close is a conflict and tells Rasa nothing more.
    again = client.post(
        f"/api/v1/operator/handoff/tickets/{number}/close", headers=operator, json={}
    )
    assert again.status_code == 409 and again.get_json()["errcode"] == 40930
    assert len(rasa.posted("/tracker/events")) == 1
    # The conversation may be handed over again: a new ticket.
    reopened = open_ticket(client, auth)
    assert reopened.status_code == 201 and reopened.get_json()["data"]["number"] != number


def test_rasa_down_keeps_the_ticket_open(app_factory, auth):
    app = app_factory(RASA_URL=unused_loopback_url())
    client = app.test_client()
    headers = type(auth)(app)
    operator = headers.citizen("web:operator-2", role="operator")[1]
    number = client.post(
        "/api/v1/handoff/tickets", headers=headers.bot(SENDER), json={"reason": "fallback"}
    ).get_json()["data"]["number"]
    response = client.post(
        f"/api/v1/operator/handoff/tickets/{number}/close",
        headers=operator,
        json={},
        environ_base={"HTTP_X_LANG": "en"},
    )
    assert response.status_code == 503 and response.get_json()["errcode"] == 50330
    assert response.get_json()["errmsg"].startswith("The Citizen Assistant can't reply")
    assert response.headers["Retry-After"]
    with app.app_context():
        ticket = db.session.query(HandoffTicket).filter_by(number=number).one()
        assert ticket.status == "open" and ticket.open_sender_id == SENDER


@pytest.mark.parametrize(
    "path, method",
    [
        ("/api/v1/operator/handoff/tickets", "get"),
        ("/api/v1/operator/handoff/tickets/HD00000000", "get"),
        ("/api/v1/operator/handoff/tickets/HD00000000/close", "post"),
    ],
)
def test_operator_routes_refuse_citizens_and_the_bot(client, auth, path, method):
    _, citizen = auth.citizen("web:plain-citizen")
    for headers, status in ((citizen, 403), (auth.bot(SENDER), 403), ({}, 401)):
        response = getattr(client, method)(
            path, headers=headers, json={} if method == "post" else None
        )
        assert response.status_code == status, (headers, response.get_json())


def test_only_the_bot_opens_tickets(client, auth):
    _, citizen = auth.citizen("web:plain-citizen")
    response = client.post("/api/v1/handoff/tickets", headers=citizen, json={"reason": "requested"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"reason": "bored"},
        {"reason": "requested", "transcript": [{"role": "x", "text": "a"}]},
        {"reason": "requested", "transcript": "not a list"},
        {"reason": "requested", "transcript": [{"role": "bot"}]},
    ],
)
def test_bad_ticket_requests_are_422_and_write_nothing(client, auth, app, body):
    response = client.post("/api/v1/handoff/tickets", headers=auth.bot(SENDER), json=body)
    assert response.status_code == 422 and response.get_json()["errcode"] == 42200
    with app.app_context():
        assert db.session.query(HandoffTicket).count() == 0


def test_unknown_ticket_is_404(client, operator):
    response = client.get("/api/v1/operator/handoff/tickets/HD12345678", headers=operator)
    assert response.status_code == 404


def test_the_bot_asks_whether_a_conversation_is_handed_over(client, auth, operator):
    assert (
        client.get("/api/v1/handoff/tickets/current", headers=auth.bot(SENDER)).status_code == 404
    )
    number = open_ticket(client, auth).get_json()["data"]["number"]
    current = client.get("/api/v1/handoff/tickets/current", headers=auth.bot(SENDER))
    assert current.get_json()["data"] == {"number": number, "status": "open"}
    other = client.get("/api/v1/handoff/tickets/current", headers=auth.bot("web:someone-else"))
    assert other.status_code == 404
    _, citizen = auth.citizen("web:nosy")
    assert client.get("/api/v1/handoff/tickets/current", headers=citizen).status_code == 403
    client.post(f"/api/v1/operator/handoff/tickets/{number}/close", headers=operator, json={})
    assert (
        client.get("/api/v1/handoff/tickets/current", headers=auth.bot(SENDER)).status_code == 404
    )
