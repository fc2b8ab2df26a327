"""The bot's air-quality responses: what the NLG endpoint derives from the action's codes.

The action sends codes (place, level, pollutant, activity); names, the standard's texts and the
advice for an activity are looked up here, in the conversation's locale.
"""

from __future__ import annotations

from ..city.models import District
from ..db import db
from ..i18n import join_list, translate
from .models import POLLUTANTS as UNIT_KEYS
from .models import AirStation
from .presenter import DEFAULT_UNIT, UNITS, pollutant_name

# Advice for an activity at each AQI level (1..6), following HJ 633-2026 Table 1's measures:
# children and older people are sensitive groups; running is long, intense outdoor exercise.
VERDICTS = {
    "running": ("ok", "ok", "caution", "reduce", "reduce", "avoid"),
    "kids_outdoor": ("ok", "ok", "reduce", "reduce", "avoid", "avoid"),
    "elderly_outdoor": ("ok", "ok", "reduce", "reduce", "avoid", "avoid"),
    "outdoor": ("ok", "ok", "ok", "reduce", "reduce", "avoid"),
}
ACTIVITIES = tuple(VERDICTS)


def place_name(kind: str | None, code: str | None, locale: str) -> str:
    model = {"district": District, "station": AirStation}.get(kind or "")
    found = db.session.get(model, code) if model and code else None
    return found.name(locale) if found else translate("place.city", locale)


def air_arguments(arguments: dict, locale: str) -> dict:
    """Names and texts for the codes the action sent."""
    derived = {
        "place": place_name(arguments.get("place_kind"), arguments.get("place_code"), locale)
    }
    level = arguments.get("level")
    if isinstance(level, int) and 1 <= level <= 6:
        for field in ("name", "category", "health_effect", "advice"):
            derived[field if field != "name" else "level_name"] = translate(
                f"aqi.level.{level}.{field}", locale
            )
    primary = [p for p in arguments.get("primary") or [] if isinstance(p, str)]
    derived["primary_clause"] = (
        translate(
            "air.primary_clause",
            locale,
            names=join_list([pollutant_name(p, locale) for p in primary], locale),
        )
        if primary
        else ""
    )
    groups = dict.fromkeys(
        translate(f"aqi.sensitive.{p}", locale)
        for p in arguments.get("sensitive") or []
        if p in UNIT_KEYS
    )
    derived["sensitive_clause"] = (
        translate("air.sensitive_clause", locale, groups=join_list(groups, locale))
        if groups
        else ""
    )
    pollutant = arguments.get("pollutant")
    if isinstance(pollutant, str):
        derived["pollutant_name"] = pollutant_name(pollutant, locale)
        derived["unit"] = UNITS.get(pollutant, DEFAULT_UNIT)
    activity = arguments.get("activity")
    if activity not in VERDICTS:  # an activity NLU heard but cannot name: going outside
        activity = "outdoor"
    if isinstance(level, int) and 1 <= level <= 6:
        activity_name = translate(f"air.activity.{activity}", locale)
        derived["verdict"] = translate(
            f"air.verdict.{VERDICTS[activity][level - 1]}", locale, activity=activity_name
        )
    return derived


def message_ids() -> list[str]:
    """Ids built from data here, for extraction and the catalog tests."""
    verdicts = {v for row in VERDICTS.values() for v in row}
    return (
        ["place.city", "air.primary_clause", "air.sensitive_clause"]
        + [f"air.activity.{a}" for a in ACTIVITIES]
        + [f"air.verdict.{v}" for v in sorted(verdicts)]
    )
