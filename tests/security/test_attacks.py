"""The attack suite: each finding of the trust review as the request sequence an attacker would
send, against a running stack in the default and in the production profile. Every attack is
refused with a clear status or a sign-in answer, changes nothing of the victim's, and no reply
holds anything of the victim's."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.edge import assertion

pytestmark = pytest.mark.e2e
ID_CARD = "11010519491231002X"


@dataclass
class Victim:
    sender: str
    headers: dict
    phone: str
    appointment_id: int
    application_number: str


def insider(stack) -> dict:
    """The REST channel's credential, as an insider (or a leak) would hold it: it lets a caller
    name a conversation, but proves nobody."""
    return {"Authorization": f"Bearer {stack.environment()['RASA_CHANNEL_TOKEN']}"}


def _data(response: requests.Response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()["data"]


def sms_codes(stack) -> list[tuple[str, str]]:
    path = Path(stack.environment()["SMS_SENDER"].removeprefix("jsonl:"))
    lines = path.read_text().splitlines() if path.exists() else []
    return [
        (m["phone"], "".join(c for c in m["text"] if c.isdigit())[:6])
        for m in map(json.loads, lines)
    ]


def bind_phone(stack, headers: dict, phone: str) -> None:
    api = stack.api_url
    _data(
        requests.post(
            f"{api}/api/v1/me/phone/code", json={"phone": phone}, headers=headers, timeout=10
        ),
        202,
    )
    code = [c for p, c in sms_codes(stack) if p == phone][-1]
    _data(
        requests.post(
            f"{api}/api/v1/me/phone/verify",
            json={"phone": phone, "code": code},
            headers=headers,
            timeout=10,
        )
    )


@pytest.fixture(scope="module")
def victim(stack) -> Victim:
    """A resident as the web chat makes one: a session, a phone proven by its code, an
    appointment and an application."""
    api = stack.api_url
    session = _data(requests.post(f"{api}/api/v1/chat/session", timeout=10), 201)
    headers = {"Authorization": f"Bearer {session['token']}"}
    sender = json.loads(
        __import__("base64").urlsafe_b64decode(session["channel_ticket"].split(".")[1] + "==")
    )["sub"]
    phone = f"139{uuid.uuid4().int % 10**8:08d}"
    bind_phone(stack, headers, phone)
    [department] = [
        d
        for d in _data(
            requests.get(f"{api}/api/v1/departments", params={"q": "心内科"}, timeout=10)
        )["items"]
        if d["name"] == "心内科"
    ][:1]
    slot = _data(
        requests.get(
            f"{api}/api/v1/slots",
            params={"department_id": department["id"], "available": "true"},
            timeout=10,
        )
    )["items"][0]
    patient = _data(
        requests.post(
            f"{api}/api/v1/patients",
            headers=headers,
            timeout=10,
            json={"name": "王小明", "id_card": ID_CARD, "phone": phone},
        ),
        201,
    )
    booked = _data(
        requests.post(
            f"{api}/api/v1/appointments",
            headers=headers,
            timeout=10,
            json={"slot_id": slot["id"], "patient_id": patient["id"]},
        ),
        201,
    )
    application = _data(
        requests.post(
            f"{api}/api/v1/applications",
            headers=headers,
            timeout=10,
            json={"item_code": "residence_permit", "applicant_name": "王小明", "id_card": ID_CARD},
        ),
        201,
    )
    return Victim(sender, headers, phone, booked["id"], application["number"])


def victims_records(stack, victim: Victim) -> dict:
    """What the victim sees of themselves: unchanged by every attack."""
    api = stack.api_url

    def get(path, **params):
        return _data(
            requests.get(f"{api}/api/v1{path}", headers=victim.headers, params=params, timeout=10)
        )

    return {
        "me": get("/me"),
        "appointments": get("/appointments", status="all"),
        "patients": get("/patients"),
        "applications": get("/applications"),
    }


def assert_nothing_private(text: str, victim: Victim) -> None:
    for secret in (victim.phone, ID_CARD, victim.application_number):
        assert secret not in text, (secret, text[:300])


@pytest.fixture
def unchanged(stack, victim):
    before = victims_records(stack, victim)
    yield
    assert victims_records(stack, victim) == before


# 1. Sender ids are believed -------------------------------------------------------------------
def test_the_rest_channel_refuses_a_client_naming_a_conversation(stack, victim, unchanged):
    for headers in ({}, {"Authorization": "Bearer guessed"}):
        response = requests.post(
            f"{stack.rasa_url}/webhooks/rest/webhook",
            headers=headers,
            json={"sender": victim.sender, "message": "我挂了哪些号"},
            timeout=30,
        )
        assert response.status_code == 401, response.text
        assert_nothing_private(response.text, victim)


@pytest.mark.parametrize(
    "message", ["我挂了哪些号", "取消我的预约", "我的居住证办到哪一步了", "我要转人工"]
)
def test_a_named_conversation_without_proof_is_a_guest(stack, victim, unchanged, message):
    """Even a caller holding the REST channel's credential (an insider, a leaked token) who
    names the victim's conversation without an assertion gets guest answers."""
    reply = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        headers=insider(stack),
        json={"sender": victim.sender, "message": message},
        timeout=60,
    )
    assert reply.status_code == 200
    assert_nothing_private(reply.text, victim)
    texts = " ".join(r.get("text", "") for r in reply.json())
    assert "登录" in texts or "办件号" in texts or "工单" in texts, texts


def test_a_forged_or_borrowed_assertion_proves_nothing(stack, victim, unchanged):
    """Mallory's own assertion, or one she signed herself, for the victim's conversation."""
    api = stack.api_url
    mallory = _data(requests.post(f"{api}/api/v1/chat/session", timeout=10), 201)
    for forged in (
        mallory["channel_ticket"],
        assertion(victim.sender, key="mallory-made-this-key-up-herself"),
    ):
        response = requests.post(
            f"{api}/api/v1/chat",
            timeout=60,
            json={
                "text": "我挂了哪些号",
                "sender": victim.sender,
                "metadata": {"identity_assertion": forged},
            },
            headers={"Authorization": f"Bearer {mallory['token']}"},
        )
        assert response.status_code == 422  # the client names no conversation and no proof
        assert_nothing_private(response.text, victim)


def test_the_web_chat_speaks_only_in_the_sessions_own_conversation(stack, victim, unchanged):
    api = stack.api_url
    mallory = _data(requests.post(f"{api}/api/v1/chat/session", timeout=10), 201)
    reply = _data(
        requests.post(
            f"{api}/api/v1/chat",
            json={"text": "我挂了哪些号"},
            timeout=60,
            headers={"Authorization": f"Bearer {mallory['token']}"},
        )
    )
    assert [r["text"] for r in reply["replies"]] == ["您目前没有有效的预约。"]


# 2. Caller ID is treated as proof --------------------------------------------------------------
def test_a_caller_showing_the_victims_number_is_a_guest(stack, victim, unchanged):
    reply = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        headers=insider(stack),
        json={"sender": f"hotline:{victim.phone}", "message": "我挂了哪些号"},
        timeout=60,
    )
    assert reply.status_code == 200
    # (The reply's recipient_id is the sender id the caller wrote itself.)
    assert_nothing_private(json.dumps([r.get("text") for r in reply.json()]), victim)
    assert "后四位" in reply.json()[0]["text"]  # asked to prove it inside the call


# 3. A phone is "verified" by saying it --------------------------------------------------------
def test_a_phone_is_bound_only_by_its_code(stack, victim, unchanged):
    api = stack.api_url
    mallory = _data(requests.post(f"{api}/api/v1/chat/session", timeout=10), 201)
    headers = {"Authorization": f"Bearer {mallory['token']}"}
    said = requests.patch(
        f"{api}/api/v1/me", json={"phone": victim.phone}, headers=headers, timeout=10
    )
    assert said.status_code == 422
    taken = requests.post(
        f"{api}/api/v1/me/phone/code", json={"phone": victim.phone}, headers=headers, timeout=10
    )
    free = requests.post(
        f"{api}/api/v1/me/phone/code", json={"phone": "13700001111"}, headers=headers, timeout=10
    )
    assert taken.status_code == free.status_code == 202
    assert taken.json() == free.json()  # no telling which number is registered
    guesses = [
        requests.post(
            f"{api}/api/v1/me/phone/verify",
            headers=headers,
            timeout=10,
            json={"phone": victim.phone, "code": f"{n:06d}"},
        ).status_code
        for n in range(6)
    ]
    assert set(guesses) == {422}


# 4. The action server without any credential --------------------------------------------------
def test_the_action_server_answers_rasa_alone(stack, victim, unchanged):
    call = {
        "next_action": "action_list_appointments",
        "sender_id": victim.sender,
        "tracker": {
            "sender_id": victim.sender,
            "slots": {},
            "events": [],
            "latest_message": {"metadata": {}},
        },
        "domain": {},
    }
    plain = requests.post(f"{stack.actions_url}/webhook", json=call, timeout=10)
    assert plain.status_code == 401
    bomb = zlib.compress(b"{" + b" " * (64 * 1024 * 1024) + b"}", 9)  # 64 MiB from 64 kB
    deflated = requests.post(
        f"{stack.actions_url}/webhook",
        data=bomb,
        timeout=30,
        headers={"Content-Encoding": "deflate"},
    )
    assert deflated.status_code == 401
    token = stack.environment()["ACTION_SERVER_TOKEN"]
    insider = requests.post(
        f"{stack.actions_url}/webhook",
        data=bomb,
        timeout=30,
        headers={"Content-Encoding": "deflate", "Authorization": f"Bearer {token}"},
    )
    assert insider.status_code == 413  # bounded after decompression, even for Rasa
    assert requests.get(f"{stack.actions_url}/health", timeout=10).status_code == 200


def test_the_action_server_listens_on_loopback(stack):
    """Bound to 127.0.0.1, not rasa-sdk's 0.0.0.0: no other host reaches it."""
    port = stack.ports.actions
    listening = subprocess.run(
        ["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout.split()
    addresses = {word.rsplit(":", 1)[0] for word in listening if word.endswith(f":{port}")}
    assert addresses == {"127.0.0.1"}, listening


# 5. Rasa's HTTP API is open -------------------------------------------------------------------
def test_rasas_http_api_needs_its_token(stack, victim, unchanged):
    rasa = stack.rasa_url
    attempts = [
        ("GET", f"/conversations/{victim.sender}/tracker", None),
        ("POST", f"/conversations/{victim.sender}/trigger_intent", {"name": "list_appointments"}),
        ("POST", f"/conversations/{victim.sender}/tracker/events", [{"event": "pause"}]),
        ("DELETE", "/model", None),
        ("GET", "/status", None),
    ]
    for method, path, body in attempts:
        response = requests.request(
            method, rasa + path, json=body, timeout=30, params={"token": "guessed"}
        )
        assert response.status_code in (401, 403), (method, path, response.status_code)
        assert_nothing_private(response.text, victim)
    assert (
        requests.get(
            f"{rasa}/status", timeout=10, params={"token": stack.environment()["RASA_TOKEN"]}
        ).status_code
        == 200
    )


def test_no_other_origin_may_call_rasa_from_a_page(stack):
    preflight = requests.options(
        f"{stack.rasa_url}/conversations/x/tracker",
        timeout=10,
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers.get("Access-Control-Allow-Origin") not in ("*", "https://evil.example")


# 6. The guest lookup budget can be reset ------------------------------------------------------
def test_guessing_the_last_four_spends_one_budget_per_number(stack, victim, unchanged):
    """Ten wrong tries, each from a new session, and the number is closed for the day, even
    to the right answer; another number's budget is untouched."""
    api, number = stack.api_url, victim.application_number
    statuses = []
    for n in range(10):
        session = _data(requests.post(f"{api}/api/v1/chat/session", timeout=10), 201)
        statuses.append(
            requests.post(
                f"{api}/api/v1/applications/lookup",
                timeout=10,
                json={"number": number, "id_last4": f"{n:04d}"},
                headers={"Authorization": f"Bearer {session['token']}"},
            ).status_code
        )
    assert statuses == [404] * 10, statuses
    right = requests.post(
        f"{api}/api/v1/applications/lookup",
        timeout=10,
        json={"number": number, "id_last4": ID_CARD[-4:]},
    )
    assert right.status_code == 429 and right.json()["errcode"] == 42900
    assert_nothing_private(right.text, victim)
    other = requests.post(
        f"{api}/api/v1/applications/lookup",
        timeout=10,
        json={"number": "GZ2026AAAAAAAAAA0", "id_last4": "1234"},
    )
    assert other.status_code == 404


# 7. Production accepts placeholders; demo people in production ---------------------------------
def test_production_has_no_demo_people_and_no_development_login(stack):
    if stack.environment().get("CITIZEN_PROFILE") != "production":
        pytest.skip("the default profile is the demo city")
    api = stack.api_url
    assert (
        requests.post(
            f"{api}/api/v1/auth/dev-login", json={"identity": "web:demo-wang"}, timeout=10
        ).status_code
        == 404
    )
    database = stack.environment()["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        demo = connection.execute(
            "SELECT count(*) FROM channel_identity WHERE external_id LIKE 'demo-%'"
        ).fetchone()[0]
    assert demo == 0


# 8. WeChat: plaintext beside safe mode, replayed URLs, an openid in a forged body -------------
def test_wechat_refuses_forgeries_and_replays(stack, victim, unchanged):
    from tests.wechat_client import WeChatServer, text_message

    wechat = WeChatServer(stack.rasa_url, token=stack.environment()["WECHAT_TOKEN"])
    openid = "o" + uuid.uuid4().hex[:27]
    # Safe mode is configured: a plaintext body, which no signature covers, is a forgery.
    assert wechat.post_plain(text_message(openid, "我挂了哪些号")).status_code == 400
    # Signed with a guessed token.
    guessed = WeChatServer(stack.rasa_url, token="guessed-token")
    assert guessed.post_encrypted(text_message(openid, "你好"))[0].status_code == 403
    # A captured URL replayed with another message.
    query = wechat.query()
    assert wechat.post_encrypted(text_message(openid, "谢谢"), query=query)[0].status_code == 200
    other = "o" + uuid.uuid4().hex[:27]
    assert (
        wechat.post_encrypted(text_message(other, "我挂了哪些号"), query=query)[0].status_code
        == 403
    )


# The socket.io channel: no ticket, a forged one, or another's conversation asked for -----------
def test_socketio_takes_the_conversation_from_the_ticket_alone(stack, victim, unchanged):
    import socketio

    from tests.socketio_client import Conversation

    for ticket in (None, assertion(victim.sender, key="mallory-made-this-key-up-herself")):
        with pytest.raises(socketio.exceptions.ConnectionError):
            Conversation(stack.rasa_url, ticket)
    mallory = _data(requests.post(f"{stack.api_url}/api/v1/chat/session", timeout=10), 201)
    talk = Conversation(stack.rasa_url, mallory["channel_ticket"], session_id=victim.sender)
    try:
        assert talk.session_id != victim.sender
        [reply] = talk.say("我挂了哪些号", session_id=victim.sender)
        assert reply["text"] == "您目前没有有效的预约。"
    finally:
        talk.close()


# 9. Personal numbers in any spelling, in replies and in the stored conversation ---------------
def test_numbers_a_citizen_types_are_masked_in_replies_and_the_tracker(stack, victim):
    api = stack.api_url
    session = _data(requests.post(f"{api}/api/v1/chat/session", timeout=10), 201)
    headers = {"Authorization": f"Bearer {session['token']}"}
    spelled = [
        "138 0013 8000",
        "+86-139-1234-5678",
        "１３７００１３７０００",
        "sfz110105194912310021",
        "6222 0212 3456 7890 123",
    ]
    for text in spelled:
        reply = requests.post(
            f"{api}/api/v1/chat", json={"text": f"我的号码是{text}"}, headers=headers, timeout=60
        )
        assert reply.status_code == 200
    history = requests.get(f"{api}/api/v1/chat/history", headers=headers, timeout=30).text
    sender = json.loads(
        __import__("base64").urlsafe_b64decode(session["channel_ticket"].split(".")[1] + "==")
    )["sub"]
    tracker = requests.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker",
        timeout=30,
        params={"token": stack.environment()["RASA_TOKEN"]},
    ).text
    for stored in (history, tracker):
        plain = stored.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        digits = "".join(c for c in plain if c.isdigit())
        for number in (
            "13800138000",
            "13912345678",
            "13700137000",
            "110105194912310021",
            "6222021234567890123",
        ):
            assert number not in digits.replace(" ", ""), number
        for middle in ("0013 8000", "1234-5678", "19491231", "3456 7890"):
            assert middle not in plain, (middle, plain[plain.find(middle) - 80 :][:160])


# 10. Flooding: new visitors per address ---------------------------------------------------------
def test_guests_make_no_records(stack, victim):
    """A guest conversation (here: the hotline gateway's, unverified) creates no citizen."""
    call = f"hotline:137{uuid.uuid4().int % 10**8:08d}-flood"
    requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        headers=insider(stack),
        timeout=60,
        json={"sender": call, "message": "我挂了哪些号"},
    )
    database = stack.environment()["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        made = connection.execute(
            "SELECT count(*) FROM channel_identity WHERE external_id = ?", (call.split(":", 1)[1],)
        ).fetchone()[0]
    assert made == 0
