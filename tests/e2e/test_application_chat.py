"""End to end: application progress in chat, and an operator's change seen in the next turn."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
import requests

from launcher.stack import ROOT
from tests.demo_applications import ALICE_LICENCE, WANG_PERMIT

from .conversation import say

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def operator_headers(running_stack):
    env = {**os.environ, **running_stack.env, "PYTHONPATH": str(ROOT)}
    token = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "miniapp_api",
            "create-operator",
            "web:e2e-operator",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()[-1]
    return {"Authorization": f"Bearer {token}"}


def test_english_status_of_a_suspended_licence(running_stack):
    [reply] = say(
        running_stack, "web:demo-alice", "What's the status of my business licence application?"
    )
    assert (
        reply["text"].startswith("Your Individual business licence application")
        or '"Suspended" step' in reply["text"]
    )
    assert "Suspended because: Site inspection scheduled with the applicant." in reply["text"]


def test_guest_query_over_two_turns_in_chinese(running_stack):
    sender = f"hotline:1390000{uuid.uuid4().int % 10000:04d}"
    [ask] = say(running_stack, sender, f"帮我查一下办件 {ALICE_LICENCE['number']} 的进度")
    assert "身份证号的后四位" in ask["text"]
    [reply] = say(running_stack, sender, f"后四位是 {ALICE_LICENCE['id_card'][-4:]}")
    assert "目前处于「已暂停」阶段" in reply["text"]


def test_operator_change_reaches_the_next_chat_turn(running_stack, operator_headers):
    number = WANG_PERMIT["number"]
    response = requests.post(
        f"{running_stack.api_url}/api/v1/operator/applications/{number}/transitions",
        headers=operator_headers,
        json={"state": "approved", "note": "e2e"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    [reply] = say(running_stack, "web:demo-wang", "我的居住证办到哪一步了")
    assert "目前处于「办结（准予）」阶段" in reply["text"]
    assert "下一步：结果送达" in reply["text"]
