"""Citizens and the channel identities through which they reach the assistant."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, db, utcnow

CHANNELS = ("wechat", "alipay", "web", "hotline")
ROLES = ("citizen", "operator")


class Citizen(db.Model):
    __tablename__ = "citizen"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(64))
    # Verified mainland mobile number; it links a hotline caller to the same citizen.
    phone: Mapped[str | None] = mapped_column(String(11), unique=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    role: Mapped[str] = mapped_column(String(16), default="citizen")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Raised by every change of the citizen's appointments or patients, in its transaction
    # (``appointments.service.records_changed``): what answers about them were made from.
    records_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    identities: Mapped[list["ChannelIdentity"]] = relationship(
        back_populates="citizen", cascade="all, delete-orphan", order_by="ChannelIdentity.id"
    )

    @property
    def is_operator(self) -> bool:
        return self.role == "operator"


class ChannelIdentity(db.Model):
    """``wechat:<openid>``, ``alipay:<user_id>``, ``web:<id>``, ``hotline:<caller number>``."""

    __tablename__ = "channel_identity"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizen.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    citizen: Mapped[Citizen] = relationship(back_populates="identities")

    @property
    def sender_id(self) -> str:
        return f"{self.channel}:{self.external_id}"
