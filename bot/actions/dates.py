"""Dates and day periods as citizens say them, in Chinese and English.

Relative days, weekdays with "this"/"next" (and the Chinese week-after-next), month and day, a
day of the month alone, ISO dates; "this Friday", "next Monday", "tomorrow", "Nov 25",
"2026-11-25"; the clinics' morning, afternoon and evening. The Chinese words and the patterns
that mix both languages are in words.yml; tests/bot/test_dates.py shows the phrasings. Pure
functions of the text and today's date (in the city's zone), so they are tested without a clock.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

from .settings import settings
from .words import pattern, words

PERIODS = ("morning", "afternoon", "evening")

_WORDS = words("dates")
# Weekday words: Monday is 0.
_ZH_WEEKDAYS = {str(word): day for word, day in _WORDS["weekday_numbers"].items()}
_EN_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}  # by prefix
_EN_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_ZH_RELATIVE = tuple((str(word), int(days)) for word, days in _WORDS["relative_days"])
_EN_RELATIVE = (
    (r"day after tomorrow", 2),
    (r"tomorrow|tmr|tmrw|tomorow|tommorow", 1),
    (r"today|tonight", 0),
)
_WEEK_AFTER_NEXT, _NEXT_WEEK = _WORDS["week_after_next_prefix"], _WORDS["next_week_prefix"]

_ISO = pattern("dates", "iso_date")
_ZH_MONTH_DAY = pattern("dates", "month_day")
_ZH_DAY_ONLY = pattern("dates", "day_of_month")
_ZH_WEEKDAY = pattern("dates", "weekday")
_EN_WEEKDAY = re.compile(
    r"\b(next|this|coming)?\s*(monday|mon|tuesday|tues|tue|wednesday|wed|thursday|thurs|thu"
    r"|friday|fri|saturday|sunday)\b"
)
_MONTH_WORD = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_EN_MONTH_DAY = re.compile(rf"\b{_MONTH_WORD}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b")
_EN_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_WORD}\b")
_PERIOD_WORDS = tuple(
    (period, re.compile(words_pattern)) for period, words_pattern in _WORDS["periods"].items()
)


def city_today() -> date:
    return datetime.now(ZoneInfo(settings().time_zone)).date()


def _next_weekday(today: date, weekday: int) -> date:
    """That weekday this week if it is still ahead (or today), else next week's."""
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _in_week(today: date, weeks_ahead: int, weekday: int) -> date:
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)
    return monday + timedelta(days=weekday)


def _month_day(today: date, month: int, day: int) -> Optional[date]:
    """The next such date on or after today (this year, else next year)."""
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate >= today:
            return candidate
    return None


def parse_date(text: str, today: date) -> Optional[date]:
    """The first date the text names, or None."""
    if not text:
        return None
    lowered = text.lower()
    match = _ISO.search(lowered)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    for word, days in _ZH_RELATIVE:
        if word in text:
            return today + timedelta(days=days)
    for phrase, days in _EN_RELATIVE:
        if re.search(rf"\b(?:{phrase})\b", lowered):
            return today + timedelta(days=days)
    match = _ZH_WEEKDAY.search(text)
    if match:
        prefix, weekday = match[1] or "", _ZH_WEEKDAYS[match[2]]
        if prefix.startswith(_WEEK_AFTER_NEXT):
            return _in_week(today, 2, weekday)
        if prefix.startswith(_NEXT_WEEK):
            return _in_week(today, 1, weekday)
        if prefix:
            return _in_week(today, 0, weekday)
        return _next_weekday(today, weekday)
    match = _ZH_MONTH_DAY.search(text)
    if match:
        return _month_day(today, int(match[1]), int(match[2]))
    match = _ZH_DAY_ONLY.search(text)
    if match:
        return _day_of_month(today, int(match[1]))
    match = _EN_WEEKDAY.search(lowered)
    if match:
        weekday = _EN_WEEKDAYS[match[2][:3]]
        if match[1] == "next":
            upcoming = _next_weekday(today, weekday)
            # "next Friday" said on Monday means the Friday of next week.
            return (
                upcoming if upcoming - today >= timedelta(days=7) else _in_week(today, 1, weekday)
            )
        return _next_weekday(today, weekday)
    for month_pattern, month_group, day_group in ((_EN_MONTH_DAY, 1, 2), (_EN_DAY_MONTH, 2, 1)):
        for match in month_pattern.finditer(lowered):
            month = _EN_MONTHS.get(match[month_group][:3])
            if month:
                return _month_day(today, month, int(match[day_group]))
    return None


def _day_of_month(today: date, day: int) -> Optional[date]:
    """The 25th: this month's if it is still ahead, else next month's."""
    year, month = today.year, today.month
    for _ in range(2):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def parse_period(text: str) -> Optional[str]:
    """morning, afternoon or evening, if the text names one."""
    if not text:
        return None
    lowered = text.lower()
    for period, period_pattern in _PERIOD_WORDS:
        if period_pattern.search(lowered):
            return period
    return None
