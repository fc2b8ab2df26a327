"""Air-quality data: storing readings, the demo network, and the averages reports need.

City and district concentrations are the arithmetic means of their stations' concentrations
(as the national network computes them); reports are then computed from those means.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from statistics import fmean

from sqlalchemy import func, select

from ..city.geo import distance_metres
from ..city.models import District
from ..db import db
from ..errors import ApiError
from ..i18n import translate
from ..response_cache import invalidate
from .demo import CITY_ZONE, demo_reading, hours_between
from .models import POLLUTANTS, AirReading, AirStation

SEED_DATA = Path(__file__).resolve().parent.parent / "seed_data"
DEMO_DAYS = 30
# Validity (GB 3095 / HJ 663): a 24-hour average needs 20 valid hours, an 8-hour one 6.
MIN_HOURS_24H = 20
MIN_HOURS_8H = 6
# Beyond this a location is outside the monitoring network: answer for the city.
NEAREST_STATION_LIMIT_METRES = 15_000

Series = dict[datetime, dict[str, float | None]]


@dataclass(frozen=True)
class Place:
    kind: str  # "city", "district" or "station"
    code: str
    name_zh: str
    name_en: str
    station_codes: tuple[str, ...]

    def name(self, locale: str) -> str:
        if self.kind == "city":
            return translate("place.city", locale)
        return self.name_zh if locale.startswith("zh") else self.name_en


# --- storing -----------------------------------------------------------------------------
def store_readings(readings: dict[tuple[str, datetime], dict[str, float | None]]) -> int:
    """Insert or update hourly readings (a value given replaces the stored one); one commit."""
    if not readings:
        return 0
    hours = {hour for _, hour in readings}
    existing = {
        (r.station_code, r.hour_start): r
        for r in db.session.scalars(
            select(AirReading).where(AirReading.hour_start.between(min(hours), max(hours)))
        )
    }
    for (station, hour), values in readings.items():
        row = existing.get((station, hour))
        if row is None:
            row = AirReading(station_code=station, hour_start=hour)
            db.session.add(row)
        for pollutant, value in values.items():
            setattr(row, pollutant, value)
    db.session.commit()
    invalidate("air")
    return len(readings)


def fill_demo_hours(until: datetime | None = None, days: int = DEMO_DAYS) -> int:
    """Give every station a demo reading for each hour of the last ``days`` days it lacks."""
    until = until or datetime.now(timezone.utc)
    hours = hours_between(until - timedelta(days=days), until)
    stations = db.session.scalars(select(AirStation.code)).all()
    have = set(
        db.session.execute(
            select(AirReading.station_code, AirReading.hour_start).where(
                AirReading.hour_start >= hours[0]
            )
        ).tuples()
    )
    missing = {
        (code, hour): demo_reading(code, hour)
        for code in stations
        for hour in hours
        if (code, hour) not in have
    }
    return store_readings(missing)


def seed_places() -> None:
    """The demo city's districts and monitoring stations (idempotent)."""
    for model, name in ((District, "districts.json"), (AirStation, "air_stations.json")):
        for entry in json.loads((SEED_DATA / name).read_text(encoding="utf-8")):
            db.session.merge(model(**entry))
    db.session.commit()


def seed_air() -> dict[str, int]:
    seed_places()
    added = fill_demo_hours()
    return {
        "districts": _count(District),
        "air_stations": _count(AirStation),
        "air_readings_added": added,
    }


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- places ------------------------------------------------------------------------------
def city_place() -> Place:
    codes = tuple(db.session.scalars(select(AirStation.code).order_by(AirStation.code)))
    return Place("city", "city", "", "", codes)


def resolve_place(
    district: str | None = None,
    station: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Place:
    """The place a question is about; unknown codes are 404, no criteria means the city."""
    if station:
        found = db.session.get(AirStation, station)
        if found is None:
            raise ApiError("not_found", data={"station": station})
        return Place("station", found.code, found.name_zh, found.name_en, (found.code,))
    if district:
        found_district = db.session.get(District, district)
        codes = tuple(
            db.session.scalars(select(AirStation.code).where(AirStation.district_code == district))
        )
        if found_district is None:
            raise ApiError("not_found", data={"district": district})
        if not codes:  # a district without a station: its nearest station speaks for it
            nearest = _nearest_station(found_district.latitude, found_district.longitude)
            codes = (nearest.code,)
        return Place("district", district, found_district.name_zh, found_district.name_en, codes)
    if latitude is not None and longitude is not None:
        nearest = _nearest_station(latitude, longitude)
        if (
            distance_metres(latitude, longitude, nearest.latitude, nearest.longitude)
            <= NEAREST_STATION_LIMIT_METRES
        ):
            return Place("station", nearest.code, nearest.name_zh, nearest.name_en, (nearest.code,))
    return city_place()


def _nearest_station(latitude: float, longitude: float) -> AirStation:
    stations = db.session.scalars(select(AirStation)).all()
    return min(
        stations, key=lambda s: distance_metres(latitude, longitude, s.latitude, s.longitude)
    )


# --- averages ----------------------------------------------------------------------------
def hourly_means(place: Place, start: datetime, end: datetime) -> Series:
    """Per hour in [start, end], each pollutant's mean over the place's stations."""
    # Plain rows, not ORM objects: building 240 objects for the city's last day was most of the
    # cost of GET /air/now (bench/api_load.py).
    columns = [getattr(AirReading, p) for p in POLLUTANTS]
    rows = db.session.execute(
        select(AirReading.hour_start, *columns).where(
            AirReading.station_code.in_(place.station_codes),
            AirReading.hour_start.between(start, end),
        )
    )
    per_hour: dict[datetime, list[tuple]] = {}
    for hour, *values in rows:
        per_hour.setdefault(hour, []).append(values)
    return {
        hour: {p: _mean(values[i] for values in readings) for i, p in enumerate(POLLUTANTS)}
        for hour, readings in sorted(per_hour.items())
    }


def readings_version() -> datetime | None:
    """The newest hour of any reading (indexed): it changes when a new hour is ingested."""
    return db.session.scalar(select(func.max(AirReading.hour_start)))


def latest_hour(place: Place) -> datetime | None:
    return db.session.scalar(
        select(func.max(AirReading.hour_start)).where(
            AirReading.station_code.in_(place.station_codes)
        )
    )


def _mean(values) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None


def window_mean(
    series: Series, hours: list[datetime], pollutant: str, minimum: int
) -> float | None:
    values = [series.get(h, {}).get(pollutant) for h in hours]
    present = [v for v in values if v is not None]
    return fmean(present) if len(present) >= minimum else None


def max_moving_mean(
    series: Series, hours: list[datetime], pollutant: str, width: int, minimum: int
) -> float | None:
    """The largest ``width``-hour moving average over windows lying inside ``hours``."""
    means = [
        window_mean(series, hours[i : i + width], pollutant, minimum)
        for i in range(0, len(hours) - width + 1)
    ]
    present = [m for m in means if m is not None]
    return max(present) if present else None


def local_day_hours(day: date) -> list[datetime]:
    """The 24 UTC hour starts of a natural day in the city's time zone."""
    start = datetime(day.year, day.month, day.day, tzinfo=CITY_ZONE).astimezone(timezone.utc)
    return [start + timedelta(hours=h) for h in range(24)]
