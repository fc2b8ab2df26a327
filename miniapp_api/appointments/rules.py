"""The booking rules, as pure functions of dates, times and counts (no database, no HTTP).

- A slot is bookable from ``min_days_ahead`` (1: tomorrow) to ``max_days_ahead`` (7) days after
  today, today being the hospital's local date (the city's time zone, ``CITIZEN_TIMEZONE``); and
  never once it has started.
- A citizen holds at most ``per_doctor_per_day`` active appointments with one doctor on one day
  (1), and at most ``per_day`` active appointments on one day (3), whoever the patients are.
- An appointment may be cancelled (or moved) until ``cancel_cutoff`` before its slot starts.

Each broken rule raises ``RuleBroken`` with the error kind the API answers with.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Mapping

from ..config import city_zone

HOSPITAL_ZONE = city_zone()


class RuleBroken(Exception):
    """A booking rule refuses the change; ``kind`` is a key of ``errors.ERRORS``."""

    def __init__(self, kind: str, **data: Any) -> None:
        super().__init__(kind)
        self.kind = kind
        self.data = data


@dataclass(frozen=True)
class BookingRules:
    min_days_ahead: int = 1
    max_days_ahead: int = 7
    per_doctor_per_day: int = 1
    per_day: int = 3
    cancel_cutoff: timedelta = field(default=timedelta(0))

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "BookingRules":
        return cls(
            min_days_ahead=int(config["BOOKING_MIN_DAYS_AHEAD"]),
            max_days_ahead=int(config["BOOKING_MAX_DAYS_AHEAD"]),
            per_doctor_per_day=int(config["MAX_APPOINTMENTS_PER_DOCTOR_DAY"]),
            per_day=int(config["MAX_APPOINTMENTS_PER_DAY"]),
            cancel_cutoff=timedelta(minutes=int(config["CANCEL_CUTOFF_MINUTES"])),
        )


def local_date(moment: datetime) -> date:
    """The hospital's calendar date at ``moment``."""
    return moment.astimezone(HOSPITAL_ZONE).date()


def booking_window(now: datetime, rules: BookingRules) -> tuple[date, date]:
    """The first and last visit dates bookable at ``now``, inclusive."""
    today = local_date(now)
    return (
        today + timedelta(days=rules.min_days_ahead),
        today + timedelta(days=rules.max_days_ahead),
    )


def is_bookable_time(
    visit_date: date, starts_at: datetime, now: datetime, rules: BookingRules
) -> bool:
    first, last = booking_window(now, rules)
    return first <= visit_date <= last and starts_at > now


def check_bookable_time(
    visit_date: date, starts_at: datetime, now: datetime, rules: BookingRules
) -> None:
    """``slot_in_past`` once the slot has started, ``outside_booking_window`` outside the days."""
    if starts_at <= now:
        raise RuleBroken("slot_in_past")
    first, last = booking_window(now, rules)
    if not first <= visit_date <= last:
        raise RuleBroken(
            "outside_booking_window", first_date=first.isoformat(), last_date=last.isoformat()
        )


def check_citizen_day(
    doctor_id: int, same_day_doctor_ids: Iterable[int], rules: BookingRules
) -> None:
    """One more appointment with ``doctor_id`` on a day where the citizen already has active
    appointments with ``same_day_doctor_ids`` (one entry per appointment)."""
    held = list(same_day_doctor_ids)
    if sum(1 for d in held if d == doctor_id) >= rules.per_doctor_per_day:
        raise RuleBroken("duplicate_doctor_day", limit=rules.per_doctor_per_day)
    if len(held) >= rules.per_day:
        raise RuleBroken("daily_limit_reached", limit=rules.per_day)


def cancel_deadline(starts_at: datetime, rules: BookingRules) -> datetime:
    return starts_at - rules.cancel_cutoff


def check_cancellable(status: str, starts_at: datetime, now: datetime, rules: BookingRules) -> None:
    """Only a booked appointment, and only until the cut-off before its slot starts."""
    if status != "booked":
        raise RuleBroken("appointment_not_active", status=status)
    deadline = cancel_deadline(starts_at, rules)
    if now > deadline:
        raise RuleBroken("cancel_too_late", deadline_at=deadline.isoformat())
