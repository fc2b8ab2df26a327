"""Districts of the city: every service names places by these codes."""

from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import db


class District(db.Model):
    __tablename__ = "district"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)  # e.g. "tianhe"
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en
