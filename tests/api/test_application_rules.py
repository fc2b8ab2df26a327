"""Application progress rules: states, working-day time limits, numbers and identity numbers.

Pure unit tests, no app and no database. Expected values are worked out by hand (calendar) or
with independent code written differently from the modules (check characters).
"""

from __future__ import annotations

import itertools
import random
import secrets
from datetime import date, timedelta
from pathlib import Path

import pytest

from miniapp_api import identity
from miniapp_api.applications import numbers, states
from miniapp_api.applications.calendar import WorkCalendar, is_overdue, load_calendar

HOLIDAYS_FILE = Path(__file__).resolve().parents[2] / "miniapp_api" / "seed_data" / "holidays.json"

# ---------------------------------------------------------------- states

ALL_STATES = [
    "submitted",
    "accepted",
    "rejected",
    "supplement_requested",
    "under_review",
    "suspended",
    "approved",
    "denied",
    "delivered",
]
LEGAL = {
    ("submitted", "accepted"),
    ("submitted", "rejected"),
    ("submitted", "supplement_requested"),
    ("supplement_requested", "accepted"),
    ("supplement_requested", "rejected"),
    ("accepted", "under_review"),
    ("under_review", "suspended"),
    ("under_review", "approved"),
    ("under_review", "denied"),
    ("under_review", "supplement_requested"),
    ("suspended", "under_review"),
    ("approved", "delivered"),
    ("denied", "delivered"),
}
FULL_DETAILS = {"materials": ["户口簿复印件", "近期免冠照片"], "reason": "材料不齐全"}


def test_state_lists():
    assert list(states.STATES) == ALL_STATES
    assert set(states.TRANSITIONS) == set(ALL_STATES)
    assert states.TERMINAL == {"rejected", "delivered"}
    assert states.CONCLUDED == {"approved", "denied"}


@pytest.mark.parametrize("current,target", list(itertools.product(ALL_STATES, repeat=2)))
def test_every_transition(current, target):
    if (current, target) in LEGAL:
        states.check_transition(current, target, FULL_DETAILS)
        assert target in states.next_steps(current)
    else:
        with pytest.raises(states.IllegalTransition) as caught:
            states.check_transition(current, target, FULL_DETAILS)
        assert (caught.value.current, caught.value.target) == (current, target)
        assert target not in states.next_steps(current)


@pytest.mark.parametrize("current,target", [("bogus", "accepted"), ("submitted", "bogus")])
def test_unknown_states_are_illegal(current, target):
    with pytest.raises(states.IllegalTransition):
        states.check_transition(current, target, FULL_DETAILS)


NEEDS = {
    "supplement_requested": "materials",
    "suspended": "reason",
    "rejected": "reason",
    "denied": "reason",
}
BAD_DETAILS = {
    "materials": [
        None,
        {},
        {"materials": []},
        {"materials": "户口簿"},
        {"materials": [""]},
        {"materials": ["户口簿", 3]},
        {"reason": "x"},
    ],
    "reason": [
        None,
        {},
        {"reason": ""},
        {"reason": "   "},
        {"reason": ["x"]},
        {"materials": ["x"]},
    ],
}


@pytest.mark.parametrize("current,target", sorted(p for p in LEGAL if p[1] in NEEDS))
def test_missing_details(current, target):
    field = NEEDS[target]
    for details in BAD_DETAILS[field]:
        with pytest.raises(states.MissingDetails) as caught:
            states.check_transition(current, target, details)
        assert (caught.value.target, caught.value.field) == (target, field)
    states.check_transition(current, target, {field: FULL_DETAILS[field]})


def test_other_targets_need_no_details():
    for current, target in LEGAL:
        if target not in NEEDS:
            states.check_transition(current, target, None)


def test_open_and_closed():
    closed = {"rejected", "approved", "denied", "delivered"}
    for state in ALL_STATES:
        assert states.is_open(state) is (state not in closed)
    with pytest.raises(ValueError):
        states.is_open("bogus")


def test_next_steps_order_and_terminal():
    assert states.next_steps("under_review") == (
        "supplement_requested",
        "suspended",
        "approved",
        "denied",
    )
    assert states.next_steps("rejected") == () and states.next_steps("delivered") == ()


# ---------------------------------------------------------------- calendar


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return load_calendar(HOLIDAYS_FILE)


def test_seed_calendar_2026(cal):
    assert len(cal.holidays) == 33
    assert sorted(cal.workdays) == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    assert all(d.weekday() >= 5 for d in cal.workdays)
    assert cal.is_working_day(date(2026, 1, 4))  # Sunday, make-up
    assert not cal.is_working_day(date(2026, 1, 2))  # Friday, New Year's Day
    assert not cal.is_working_day(date(2026, 3, 7))  # ordinary Saturday
    assert cal.is_working_day(date(2026, 3, 9))  # ordinary Monday


def test_one_day_limit_on_monday_is_due_tuesday(cal):
    assert cal.add_working_days(date(2026, 3, 9), 1) == date(2026, 3, 10)
    assert cal.add_working_days(date(2026, 3, 9), 0) == date(2026, 3, 9)
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 3, 9), -1)


def test_limit_across_national_day(cal):
    # Sep 30 (1), Oct 1-7 off, Oct 8 (2), Oct 9 (3), Sat Oct 10 make-up (4), Mon Oct 12 (5).
    assert cal.add_working_days(date(2026, 9, 29), 5) == date(2026, 10, 12)
    assert cal.working_days_between(date(2026, 9, 29), date(2026, 10, 12)) == 5


def test_limit_across_spring_festival(cal):
    # Sat Feb 14 (1), Feb 15-23 off, Feb 24-27 (2-5), Sat Feb 28 (6), Sun Mar 1 off, Mon Mar 2 (7).
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 3, 2)) == 7
    assert cal.add_working_days(date(2026, 2, 13), 7) == date(2026, 3, 2)
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)


def test_new_year_make_up_sunday_counts(cal):
    assert cal.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 4)


def test_limit_ending_on_holiday_moves_to_next_working_day(cal):
    # Fri Apr 3 (1), Apr 4-6 Qingming, Tue Apr 7 (2).
    assert cal.add_working_days(date(2026, 4, 2), 2) == date(2026, 4, 7)


def test_working_days_between_is_half_open(cal):
    monday = date(2026, 3, 9)
    assert cal.working_days_between(monday, monday) == 0
    assert cal.working_days_between(monday, monday - timedelta(days=3)) == 0
    assert cal.working_days_between(monday - timedelta(days=1), monday) == 1
    for n in range(0, 40):
        start = date(2026, 9, 1)
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


MARCH_2 = date(2026, 3, 2)  # Monday; a 10-working-day limit is due Mon Mar 16


def test_due_date_without_suspension(cal):
    assert cal.due_date(MARCH_2, 10, [], MARCH_2) == date(2026, 3, 16)


def test_closed_suspension_is_excluded(cal):
    # Wed Mar 4 and Thu Mar 5 suspended, work resumes Fri Mar 6.
    assert cal.due_date(
        MARCH_2, 10, [(date(2026, 3, 4), date(2026, 3, 6))], date(2026, 3, 20)
    ) == date(2026, 3, 18)


def test_suspension_over_weekend_counts_working_days_only(cal):
    # Fri Mar 6 to Tue Mar 10: Fri 6 and Mon 9 suspended (2 working days).
    assert cal.due_date(
        MARCH_2, 10, [(date(2026, 3, 6), date(2026, 3, 10))], date(2026, 3, 20)
    ) == date(2026, 3, 18)


def test_open_suspension_extends_to_today(cal):
    # Suspended since Mon Mar 9, still suspended on Wed Mar 11: 3 working days so far.
    open_since = [(date(2026, 3, 9), None)]
    assert cal.due_date(MARCH_2, 10, open_since, date(2026, 3, 11)) == date(2026, 3, 19)
    assert cal.due_date(MARCH_2, 10, open_since, date(2026, 3, 13)) == date(2026, 3, 23)


def test_several_and_overlapping_suspensions(cal):
    spans = [(date(2026, 3, 4), date(2026, 3, 6)), (date(2026, 3, 5), date(2026, 3, 10))]
    # Mar 4, 5, 6, 9 suspended once each.
    assert cal.due_date(MARCH_2, 10, spans, date(2026, 3, 20)) == date(2026, 3, 20)


def test_suspension_after_the_limit_does_not_extend_it(cal):
    assert cal.due_date(MARCH_2, 10, [(date(2026, 3, 20), None)], date(2026, 3, 25)) == date(
        2026, 3, 16
    )


def test_suspension_across_holidays(cal):
    # Accepted Tue Sep 29, suspended Sep 30 to Oct 9: only Sep 30 and Oct 8 were working days.
    assert cal.due_date(
        date(2026, 9, 29), 5, [(date(2026, 9, 30), date(2026, 10, 9))], date(2026, 10, 20)
    ) == date(2026, 10, 14)


def test_suspension_ending_before_it_starts_is_rejected(cal):
    with pytest.raises(ValueError):
        cal.due_date(MARCH_2, 10, [(date(2026, 3, 6), date(2026, 3, 5))], date(2026, 3, 20))


def test_overdue():
    today = date(2026, 3, 17)
    yesterday = today - timedelta(days=1)
    assert is_overdue(yesterday, today, concluded=False)
    assert not is_overdue(yesterday, today, concluded=True)
    assert not is_overdue(today, today, concluded=False)


def test_load_calendar_ignores_comment_and_rejects_conflicts(tmp_path):
    path = tmp_path / "cal.json"
    path.write_text('{"_comment": "x", "holidays": ["2027-01-01"], "workdays": []}')
    assert load_calendar(path).holidays == {date(2027, 1, 1)}
    path.write_text('{"holidays": ["2027-01-02"], "workdays": ["2027-01-02"]}')
    with pytest.raises(ValueError):
        load_calendar(path)


def test_plain_calendar_is_monday_to_friday():
    plain = WorkCalendar(set(), set())
    assert [plain.is_working_day(date(2030, 1, 7) + timedelta(days=i)) for i in range(7)] == [
        True
    ] * 5 + [False] * 2


# ---------------------------------------------------------------- application numbers

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PYTHON_BASE32 = "0123456789abcdefghijklmnopqrstuv"


def independent_check(body: str) -> str:
    value = int(body.translate(str.maketrans(CROCKFORD, PYTHON_BASE32)), 32)
    return (CROCKFORD + "*~$=U")[value % 37]


def test_number_shape_and_check():
    rng = random.Random(7)
    for _ in range(200):
        number = numbers.new_number(2026, rng)
        assert len(number) == 17 and number.startswith("GZ2026")
        assert number[-1] == independent_check(number[2:-1])
        assert numbers.normalize(number) == number
    assert numbers.RANDOM_LENGTH * 5 >= 50


def test_numbers_are_unique():
    drawn = {numbers.new_number(2026) for _ in range(10_000)}
    assert len(drawn) == 10_000
    assert numbers.new_number(2026, secrets) != numbers.new_number(2026, secrets)


def _sample(count: int) -> list[str]:
    rng = random.Random(2026)
    return [numbers.new_number(rng.choice([2026, 2027, 2030]), rng) for _ in range(count)]


def test_check_catches_every_single_substitution():
    for number in _sample(25):
        for i in range(2, len(number)):
            alphabet = numbers.CHECK_SYMBOLS if i == len(number) - 1 else CROCKFORD
            for symbol in alphabet:
                if symbol != number[i]:
                    assert numbers.normalize(number[:i] + symbol + number[i + 1 :]) is None


def test_check_catches_every_adjacent_transposition():
    for number in _sample(200):
        for i in range(len(number) - 1):
            if number[i] != number[i + 1]:
                swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
                assert numbers.normalize(swapped) is None


def test_display_and_normalize_round_trip():
    for number in _sample(200):
        shown = numbers.display(number)
        head, *groups = shown.split("-")
        assert head == number[:6] and [len(g) for g in groups] == [4, 4, 3]
        assert numbers.normalize(shown) == number
        assert numbers.normalize(shown.lower()) == number
        assert numbers.normalize(" ".join(shown.split("-"))) == number
        sloppy = number[:2] + number[2:].replace("1", "I").replace("0", "o")
        assert numbers.normalize(sloppy.lower()) == number
        assert numbers.normalize(number[:2] + number[2:].replace("1", "l")) == number


@pytest.mark.parametrize(
    "text",
    [
        "",
        "GZ2026",
        "XX20261C3VHEX1078",
        "GZ20261C3VHEX10789",
        "GZ20261C3VHEX107",
        "GZ2026UC3VHEX1078",
        "GZ20A61C3VHEX1078",
    ],
)
def test_normalize_rejects_bad_shapes(text):
    assert numbers.normalize(text) is None


def test_display_rejects_invalid():
    with pytest.raises(ValueError):
        numbers.display("GZ2026-0000-0000-00")


# ---------------------------------------------------------------- identity numbers


def independent_id_check(body: str) -> str:
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(body))
    value = (1 - total) % 11
    return "X" if value == 10 else str(value)


BODIES = [
    "11010519491231002",
    "44010619900101123",
    "31011520000229456",
    "65010219991231888",
    "81000019000101001",
    "44030620260101777",
]
TODAY = date(2026, 11, 23)


def test_independent_check_agrees_with_standard_example():
    assert independent_id_check("11010519491231002") == "X"  # GB 11643-1999 example


@pytest.mark.parametrize("body", BODIES)
def test_valid_id_cards(body):
    number = body + independent_id_check(body)
    assert identity.is_valid_id_card(number, TODAY)
    assert (
        identity.normalize_id_card(f" {number[:6]} {number[6:14]} {number[14:].lower()} ", TODAY)
        == number
    )
    assert identity.id_card_last4(number) == number[-4:]


@pytest.mark.parametrize("body", BODIES)
def test_wrong_check_digit(body):
    good = independent_id_check(body)
    for check in "0123456789X":
        if check != good:
            assert not identity.is_valid_id_card(body + check, TODAY)


def _with_check(body: str) -> str:
    return body + independent_id_check(body)


@pytest.mark.parametrize(
    "number",
    [
        _with_check("44010619900230123"),  # Feb 30
        _with_check("44010619010229123"),  # 1901 is not a leap year
        _with_check("44010618991231123"),  # before 1900
        _with_check("44010620261124123"),  # after TODAY
        _with_check("44010619901301123"),  # month 13
        _with_check("04010619900101123"),  # region starts with 0
        _with_check("94010619900101123"),  # region starts with 9
        "44010619900101123",  # 17 characters
        _with_check("44010619900101123") + "0",  # 19 characters
        "4401061990010112X3",  # X not last
        "４４０１０６１９９００１０１１２３" + "4",  # full-width digits
        "",
    ],
)
def test_invalid_id_cards(number):
    assert not identity.is_valid_id_card(number, TODAY)
    assert identity.normalize_id_card(number, TODAY) is None


def test_lowercase_x_is_normalized_not_valid_as_is():
    number = _with_check("11010519491231002")
    assert number.endswith("X")
    assert not identity.is_valid_id_card(number.lower(), TODAY)
    assert identity.normalize_id_card(number.lower(), TODAY) == number
    assert identity.id_card_last4(number.lower()) == "002X"
    with pytest.raises(ValueError):
        identity.id_card_last4("110105194912310021")


@pytest.mark.parametrize(
    "phone,ok",
    [
        ("13812345678", True),
        ("19912345678", True),
        ("12812345678", False),
        ("1381234567", False),
        ("138123456789", False),
        ("13812345678\n", False),
        (" 13812345678", False),
        ("１３８１２３４５６７８", False),
        ("", False),
    ],
)
def test_mainland_mobile(phone, ok):
    assert identity.is_mainland_mobile(phone) is ok
