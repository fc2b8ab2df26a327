"""Handoff tickets: a conversation the bot handed to a person, with its transcript."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, db, utcnow

STATUSES = ("open", "closed")
REASONS = ("requested", "fallback")


class HandoffTicket(db.Model):
    """One handoff. While it is open the bot stays silent in its conversation (``sender_id``)."""

    __tablename__ = "handoff_ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizen.id"), index=True)
    sender_id: Mapped[str] = mapped_column(String(160), index=True)
    # The sender id while the ticket is open, NULL once closed: its unique constraint allows one
    # open ticket per conversation on SQLite and PostgreSQL alike (NULLs never collide).
    open_sender_id: Mapped[str | None] = mapped_column(String(160), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(16))
    # [{"role": "citizen"|"bot", "text": ..., "at": ISO 8601}], personal numbers masked.
    transcript: Mapped[list[dict]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("citizen.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
