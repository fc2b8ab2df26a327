"""Reading hourly concentrations from the files the national monitoring network publishes.

Two shapes are accepted:

- **CSV, wide** (the national real-time platform's daily files): columns ``date`` (YYYYMMDD),
  ``hour`` (0-23, the hour the average *ends* at is ``hour + 1``; we store the hour it starts),
  ``type`` (``PM2.5``, ``PM10``, ``SO2``, ``NO2``, ``O3``, ``CO``; the platform's other types such
  as ``PM2.5_24h`` or ``AQI`` are derived values and are skipped), then one column per station
  code. Times are Beijing time.
- **JSON**: a list of ``{"station": "1347A", "time": ISO 8601 hour start with offset,
  "pm25": 35, "pm10": 60, "so2": 7, "no2": 40, "o3": 80, "co": 0.8}``.

Every bad row is reported with its line (or index) and reason and skipped; good rows are stored.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..config import city_zone
from .models import POLLUTANTS

# Readings without an offset are the city's local time.
CITY_ZONE = city_zone()
CSV_TYPES = {"PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "O3": "o3", "CO": "co"}
# Concentrations beyond these are instrument faults, not air (ug/m3; CO mg/m3).
PLAUSIBLE_MAXIMUM = {"so2": 5000, "no2": 5000, "co": 200, "o3": 5000, "pm10": 5000, "pm25": 5000}


@dataclass
class IngestReport:
    readings: dict[tuple[str, datetime], dict[str, float | None]] = field(default_factory=dict)
    rejected: list[dict] = field(default_factory=list)

    def reject(self, where: int | str, reason: str) -> None:
        self.rejected.append({"row": where, "reason": reason})

    def add(self, station: str, hour_start: datetime, pollutant: str, value: float) -> None:
        self.readings.setdefault((station, hour_start), {})[pollutant] = value


def _number(raw: object, pollutant: str) -> float | None:
    """A valid concentration, ``None`` for an empty cell; raises ValueError for bad ones."""
    if raw is None or (isinstance(raw, str) and raw.strip() in {"", "NA", "-", "—"}):
        return None
    if isinstance(raw, bool):
        raise ValueError(f"{pollutant}: not a number")
    value = float(raw)
    if not math.isfinite(value) or value < 0 or value > PLAUSIBLE_MAXIMUM[pollutant]:
        raise ValueError(f"{pollutant}: {raw!r} out of range")
    return value


def parse_csv(text: str, known_stations: set[str]) -> IngestReport:
    report = IngestReport()
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    if not {"date", "hour", "type"} <= set(header):
        report.reject(1, "header must start with date,hour,type")
        return report
    stations = [name for name in header if name not in {"date", "hour", "type"}]
    unknown = [name for name in stations if name not in known_stations]
    for name in unknown:
        report.reject(1, f"unknown station column {name}")
    for line, row in enumerate(reader, start=2):
        pollutant = CSV_TYPES.get((row.get("type") or "").strip())
        if pollutant is None:
            continue  # derived types (AQI, *_24h, O3_8h) are recomputed here, not imported
        try:
            raw_date = (row.get("date") or "").strip()
            if len(raw_date) != 8 or not raw_date.isdigit():
                raise ValueError(f"date {raw_date!r} is not YYYYMMDD")
            day = datetime.strptime(raw_date, "%Y%m%d")
            hour = int((row.get("hour") or "").strip())
            if not 0 <= hour <= 23:
                raise ValueError("hour must be 0-23")
            values = {
                code: _number(row.get(code), pollutant) for code in stations if code not in unknown
            }
        except (ValueError, TypeError) as error:
            report.reject(line, str(error))
            continue
        hour_start = day.replace(hour=hour, tzinfo=CITY_ZONE).astimezone(timezone.utc)
        for code, value in values.items():
            if value is not None:
                report.add(code, hour_start, pollutant, value)
    return report


def parse_json(text: str, known_stations: set[str]) -> IngestReport:
    report = IngestReport()
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as error:
        report.reject(0, f"not JSON: {error.msg} at line {error.lineno}")
        return report
    if not isinstance(rows, list):
        report.reject(0, "expected a list of readings")
        return report
    for index, row in enumerate(rows):
        try:
            if not isinstance(row, dict):
                raise ValueError("not an object")
            station = row.get("station")
            if station not in known_stations:
                raise ValueError(f"unknown station {station!r}")
            moment = datetime.fromisoformat(str(row.get("time")).replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=CITY_ZONE)
            if (moment.minute, moment.second, moment.microsecond) != (0, 0, 0):
                raise ValueError("time must be the start of an hour")
            values = {p: _number(row.get(p), p) for p in POLLUTANTS}
        except (ValueError, TypeError) as error:
            report.reject(index, str(error))
            continue
        hour_start = moment.astimezone(timezone.utc)
        for pollutant, value in values.items():
            if value is not None:
                report.add(station, hour_start, pollutant, value)
    return report


def parse(text: str, filename: str, known_stations: set[str]) -> IngestReport:
    if filename.lower().endswith(".json"):
        return parse_json(text, known_stations)
    return parse_csv(text, known_stations)
