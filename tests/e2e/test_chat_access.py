"""Access through chat: citizen A names citizen B's appointment ids, patient id and
application number in every way the bot understands (sentences in both languages, button
payloads with entities), and learns or changes nothing of B's."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.api.residents import valid_id_card
from tests.edge import bot_headers

from .conversation import say

pytestmark = pytest.mark.e2e
B_NAME = "贝塔测试"
B_ID_CARD = valid_id_card("44010619790621003")
B_PHONE = "13755556666"


def api(stack, sender: str, method: str, path: str, **kwargs) -> requests.Response:
    headers = bot_headers(sender)
    return requests.request(
        method, f"{stack.api_url}/api/v1{path}", headers=headers, timeout=30, **kwargs
    )


def data(response: requests.Response):
    assert response.status_code in (200, 201), response.text
    return response.json()["data"]


def bobs_records(stack, bob: str) -> dict:
    patient = data(
        api(
            stack,
            bob,
            "POST",
            "/patients",
            json={"name": B_NAME, "id_card": B_ID_CARD, "phone": B_PHONE},
        )
    )
    [hospital] = data(api(stack, bob, "GET", "/hospitals", params={"q": "协和医院"}))["items"]
    departments = data(
        api(
            stack, bob, "GET", "/departments", params={"q": "皮肤科", "hospital_id": hospital["id"]}
        )
    )["items"]
    slots = data(
        api(
            stack,
            bob,
            "GET",
            "/slots",
            params={"department_id": departments[0]["id"], "available": "true"},
        )
    )["items"]
    appointment = data(
        api(
            stack,
            bob,
            "POST",
            "/appointments",
            json={"slot_id": slots[0]["id"], "patient_id": patient["id"]},
        )
    )
    application = data(
        api(
            stack,
            bob,
            "POST",
            "/applications",
            json={"item_code": "residence_permit", "applicant_name": B_NAME, "id_card": B_ID_CARD},
        )
    )
    return {"patient": patient, "appointment": appointment, "application": application}


def state_of(stack, bob: str) -> dict:
    return {
        "appointments": data(api(stack, bob, "GET", "/appointments", params={"status": "all"}))[
            "items"
        ],
        "patients": data(api(stack, bob, "GET", "/patients"))["items"],
        "applications": data(api(stack, bob, "GET", "/applications")),
    }


def test_chat_never_reaches_another_citizens_records(running_stack):
    stack = running_stack
    run = uuid.uuid4().hex[:6]
    alice, bob = f"web:access-alice-{run}", f"web:access-bob-{run}"
    records = bobs_records(stack, bob)
    before = state_of(stack, bob)
    appointment_id = records["appointment"]["id"]
    patient_id = records["patient"]["id"]
    number = records["application"]["number"]
    display = records["application"]["display_number"]
    phrasings = [
        f"取消预约{appointment_id}",
        f"帮我取消第{appointment_id}号预约",
        f"cancel appointment {appointment_id}",
        f"cancel my appointment number {appointment_id}",
        f'/cancel_appointment{{"appointment_id": "{appointment_id}"}}',
        "确认取消",
        "yes",
        f'/change_booking{{"appointment_id": "{appointment_id}"}}',
        "换成下午",
        f"把预约{appointment_id}改到后天",
        f"reschedule appointment {appointment_id} to Friday",
        f"我的预约{appointment_id}是几号",
        f"show me appointment {appointment_id}",
        "我挂了哪些号",
        "list my appointments",
        f"我的办件{number}办到哪一步了",
        f"{display}的进度",
        f"status of application {number}",
        f'/ask_application_status{{"application_number": "{number}"}}',
        "后四位是 0000",
        "帮我挂协和医院皮肤科的号",
        f'/inform_booking{{"patient_id": "{patient_id}"}}',
        "确认预约",
        f'/affirm{{"patient_id": "{patient_id}"}}',
        f"就诊人是{B_NAME}",
        f"我要给病人{patient_id}挂号",
        "confirm the booking",
    ]
    replies = []
    for text in phrasings:
        for reply in say(stack, alice, text):
            replies.append(
                (
                    text,
                    reply.get("text") or "",
                    " ".join(b.get("title", "") for b in reply.get("buttons") or []),
                )
            )
    secrets = [
        B_NAME,
        B_ID_CARD,
        B_ID_CARD[:3] + "*" * 14 + B_ID_CARD[-1],
        B_PHONE,
        B_PHONE[:3] + "****" + B_PHONE[-4:],
        f"第{records['appointment']['queue_number']}号（",
    ]
    leaked = [
        (asked, text)
        for asked, text, titles in replies
        if any(s in text or s in titles for s in secrets)
    ]
    assert not leaked, leaked
    assert state_of(stack, bob) == before  # nothing cancelled, moved or booked for B
    mine = data(api(stack, alice, "GET", "/appointments", params={"status": "all"}))["items"]
    assert all(a["patient"]["id"] != patient_id for a in mine), mine
    print(
        f"\n{len(phrasings)} phrasings as citizen A naming B's records: {len(replies)} "
        f"replies, nothing of B's in them, B's records unchanged"
    )
