"""The running system's appointment data as the bot sees it, for the conversation tests (a support
module: test modules import these from here, not from each other)."""

from __future__ import annotations

import requests

from tests.edge import bot_headers

# How a citizen says each period in Chinese.
PERIOD_ZH = {"morning": "上午", "afternoon": "下午", "evening": "晚上"}


def api(stack, sender, path, **params):
    """GET ``/api/v1<path>`` as the bot acting for ``sender``; the response's ``data``."""
    headers = bot_headers(sender)
    response = requests.get(
        f"{stack.api_url}/api/v1{path}", headers=headers, params=params, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


def free_cardiology_slot(stack, sender):
    """A free slot of 协和医院's cardiology in the booking window: a morning whose afternoon is
    free too (a Saturday's clinics may open in the morning only), so that a test may move it."""
    [hospital] = api(stack, sender, "/hospitals", q="协和医院")["items"]
    department = next(
        d
        for d in api(stack, sender, "/departments", q="心内科", hospital_id=hospital["id"])["items"]
        if d["name"] == "心内科"
    )
    slots = api(stack, sender, "/slots", department_id=department["id"], available="true")["items"]
    return a_morning_with_the_afternoon_free(slots)


def a_morning_with_the_afternoon_free(slots):
    """The first of ``slots`` in a morning whose afternoon has a free slot too."""
    afternoons = {slot["date"] for slot in slots if slot["period"] == "afternoon"}
    mornings = [s for s in slots if s["period"] == "morning" and s["date"] in afternoons]
    assert mornings, "the demo data has days with free cardiology slots morning and afternoon"
    return mornings[0]


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
