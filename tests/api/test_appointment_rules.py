"""The booking rules and the fuzzy matcher as pure functions (no database, no HTTP)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import pytest

from miniapp_api import fuzzy
from miniapp_api.appointments.rules import (
    BookingRules,
    RuleBroken,
    booking_window,
    cancel_deadline,
    check_bookable_time,
    check_cancellable,
    check_citizen_day,
    local_date,
)

RULES = BookingRules()
# 23:30 on 24 Nov in Asia/Shanghai is still 15:30 UTC the same day; 00:30 local is the day after.
LATE_EVENING = datetime(2026, 11, 24, 15, 30, tzinfo=timezone.utc)
JUST_AFTER_MIDNIGHT = datetime(2026, 11, 24, 16, 30, tzinfo=timezone.utc)


def kind(call) -> str:
    with pytest.raises(RuleBroken) as broken:
        call()
    return broken.value.kind


def test_window_uses_the_hospitals_local_date():
    assert local_date(LATE_EVENING) == date(2026, 11, 24)
    assert booking_window(LATE_EVENING, RULES) == (date(2026, 11, 25), date(2026, 12, 1))
    assert local_date(JUST_AFTER_MIDNIGHT) == date(2026, 11, 25)
    assert booking_window(JUST_AFTER_MIDNIGHT, RULES) == (date(2026, 11, 26), date(2026, 12, 2))


def test_bookable_time():
    start = datetime(2026, 11, 25, 0, 0, tzinfo=timezone.utc)
    check_bookable_time(date(2026, 11, 25), start, LATE_EVENING, RULES)
    assert (
        kind(
            lambda: check_bookable_time(
                date(2026, 11, 24), LATE_EVENING + timedelta(hours=1), LATE_EVENING, RULES
            )
        )
        == "outside_booking_window"
    )
    assert (
        kind(
            lambda: check_bookable_time(
                date(2026, 12, 2), start + timedelta(days=7), LATE_EVENING, RULES
            )
        )
        == "outside_booking_window"
    )
    assert (
        kind(lambda: check_bookable_time(date(2026, 11, 24), LATE_EVENING, LATE_EVENING, RULES))
        == "slot_in_past"
    )
    same_day = BookingRules(min_days_ahead=0)
    check_bookable_time(
        date(2026, 11, 24), LATE_EVENING + timedelta(minutes=1), LATE_EVENING, same_day
    )


def test_citizen_day_limits():
    check_citizen_day(1, [2, 3], RULES)
    assert kind(lambda: check_citizen_day(1, [1], RULES)) == "duplicate_doctor_day"
    assert kind(lambda: check_citizen_day(4, [1, 2, 3], RULES)) == "daily_limit_reached"
    check_citizen_day(1, [1], BookingRules(per_doctor_per_day=2))
    check_citizen_day(4, [1, 2, 3], BookingRules(per_day=4))


def test_cancel_deadline():
    start = datetime(2026, 11, 25, 0, 0, tzinfo=timezone.utc)
    cutoff = BookingRules(cancel_cutoff=timedelta(hours=2))
    assert cancel_deadline(start, cutoff) == start - timedelta(hours=2)
    check_cancellable("booked", start, start - timedelta(hours=2), cutoff)
    assert (
        kind(lambda: check_cancellable("booked", start, start - timedelta(minutes=119), cutoff))
        == "cancel_too_late"
    )
    check_cancellable("booked", start, start, RULES)
    assert (
        kind(lambda: check_cancellable("cancelled", start, LATE_EVENING, RULES))
        == "appointment_not_active"
    )
    assert (
        kind(lambda: check_cancellable("rescheduled", start, LATE_EVENING, RULES))
        == "appointment_not_active"
    )


def test_rules_from_configuration():
    rules = BookingRules.from_config(
        {
            "BOOKING_MIN_DAYS_AHEAD": 0,
            "BOOKING_MAX_DAYS_AHEAD": 14,
            "MAX_APPOINTMENTS_PER_DOCTOR_DAY": 2,
            "MAX_APPOINTMENTS_PER_DAY": 5,
            "CANCEL_CUTOFF_MINUTES": 30,
        }
    )
    assert rules == BookingRules(0, 14, 2, 5, timedelta(minutes=30))


@pytest.mark.parametrize(
    "a, b, distance",
    [
        ("kitten", "sitting", 3),
        ("xeihe", "xiehe", 1),
        ("", "abc", 3),
        ("abc", "abc", 0),
        ("ca", "abc", 3),
    ],
)
def test_edit_distance(a, b, distance):
    assert fuzzy.edit_distance(a, b) == distance


def test_unmatched_characters_never_exceed_either_distance():
    # The search skips the alignment table when this bound already exceeds the edits allowed:
    # it must be a lower bound of both distances, or a match would be lost.
    rng = random.Random(633)
    alphabet = "abcde心内科血管"
    for _ in range(3000):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert fuzzy.unmatched(a, b) <= fuzzy.edit_distance(a, b)
        if a:
            assert fuzzy.unmatched(a, b) <= fuzzy.substring_distance(a, b)


def test_term_scores():
    assert fuzzy.score("Peking Union", ["peking-union"]) == 1.0
    assert fuzzy.score("union", ["Peking Union Medical College Hospital"]) >= 0.9
    assert fuzzy.score("dermatolgist", ["dermatologist"]) == pytest.approx(0.75)
    assert fuzzy.score("heart", ["women's health"]) == 0.0  # short: no fuzzy part match
    assert fuzzy.score("ab", ["ac"]) == 0.0  # two characters: no typo allowed
    assert fuzzy.score("", ["anything"]) == 0.0


def test_rank_best_first_with_ties_in_order():
    items = ["South People's Hospital", "North People's Hospital", "Xiehe"]
    ranked = fuzzy.rank("people's hospital", items, lambda item: [item], tie_break=items.index)
    assert [item for _, item in ranked] == items[:2]
    assert ranked[0][0] == ranked[1][0]
