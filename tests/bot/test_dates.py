"""Dates and periods as citizens say them (bot/actions/dates.py), against a fixed today."""

from __future__ import annotations

from datetime import date

import pytest

from bot.actions.dates import parse_date, parse_period

MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("帮我挂明天上午协和医院心内科的号", date(2026, 11, 24)),
        ("后天下午", date(2026, 11, 25)),
        ("大后天", date(2026, 11, 26)),
        ("下周一", date(2026, 11, 30)),
        ("下个星期三", date(2026, 12, 2)),
        ("下下周二", date(2026, 12, 8)),
        ("取消我周三的预约", date(2026, 11, 25)),
        ("这周日", date(2026, 11, 29)),
        ("礼拜天", date(2026, 11, 29)),
        ("11月28号", date(2026, 11, 28)),
        ("1月3日", date(2027, 1, 3)),
        ("25号上午", date(2026, 11, 25)),
        ("20号", date(2026, 12, 20)),
        ("2026-11-30", date(2026, 11, 30)),
        ("I need to see a dermatologist on Friday", date(2026, 11, 27)),
        ("this Friday", date(2026, 11, 27)),
        ("next Monday", date(2026, 11, 30)),
        ("tomorrow afternoon", date(2026, 11, 24)),
        ("the day after tomorrow", date(2026, 11, 25)),
        ("Nov 26", date(2026, 11, 26)),
        ("26th of November", date(2026, 11, 26)),
        ("on wed", date(2026, 11, 25)),
    ],
)
def test_dates_in_both_languages(text, expected):
    assert parse_date(text, MONDAY) == expected


@pytest.mark.parametrize(
    "text", ["坐5号线", "心内科", "thus spoke", "I sat down", "2月30日", "", "monitor"]
)
def test_no_date_where_none_is_said(text):
    assert parse_date(text, MONDAY) is None


def test_a_weekday_said_on_that_day_means_today():
    assert parse_date("周一", MONDAY) == MONDAY


@pytest.mark.parametrize(
    "text, period",
    [
        ("明天上午", "morning"),
        ("换成下午", "afternoon"),
        ("晚上的号", "evening"),
        ("早上八点", "morning"),
        ("friday afternoon", "afternoon"),
        ("in the MORNING", "morning"),
        ("evening please", "evening"),
        ("心内科", None),
        ("pmc hospital", None),
    ],
)
def test_periods(text, period):
    assert parse_period(text) == period
