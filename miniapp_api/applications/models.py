"""The service catalog, applications with their timelines, and the notification outbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, db, utcnow


class ServiceItem(db.Model):
    """A service item (shixiang) of the catalog: what a citizen can apply for."""

    __tablename__ = "service_item"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    department_zh: Mapped[str] = mapped_column(String(128))
    department_en: Mapped[str] = mapped_column(String(128))
    time_limit_days: Mapped[int] = mapped_column(Integer)  # legal limit, working days
    materials_zh: Mapped[list[str]] = mapped_column(JSON)
    materials_en: Mapped[list[str]] = mapped_column(JSON)
    fee_zh: Mapped[str] = mapped_column(String(128))
    fee_en: Mapped[str] = mapped_column(String(128))
    collect_zh: Mapped[str] = mapped_column(String(256))
    collect_en: Mapped[str] = mapped_column(String(256))
    how_to_apply_zh: Mapped[str] = mapped_column(Text)
    how_to_apply_en: Mapped[str] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON)

    def text(self, field: str, locale: str) -> Any:
        """A bilingual field (``name``, ``materials`` ...) in ``locale``."""
        return getattr(self, f"{field}_{'zh' if locale.startswith('zh') else 'en'}")


class Application(db.Model):
    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizen.id"), index=True)
    item_code: Mapped[str] = mapped_column(ForeignKey("service_item.code"))
    channel: Mapped[str] = mapped_column(String(16))
    applicant_name: Mapped[str] = mapped_column(String(64))
    # The ID-card number is never stored in clear: a keyed digest, a masked copy, the last four.
    applicant_id_digest: Mapped[str] = mapped_column(String(64))
    applicant_id_masked: Mapped[str] = mapped_column(String(18))
    applicant_id_last4: Mapped[str] = mapped_column(String(4))
    state: Mapped[str] = mapped_column(String(24))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Optimistic locking: two operators advancing one application at once cannot both win.
    __mapper_args__ = {"version_id_col": version}

    item: Mapped[ServiceItem] = relationship()
    events: Mapped[list["ApplicationEvent"]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id", cascade="all, delete-orphan"
    )


class ApplicationEvent(db.Model):
    """One step of an application's timeline."""

    __tablename__ = "application_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    department: Mapped[str | None] = mapped_column(String(128))
    handler_role: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    materials: Mapped[list[str] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="events")


class Notification(db.Model):
    """The outbox: a message for a citizen, delivered by ``flask applications deliver``."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizen.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    payload: Mapped[dict] = mapped_column(JSON)  # shaped like a WeChat subscription message
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
