"""The ambient air-quality index of HJ 633 (2026 by default, 2012 selectable): pure functions.

Section numbers are the standards' own; the facts are in shared/standards/HJ633.md.

Inputs are indicator codes (``so2_24h`` ...) mapped to concentrations in ug/m3, CO in mg/m3.
The 2012 real-time report's 24-hour and 8-hour *moving* averages use the 24h/8h codes.

Texts are never in this module; they are message ids whose zh_CN and en texts live in
``locales/`` (the gettext catalogs) (listed in ``MESSAGE_IDS``):

- ``aqi.level.<n>.name``, ``.category``, ``.color``, ``.health_effect``, ``.advice`` (n = 1..6,
  Table 1, 2026 wording);
- ``aqi.pollutant.<p>`` display names and ``aqi.sensitive.<p>`` sensitive groups (Table 2),
  p in so2, no2, co, o3, pm10, pm25 (pm10 and pm25 share one Table 2 text);
- ``aqi.indicator.<code>`` names of the averaging periods (for primary pollutants).

Status of one indicator in a report (2026 §5.3.1): ``"ok"``; ``"NA"`` = missing or invalid (key
present with None, NaN, infinite or negative value); ``"/"`` = not in the monitoring plan (key
absent). Station, district and city reports are computed the same way from their concentrations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from enum import Enum
from fractions import Fraction


class Version(Enum):
    HJ633_2026 = "HJ 633-2026"
    HJ633_2012 = "HJ 633-2012"


class Report(Enum):
    DAILY = "daily"
    HOURLY = "hourly"  # the real-time report


SO2_24H, SO2_1H = "so2_24h", "so2_1h"
NO2_24H, NO2_1H = "no2_24h", "no2_1h"
CO_24H, CO_1H = "co_24h", "co_1h"
O3_1H, O3_8H = "o3_1h", "o3_8h"
PM10_24H, PM10_1H = "pm10_24h", "pm10_1h"
PM25_24H, PM25_1H = "pm25_24h", "pm25_1h"
POLLUTANTS = ("so2", "no2", "co", "o3", "pm10", "pm25")

STATUS_OK, STATUS_MISSING, STATUS_NOT_MEASURED = "ok", "NA", "/"

# IAQI at each breakpoint (2026 Table 3, 2012 Table 1); a table shorter than this ends early.
IAQI_STEPS = (0, 50, 100, 150, 200, 300, 400, 500)
_TABLE_3_2026: dict[str, tuple[int, ...]] = {
    SO2_24H: (0, 50, 150, 475, 800, 1600, 2100, 2620),
    SO2_1H: (0, 150, 500, 650, 800),  # above 800: footnote b
    NO2_24H: (0, 40, 80, 180, 280, 565, 750, 940),
    NO2_1H: (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    CO_24H: (0, 2, 4, 14, 24, 36, 48, 60),
    CO_1H: (0, 5, 10, 35, 60, 90, 120, 150),
    O3_8H: (0, 100, 160, 215, 265, 800),  # above 800: footnote c
    O3_1H: (0, 160, 200, 300, 400, 800, 1000, 1200),
    PM10_24H: (0, 50, 120, 250, 350, 420, 500, 600),
    PM25_24H: (0, 35, 60, 115, 150, 250, 350, 500),
}
# 2012 Table 1 differs only at IAQI 100 for the particulates.
_TABLE_1_2012 = {
    **_TABLE_3_2026,
    **{
        code: _TABLE_3_2026[code][:2] + (bp100,) + _TABLE_3_2026[code][3:]
        for code, bp100 in ((PM10_24H, 150), (PM25_24H, 75))
    },
}


def _with_pm_1h(table: dict[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
    """PM 1-hour values are indexed with the 24-hour breakpoints (2026 §4.2.4)."""
    return {**table, PM10_1H: table[PM10_24H], PM25_1H: table[PM25_24H]}


BREAKPOINTS: dict[Version, dict[str, tuple[int, ...]]] = {
    Version.HJ633_2026: _with_pm_1h(_TABLE_3_2026),
    Version.HJ633_2012: _with_pm_1h(_TABLE_1_2012),
}
INDICATORS = tuple(BREAKPOINTS[Version.HJ633_2026])

# Above the top breakpoint: 2026 footnotes b, c give 200 and 300; 2012 computes no IAQI (None)
# and reports the pollutant from another indicator (REPLACED_2012); any other indicator: 500.
_ABOVE_TOP = {
    Version.HJ633_2026: {SO2_1H: 200, O3_8H: 300},
    Version.HJ633_2012: {SO2_1H: None, O3_8H: None},
}
REPLACED_2012 = {SO2_1H: SO2_24H, O3_8H: O3_1H}

REPORT_INDICATORS: dict[tuple[Version, Report], tuple[str, ...]] = {
    (Version.HJ633_2026, Report.DAILY): (SO2_24H, NO2_24H, CO_24H, O3_8H, PM10_24H, PM25_24H),
    (Version.HJ633_2026, Report.HOURLY): (SO2_1H, NO2_1H, CO_1H, O3_1H, PM10_1H, PM25_1H),
    (Version.HJ633_2012, Report.DAILY): (
        SO2_24H,
        NO2_24H,
        CO_24H,
        O3_1H,
        O3_8H,
        PM10_24H,
        PM25_24H,
    ),
    (Version.HJ633_2012, Report.HOURLY): (
        SO2_1H,
        NO2_1H,
        CO_1H,
        O3_1H,
        PM10_1H,
        PM25_1H,
        O3_8H,
        PM10_24H,
        PM25_24H,
    ),
}

# Table 1: upper AQI of each level, category key, colour (RGB).
LEVELS = (
    (50, "excellent", (0, 228, 0)),
    (100, "good", (255, 255, 0)),
    (150, "light_pollution", (255, 126, 0)),
    (200, "moderate_pollution", (255, 0, 0)),
    (300, "heavy_pollution", (153, 0, 76)),
    (500, "severe_pollution", (126, 0, 35)),
)
LEVEL_FIELDS = ("name", "category", "color", "health_effect", "advice")
MESSAGE_IDS = tuple(
    [f"aqi.level.{n}.{field}" for n in range(1, 7) for field in LEVEL_FIELDS]
    + [f"aqi.pollutant.{p}" for p in POLLUTANTS]
    + [f"aqi.sensitive.{p}" for p in POLLUTANTS]
    + [f"aqi.indicator.{code}" for code in INDICATORS]
)


def pollutant_of(indicator: str) -> str:
    """``pm25_24h`` -> ``pm25``."""
    return indicator.split("_")[0]


def _check(indicator: str) -> None:
    if indicator not in BREAKPOINTS[Version.HJ633_2026]:
        raise ValueError(f"unknown indicator {indicator!r}")


def _valid(value: object) -> Decimal | None:
    """The decimal value as written, or None if missing, non-numeric, non-finite or negative."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and number >= 0 else None


def _rounded(indicator: str, number: Decimal, version: Version) -> Decimal:
    """GB/T 8170 (half to even): ug/m3 to integers, CO mg/m3 to 0.1 (2026 §4.2.2, §4.2.3)."""
    if version is Version.HJ633_2012:
        return number  # 2012 states no input rounding
    quantum = Decimal("0.1") if indicator.startswith("co_") else Decimal(1)
    return number.quantize(quantum, rounding=ROUND_HALF_EVEN)


def _number(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def round_concentration(
    indicator: str, value: float | None, version: Version = Version.HJ633_2026
) -> int | float | None:
    """The concentration as the version reports it; None if missing or invalid."""
    _check(indicator)
    number = _valid(value)
    return None if number is None else _number(_rounded(indicator, number, version))


def breakpoints(
    indicator: str, version: Version = Version.HJ633_2026
) -> tuple[tuple[int, int], ...]:
    """(concentration, IAQI) pairs of one indicator's breakpoint table."""
    _check(indicator)
    return tuple(zip(BREAKPOINTS[version][indicator], IAQI_STEPS))


def iaqi(
    indicator: str, concentration: float | None, version: Version = Version.HJ633_2026
) -> int | None:
    """Individual AQI, rounded up (2026 §4.2.4, §4.2.6; 2012 §4.2, §6.2); None if missing.

    Exact arithmetic, so a concentration on a breakpoint gives that breakpoint's IAQI.
    """
    _check(indicator)
    number = _valid(concentration)
    if number is None:
        return None
    c = Fraction(_rounded(indicator, number, version))
    points = breakpoints(indicator, version)
    if c > points[-1][0]:
        return _ABOVE_TOP[version].get(indicator, 500)
    for (bp_lo, iaqi_lo), (bp_hi, iaqi_hi) in zip(points, points[1:]):
        if c <= bp_hi:
            return math.ceil(Fraction(iaqi_hi - iaqi_lo, bp_hi - bp_lo) * (c - bp_lo) + iaqi_lo)
    raise AssertionError("unreachable")


def level_for(aqi: int, version: Version = Version.HJ633_2026) -> int:
    """Level 1..6 of an AQI (Table 1); the range is 1..500 in 2026 (§4.1.1), 0..500 in 2012."""
    lowest = 1 if version is Version.HJ633_2026 else 0
    if not lowest <= aqi <= 500:
        raise ValueError(f"AQI {aqi} outside {lowest}..500 ({version.value})")
    return next(n for n, (top, _, _) in enumerate(LEVELS, start=1) if aqi <= top)


@dataclass(frozen=True)
class IndicatorResult:
    indicator: str
    concentration: int | float | None  # as rounded for the version; None if "NA" or "/"
    iaqi: int | None
    status: str  # "ok", "NA" or "/"
    replaced_by: str | None = None  # 2012: no IAQI computed, pollutant reported from this one

    @property
    def pollutant(self) -> str:
        return pollutant_of(self.indicator)


@dataclass(frozen=True)
class AqiResult:
    version: Version
    report: Report
    indicators: tuple[IndicatorResult, ...]
    aqi: int | None
    level: int | None
    category: str | None
    color_rgb: tuple[int, int, int] | None
    color_hex: str | None
    primary_pollutants: tuple[str, ...]  # indicator codes, all tied ones, only if AQI > 50
    exceeding_pollutants: tuple[str, ...]  # 2012 §4.4.2: indicators with IAQI > 100
    sensitive_groups: tuple[str, ...]  # 2026 Table 2: aqi.sensitive.<p> message ids
    published: bool  # 2026 §5.3.1; False: AQI and its information are shown as NA
    complete: bool  # no required indicator missing

    @property
    def aqi_status(self) -> str:
        return STATUS_OK if self.published else STATUS_MISSING

    def message_id(self, field: str) -> str | None:
        """``aqi.level.<n>.<field>`` for field in LEVEL_FIELDS; None when unpublished."""
        if field not in LEVEL_FIELDS:
            raise ValueError(f"unknown level field {field!r}")
        return None if self.level is None else f"aqi.level.{self.level}.{field}"


def _entry(
    indicator: str, concentrations: Mapping[str, float | None], version: Version
) -> IndicatorResult:
    if indicator not in concentrations:
        return IndicatorResult(indicator, None, None, STATUS_NOT_MEASURED)
    number = _valid(concentrations[indicator])
    if number is None:
        return IndicatorResult(indicator, None, None, STATUS_MISSING)
    shown = _number(_rounded(indicator, number, version))
    value = iaqi(indicator, number, version)
    replaced = REPLACED_2012[indicator] if value is None else None
    return IndicatorResult(indicator, shown, value, STATUS_OK, replaced)


def compute_report(
    concentrations: Mapping[str, float | None],
    report: Report = Report.DAILY,
    version: Version = Version.HJ633_2026,
) -> AqiResult:
    """The AQI report (2026 §4.2-§4.3, §5.3.1; 2012 §4.4, §5.1).

    A 2012 real-time report whose SO2 1-hour value exceeds 800 takes the SO2 IAQI from an
    optional ``so2_24h`` value (absent or None: SO2 counts as missing). A missing required
    indicator (NA) leaves the AQI unpublished unless the AQI of the others exceeds 100;
    an indicator not measured ("/") does not. An AQI of 0 is raised to 1 under 2026 (§4.1.1).
    """
    required = REPORT_INDICATORS[(version, report)]
    extra = {SO2_24H} if (version, report) == (Version.HJ633_2012, Report.HOURLY) else set()
    unknown = set(concentrations) - set(required) - extra
    if unknown:
        raise ValueError(f"not in the {version.value} {report.value} report: {sorted(unknown)}")
    entries = [_entry(code, concentrations, version) for code in required]
    for entry in list(entries):
        if entry.replaced_by and entry.replaced_by not in required:
            fallback = _entry(entry.replaced_by, concentrations, version)
            if fallback.status == STATUS_NOT_MEASURED:  # needed now: absent means missing
                fallback = IndicatorResult(fallback.indicator, None, None, STATUS_MISSING)
            entries.append(fallback)
    scored = {e.indicator: e.iaqi for e in entries if e.iaqi is not None}
    complete = all(e.status != STATUS_MISSING for e in entries)
    top = max(scored.values(), default=None)
    published = top is not None and (complete or top > 100)
    if top is None or not published:
        return AqiResult(
            version,
            report,
            tuple(entries),
            None,
            None,
            None,
            None,
            None,
            (),
            (),
            (),
            False,
            complete,
        )
    aqi = max(top, 1) if version is Version.HJ633_2026 else top
    level = level_for(aqi, version)
    _, category, rgb = LEVELS[level - 1]
    primary = tuple(code for code, value in scored.items() if value == top) if top > 50 else ()
    over = [code for code, value in scored.items() if value > 100]
    exceeding = tuple(over) if version is Version.HJ633_2012 else ()
    sensitive = (
        tuple(dict.fromkeys(f"aqi.sensitive.{pollutant_of(c)}" for c in over))
        if version is Version.HJ633_2026
        else ()
    )
    return AqiResult(
        version,
        report,
        tuple(entries),
        aqi,
        level,
        category,
        rgb,
        "#{:02X}{:02X}{:02X}".format(*rgb),
        primary,
        exceeding,
        sensitive,
        True,
        complete,
    )


# Publication timing (2026 §5.2); the forecast covers at least the next 3 days, by 20:00.
FORECAST_MIN_DAYS = 3
FORECAST_DEADLINE_HOUR = 20


def publication_deadline(report: Report, period_start: datetime) -> datetime:
    """Latest publication time: daily (natural day from local midnight ``period_start``) by
    12:00 the next day; real-time (hour from ``period_start``) at most one hour after it ends."""
    if report is Report.DAILY:
        return period_start.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
            days=1, hours=12
        )
    return period_start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
