"""A hotline call through the running Rasa server: a guest until the caller proves, inside the
call, the last four ID characters on file and the code texted to the phone on file; then the
call acts for that citizen, and another call from the same number is a guest again."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import requests

from miniapp_api.identity import id_card_check_char
from tests.edge import REST_HEADERS

pytestmark = pytest.mark.e2e
BODY = "44010619900307123"
ID_CARD = BODY + id_card_check_char(BODY)


def texted(stack, phone: str) -> list[str]:
    path = Path(stack.environment()["SMS_SENDER"].removeprefix("jsonl:"))
    lines = path.read_text().splitlines() if path.exists() else []
    return [
        "".join(c for c in m["text"] if c.isdigit())[:6]
        for m in map(json.loads, lines)
        if m["phone"] == phone
    ]


def gateway_says(stack, call: str, text: str) -> str:
    """What the hotline gateway sends for a caller's words: no assertion (nobody proved
    anything yet); the bot's replies joined."""
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        headers=REST_HEADERS,
        json={"sender": call, "message": text},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return " ".join(r.get("text", "") for r in response.json())


@pytest.fixture(scope="module")
def caller(running_stack) -> dict:
    """A resident with a verified phone and an application, as the mini-app makes them."""
    api = running_stack.api_url
    phone = f"139{uuid.uuid4().int % 10**8:08d}"
    login = requests.post(
        f"{api}/api/v1/auth/dev-login",
        timeout=10,
        json={"identity": f"wechat:o-hotline-{uuid.uuid4().hex[:12]}"},
    )
    headers = {"Authorization": f"Bearer {login.json()['data']['token']}"}
    assert (
        requests.post(
            f"{api}/api/v1/me/phone/code", json={"phone": phone}, headers=headers, timeout=10
        ).status_code
        == 202
    )
    [code] = texted(running_stack, phone)
    assert (
        requests.post(
            f"{api}/api/v1/me/phone/verify",
            json={"phone": phone, "code": code},
            headers=headers,
            timeout=10,
        ).status_code
        == 200
    )
    submitted = requests.post(
        f"{api}/api/v1/applications",
        headers=headers,
        timeout=10,
        json={"item_code": "residence_permit", "applicant_name": "李雷", "id_card": ID_CARD},
    )
    assert submitted.status_code == 201
    return {"phone": phone, "number": submitted.json()["data"]["display_number"]}


def test_a_caller_is_verified_inside_the_call(running_stack, caller):
    call = f"hotline:{caller['phone']}-call-{uuid.uuid4().hex[:6]}"
    asked = gateway_says(running_stack, call, "我的居住证办到哪一步了")
    assert "后四位" in asked and caller["number"] not in asked
    assert "验证码" in gateway_says(running_stack, call, f"后四位是{ID_CARD[-4:]}")
    code = texted(running_stack, caller["phone"])[-1]
    assert "已确认是您本人" in gateway_says(running_stack, call, f"验证码是{code}")
    status = gateway_says(running_stack, call, "我的居住证办到哪一步了")
    assert caller["number"] in status, status
    # Another call showing the same number proves nothing of its own.
    other = f"hotline:{caller['phone']}-call-{uuid.uuid4().hex[:6]}"
    again = gateway_says(running_stack, other, "我的居住证办到哪一步了")
    assert caller["number"] not in again and "后四位" in again


def test_wrong_answers_tell_the_caller_nothing(running_stack, caller):
    call = f"hotline:{caller['phone']}-call-{uuid.uuid4().hex[:6]}"
    sent_before = len(texted(running_stack, caller["phone"]))
    gateway_says(running_stack, call, "我的居住证办到哪一步了")
    wrong_last4 = gateway_says(running_stack, call, "后四位是0000")
    assert "验证码" in wrong_last4  # the same answer as for the right four characters
    assert len(texted(running_stack, caller["phone"])) == sent_before  # but nothing was sent
    failed = gateway_says(running_stack, call, "验证码是123456")
    assert "未能确认" in failed
    assert caller["number"] not in gateway_says(running_stack, call, "我的居住证办到哪一步了")
