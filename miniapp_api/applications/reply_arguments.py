"""The bot's application responses: names and sentences for the codes the actions send."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from ..db import db
from ..i18n import babel_locale, join_list, translate
from .models import ServiceItem
from .states import STATES


def _item(code: object) -> ServiceItem | None:
    return db.session.get(ServiceItem, code) if isinstance(code, str) else None


def _date(value: object, locale: str) -> str | None:
    try:
        return format_date(date.fromisoformat(str(value)), "long", locale=babel_locale(locale))
    except ValueError:
        return None


def _state_name(state: object, locale: str) -> str:
    return translate(f"application.state.{state}", locale) if state in STATES else ""


def _item_name(entry: dict, locale: str) -> str:
    item = _item(entry.get("item_code"))
    return item.text("name", locale) if item else str(entry.get("item_code"))


def application_arguments(arguments: dict, locale: str) -> dict:
    derived: dict = {}
    item = _item(arguments.get("item_code"))
    if item is not None:
        derived.update(
            item=item.text("name", locale),
            department=item.text("department", locale),
            days=item.time_limit_days,
            fee=item.text("fee", locale),
            collect=item.text("collect", locale),
            how_to_apply=item.text("how_to_apply", locale),
            item_materials=join_list(item.text("materials", locale), locale),
        )
    state = arguments.get("state")
    if state in STATES:
        derived["state_name"] = _state_name(state, locale)
        derived["next_clause"] = translate(f"application.next.{state}", locale)
    due = _date(arguments.get("due_date"), locale)
    derived["due_clause"] = (
        ""
        if not due
        else translate(
            "application.overdue_clause" if arguments.get("overdue") else "application.due_clause",
            locale,
            due_date=due,
        )
    )
    materials = [m for m in arguments.get("materials") or [] if isinstance(m, str)]
    reason = arguments.get("reason")
    if state == "supplement_requested" and materials:
        derived["detail_clause"] = translate(
            "application.supplement_clause", locale, materials=join_list(materials, locale)
        )
    elif state == "suspended" and isinstance(reason, str):
        derived["detail_clause"] = translate("application.suspended_clause", locale, reason=reason)
    else:
        derived["detail_clause"] = ""
    listed = arguments.get("applications")
    if isinstance(listed, list):
        entries = [
            translate(
                "application.list_entry",
                locale,
                item=_item_name(a, locale),
                number=a.get("number"),
                state_name=_state_name(a.get("state"), locale),
            )
            for a in listed
            if isinstance(a, dict)
        ]
        derived.update(count=len(entries), applications_list=join_list(entries, locale))
    return derived


def message_ids() -> list[str]:
    return (
        [f"application.state.{s}" for s in STATES]
        + [f"application.next.{s}" for s in STATES]
        + [
            "application.due_clause",
            "application.overdue_clause",
            "application.supplement_clause",
            "application.suspended_clause",
            "application.list_entry",
            "open311.attribute.applicant_name",
            "open311.attribute.id_card",
        ]
    )
