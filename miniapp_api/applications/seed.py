"""Demo applications: the catalog, and a few applications of the demo residents at each step."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from ..citizens.models import ChannelIdentity
from ..db import db, utcnow
from .models import Application
from .service import SEED_DATA, seed_service_items


def seed_applications(people: bool = True) -> dict[str, int]:
    """Idempotent: the catalog is merged; demo applications (``people``) keep their fixed
    numbers."""
    items = seed_service_items()
    if not people:
        return {"service_items": items, "demo_applications_added": 0}
    demo = json.loads((SEED_DATA / "applications.json").read_text(encoding="utf-8"))
    created = 0
    for entry in demo:
        exists = db.session.scalar(
            select(Application.id).where(Application.number == entry["number"])
        )
        if exists:
            continue
        channel, external_id = entry["citizen"].split(":", 1)
        citizen_id = db.session.scalar(
            select(ChannelIdentity.citizen_id).where(
                ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
            )
        )
        _create_with_history(entry, citizen_id)
        created += 1
    return {"service_items": items, "demo_applications_added": created}


def _create_with_history(entry: dict, citizen_id: int) -> None:
    from . import service
    from .models import ApplicationEvent, ServiceItem

    item = db.session.get(ServiceItem, entry["item_code"])
    card = entry["id_card"]
    start = utcnow() - timedelta(days=entry["days_ago"])
    application = Application(
        number=entry["number"],
        citizen_id=citizen_id,
        item_code=item.code,
        channel="web",
        applicant_name=entry["applicant_name"],
        applicant_id_digest=service.id_digest(card),
        applicant_id_masked=service.mask_id_card(card),
        applicant_id_last4=service.id_card_last4(card),
        state="submitted",
        submitted_at=start,
        updated_at=start,
    )
    application.events.append(
        ApplicationEvent(
            state="submitted", at=start, department=item.department_zh, handler_role="applicant"
        )
    )
    for offset, step in enumerate(entry["steps"], start=1):
        at = start + timedelta(days=offset)
        application.state, application.updated_at = step["state"], at
        application.events.append(
            ApplicationEvent(
                state=step["state"],
                at=at,
                department=item.department_zh,
                handler_role=step.get("handler_role", "window_officer"),
                note=step.get("note"),
                materials=step.get("materials"),
                reason=step.get("reason"),
            )
        )
    db.session.add(application)
    db.session.flush()
    application.due_on = service.due_date(application)
    db.session.commit()
