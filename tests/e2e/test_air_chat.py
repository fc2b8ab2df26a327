"""End to end: air-quality questions over the REST channel, answered from the demo network."""
from __future__ import annotations

import uuid

import pytest

from .test_chat import say

pytestmark = pytest.mark.e2e


def new_sender() -> str:
    return f"web:air-{uuid.uuid4().hex[:8]}"


def test_chinese_district_pollutant_and_follow_up(running_stack):
    sender = new_sender()
    [reply] = say(running_stack, sender, "天河区现在PM2.5多少啊")
    assert reply["text"].startswith("天河区现在的PM2.5浓度是 ")
    [reply] = say(running_stack, sender, "那海珠呢")
    assert reply["text"].startswith("海珠区现在的空气质量指数（AQI）是 ")
    assert "建议：" in reply["text"]


def test_english_activity_advice_for_the_city(running_stack):
    [reply] = say(running_stack, new_sender(), "Is it OK to go running today?")
    assert reply["text"].startswith("Now in the city: AQI ")
    assert "go running" in reply["text"]


def test_shared_location_picks_the_nearest_station(running_stack):
    [reply] = say(running_stack, new_sender(), "空气怎么样",
                  location={"latitude": 23.1551, "longitude": 113.2846})
    assert reply["text"].startswith("麓湖现在的空气质量指数") or reply["text"].startswith(
        "麓湖这一小时的监测数据不全")
