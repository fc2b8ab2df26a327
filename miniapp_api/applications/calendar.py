"""Working days and statutory time limits.

Conventions (one place for all of them):

- A day is a working day if it is a make-up workday, else if it is not a holiday and falls on
  Monday to Friday.
- Time limits count from the working day after the start (the acceptance day itself does not
  count). ``add_working_days(start, n)`` is the n-th working day after ``start``, and the limit
  expires at the end of that day: a 1-working-day limit started on a Monday is due on Tuesday.
  Only working days are counted, so a limit never ends on a holiday or weekend.
- ``working_days_between(a, b)`` counts working days in the half-open interval (a, b], so
  ``working_days_between(s, add_working_days(s, n)) == n``.
- A suspension ``(start, end)`` stops the clock on the working days ``start <= d < end``: the day
  it starts does not count, the day work resumes does. A still-open suspension (``end`` None)
  lasts through ``today``. The due date is the ``limit``-th working day after acceptance that is
  not suspended, so suspensions inside the countdown move it later by the number of suspended
  working days, while a suspension that starts after the limit has run out does not.
- Overdue: not concluded and ``today`` is after the due date.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from os import PathLike

ONE_DAY = timedelta(days=1)
FRIDAY = 4  # date.weekday(): Monday is 0
HOLIDAYS_KEY = "holidays"
WORKDAYS_KEY = "workdays"

Suspension = tuple[date, date | None]


class WorkCalendar:
    """Weekends plus configured holidays (days off) and make-up workdays (days on)."""

    def __init__(self, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> None:
        self.holidays: frozenset[date] = frozenset(holidays)
        self.workdays: frozenset[date] = frozenset(workdays)
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"dates both holiday and workday: {sorted(both)}")

    def is_working_day(self, d: date) -> bool:
        if d in self.workdays:
            return True
        return d not in self.holidays and d.weekday() <= FRIDAY

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself for n = 0)."""
        if n < 0:
            raise ValueError("n must not be negative")
        d = start
        while n > 0:
            d += ONE_DAY
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; 0 when b <= a."""
        count, d = 0, a
        while d < b:
            d += ONE_DAY
            count += self.is_working_day(d)
        return count

    def due_date(
        self, accepted_on: date, limit_days: int, suspensions: Sequence[Suspension], today: date
    ) -> date:
        """The last day of a ``limit_days`` working-day limit, suspended working days excluded."""
        if limit_days < 0:
            raise ValueError("limit_days must not be negative")
        stops = [_stop_interval(s, today) for s in suspensions]
        d, left = accepted_on, limit_days
        while left > 0:
            d += ONE_DAY
            if self.is_working_day(d) and not any(lo <= d < hi for lo, hi in stops):
                left -= 1
        return d


def _stop_interval(suspension: Suspension, today: date) -> tuple[date, date]:
    """The half-open [start, resume) interval of one suspension."""
    start, end = suspension
    resume = end if end is not None else max(today, start) + ONE_DAY
    if resume < start:
        raise ValueError(f"suspension ends before it starts: {start} .. {end}")
    return start, resume


def is_overdue(due: date, today: date, concluded: bool) -> bool:
    """Past its due date and still without a concluding decision."""
    return not concluded and today > due


def load_calendar(path: str | PathLike[str]) -> WorkCalendar:
    """Read ``{"holidays": ["2026-01-01", ...], "workdays": ["2026-01-04", ...]}``.

    Other keys (such as ``_comment``) are ignored.
    """
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return WorkCalendar(
        holidays=[date.fromisoformat(s) for s in data.get(HOLIDAYS_KEY, [])],
        workdays=[date.fromisoformat(s) for s in data.get(WORKDAYS_KEY, [])],
    )
