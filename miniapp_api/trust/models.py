"""What trust keeps in the database: attempt budgets and one-time phone codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, db, utcnow


class AttemptBudget(db.Model):
    """Attempts spent on one key in one window (``guest-lookup:number:GZ…:2026-12-01``): every
    API worker, the bot's calls and the mini-app's share the row."""

    __tablename__ = "attempt_budget"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class PhoneCode(db.Model):
    """A one-time code sent to a phone a citizen wants to bind; only its keyed digest is kept."""

    __tablename__ = "phone_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizen.id", ondelete="CASCADE"), index=True
    )
    phone: Mapped[str] = mapped_column(String(11))
    code_digest: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
