"""Applications and catalog items as the API shows them, in the request's locale."""

from __future__ import annotations

from ..i18n import translate
from . import numbers
from .models import Application, ServiceItem
from .service import progress


def present_item(item: ServiceItem, locale: str) -> dict:
    return {
        "code": item.code,
        "name": item.text("name", locale),
        "department": item.text("department", locale),
        "time_limit_days": item.time_limit_days,
        "materials": item.text("materials", locale),
        "fee": item.text("fee", locale),
        "collect": item.text("collect", locale),
        "how_to_apply": item.text("how_to_apply", locale),
    }


def state_name(state: str, locale: str) -> str:
    return translate(f"application.state.{state}", locale)


def present_application(application: Application, locale: str) -> dict:
    status = progress(application)
    last = application.events[-1]
    return {
        "number": application.number,
        "display_number": numbers.display(application.number),
        "item_code": application.item_code,
        "item_name": application.item.text("name", locale),
        "channel": application.channel,
        "applicant_name": application.applicant_name,
        "applicant_id": application.applicant_id_masked,
        "state": application.state,
        "state_name": state_name(application.state, locale),
        "department": last.department or application.item.text("department", locale),
        "submitted_at": application.submitted_at,
        "due_on": status.due_on,
        "overdue": status.overdue,
        "next_steps": list(status.next_steps),
        "missing_materials": last.materials
        if application.state == "supplement_requested"
        else None,
        "suspension_reason": last.reason if application.state == "suspended" else None,
        "timeline": [
            {
                "state": e.state,
                "state_name": state_name(e.state, locale),
                "at": e.at,
                "department": e.department,
                "handler_role": e.handler_role,
                "note": e.note,
                "materials": e.materials,
                "reason": e.reason,
            }
            for e in application.events
        ],
    }
