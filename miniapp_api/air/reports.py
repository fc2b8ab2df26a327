"""HJ 633 reports for a place: the averages each report needs, then ``aqi.compute_report``."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from . import aqi
from .aqi import Report, Version
from .models import POLLUTANTS
from .service import (
    MIN_HOURS_8H,
    MIN_HOURS_24H,
    Place,
    Series,
    hourly_means,
    local_day_hours,
    max_moving_mean,
    window_mean,
)

HOUR = timedelta(hours=1)


def _trailing(hour: datetime, count: int) -> list[datetime]:
    return [hour - HOUR * i for i in range(count - 1, -1, -1)]


def _hourly_concentrations(series: Series, hour: datetime, version: Version) -> dict:
    """Real-time report inputs: the six 1-hour averages (2026 §4.2.3); 2012 adds the O3 8-hour
    and PM 24-hour moving averages (2012 §5.1.3) and the SO2 24-hour one it may fall back on."""
    now = series.get(hour, {})
    concentrations = {f"{p}_1h": now.get(p) for p in POLLUTANTS}
    if version is Version.HJ633_2012:
        last_8, last_24 = _trailing(hour, 8), _trailing(hour, 24)
        concentrations[aqi.O3_8H] = window_mean(series, last_8, "o3", MIN_HOURS_8H)
        for pollutant in ("pm10", "pm25", "so2"):
            concentrations[f"{pollutant}_24h"] = window_mean(
                series, last_24, pollutant, MIN_HOURS_24H
            )
    return concentrations


def hourly_reports(
    place: Place, hours: list[datetime], version: Version
) -> list[tuple[datetime, aqi.AqiResult]]:
    """The real-time report of ``place`` for each hour (one query for all of them)."""
    series = hourly_means(place, min(hours) - HOUR * 23, max(hours))
    return [
        (
            hour,
            aqi.compute_report(
                _hourly_concentrations(series, hour, version), Report.HOURLY, version
            ),
        )
        for hour in hours
    ]


def daily_report(place: Place, day: date, version: Version) -> aqi.AqiResult:
    """The daily report of a natural day in the city's zone (2026 §4.2.2, 2012 §5.1.2)."""
    hours = local_day_hours(day)
    series = hourly_means(place, hours[0], hours[-1])
    concentrations = {
        f"{p}_24h": window_mean(series, hours, p, MIN_HOURS_24H)
        for p in ("so2", "no2", "co", "pm10", "pm25")
    }
    concentrations[aqi.O3_8H] = max_moving_mean(series, hours, "o3", 8, MIN_HOURS_8H)
    if version is Version.HJ633_2012:
        o3_hours = [series.get(h, {}).get("o3") for h in hours]
        present = [v for v in o3_hours if v is not None]
        concentrations[aqi.O3_1H] = max(present) if len(present) >= MIN_HOURS_24H else None
    return aqi.compute_report(concentrations, Report.DAILY, version)
