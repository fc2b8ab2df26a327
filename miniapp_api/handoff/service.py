"""Handoff rules, without HTTP: open one ticket per conversation, list, read and close them.

Closing a ticket first lets the bot speak again in that conversation (``resume``), then records
the closing: if Rasa cannot be reached the ticket stays open, so a conversation is never left
silenced with no open ticket to show for it.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Callable

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..citizens.models import Citizen
from ..db import db, utcnow
from ..errors import ApiError
from ..privacy import mask_text
from .models import HandoffTicket

NUMBER_PREFIX = "HD"
NUMBER_DIGITS = 8  # read out over the phone to the 12345 hotline: digits only
TRANSCRIPT_TURNS = 60
TURN_CHARS = 2000


def new_number() -> str:
    return NUMBER_PREFIX + "".join(secrets.choice("0123456789") for _ in range(NUMBER_DIGITS))


def normalize_number(text: str) -> str:
    return "".join((text or "").split()).replace("-", "").upper()


def clean_transcript(turns: list[dict]) -> list[dict]:
    """The latest turns, each text cut to size and its phone and ID-card numbers masked."""
    cleaned = []
    for turn in turns[-TRANSCRIPT_TURNS:]:
        at = turn.get("at")
        cleaned.append(
            {
                "role": turn["role"],
                "text": mask_text(turn["text"][:TURN_CHARS]),
                "at": at.isoformat() if isinstance(at, datetime) else None,
            }
        )
    return cleaned


def open_ticket_for(sender_id: str) -> HandoffTicket | None:
    return db.session.scalars(
        select(HandoffTicket).where(HandoffTicket.open_sender_id == sender_id)
    ).first()


def open_ticket(
    citizen: Citizen,
    sender_id: str,
    channel: str,
    reason: str,
    transcript: list[dict],
    locale: str | None,
) -> tuple[HandoffTicket, bool]:
    """The conversation's open ticket, created if there is none; and whether it was created.

    A conversation has at most one open ticket, also when two requests race (the unique
    ``open_sender_id`` decides; the loser reads the winner's ticket).
    """
    if existing := open_ticket_for(sender_id):
        return existing, False
    turns = clean_transcript(transcript)
    for _ in range(5):  # a number collision is rare (10^8 numbers); retry with another
        ticket = HandoffTicket(
            number=new_number(),
            citizen_id=citizen.id,
            sender_id=sender_id,
            open_sender_id=sender_id,
            channel=channel,
            locale=locale,
            reason=reason,
            transcript=turns,
            status="open",
        )
        db.session.add(ticket)
        try:
            db.session.commit()
            return ticket, True
        except IntegrityError:
            db.session.rollback()
            if existing := open_ticket_for(sender_id):
                return existing, False
    raise ApiError("conflict")


def find_ticket(number: str) -> HandoffTicket:
    ticket = db.session.scalars(
        select(HandoffTicket).where(HandoffTicket.number == normalize_number(number))
    ).first()
    if ticket is None:
        raise ApiError("not_found")
    return ticket


def list_tickets(status: str | None, limit: int, offset: int) -> tuple[list[HandoffTicket], int]:
    """Tickets, oldest open first (the queue an operator works through), and their total."""
    query = select(HandoffTicket)
    if status:
        query = query.where(HandoffTicket.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(HandoffTicket.created_at, HandoffTicket.id).limit(limit).offset(offset)
    ).all()
    return list(rows), total or 0


def close_ticket(
    number: str, operator: Citizen, note: str | None, resume: Callable[[str], None]
) -> HandoffTicket:
    """Close an open ticket: ``resume(sender_id)`` the conversation, then record who closed it.

    ``resume`` raises when the bot cannot be told; the ticket then stays open (nothing written).
    Closing a closed ticket is a 409.
    """
    ticket = find_ticket(number)
    if ticket.status != "open":
        raise ApiError("handoff_closed")
    resume(ticket.sender_id)
    now = utcnow()
    # Conditional on the ticket still being open: of two operators closing it at once, one wins.
    closed = db.session.execute(
        update(HandoffTicket)
        .where(HandoffTicket.id == ticket.id, HandoffTicket.status == "open")
        .values(
            status="closed",
            open_sender_id=None,
            operator_id=operator.id,
            note=note,
            closed_at=now,
            updated_at=now,
        )
    )
    if closed.rowcount != 1:
        db.session.rollback()
        raise ApiError("handoff_closed")
    db.session.commit()
    db.session.refresh(ticket)
    return ticket
