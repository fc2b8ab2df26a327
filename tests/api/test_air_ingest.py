"""Ingest of hourly readings: malformed rows are reported and skipped, nothing else is lost."""

from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from miniapp_api.air.ingest import parse
from miniapp_api.air.models import AirReading
from miniapp_api.db import db
from miniapp_api.seed import seed_demo_data

DATA = Path(__file__).resolve().parents[1] / "data" / "air"
KNOWN = {"1347A", "1352A"}
UTC = timezone.utc


def test_national_csv_keeps_good_cells_and_reports_bad_rows():
    report = parse((DATA / "national_sites_20261120.csv").read_text(), "x.csv", KNOWN)
    reasons = {(r["row"], r["reason"].split(":")[0]) for r in report.rejected}
    assert (1, "unknown station column 9999A") in reasons
    assert {row for row, _ in reasons} == {1, 10, 11, 13, 14}  # bad value, range, hour, date
    # Beijing 00:00 on Nov 20 is 16:00 UTC on Nov 19; derived types (AQI, *_24h) are skipped.
    first = report.readings[("1347A", datetime(2026, 11, 19, 16, tzinfo=UTC))]
    assert first == {"pm25": 31, "pm10": 50, "so2": 7, "no2": 40, "o3": 62, "co": 0.8}
    assert "no2" not in report.readings[("1352A", datetime(2026, 11, 19, 16, tzinfo=UTC))]
    # Row 12 (SO2 at 01:00) is fine even though rows 10 and 11 of the same hour were not.
    assert report.readings[("1347A", datetime(2026, 11, 19, 17, tzinfo=UTC))] == {"so2": 6}


def test_json_rows_each_judged_alone():
    report = parse((DATA / "readings.json").read_text(), "x.json", KNOWN)
    assert [r["row"] for r in report.rejected] == [2, 3, 4, 5, 6, 7]
    # A null is "not reported": the other pollutants of that hour are kept.
    assert report.readings[("1347A", datetime(2026, 11, 19, 20, tzinfo=UTC))] == {
        "pm25": 29,
        "so2": 6,
        "no2": 39,
        "o3": 55,
        "co": 0.7,
    }
    assert report.readings[("1352A", datetime(2026, 11, 19, 22, tzinfo=UTC))] == {
        "pm25": 33,
        "co": 0.9,
    }


def test_truncated_json_is_one_clear_rejection():
    report = parse((DATA / "truncated.json").read_text(), "t.json", KNOWN)
    assert report.readings == {} and report.rejected[0]["reason"].startswith("not JSON")


@pytest.fixture
def seeded(app):
    with app.app_context():
        seed_demo_data()
    return app


def test_cli_ingest_stores_good_rows_and_replaces_values(seeded):
    runner = seeded.test_cli_runner()
    result = runner.invoke(args=["air", "ingest", str(DATA / "readings.json")])
    assert result.exit_code == 0, result.output
    assert '"stored_hours": 3' in result.output
    with seeded.app_context():
        row = db.session.scalars(
            select(AirReading).where(
                AirReading.station_code == "1347A",
                AirReading.hour_start == datetime(2026, 11, 19, 19, tzinfo=UTC),
            )
        ).one()
        assert (row.pm25, row.no2, row.co) == (30, 41, 0.8)
        again = runner.invoke(args=["air", "ingest", str(DATA / "readings.json")])
        assert '"stored_hours": 3' in again.output
        keys = [
            (r.station_code, r.hour_start)
            for r in db.session.scalars(
                select(AirReading).where(
                    AirReading.station_code.in_(["1347A", "1352A"]),
                    AirReading.hour_start.between(
                        datetime(2026, 11, 19, 19, tzinfo=UTC),
                        datetime(2026, 11, 19, 22, tzinfo=UTC),
                    ),
                )
            )
        ]
        assert len(keys) == len(set(keys))  # re-ingest updates, never duplicates


def test_demo_seed_fills_thirty_days_and_the_current_hour(app):
    from sqlalchemy import func

    def this_hour():
        return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)

    began = this_hour()  # the seed may run across the turn of an hour
    with app.app_context():
        seed_demo_data()
        newest = db.session.scalar(select(func.max(AirReading.hour_start)))
        stations = db.session.scalar(select(func.count(func.distinct(AirReading.station_code))))
        total = db.session.scalar(select(func.count()).select_from(AirReading))
    assert began <= newest <= this_hour()
    assert stations == 10 and total >= 10 * 30 * 24
