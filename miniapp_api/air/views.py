"""The air-quality API: current, last hours and daily reports for the city, a district, a
station or a location; and the monitoring stations."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask_smorest import Blueprint
from sqlalchemy import select

from ..db import db
from ..envelope import envelope_of, ok
from ..errors import ApiError
from ..i18n import current_locale
from ..response_cache import cached_public
from .aqi import Version
from .demo import CITY_ZONE
from .models import AirStation
from .presenter import present_report
from .reports import daily_report, hourly_reports
from .schemas import (
    DailySeriesSchema,
    DaysQuerySchema,
    HourlyReportSchema,
    HourlySeriesSchema,
    HoursQuerySchema,
    PlaceQuerySchema,
    StationSchema,
)
from .service import Place, latest_hour, readings_version, resolve_place

bp = Blueprint(
    "air",
    __name__,
    url_prefix="/api/v1/air",
    description="Air quality (HJ 633-2026, 2012 selectable)",
)
# Readings are hourly: the same answer for a minute (an ingest here drops it at once; a new hour
# ingested anywhere changes the readings' version).
AIR_ANSWER_SECONDS = 60
VERSIONS = {"2026": Version.HJ633_2026, "2012": Version.HJ633_2012}


def _place(query: dict) -> Place:
    return resolve_place(
        query.get("district"), query.get("station"), query.get("lat"), query.get("lon")
    )


def _latest_hour(place: Place) -> datetime:
    hour = latest_hour(place)
    if hour is None:
        raise ApiError("not_found", data={"readings": place.code})
    return hour


def _place_payload(place: Place, locale: str) -> dict:
    return {"kind": place.kind, "code": place.code, "name": place.name(locale)}


@bp.get("/now")
@cached_public("air", seconds=AIR_ANSWER_SECONDS, version=readings_version)
@bp.arguments(PlaceQuerySchema, location="query")
@bp.response(200, envelope_of(HourlyReportSchema))
def now(query: dict):
    """The latest hourly (real-time) report of the place; the city when none is named."""
    locale, place = current_locale(), _place(query)
    [(hour, result)] = hourly_reports(place, [_latest_hour(place)], VERSIONS[query["standard"]])
    return ok(
        {
            "place": _place_payload(place, locale),
            "hour_start": hour,
            "report": present_report(result, locale),
        }
    )


@bp.get("/hours")
@bp.arguments(HoursQuerySchema, location="query")
@bp.response(200, envelope_of(HourlySeriesSchema))
def hours(query: dict):
    """The hourly reports of the last ``hours`` hours (24 by default), oldest first."""
    locale, place = current_locale(), _place(query)
    last = _latest_hour(place)
    wanted = [last - timedelta(hours=i) for i in range(query["hours"] - 1, -1, -1)]
    reports = hourly_reports(place, wanted, VERSIONS[query["standard"]])
    return ok(
        {
            "place": _place_payload(place, locale),
            "hours": [{"hour_start": h, "report": present_report(r, locale)} for h, r in reports],
        }
    )


@bp.get("/days")
@bp.arguments(DaysQuerySchema, location="query")
@bp.response(200, envelope_of(DailySeriesSchema))
def days(query: dict):
    """Daily reports of the ``days`` natural days up to ``end`` (default: yesterday)."""
    locale, place = current_locale(), _place(query)
    end = query.get("end") or (
        datetime.now(timezone.utc).astimezone(CITY_ZONE).date() - timedelta(days=1)
    )
    version = VERSIONS[query["standard"]]
    wanted = [end - timedelta(days=i) for i in range(query["days"] - 1, -1, -1)]
    return ok(
        {
            "place": _place_payload(place, locale),
            "days": [
                {"date": day, "report": present_report(daily_report(place, day, version), locale)}
                for day in wanted
            ],
        }
    )


@bp.get("/stations")
@bp.response(200, envelope_of(StationSchema, many=True))
def stations():
    """The monitoring stations, with their district and coordinates."""
    locale = current_locale()
    rows = db.session.scalars(select(AirStation).order_by(AirStation.code))
    return ok(
        [
            {
                "code": s.code,
                "name": s.name(locale),
                "district_code": s.district_code,
                "latitude": s.latitude,
                "longitude": s.longitude,
            }
            for s in rows
        ]
    )
