"""End to end: air-quality questions over the REST channel, answered from the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest

from launcher.stack import ROOT

from ..air_readings import KNOWN_READINGS, next_hour
from .conversation import say

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def known_readings(running_stack, tmp_path_factory):
    """The known readings for the coming hour, ingested through the real CLI."""
    hour = next_hour()
    rows = [
        {"station": code, "time": hour.isoformat(), **values}
        for code, values in KNOWN_READINGS.items()
    ]
    path = tmp_path_factory.mktemp("air") / "readings.json"
    path.write_text(json.dumps(rows))
    env = {**os.environ, **running_stack.env, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "miniapp_api", "air", "ingest", str(path)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return hour


def new_sender() -> str:
    return f"web:air-{uuid.uuid4().hex[:8]}"


def test_chinese_district_pollutant_and_follow_up(running_stack, known_readings):
    sender = new_sender()
    [reply] = say(running_stack, sender, "天河区现在PM2.5多少啊")
    assert reply["text"].startswith(
        "天河区现在的PM2.5浓度是 80 μg/m³，分指数 119；综合空气质量指数 119，轻度污染。"
    )
    [reply] = say(running_stack, sender, "那海珠呢")
    assert reply["text"].startswith(
        "海珠区现在的空气质量指数（AQI）是 60，二级（良），首要污染物为PM2.5。"
    )


def test_english_activity_advice(running_stack, known_readings):
    [reply] = say(running_stack, new_sender(), "Is it OK to go running in Tianhe today?")
    assert reply["text"].startswith("Now in Tianhe: AQI 119, Lightly polluted. You can go running")


def test_city_answer_in_english(running_stack):
    [reply] = say(running_stack, new_sender(), "how's the air quality today")
    assert reply["text"].startswith(
        ("Air quality in the city now: AQI ", "Some monitoring data for the city is missing")
    )


def test_shared_location_picks_the_nearest_station(running_stack, known_readings):
    [reply] = say(
        running_stack,
        new_sender(),
        "这里空气怎么样",
        location={"latitude": 23.1330, "longitude": 113.3410},
    )
    assert reply["text"].startswith("天河职幼现在的空气质量指数（AQI）是 119")
