"""Handoff end to end: the citizen asks for a person (or is not understood twice in a row),
gets a ticket number, the bot stays silent in that conversation until an operator closes the
ticket through the API, and then answers again."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid

import pytest
import requests

from launcher.stack import ROOT
from tests.edge import RASA_TOKEN

from .conversation import say, texts

pytestmark = pytest.mark.e2e
TICKET = re.compile(r"HD \d{4} \d{4}")
# "Not understood" for certain, whatever the trained model makes of gibberish: the intent
# FallbackClassifier gives (nlu_fallback), sent as Rasa's intent payload.
NOT_UNDERSTOOD = ("/nlu_fallback", "/nlu_fallback")


@pytest.fixture(scope="module")
def operator(running_stack) -> dict:
    env = {**os.environ, **running_stack.env, "PYTHONPATH": str(ROOT)}
    token = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "miniapp_api",
            "create-operator",
            "web:e2e-handoff-operator",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()[-1]
    return {"Authorization": f"Bearer {token}"}


def ticket_number(reply_text: str) -> str:
    match = TICKET.search(reply_text)
    assert match, reply_text
    return match.group(0).replace(" ", "")


def close(stack, operator, number: str) -> requests.Response:
    return requests.post(
        f"{stack.api_url}/api/v1/operator/handoff/tickets/{number}/close",
        headers=operator,
        json={"note": "called the citizen back"},
        timeout=30,
    )


def test_silent_while_the_ticket_is_open_and_back_when_closed(running_stack, operator):
    sender = f"web:e2e-handoff-{uuid.uuid4().hex[:8]}"
    assert texts(say(running_stack, sender, "你好")) == ["您好！我是市民助手，请问有什么可以帮您？"]
    [handoff] = say(running_stack, sender, "我要转人工")
    assert "12345" in handoff["text"] and "工单号" in handoff["text"]
    number = ticket_number(handoff["text"])

    # Paused: the citizen's messages are recorded, the bot says nothing.
    assert say(running_stack, sender, "有人吗？") == []
    assert say(running_stack, sender, "thanks") == []
    ticket = requests.get(
        f"{running_stack.api_url}/api/v1/operator/handoff/tickets/{number}",
        headers=operator,
        timeout=30,
    ).json()["data"]
    assert ticket["status"] == "open" and ticket["sender_id"] == sender
    assert [t["text"] for t in ticket["transcript"] if t["role"] == "citizen"] == [
        "你好",
        "我要转人工",
    ]

    response = close(running_stack, operator, number)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["status"] == "closed"
    # Resumed: the bot answers again, in the same conversation.
    assert texts(say(running_stack, sender, "谢谢你")) == ["不客气，很高兴能帮到您！"]
    tracker = requests.get(
        f"{running_stack.rasa_url}/conversations/{sender}/tracker", params=RASA_TOKEN, timeout=30
    ).json()
    users = [e["text"] for e in tracker["events"] if e["event"] == "user"]
    assert users == ["你好", "我要转人工", "有人吗？", "thanks", "谢谢你"]


def test_an_english_request_for_a_person(running_stack, operator):
    sender = f"web:e2e-handoff-{uuid.uuid4().hex[:8]}"
    [handoff] = say(running_stack, sender, "real person please")
    assert handoff["text"].startswith("OK, I've passed you to a member of staff")
    assert say(running_stack, sender, "hello?") == []
    assert close(running_stack, operator, ticket_number(handoff["text"])).status_code == 200


def test_two_fallbacks_in_a_row_hand_over(running_stack, operator):
    sender = f"web:e2e-handoff-{uuid.uuid4().hex[:8]}"
    first = texts(say(running_stack, sender, NOT_UNDERSTOOD[0], lang="en"))
    assert first == [
        "Sorry, I didn't quite get that. Could you say it another way, or see what I can do?"
    ]
    [handoff] = say(running_stack, sender, NOT_UNDERSTOOD[1], lang="en")
    number = ticket_number(handoff["text"])
    ticket = requests.get(
        f"{running_stack.api_url}/api/v1/operator/handoff/tickets/{number}",
        headers=operator,
        timeout=30,
    ).json()["data"]
    assert ticket["reason"] == "fallback"
    assert close(running_stack, operator, number).status_code == 200


def test_a_wechat_conversation_handed_over_gets_acknowledgements_only(running_stack, operator):
    from tests.wechat_client import WeChatServer, text_message

    wechat = WeChatServer(running_stack.rasa_url)
    openid = "o" + uuid.uuid4().hex[:27]
    handoff = wechat.say(text_message(openid, "人工客服"))
    number = ticket_number(handoff.content)
    silent, _ = wechat.post_encrypted(text_message(openid, "在吗"))
    assert silent.status_code == 200 and silent.text == "success"  # received, nothing to say
    ticket = requests.get(
        f"{running_stack.api_url}/api/v1/operator/handoff/tickets/{number}",
        headers=operator,
        timeout=30,
    ).json()["data"]
    assert ticket["channel"] == "wechat" and ticket["sender_id"] == f"wechat:{openid}"
    assert close(running_stack, operator, number).status_code == 200
    assert wechat.say(text_message(openid, "谢谢")).content == "不客气，很高兴能帮到您！"
