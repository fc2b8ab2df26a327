"""Tickets as operators see them: identity masked, status and reason named in their locale."""

from __future__ import annotations

from ..citizens.models import Citizen
from ..db import db
from ..i18n import translate
from ..privacy import mask_phone
from .models import HandoffTicket


def present_ticket(ticket: HandoffTicket, locale: str, transcript: bool = True) -> dict:
    citizen = db.session.get(Citizen, ticket.citizen_id)
    shown = {
        "number": ticket.number,
        "status": ticket.status,
        "status_name": translate(f"handoff.status.{ticket.status}", locale),
        "reason": ticket.reason,
        "reason_name": translate(f"handoff.reason.{ticket.reason}", locale),
        "channel": ticket.channel,
        "sender_id": ticket.sender_id,
        "citizen_id": ticket.citizen_id,
        "citizen_name": citizen.display_name if citizen else None,
        "citizen_phone": mask_phone(citizen.phone) if citizen else None,
        "locale": ticket.locale,
        "operator_id": ticket.operator_id,
        "note": ticket.note,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "closed_at": ticket.closed_at,
    }
    if transcript:
        shown["transcript"] = ticket.transcript
    return shown
