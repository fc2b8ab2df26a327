"""An ``AqiResult`` as the API shows it, in the request's locale."""

from __future__ import annotations

from ..i18n import translate
from .aqi import AqiResult, pollutant_of

UNITS = {"co": "mg/m³"}
DEFAULT_UNIT = "μg/m³"


def pollutant_name(pollutant: str, locale: str) -> str:
    return translate(f"aqi.pollutant.{pollutant}", locale)


def present_report(result: AqiResult, locale: str) -> dict:
    level = result.level
    texts = {
        field: translate(result.message_id(field), locale) if level else None
        for field in ("name", "category", "health_effect", "advice")
    }
    return {
        "standard": result.version.value,
        "report": result.report.value,
        "aqi": result.aqi,
        "aqi_status": result.aqi_status,
        "published": result.published,
        "level": level,
        "level_name": texts["name"],
        "category": texts["category"],
        "color_hex": result.color_hex,
        "health_effect": texts["health_effect"],
        "advice": texts["advice"],
        "primary_pollutants": [
            {
                "code": pollutant_of(code),
                "indicator": code,
                "name": pollutant_name(pollutant_of(code), locale),
            }
            for code in result.primary_pollutants
        ],
        "sensitive_groups": [
            translate(message_id, locale) for message_id in result.sensitive_groups
        ],
        "pollutants": [
            {
                "code": entry.pollutant,
                "indicator": entry.indicator,
                "name": pollutant_name(entry.pollutant, locale),
                "concentration": entry.concentration,
                "unit": UNITS.get(entry.pollutant, DEFAULT_UNIT),
                "iaqi": entry.iaqi,
                "status": entry.status,
            }
            for entry in result.indicators
        ],
    }
