"""Handoff endpoints: the bot opens a ticket; operators list, read and close tickets.

Closing a ticket tells Rasa to resume the conversation, so the bot answers in it again.
"""

from __future__ import annotations

from flask_smorest import Blueprint

from ..auth import bot_conversation, current_citizen, operator_required, proven_conversation
from ..chat.rasa import RasaClient, RasaUnavailable
from ..citizens.service import citizen_for_identity, parse_sender_id
from ..envelope import envelope_of, ok
from ..errors import ApiError
from ..i18n import current_locale
from .presenter import present_ticket
from .schemas import (
    CloseSchema,
    TicketCreatedSchema,
    TicketListQuerySchema,
    TicketPageSchema,
    TicketRefSchema,
    TicketRequestSchema,
    TicketSchema,
)
from .service import close_ticket, find_ticket, list_tickets, open_ticket, open_ticket_for

bp = Blueprint(
    "handoff", __name__, url_prefix="/api/v1", description="Human handoff: tickets for operators"
)


@bp.post("/handoff/tickets")
@bp.arguments(TicketRequestSchema)
@bp.response(201, envelope_of(TicketCreatedSchema))
@bp.alt_response(
    200,
    schema=envelope_of(TicketCreatedSchema),
    description="the conversation already had an open ticket",
)
def create(body: dict):
    """The bot (service token and ``X-Citizen-Identity``) hands the conversation to a person.

    Answers the conversation's open ticket (``created: false``) if it already has one. A guest
    conversation (no identity assertion) may ask for a person too: its ticket is its own
    record's, never that of a citizen its sender id names.
    """
    sender_id = bot_conversation()
    channel, external_id = parse_sender_id(sender_id)
    citizen = (
        current_citizen() if proven_conversation() else citizen_for_identity(channel, external_id)
    )
    ticket, created = open_ticket(
        citizen, sender_id, channel, body["reason"], body["transcript"], body.get("lang")
    )
    return ok(
        {"number": ticket.number, "status": ticket.status, "created": created}
    ), 201 if created else 200


@bp.get("/handoff/tickets/current")
@bp.response(200, envelope_of(TicketRefSchema))
def current():
    """The bot: the open ticket of the conversation named by ``X-Citizen-Identity`` (404 if
    none), so a new session of a handed-over conversation stays paused."""
    ticket = open_ticket_for(bot_conversation())
    if ticket is None:
        raise ApiError("not_found")
    return ok({"number": ticket.number, "status": ticket.status})


@bp.get("/operator/handoff/tickets")
@operator_required
@bp.arguments(TicketListQuerySchema, location="query")
@bp.response(200, envelope_of(TicketPageSchema))
def tickets(query: dict):
    """Operators: tickets, oldest first (``status=open`` is the queue); without transcripts."""
    rows, total = list_tickets(query.get("status"), query["limit"], query["offset"])
    locale = current_locale()
    return ok(
        {"items": [present_ticket(t, locale, transcript=False) for t in rows], "total": total}
    )


@bp.get("/operator/handoff/tickets/<number>")
@operator_required
@bp.response(200, envelope_of(TicketSchema))
def ticket(number: str):
    """Operators: one ticket with the conversation's transcript (personal numbers masked)."""
    return ok(present_ticket(find_ticket(number), current_locale()))


@bp.post("/operator/handoff/tickets/<number>/close")
@operator_required
@bp.arguments(CloseSchema)
@bp.response(200, envelope_of(TicketSchema))
def close(body: dict, number: str):
    """Operators: close a ticket; the bot answers in that conversation again.

    503 (the ticket stays open) when the assistant cannot be told; 409 if already closed.
    """

    def resume(sender_id: str) -> None:
        try:
            RasaClient.from_config().resume(sender_id)
        except RasaUnavailable:
            raise ApiError("assistant_unavailable", headers={"Retry-After": "10"}) from None

    closed = close_ticket(number, current_citizen(), body.get("note"), resume)
    return ok(present_ticket(closed, current_locale()))
