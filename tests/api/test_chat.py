"""The chat endpoint: who speaks in which conversation, what reaches Rasa, what comes back,
rate limits per citizen and per address, and a clear 503 when Rasa is down.

Rasa here is a loopback stand-in recording what the API sends; the real Rasa server answers
the same endpoint in ``tests/e2e/test_web_chat.py``.
"""

from __future__ import annotations

import pytest
from citizen_common import identity
from citizen_common.identity import DEV_ASSERTION_KEY

from tests.platform_standins import unused_loopback_url
from tests.rasa_standin import RasaStandIn


def proven_by_the_api(sent: dict) -> bool:
    """The message carried the API's identity assertion for its own conversation (taken out of
    its metadata, so the rest can be compared)."""
    token = sent["metadata"].pop(identity.METADATA_KEY)
    assertion = identity.for_conversation(token, sent["sender"], DEV_ASSERTION_KEY)
    return assertion is not None and assertion.edge == "session"


REPLIES = [
    {"text": "您好！", "buttons": [{"title": "空气质量", "payload": "今天空气怎么样"}]},
    {"text": "还有什么可以帮您？"},
]


@pytest.fixture
def database_url(sqlite_url):
    return sqlite_url


@pytest.fixture
def rasa():
    with RasaStandIn(replies=REPLIES) as standin:
        yield standin


@pytest.fixture
def app(app_factory, rasa):
    return app_factory(RASA_URL=rasa.url)


def test_a_message_reaches_rasa_as_the_citizen_and_the_replies_come_back(client, auth, rasa):
    _, headers = auth.citizen("web:chat-alice")
    response = client.post(
        "/api/v1/chat",
        headers=headers,
        json={
            "text": " 附近空气怎么样 ",
            "lang": "zh_CN",
            "location": {"latitude": 23.13, "longitude": 113.32, "accuracy": 30},
        },
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "errcode": 0,
        "errmsg": "ok",
        "data": {
            "replies": [
                {"text": "您好！", "buttons": [{"title": "空气质量", "payload": "今天空气怎么样"}]},
                {"text": "还有什么可以帮您？"},
            ],
            "handoff": None,
        },
    }
    sent = rasa.posted("/webhooks/rest/webhook")[0].body
    assert proven_by_the_api(sent)
    assert sent == {
        "sender": "web:chat-alice",
        "message": "附近空气怎么样",
        "metadata": {
            "channel": "miniapp",
            "lang": "zh_CN",
            "location": {"latitude": 23.13, "longitude": 113.32, "accuracy": 30.0},
        },
    }


def test_a_button_payload_carries_its_title(client, auth, rasa):
    _, headers = auth.citizen("web:chat-bob")
    response = client.post(
        "/api/v1/chat", headers=headers, json={"payload": "/help", "title": "What can you do?"}
    )
    assert response.status_code == 200
    sent = rasa.posted("/webhooks/rest/webhook")[0].body
    assert sent["message"] == "/help"
    assert proven_by_the_api(sent)
    assert sent["metadata"] == {"channel": "miniapp", "button_title": "What can you do?"}


def test_a_wechat_mini_app_session_speaks_as_its_openid(app, client, rasa):
    """The mini-app login of an openid and the official account's push share a conversation."""
    from miniapp_api.auth import issue_session_token
    from miniapp_api.citizens.service import citizen_for_identity
    from miniapp_api.db import db

    with app.app_context():
        from miniapp_api.citizens.models import ChannelIdentity

        citizen = citizen_for_identity("web", "first-identity")
        citizen.identities.append(ChannelIdentity(channel="wechat", external_id="o-mini-openid"))
        db.session.commit()
        token, _ = issue_session_token(citizen.id, "wechat")
    client.post("/api/v1/chat", headers={"Authorization": f"Bearer {token}"}, json={"text": "hi"})
    assert rasa.posted("/webhooks/rest/webhook")[0].body["sender"] == "wechat:o-mini-openid"


def test_the_bot_token_speaks_for_the_identity_it_names(client, auth, rasa):
    response = client.post(
        "/api/v1/chat", headers=auth.bot("hotline:13800001234"), json={"text": "你好"}
    )
    assert response.status_code == 200
    assert rasa.posted("/webhooks/rest/webhook")[0].body["sender"] == "hotline:13800001234"


def test_the_bot_token_without_an_assertion_speaks_for_nobody(client, auth, rasa):
    """The service token proves the bot is calling, not who the conversation is."""
    response = client.post(
        "/api/v1/chat",
        headers=auth.bot("web:chat-alice", proven=False),
        json={"text": "你好"},
        environ_base={"HTTP_ACCEPT_LANGUAGE": "en"},
    )
    assert response.status_code == 401
    assert response.get_json()["errcode"] == 40104
    assert "sign in" in response.get_json()["errmsg"]
    assert rasa.posted("/webhooks/rest/webhook") == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": "   "},
        {"text": "a", "payload": "/help"},
        {"text": "x" * 2001},
        {"text": "hi", "lang": "fr"},
        {"text": "hi", "location": {"latitude": 91, "longitude": 0}},
        {"text": "hi", "location": {"latitude": "north"}},
        {"text": 5},
    ],
)
def test_bad_chat_requests_are_422_before_rasa(client, auth, rasa, body):
    _, headers = auth.citizen("web:chat-bad")
    response = client.post("/api/v1/chat", headers=headers, json=body)
    assert response.status_code == 422 and response.get_json()["errcode"] == 42200
    assert rasa.posted("/webhooks/rest/webhook") == []


def test_chat_needs_a_session(client, rasa):
    assert client.post("/api/v1/chat", json={"text": "hi"}).status_code == 401
    bad = client.post(
        "/api/v1/chat", json={"text": "hi"}, headers={"Authorization": "Bearer x.y.z"}
    )
    assert bad.status_code == 401 and bad.get_json()["errcode"] == 40102
    assert rasa.calls == []


def test_rasa_down_is_a_localized_503(app_factory, auth):
    app = app_factory(RASA_URL=unused_loopback_url())
    _, headers = type(auth)(app).citizen("web:chat-down")
    client = app.test_client()
    zh = client.post("/api/v1/chat", headers=headers, json={"text": "你好"})
    assert zh.status_code == 503 and zh.get_json()["errcode"] == 50330
    assert zh.get_json()["errmsg"].startswith("市民助手暂时无法回复")
    assert int(zh.headers["Retry-After"]) > 0
    en = client.post("/api/v1/chat?lang=en", headers=headers, json={"text": "hello"})
    assert en.get_json()["errmsg"].startswith("The Citizen Assistant can't reply")


def test_rasa_failing_is_a_503(app_factory, auth):
    with RasaStandIn() as broken:
        broken.mode = "down"
        app = app_factory(RASA_URL=broken.url)
        _, headers = type(auth)(app).citizen("web:chat-broken")
        response = app.test_client().post("/api/v1/chat", headers=headers, json={"text": "hi"})
    assert response.status_code == 503


def test_each_citizen_has_a_chat_budget(app_factory, rasa):
    app = app_factory(
        RASA_URL=rasa.url, CHAT_RATE_LIMIT="3 per minute", CHAT_ADDRESS_RATE_LIMIT="100 per minute"
    )
    from tests.conftest import Auth

    auth = Auth(app)
    client = app.test_client()
    _, alice = auth.citizen("web:budget-alice")
    _, bob = auth.citizen("web:budget-bob")
    codes = [
        client.post("/api/v1/chat", headers=alice, json={"text": "hi"}).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    limited = client.post("/api/v1/chat", headers=alice, json={"text": "hi"})
    assert limited.get_json()["errcode"] == 42900 and int(limited.headers["Retry-After"]) > 0
    # Another citizen from the same address still has their own budget.
    assert client.post("/api/v1/chat", headers=bob, json={"text": "hi"}).status_code == 200
    assert len(rasa.posted("/webhooks/rest/webhook")) == 4


def test_each_address_has_a_chat_budget(app_factory, rasa):
    app = app_factory(
        RASA_URL=rasa.url, CHAT_RATE_LIMIT="100 per minute", CHAT_ADDRESS_RATE_LIMIT="4 per minute"
    )
    from tests.conftest import Auth

    auth = Auth(app)
    client = app.test_client()
    citizens = [auth.citizen(f"web:many-{i}")[1] for i in range(5)]
    here = {"REMOTE_ADDR": "198.51.100.7"}
    codes = [
        client.post("/api/v1/chat", headers=h, json={"text": "hi"}, environ_base=here).status_code
        for h in citizens
    ]
    assert codes == [200, 200, 200, 200, 429]
    elsewhere = client.post(
        "/api/v1/chat",
        headers=citizens[4],
        json={"text": "hi"},
        environ_base={"REMOTE_ADDR": "198.51.100.8"},
    )
    assert elsewhere.status_code == 200


def test_history_shows_the_current_session_with_button_titles(client, auth, rasa):
    _, headers = auth.citizen("web:history")
    rasa.events["web:history"] = [
        {"event": "user", "text": "old session", "timestamp": 1.0},
        {"event": "session_started", "timestamp": 2.0},
        {"event": "user", "text": "你好", "timestamp": 1764000000.0},
        {
            "event": "bot",
            "text": "您好！",
            "data": {"buttons": [{"title": "帮助", "payload": "/help"}]},
            "timestamp": 1764000001.0,
        },
        {"event": "user", "text": "/help", "metadata": {"button_title": "帮助"}, "timestamp": 3.0},
        {"event": "user", "text": "/greet", "timestamp": 4.0},
        {"event": "action", "name": "utter_help", "timestamp": 5.0},
    ]
    turns = client.get("/api/v1/chat/history", headers=headers).get_json()["data"]["turns"]
    assert [(t["role"], t["text"]) for t in turns] == [
        ("citizen", "你好"),
        ("bot", "您好！"),
        ("citizen", "帮助"),
    ]
    assert turns[1]["buttons"] == [{"title": "帮助", "payload": "/help"}]
    assert turns[0]["at"].startswith("2025-11-24T")


def test_a_web_visitor_gets_a_session_of_their_own(client, rasa):
    first = client.post("/api/v1/chat/session")
    second = client.post("/api/v1/chat/session")
    assert first.status_code == second.status_code == 201
    a, b = first.get_json()["data"], second.get_json()["data"]
    assert a["citizen_id"] != b["citizen_id"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {a['token']}"}).get_json()
    [identity] = me["data"]["identities"]
    assert identity["channel"] == "web" and identity["external_id"].startswith("v-")
    assert len(identity["external_id"]) > 20
    identity = f"web:{identity['external_id']}"
    client.post(
        "/api/v1/chat", headers={"Authorization": f"Bearer {a['token']}"}, json={"text": "hi"}
    )
    assert rasa.posted("/webhooks/rest/webhook")[0].body["sender"] == identity


def test_a_handed_over_conversation_says_so(client, auth, rasa):
    _, headers = auth.citizen("web:handed-over")
    opened = client.post(
        "/api/v1/handoff/tickets", headers=auth.bot("web:handed-over"), json={"reason": "requested"}
    ).get_json()["data"]
    rasa.replies.clear()  # the paused bot says nothing
    data = client.post("/api/v1/chat", headers=headers, json={"text": "有人吗"}).get_json()["data"]
    assert data == {"replies": [], "handoff": {"number": opened["number"], "status": "open"}}
