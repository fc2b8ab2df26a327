"""Air-quality monitoring stations and their hourly readings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..city.models import District
from ..db import UTCDateTime, db

# The six pollutants the national network reports every hour (1-hour averages).
# Units: micrograms per cubic metre, except CO in milligrams per cubic metre.
POLLUTANTS = ("so2", "no2", "co", "o3", "pm10", "pm25")


class AirStation(db.Model):
    __tablename__ = "air_station"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)  # national code, "1347A"
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"), index=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)

    district: Mapped[District] = relationship()

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


class AirReading(db.Model):
    """One station's 1-hour average concentrations for the hour that starts at ``hour_start``.

    A pollutant the station did not report (or reported invalid) is NULL, never zero.
    """

    __tablename__ = "air_reading"
    __table_args__ = (UniqueConstraint("station_code", "hour_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("air_station.code"))
    hour_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    so2: Mapped[float | None] = mapped_column(Float)
    no2: Mapped[float | None] = mapped_column(Float)
    co: Mapped[float | None] = mapped_column(Float)
    o3: Mapped[float | None] = mapped_column(Float)
    pm10: Mapped[float | None] = mapped_column(Float)
    pm25: Mapped[float | None] = mapped_column(Float)

    def concentrations(self) -> dict[str, float | None]:
        return {pollutant: getattr(self, pollutant) for pollutant in POLLUTANTS}
