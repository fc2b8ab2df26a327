"""Applications: submit, advance along legal transitions, read, and the guest lookup.

Every change is one transaction: the new state, its timeline event, the recomputed due date and
the citizen's notification are committed together or not at all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .. import fuzzy
from ..config import city_zone
from ..db import db, utcnow
from ..errors import ApiError
from ..identity import id_card_last4, normalize_id_card
from ..privacy import mask_id_card
from ..transactions import commit_or_conflict
from . import numbers, states
from .calendar import WorkCalendar, load_calendar
from .calendar import is_overdue as past_due
from .models import Application, ApplicationEvent, Notification, ServiceItem
from .notifications import status_message

SEED_DATA = Path(__file__).resolve().parent.parent / "seed_data"


@lru_cache(maxsize=4)
def _calendar(path: str) -> WorkCalendar:
    return load_calendar(path)


def work_calendar() -> WorkCalendar:
    return _calendar(current_app.config.get("HOLIDAY_CALENDAR") or str(SEED_DATA / "holidays.json"))


def city_today() -> date:
    return utcnow().astimezone(city_zone()).date()


def id_digest(id_card: str) -> str:
    """A keyed digest: equal numbers match, a database dump alone does not reveal them."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, id_card.encode(), hashlib.sha256).hexdigest()


# --- service items -------------------------------------------------------------------------------
def seed_service_items() -> int:
    data = json.loads((SEED_DATA / "service_items.json").read_text(encoding="utf-8"))
    for entry in data["items"]:
        db.session.merge(ServiceItem(**entry))
    db.session.commit()
    return len(data["items"])


def search_service_items(query: str | None) -> list[ServiceItem]:
    """Items whose names or keywords contain the query, best first; close misspellings too."""
    items = db.session.scalars(select(ServiceItem).order_by(ServiceItem.code)).all()
    if not query:
        return items

    def terms(item: ServiceItem) -> list[str]:
        return [item.name_zh, item.name_en, *item.keywords]

    return [item for _, item in fuzzy.rank(query, items, terms, tie_break=lambda i: i.code)]


def get_item(code: str) -> ServiceItem:
    item = db.session.get(ServiceItem, code)
    if item is None:
        raise ApiError("not_found", data={"item": code})
    return item


# --- applications ----------------------------------------------------------------------------
def submit(
    citizen_id: int, item_code: str, applicant_name: str, id_card: str, channel: str
) -> Application:
    item = get_item(item_code)
    card = normalize_id_card(id_card, today=city_today())  # None unless GB 11643-valid
    if card is None:
        raise ApiError("invalid_id_card")
    for _ in range(5):  # a number collision is astronomically rare; retry anyway
        application = Application(
            number=numbers.new_number(city_today().year),
            citizen_id=citizen_id,
            item_code=item.code,
            channel=channel,
            applicant_name=applicant_name,
            applicant_id_digest=id_digest(card),
            applicant_id_masked=mask_id_card(card),
            applicant_id_last4=id_card_last4(card),
            state="submitted",
        )
        application.events.append(
            ApplicationEvent(
                state="submitted", department=item.department_zh, handler_role="applicant"
            )
        )
        db.session.add(application)
        db.session.flush()
        db.session.add(
            Notification(
                citizen_id=citizen_id,
                application_id=application.id,
                payload=status_message(application),
            )
        )
        try:
            db.session.commit()
            return application
        except IntegrityError:
            db.session.rollback()
    raise ApiError("conflict")


def advance(number: str, target: str, details: dict) -> Application:
    """Move an application to ``target`` if the law allows it from where it is."""
    application = find_by_number(number)
    if application is None:
        raise ApiError("not_found")
    try:
        states.check_transition(application.state, target, details)
    except states.IllegalTransition:
        raise ApiError(
            "illegal_transition",
            data={
                "from": application.state,
                "to": target,
                "allowed": sorted(states.next_steps(application.state)),
            },
        ) from None
    except states.MissingDetails as missing:
        raise ApiError("validation_failed", data={"missing": missing.field}) from None
    application.state = target
    application.updated_at = utcnow()
    application.events.append(
        ApplicationEvent(
            state=target,
            department=details.get("department") or application.item.department_zh,
            handler_role=details.get("handler_role"),
            note=details.get("note"),
            materials=details.get("materials"),
            reason=details.get("reason"),
        )
    )
    db.session.flush()
    application.due_on = due_date(application)
    db.session.add(
        Notification(
            citizen_id=application.citizen_id,
            application_id=application.id,
            payload=status_message(application),
        )
    )
    commit_or_conflict("conflict", StaleDataError)  # another operator moved it first
    return application


def find_by_number(text: str) -> Application | None:
    number = numbers.normalize(text or "")
    if number is None:
        return None
    return db.session.scalars(select(Application).where(Application.number == number)).first()


def citizens_applications(citizen_id: int) -> list[Application]:
    return db.session.scalars(
        select(Application)
        .where(Application.citizen_id == citizen_id)
        .order_by(Application.submitted_at.desc())
    ).all()


def citizens_application(citizen_id: int, number: str) -> Application:
    """One of the citizen's own applications; another's is as absent as a made-up one."""
    application = find_by_number(number)
    if application is None or application.citizen_id != citizen_id:
        raise ApiError("not_found")
    return application


def guest_lookup(number: str, id_last4: str) -> Application:
    """The application for a number and the last four ID characters; one answer for any miss."""
    application = find_by_number(number)
    expected = application.applicant_id_last4 if application else "????"
    given = (id_last4 or "").strip().upper()
    if application is None or not hmac.compare_digest(expected.encode(), given.encode()):
        raise ApiError("not_found")
    return application


# --- due dates -------------------------------------------------------------------------------
def _local_day(moment: datetime) -> date:
    return moment.astimezone(city_zone()).date()


def suspensions(application: Application) -> list[tuple[date, date | None]]:
    periods, start = [], None
    for event in application.events:
        if event.state == "suspended":
            start = _local_day(event.at)
        elif start is not None:
            periods.append((start, _local_day(event.at)))
            start = None
    if start is not None:
        periods.append((start, None))
    return periods


def accepted_on(application: Application) -> date | None:
    return next((_local_day(e.at) for e in application.events if e.state == "accepted"), None)


def due_date(application: Application, today: date | None = None) -> date | None:
    """The legal deadline: time limit in working days from acceptance, suspensions excluded."""
    accepted = accepted_on(application)
    if accepted is None or application.state == "rejected":
        return None
    return work_calendar().due_date(
        accepted, application.item.time_limit_days, suspensions(application), today or city_today()
    )


def is_overdue(application: Application, today: date | None = None) -> bool:
    due = due_date(application, today)
    concluded = not states.is_open(application.state)
    return due is not None and past_due(due, today or city_today(), concluded)


@dataclass(frozen=True)
class Progress:
    application: Application
    due_on: date | None
    overdue: bool
    next_steps: tuple[str, ...]


def progress(application: Application) -> Progress:
    today = city_today()
    return Progress(
        application,
        due_date(application, today),
        is_overdue(application, today),
        tuple(states.next_steps(application.state)),
    )
