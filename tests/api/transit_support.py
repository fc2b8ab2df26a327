"""Fixtures of the transit tests: the Cairns feed imported once per engine, and a helper."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from miniapp_api.db import db
from miniapp_api.transit.gtfs.importer import import_feed

DATA = Path(__file__).resolve().parent.parent / "data" / "gtfs"
CAIRNS = DATA / "cairns_gtfs.zip"
GOOGLE = DATA / "google_sample_gtfs.zip"
PIER = "750449"  # The Pier Cairns - Terminus Stop E, the network's busiest stop


@pytest.fixture(scope="session")
def cairns_sqlite(sqlite_template, tmp_path_factory) -> Path:
    """A migrated SQLite database with Cairns imported, copied for each test."""
    from tests.conftest import migrated_app

    path = tmp_path_factory.mktemp("cairns") / "cairns.sqlite3"
    shutil.copy(sqlite_template, path)
    app = migrated_app(f"sqlite:///{path}")
    with app.app_context():
        assert import_feed(CAIRNS).report.ok
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path, cairns_sqlite) -> str:
    if request.param == "sqlite":
        path = tmp_path / "citizen.sqlite3"
        shutil.copy(cairns_sqlite, path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def app(app_factory, database_url):
    app = app_factory()
    if database_url.startswith("postgresql"):
        with app.app_context():
            assert import_feed(CAIRNS).report.ok
    return app


def arrivals(client, stop: str, at: str, **params) -> dict:
    query = {"at": at, **params}
    response = client.get(
        f"/api/v1/transit/stops/{stop}/arrivals",
        query_string=query,
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]
