"""Plausible, deterministic hourly readings for the demo network (not real measurements).

Each value depends only on the station, the hour and the pollutant, so seeding twice, or the
feeder filling an hour that the seed already filled, gives the same numbers. The shape follows a
subtropical city in autumn: particulate and NO2 peaks at the rush hours, ozone in the afternoon,
multi-day pollution episodes, and rare gaps (a missing pollutant) as real networks have.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from ..config import city_zone
from .models import POLLUTANTS

CITY_ZONE = city_zone()
# Typical 1-hour concentration (CO in mg/m3, others in ug/m3) and relative daily swing.
BASELINE = {
    "so2": (8, 0.3),
    "no2": (38, 0.45),
    "co": (0.8, 0.25),
    "o3": (70, 0.9),
    "pm10": (55, 0.35),
    "pm25": (32, 0.35),
}
GAP_RATE = 0.01


def _noise(*parts: object) -> float:
    """A repeatable number in [0, 1) for the given parts."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _episode(moment: datetime) -> float:
    """A slow, city-wide factor: clean spells and pollution episodes over days."""
    days = moment.timestamp() / 86400
    return 1 + 0.55 * math.sin(days / 3.1) + 0.35 * math.sin(days / 1.3 + 1.7)


def _diurnal(pollutant: str, local_hour: int) -> float:
    if pollutant == "o3":  # photochemistry: low at night, peak mid-afternoon
        return 0.25 + 1.5 * max(0.0, math.sin(math.pi * (local_hour - 7) / 12))
    rush = math.exp(-((local_hour - 8) ** 2) / 6) + math.exp(-((local_hour - 19) ** 2) / 8)
    return 0.8 + 0.5 * rush


def demo_reading(station_code: str, hour_start: datetime) -> dict[str, float | None]:
    """The demo concentrations of one station for the hour starting at ``hour_start`` (UTC)."""
    local_hour = hour_start.astimezone(CITY_ZONE).hour
    episode = _episode(hour_start)
    station_bias = 0.85 + 0.3 * _noise(station_code)
    values: dict[str, float | None] = {}
    for pollutant in POLLUTANTS:
        if _noise(station_code, hour_start.isoformat(), pollutant, "gap") < GAP_RATE:
            values[pollutant] = None
            continue
        typical, swing = BASELINE[pollutant]
        jitter = 1 + swing * (_noise(station_code, hour_start.isoformat(), pollutant) - 0.5)
        factor = episode if pollutant != "o3" else 1 + (episode - 1) * 0.4
        value = typical * station_bias * _diurnal(pollutant, local_hour) * factor * jitter
        values[pollutant] = round(max(value, 0.1), 1 if pollutant == "co" else 0)
    return values


def hours_between(start: datetime, end: datetime) -> list[datetime]:
    """Every hour start from ``start`` (rounded down) up to and including ``end``'s hour."""
    hour = start.replace(minute=0, second=0, microsecond=0)
    last = end.replace(minute=0, second=0, microsecond=0)
    hours = []
    while hour <= last:
        hours.append(hour)
        hour += timedelta(hours=1)
    return hours
