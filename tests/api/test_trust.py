"""Trust through the API: guest lookups under budgets every worker shares, and phones bound only
by a one-time code that reached the phone (the SMS stand-in is a JSON-lines file)."""

from __future__ import annotations

import json

import pytest

from miniapp_api.applications.service import seed_service_items
from tests.api.residents import valid_id_card

ID_CARD = valid_id_card("44010619900307123")
HERE, ELSEWHERE = {"REMOTE_ADDR": "203.0.113.10"}, {"REMOTE_ADDR": "203.0.113.11"}
PHONE = "13912345678"


@pytest.fixture
def sms(tmp_path):
    return tmp_path / "sms.jsonl"


@pytest.fixture
def app(app_factory, sms):
    app = app_factory(SMS_SENDER=f"jsonl:{sms}", GUEST_LOOKUP_RATE_LIMIT="1000 per minute")
    with app.app_context():
        seed_service_items()
    return app


def application_number(client, auth) -> str:
    _, headers = auth.citizen("wechat:o-applicant")
    response = client.post(
        "/api/v1/applications",
        headers=headers,
        json={"item_code": "residence_permit", "applicant_name": "Li Lei", "id_card": ID_CARD},
    )
    assert response.status_code == 201
    return response.get_json()["data"]["number"]


def lookup(client, number, last4, environ=HERE, headers=None):
    return client.post(
        "/api/v1/applications/lookup",
        json={"number": number, "id_last4": last4},
        environ_base=environ,
        headers=headers or {},
    )


def test_one_budget_per_application_number_whoever_asks(app, app_factory, client, auth):
    """Guessing the four characters from many addresses, many conversations and two workers
    spends one budget: once it is spent even the right answer waits for tomorrow."""
    app.config["GUEST_LOOKUP_NUMBER_BUDGET"] = 4
    number = application_number(client, auth)
    second_worker = app_factory(
        GUEST_LOOKUP_NUMBER_BUDGET=4, GUEST_LOOKUP_RATE_LIMIT="1000 per minute"
    ).test_client()
    tries = [
        lookup(client, number, "0000", HERE),
        lookup(second_worker, number, "0001", ELSEWHERE),
        lookup(client, number, "0002", headers=auth.bot("web:guesser-1", proven=False)),
        lookup(second_worker, number, "0003", headers=auth.bot("web:guesser-2", proven=False)),
    ]
    assert [t.status_code for t in tries] == [404, 404, 404, 404]
    spent = lookup(client, number, ID_CARD[-4:], {"REMOTE_ADDR": "198.51.100.7"})
    assert spent.status_code == 429 and spent.get_json()["errcode"] == 42900
    assert int(spent.headers["Retry-After"]) > 0
    assert number not in spent.get_data(as_text=True)
    # Another application's budget is untouched.
    assert lookup(client, "GZ2026AAAAAAAAAA0", "1234", ELSEWHERE).status_code == 404


def test_one_budget_per_client_across_numbers(app, client, auth):
    app.config["GUEST_LOOKUP_CLIENT_BUDGET"] = 3
    numbers = [f"GZ2026AAAAAAAAAA{i}" for i in range(5)]
    assert [lookup(client, n, "1234").status_code for n in numbers[:3]] == [404, 404, 404]
    assert lookup(client, numbers[3], "1234").status_code == 429
    assert lookup(client, numbers[4], "1234", ELSEWHERE).status_code == 404


def sent_codes(sms) -> list[tuple[str, str]]:
    if not sms.exists():
        return []
    lines = [json.loads(line) for line in sms.read_text().splitlines()]
    return [(m["phone"], "".join(c for c in m["text"] if c.isdigit())[:6]) for m in lines]


def test_a_phone_is_bound_with_the_code_it_received(client, auth, sms):
    _, headers = auth.citizen("web:binder")
    asked = client.post("/api/v1/me/phone/code", headers=headers, json={"phone": PHONE})
    assert asked.status_code == 202 and asked.get_json()["data"]["expires_in"] == 300
    [(phone, code)] = sent_codes(sms)
    assert phone == PHONE
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = client.post(
        "/api/v1/me/phone/verify", headers=headers, json={"phone": PHONE, "code": wrong}
    )
    assert refused.status_code == 422 and refused.get_json()["errcode"] == 42213
    assert client.get("/api/v1/me", headers=headers).get_json()["data"]["phone"] is None
    bound = client.post(
        "/api/v1/me/phone/verify", headers=headers, json={"phone": PHONE, "code": code}
    )
    assert bound.status_code == 200 and bound.get_json()["data"]["phone"] == "139****5678"
    # A code serves once.
    again = client.post(
        "/api/v1/me/phone/verify", headers=headers, json={"phone": PHONE, "code": code}
    )
    assert again.status_code == 422


def test_a_code_for_one_citizen_or_phone_serves_no_other(client, auth, sms):
    _, alice = auth.citizen("web:alice-binder")
    _, mallory = auth.citizen("web:mallory-binder")
    client.post("/api/v1/me/phone/code", headers=alice, json={"phone": PHONE})
    [(_, code)] = sent_codes(sms)
    assert (
        client.post(
            "/api/v1/me/phone/verify", headers=mallory, json={"phone": PHONE, "code": code}
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/me/phone/verify", headers=alice, json={"phone": "13900001111", "code": code}
        ).status_code
        == 422
    )


def test_a_taken_phone_answers_like_a_free_one_until_the_code_is_proven(client, auth, sms):
    auth.citizen("web:owner", phone=PHONE)
    _, headers = auth.citizen("web:claimant")
    taken = client.post("/api/v1/me/phone/code", headers=headers, json={"phone": PHONE})
    free = client.post("/api/v1/me/phone/code", headers=headers, json={"phone": "13900002222"})
    assert taken.status_code == free.status_code == 202
    assert taken.get_json() == free.get_json()
    # Holding the phone (the code reached it), the claimant learns it is another citizen's.
    [(_, first), (_, second)] = sent_codes(sms)
    client.post("/api/v1/me/phone/code", headers=headers, json={"phone": PHONE})
    code = sent_codes(sms)[-1][1]
    conflict = client.post(
        "/api/v1/me/phone/verify", headers=headers, json={"phone": PHONE, "code": code}
    )
    assert conflict.status_code == 409 and conflict.get_json()["errcode"] == 40901


def test_guessing_a_code_is_bounded(app, client, auth, sms):
    _, headers = auth.citizen("web:guesser")
    client.post("/api/v1/me/phone/code", headers=headers, json={"phone": PHONE})
    [(_, code)] = sent_codes(sms)
    wrong = [f"{(int(code) + i) % 1_000_000:06d}" for i in range(1, 6)]
    for guess in wrong:
        assert (
            client.post(
                "/api/v1/me/phone/verify", headers=headers, json={"phone": PHONE, "code": guess}
            ).status_code
            == 422
        )
    # Five wrong tries used the code up: the right one no longer binds.
    assert (
        client.post(
            "/api/v1/me/phone/verify", headers=headers, json={"phone": PHONE, "code": code}
        ).status_code
        == 422
    )


def test_codes_a_day_are_bounded_per_citizen_and_per_phone(app, client, auth, sms):
    app.config["PHONE_CODE_DAILY_BUDGET"] = 2
    _, first = auth.citizen("web:texter-1")
    _, second = auth.citizen("web:texter-2")
    codes = [
        client.post("/api/v1/me/phone/code", headers=h, json={"phone": PHONE}).status_code
        for h in (first, second, first)
    ]
    assert codes == [202, 202, 429]
    assert len(sent_codes(sms)) == 2


def test_a_guest_conversation_cannot_ask_for_a_code(client, auth, sms):
    response = client.post(
        "/api/v1/me/phone/code",
        json={"phone": PHONE},
        headers=auth.bot("hotline:13912345678", proven=False),
    )
    assert response.status_code == 401 and sent_codes(sms) == []


def test_new_visitors_are_limited_per_address(app_factory):
    """Each web visitor is a new citizen record: throwaway accounts are bounded per address."""
    client = app_factory(
        NEW_CITIZEN_RATE_LIMIT="3 per hour", LOGIN_RATE_LIMIT="1000 per minute"
    ).test_client()
    made = [client.post("/api/v1/chat/session", environ_base=HERE).status_code for _ in range(4)]
    assert made == [201, 201, 201, 429]
    assert client.post("/api/v1/chat/session", environ_base=ELSEWHERE).status_code == 201


# --- the hotline's step-up inside the call ----------------------------------------------------
CALLER = "13912345678"
CALL = f"hotline:{CALLER}-call-0007"


@pytest.fixture
def caller_on_file(client, auth) -> int:
    """A citizen whose verified phone is the caller's number, with an application on file."""
    citizen_id, headers = auth.citizen("wechat:o-hotline-owner", phone=CALLER)
    response = client.post(
        "/api/v1/applications",
        headers=headers,
        json={"item_code": "residence_permit", "applicant_name": "Li Lei", "id_card": ID_CARD},
    )
    assert response.status_code == 201
    return citizen_id


def verify_call(client, auth, sms, last4: str, call: str = CALL):
    guest = auth.bot(call, proven=False)
    started = client.post("/api/v1/hotline/verification", json={"id_last4": last4}, headers=guest)
    assert started.status_code == 202
    codes = [code for phone, code in sent_codes(sms) if phone == CALLER]
    return started, codes


def test_a_caller_proves_the_number_with_the_file_and_the_phone(client, auth, sms, caller_on_file):
    guest = auth.bot(CALL, proven=False)
    assert client.get("/api/v1/applications", headers=guest).status_code == 401
    _, [code] = verify_call(client, auth, sms, ID_CARD[-4:])
    proven = client.post("/api/v1/hotline/verification/confirm", json={"code": code}, headers=guest)
    assert proven.status_code == 200
    assertion = proven.get_json()["data"]["assertion"]
    headers = {**guest, "X-Identity-Assertion": assertion}
    mine = client.get("/api/v1/applications", headers=headers)
    assert mine.status_code == 200 and len(mine.get_json()["data"]) == 1
    assert client.get("/api/v1/me", headers=headers).get_json()["data"]["id"] == caller_on_file
    # The proof is this call's alone: another call from the same number is a guest again.
    other_call = {
        **auth.bot(f"hotline:{CALLER}-call-0008", proven=False),
        "X-Identity-Assertion": assertion,
    }
    assert client.get("/api/v1/applications", headers=other_call).status_code == 401


def test_a_wrong_file_or_an_unknown_number_answers_the_same_and_texts_nothing(
    client, auth, sms, caller_on_file
):
    wrong, codes = verify_call(client, auth, sms, "0000")
    unknown, _ = verify_call(client, auth, sms, ID_CARD[-4:], call="hotline:13700000000-c1")
    assert codes == [] and sent_codes(sms) == []
    assert wrong.get_json() == unknown.get_json()
    refused = client.post(
        "/api/v1/hotline/verification/confirm",
        json={"code": "123456"},
        headers=auth.bot(CALL, proven=False),
    )
    assert refused.status_code == 422 and refused.get_json()["errcode"] == 42213


def test_a_code_read_out_in_another_call_proves_nothing(client, auth, sms, caller_on_file):
    _, [code] = verify_call(client, auth, sms, ID_CARD[-4:])
    spoofed = client.post(
        "/api/v1/hotline/verification/confirm",
        json={"code": code},
        headers=auth.bot(f"hotline:{CALLER}-call-9999", proven=False),
    )
    assert spoofed.status_code == 422


def test_only_the_bot_and_only_for_hotline_calls(client, auth, caller_on_file):
    _, session = auth.citizen("web:someone")
    assert (
        client.post(
            "/api/v1/hotline/verification", json={"id_last4": "1234"}, headers=session
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/hotline/verification",
            json={"id_last4": "1234"},
            headers=auth.bot("web:someone", proven=False),
        ).status_code
        == 404
    )
