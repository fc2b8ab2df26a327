"""Hand-made station readings whose AQI figures the air tests check by hand.

Station 1347A (Tianhe's only station) holds the issue's pinned values: PM2.5 80 (IAQI 119),
PM10 100 (86), O3 120, CO 0.5, NO2 30, SO2 100; as 1-hour values the AQI is 119, level 3.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

PINNED = {"so2": 100, "no2": 30, "co": 0.5, "o3": 120, "pm10": 100, "pm25": 80}
CLEAN = {"so2": 10, "no2": 30, "co": 0.5, "o3": 60, "pm10": 60, "pm25": 40}
QUIET = {"so2": 8, "no2": 20, "co": 0.5, "o3": 40, "pm10": 30, "pm25": 20}
KNOWN_READINGS = {
    "1347A": PINNED,  # Tianhe
    "1346A": CLEAN,  # Haizhu
    "1348A": CLEAN,  # Haizhu
    "1352A": QUIET,  # Yuexiu, City Monitoring Station
    "1354A": {**QUIET, "no2": None},  # Yuexiu, Luhu Lake: NO2 missing
}
# The hour the air API tests' readings are stored at: 10:00 in the city.
HOUR = datetime(2026, 11, 20, 2, tzinfo=timezone.utc)


def next_hour() -> datetime:
    """The hour after the current one: later than any demo reading, so it is the latest."""
    return (datetime.now(timezone.utc) + timedelta(hours=1)).replace(
        minute=0, second=0, microsecond=0
    )


def readings_at(hour: datetime) -> dict:
    """``store_readings`` input: every known station at ``hour``."""
    return {(code, hour): values for code, values in KNOWN_READINGS.items()}
