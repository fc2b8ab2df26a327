"""Privacy after a full scenario on the running system: a patient registered through chat with
an ID-card and a phone number, a booking, guest progress lookups, a few hotline calls replayed
with ``python -m bot.replay``. Then every place the numbers could land is searched for them:
the API's responses, the bot's replies, every process log, Rasa's tracker store (the SQLite file
and ``GET /conversations/{id}/tracker``) and the replay report. None may hold them unmasked.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from datetime import date
from pathlib import Path

import pytest
import requests

from launcher.environments import BOT_BIN, ROOT
from tests.api.residents import valid_id_card
from tests.edge import RASA_TOKEN, bot_headers, rest_say

from .booking import PERIOD_ZH, free_cardiology_slot

pytestmark = pytest.mark.e2e
ID_CARD = valid_id_card("31011519880808123")
PHONE = "13612340987"
CALLER = "18922223333"  # a hotline caller's own number (part of the replay's sender ids)


class Recorder:
    """Talks to the system and keeps everything it answered."""

    def __init__(self, stack) -> None:
        self.stack = stack
        self.api_bodies: list[str] = []
        self.replies: list[str] = []
        self.senders: set[str] = set()

    def api(self, method: str, path: str, headers: dict, **kwargs) -> dict:
        response = requests.request(
            method, f"{self.stack.api_url}/api/v1{path}", headers=headers, timeout=60, **kwargs
        )
        self.api_bodies.append(response.text)
        assert response.status_code < 500, response.text
        return response.json()

    def chat(self, headers: dict, text: str = None, payload: str = None) -> list[dict]:
        body = {"text": text} if text else {"payload": payload, "title": "button"}
        replies = self.api("POST", "/chat", headers, json=body)["data"]["replies"]
        self.replies.extend(json.dumps(r, ensure_ascii=False) for r in replies)
        return replies

    def say(self, sender: str, message: str) -> list[dict]:
        self.senders.add(sender)
        response = rest_say(self.stack.rasa_url, sender, message)
        assert response.status_code == 200, response.text
        self.replies.extend(json.dumps(r, ensure_ascii=False) for r in response.json())
        return response.json()


def book_through_the_mini_app_chat(rec: Recorder) -> str:
    session = rec.api("POST", "/chat/session", {})["data"]
    headers = {"Authorization": f"Bearer {session['token']}"}
    me = rec.api("GET", "/me", headers)["data"]
    sender = "web:" + me["identities"][0]["external_id"]
    rec.senders.add(sender)
    free = free_cardiology_slot(rec.stack, sender)
    day = date.fromisoformat(free["date"])
    rec.chat(
        headers, f"帮我挂{day.month}月{day.day}号{PERIOD_ZH[free['period']]}协和医院心内科的号"
    )
    ask_doctor = rec.replies[-1]
    button = next(b for b in json.loads(ask_doctor)["buttons"] if b["title"] == "任意医生")
    rec.chat(headers, payload=button["payload"])
    rec.chat(headers, "我叫隐私测试")
    rec.chat(headers, f"身份证号 {ID_CARD}")
    confirm = rec.chat(headers, f"手机 {PHONE}")
    button = next((b for b in confirm[-1].get("buttons") or [] if b["title"] == "确认预约"), None)
    assert button, confirm
    rec.chat(headers, payload=button["payload"])
    booked = rec.api("GET", "/appointments", headers)["data"]["items"]
    assert len(booked) == 1, rec.replies[-3:]
    rec.api("GET", "/patients", headers)
    rec.api("GET", "/chat/history", headers)
    return sender


def guest_lookups(rec: Recorder, owner: str) -> None:
    application = rec.api(
        "POST",
        "/applications",
        bot_headers(owner),
        json={"item_code": "residence_permit", "applicant_name": "隐私测试", "id_card": ID_CARD},
    )["data"]
    number = application["number"]
    rec.api("POST", "/applications/lookup", {}, json={"number": number, "id_last4": ID_CARD[-4:]})
    rec.api("GET", f"/applications/{number}", bot_headers(owner))
    guest = f"hotline:1390000{uuid.uuid4().int % 10000:04d}"
    rec.say(guest, f"帮我查一下办件 {number} 的进度")
    rec.say(guest, f"后四位是 {ID_CARD[-4:]}")
    # Free text with the numbers, in both languages, in a conversation of its own.
    talker = f"web:privacy-talk-{uuid.uuid4().hex[:6]}"
    rec.say(talker, f"我的身份证号是{ID_CARD}，手机{PHONE}，帮我查一下")
    rec.say(talker, f"my ID card is {ID_CARD} and my phone is {PHONE}")


def replay_calls(rec: Recorder, out: Path) -> Path:
    calls = out / "calls.jsonl"
    call = {
        "call_id": "P0001",
        "caller": CALLER,
        "started_at": "2026-11-20T09:00:00+08:00",
        "turns": [
            {"role": "caller", "text": "你好，我想挂个号"},
            {"role": "agent", "text": "请讲"},
            {"role": "caller", "text": f"我身份证号是{ID_CARD}"},
            {"role": "caller", "text": f"电话是{PHONE}"},
        ],
    }
    second = {
        **call,
        "call_id": "P0002",
        "turns": [{"role": "caller", "text": f"查一下 {ID_CARD} 的办件进度"}],
    }
    calls.write_text(
        "\n".join(json.dumps(c, ensure_ascii=False) for c in (call, second)) + "\n",
        encoding="utf-8",
    )
    report = out / "report"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "API_URL": rec.stack.api_url,
        "ACTION_SERVER_URL": rec.stack.actions_url,
    }
    result = subprocess.run(
        [
            str(BOT_BIN / "python"),
            "-m",
            "bot.replay",
            str(calls),
            "--out",
            str(report),
            "--url",
            rec.stack.rasa_url,
            "--no-progress",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert json.loads((report / "report.json").read_text(encoding="utf-8"))["calls"]
    # The replay's sender ids, as docs/operations.md gives them (the report shows them masked).
    rec.senders |= {f"hotline:{CALLER}-{c['call_id']}" for c in (call, second)}
    return report


def places(rec: Recorder, report: Path) -> dict[str, str]:
    """Every place to search, by name, as text."""
    stack = rec.stack
    found = {"API responses": "\n".join(rec.api_bodies), "bot replies": "\n".join(rec.replies)}
    for log in sorted((stack.var_dir / "log").glob("*.log")):
        found[f"log {log.name}"] = log.read_text(errors="replace")
    tracker_files = sorted(stack.var_dir.glob("tracker.sqlite3*"))
    assert tracker_files, list(stack.var_dir.iterdir())
    for path in tracker_files:
        found[f"tracker store {path.name}"] = path.read_bytes().decode("latin-1")
    for sender in sorted(rec.senders):
        response = requests.get(
            f"{stack.rasa_url}/conversations/{sender}/tracker", timeout=60, params=RASA_TOKEN
        )
        found[f"GET tracker {sender}"] = response.text
    for path in sorted(report.rglob("*")):
        if path.is_file():
            found[f"replay {path.name}"] = path.read_text(errors="replace")
    return found


def test_no_personal_number_is_left_unmasked_after_a_full_scenario(running_stack, tmp_path):
    rec = Recorder(running_stack)
    owner = book_through_the_mini_app_chat(rec)
    guest_lookups(rec, owner)
    report = replay_calls(rec, tmp_path)
    secrets = {"ID card": ID_CARD, "ID card body": ID_CARD[:17], "phone": PHONE}
    leaks = {
        f"{name}: {what}": text.count(secret)
        for name, text in places(rec, report).items()
        for what, secret in secrets.items()
        if secret in text
    }
    callers = {
        name: text.count(CALLER) for name, text in places(rec, report).items() if CALLER in text
    }
    print(
        f"\nsearched {len(places(rec, report))} places; typed numbers found in: {leaks or 'none'}"
        f"; the hotline caller's number (in replay sender ids) in: {callers or 'none'}"
    )
    assert not leaks, leaks
