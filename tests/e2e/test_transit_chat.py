"""End to end: buses over the REST channel, in both languages."""

from __future__ import annotations

import uuid

import pytest

from .conversation import say

pytestmark = pytest.mark.e2e
ZHUJIANG_NEW_TOWN = {"latitude": 23.1190, "longitude": 113.3215}


def sender() -> str:
    return f"web:e2e-bus-{uuid.uuid4().hex[:8]}"


def test_next_bus_in_chinese(running_stack):
    [reply] = say(running_stack, sender(), "55路还有几分钟到天河客运站")
    assert reply["text"].startswith("天河客运站：")
    assert "55路（开往" in reply["text"] or "接下来一小时没有车到站" in reply["text"]


def test_next_bus_in_english_names_the_stop_in_english(running_stack):
    [reply] = say(running_stack, sender(), "When is the next bus at Zhujiang New Town?")
    assert reply["text"].startswith("Zhujiang New Town: ")
    assert "route " in reply["text"] or "no buses" in reply["text"]


def test_nearby_stops_from_the_shared_location_then_tap_one(running_stack):
    citizen = sender()
    [nearby] = say(running_stack, citizen, "附近有什么公交站", location=ZHUJIANG_NEW_TOWN)
    assert nearby["text"].startswith("附近的公交站：")
    assert nearby["buttons"]
    [board] = say(running_stack, citizen, nearby["buttons"][0]["payload"])
    assert board["text"].startswith(nearby["buttons"][0]["title"] + "：")


def test_which_routes_go_to_a_place(running_stack):
    [reply] = say(running_stack, sender(), "去体育中心坐几路")
    assert reply["text"].startswith("去体育中心可以坐：")
    assert "路" in reply["text"]
