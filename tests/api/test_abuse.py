"""Abuse: every rate limit answers 429 with ``Retry-After`` in the envelope, counts per the
right key (address, citizen, conversation) without touching anyone else's budget, and every
JSON endpoint refuses a body over ``MAX_CONTENT_LENGTH`` with 413 before reading it."""

from __future__ import annotations

import json

import pytest

from tests.api.residents import valid_id_card
from tests.platform_standins import unused_loopback_url
from tests.rasa_standin import RasaStandIn

HERE, ELSEWHERE = {"REMOTE_ADDR": "203.0.113.10"}, {"REMOTE_ADDR": "203.0.113.11"}
ID_CARD = valid_id_card("44010619850312002")


@pytest.fixture
def database_url(sqlite_url):
    return sqlite_url


@pytest.fixture
def app_factory(app_factory):
    """Logins here never leave the machine: WeChat's and Alipay's APIs are a loopback port on
    which nothing listens."""

    def build(**settings):
        nowhere = unused_loopback_url()
        return app_factory(
            **{
                "WECHAT_API_BASE": nowhere,
                "ALIPAY_GATEWAY": nowhere + "/gateway.do",
                "PLATFORM_TIMEOUT_SECONDS": 1.0,
                **settings,
            }
        )

    return build


@pytest.fixture
def app(app_factory):
    return app_factory()


@pytest.fixture
def rasa():
    with RasaStandIn(replies=[{"text": "ok"}]) as standin:
        yield standin


def assert_limited(response) -> None:
    assert response.status_code == 429, response.get_data(as_text=True)
    body = response.get_json()
    assert body["errcode"] == 42900 and body["errmsg"] and body["data"] is None
    assert 0 < int(response.headers["Retry-After"]) <= 60


def statuses(calls) -> list[int]:
    return [call().status_code for call in calls]


def test_login_is_limited_per_address(app_factory):
    client = app_factory(LOGIN_RATE_LIMIT="3 per minute").test_client()

    def login(environ):
        return client.post(
            "/api/v1/auth/login", json={"platform": "wechat", "code": "x"}, environ_base=environ
        )

    assert 429 not in statuses([lambda: login(HERE)] * 3)
    assert_limited(login(HERE))
    assert login(ELSEWHERE).status_code != 429  # another address keeps its budget
    # A web chat visitor's session is a login too, with a budget of the same size.
    sessions = [client.post("/api/v1/chat/session", environ_base=HERE) for _ in range(3)]
    assert [r.status_code for r in sessions] == [201, 201, 201]
    assert_limited(client.post("/api/v1/chat/session", environ_base=HERE))
    assert client.post("/api/v1/chat/session", environ_base=ELSEWHERE).status_code == 201


def test_guest_lookup_is_limited_per_address_and_per_conversation(app_factory, auth):
    app = app_factory(GUEST_LOOKUP_RATE_LIMIT="3 per minute")
    client = app.test_client()
    auth = type(auth)(app)
    body = {"number": "GZ2026AAAAAAAAAA0", "id_last4": "1234"}

    def lookup(environ=HERE, headers=None):
        return client.post(
            "/api/v1/applications/lookup", json=body, environ_base=environ, headers=headers or {}
        )

    assert statuses([lookup] * 3) == [404, 404, 404]
    assert_limited(lookup())
    assert lookup(ELSEWHERE).status_code == 404
    # The bot looks up for many conversations from one address: each has its own budget.
    alice, bob = auth.bot("web:guest-alice"), auth.bot("web:guest-bob")
    assert statuses([lambda: lookup(HERE, alice)] * 3) == [404, 404, 404]
    assert_limited(lookup(HERE, alice))
    assert lookup(HERE, bob).status_code == 404
    # A forged service token does not buy a conversation's budget.
    forged = {
        "Authorization": "Bearer not-the-service-token",
        "X-Citizen-Identity": "web:guest-mallory",
    }
    assert_limited(lookup(HERE, forged))


def test_chat_is_limited_per_citizen_and_per_address(app_factory, auth, rasa):
    app = app_factory(
        RASA_URL=rasa.url, CHAT_RATE_LIMIT="2 per minute", CHAT_ADDRESS_RATE_LIMIT="5 per minute"
    )
    client = app.test_client()
    auth = type(auth)(app)
    alice = auth.citizen("web:abuse-alice")[1]

    def chat(headers, environ=HERE):
        return client.post(
            "/api/v1/chat", headers=headers, json={"text": "hi"}, environ_base=environ
        )

    assert statuses([lambda: chat(alice)] * 2) == [200, 200]
    assert_limited(chat(alice))
    assert_limited(chat(alice, ELSEWHERE))  # the citizen's budget follows them
    others = [auth.citizen(f"web:abuse-{n}")[1] for n in range(4)]
    # The address has spent 2 of 5 (turns refused for the citizen's budget are not counted).
    assert [chat(h).status_code for h in others[:3]] == [200, 200, 200]
    assert_limited(chat(others[3]))
    assert chat(others[3], ELSEWHERE).status_code == 200
    # The history has an address budget of the same size.
    reads = [
        client.get("/api/v1/chat/history", headers=others[1], environ_base=HERE) for _ in range(5)
    ]
    assert [r.status_code for r in reads] == [200] * 5
    assert_limited(client.get("/api/v1/chat/history", headers=others[1], environ_base=HERE))


# --- request size ------------------------------------------------------------------------------


def json_operations(spec: dict) -> list[tuple[str, str]]:
    return [
        (method, path)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "requestBody" in operation
    ]


def concrete(path: str) -> str:
    return (
        path.replace("{appointment_id}", "1")
        .replace("{number}", "GZ2026AAAAAAAAAA0")
        .replace("{citizen_id}", "1")
    )


def test_the_bot_may_hand_over_a_conversation_with_long_turns(app, client, auth):
    """A handoff ticket carries the latest turns (each up to 20,000 characters), more than a
    client's request may hold; only the bot's token opens the larger limit."""
    transcript = [{"role": "citizen", "text": "挂号" * 10_000}] * 10  # about 600 KB
    body = {"reason": "fallback", "transcript": transcript}
    created = client.post("/api/v1/handoff/tickets", headers=auth.bot("web:abuse-long"), json=body)
    assert created.status_code == 201, created.get_data(as_text=True)[:300]
    forged = {"Authorization": "Bearer forged", "X-Citizen-Identity": "web:abuse-long"}
    assert client.post("/api/v1/handoff/tickets", headers=forged, json=body).status_code == 413
    citizen = auth.citizen("web:abuse-long-citizen")[1]
    assert client.post("/api/v1/handoff/tickets", headers=citizen, json=body).status_code == 413


def test_every_json_endpoint_refuses_a_large_body(app, client, auth):
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = json_operations(spec) + [("post", "/nlg")]
    assert len(operations) >= 12, operations
    limit = app.config["MAX_CONTENT_LENGTH"]
    huge = json.dumps({"text": "x" * limit, "code": "c", "platform": "wechat"})
    identities = [auth.citizen("web:abuse-big")[1], {}]  # the bot's limit: tests above
    for method, path in operations:
        for headers in identities:
            response = client.open(
                concrete(path),
                method=method.upper(),
                data=huge,
                content_type="application/json",
                headers=headers,
            )
            assert response.status_code == 413, (method, path, response.status_code)
            body = response.get_json()
            assert body["errcode"] == 41300 and body["errmsg"] and body["data"] is None
    # Just under the limit is read (and judged on its content).
    small = json.dumps({"platform": "wechat", "code": "x" * (limit // 2)})
    response = client.post("/api/v1/auth/login", data=small, content_type="application/json")
    assert response.status_code not in (413, 500)


def nlg_call(client, events: list, token: str | None, **arguments):
    query = f"?token={token}" if token else ""
    return client.post(
        f"/nlg{query}",
        json={
            "response": "utter_greet",
            "arguments": arguments,
            "channel": {"name": "rest"},
            "tracker": {"sender_id": "web:abuse-nlg", "events": events, "slots": {}},
        },
    )


def test_rasa_may_send_a_long_conversation_to_the_nlg_endpoint(app, client):
    """Rasa's NLG call carries every event of the conversation: with the bot's token it may be
    far larger than a client's request, without it the usual limit holds."""
    token = app.config["BOT_SERVICE_TOKEN"]
    turn = {"event": "user", "text": "帮我挂号" * 2500, "metadata": {}}  # 10,000 characters
    long_conversation = [turn] * 100  # about 3 MB of JSON
    answered = nlg_call(client, long_conversation, token)
    assert answered.status_code == 200, answered.get_data(as_text=True)[:300]
    assert answered.get_json()["text"]
    assert nlg_call(client, long_conversation, None).status_code == 413
    assert nlg_call(client, long_conversation, "wrong-token").status_code == 413
    # The token may come as a header instead (no access log records headers).
    in_header = client.post(
        "/nlg",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "response": "utter_greet",
            "arguments": {},
            "channel": {"name": "rest"},
            "tracker": {"sender_id": "web:abuse-nlg", "events": long_conversation, "slots": {}},
        },
    )
    assert in_header.status_code == 200, in_header.get_data(as_text=True)[:300]
    over = [turn] * int(app.config["BOT_MAX_CONTENT_LENGTH"] / 30_000 + 10)
    assert nlg_call(client, over, token).status_code == 413


def test_addresses_come_from_a_trusted_proxy_only(app_factory):
    """Behind nginx (TRUSTED_PROXIES=1) each client counts by its own forwarded address; with
    no proxy trusted a client cannot choose its address by sending the header itself."""
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    def logins(client, forwarded_for):
        return [
            client.post(
                "/api/v1/auth/login",
                json={"platform": "wechat", "code": "x"},
                environ_base=proxy,
                headers={"X-Forwarded-For": forwarded_for},
            ).status_code
            for _ in range(3)
        ]

    behind = app_factory(LOGIN_RATE_LIMIT="2 per minute", TRUSTED_PROXIES=1).test_client()
    assert logins(behind, "198.51.100.1")[-1] == 429
    assert 429 not in logins(behind, "198.51.100.2")[:2]  # another citizen behind the proxy
    exposed = app_factory(LOGIN_RATE_LIMIT="2 per minute").test_client()
    assert logins(exposed, "198.51.100.1")[-1] == 429
    assert logins(exposed, "198.51.100.2") == [429, 429, 429]  # a forged header buys nothing
