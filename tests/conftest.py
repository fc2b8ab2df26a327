"""Fixtures shared by every suite.

The API suite runs once on SQLite and once on PostgreSQL (127.0.0.1:5432, database ``test``)
when that server answers; the PostgreSQL half is skipped, with the reason, when it does not.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from miniapp_api import create_app
from miniapp_api.cli import upgrade_database
from miniapp_api.config import TestingConfig
from miniapp_api.db import db

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_unavailable_reason() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:  # any failure means: no server to test against
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {error.__class__.__name__}"


def drop_everything(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in inspect(connection).get_table_names():
            connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    engine.dispose()


def migrated_app(url: str, **settings):
    config = TestingConfig(url)
    for name, value in settings.items():
        setattr(config, name, value)
    app = create_app(config)
    with app.app_context():
        upgrade_database()
        db.engine.dispose()
    return app


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite file; each test gets a copy (faster than migrating every time)."""
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    migrated_app(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> str:
    reason = postgres_unavailable_reason()
    if reason:
        pytest.skip(reason)
    drop_everything(POSTGRES_URL)
    migrated_app(POSTGRES_URL)
    return POSTGRES_URL


def _truncate_all(app) -> None:
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        db.session.commit()


@pytest.fixture
def sqlite_url(sqlite_template, tmp_path) -> str:
    path = tmp_path / "citizen.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def seeded_template(sqlite_template, tmp_path_factory) -> Path:
    """The migrated template with the demo city's data, seeded once per session (seconds)."""
    from miniapp_api.seed import seed_demo_data

    path = tmp_path_factory.mktemp("seeded") / "seeded.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app(TestingConfig(f"sqlite:///{path}"))
    with app.app_context():
        seed_demo_data()
        db.engine.dispose()
    return path


@pytest.fixture
def seeded_sqlite_url(seeded_template, tmp_path) -> str:
    """A copy of the demo city for one test."""
    path = tmp_path / "citizen.sqlite3"
    shutil.copy(seeded_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    """Each API test runs on both engines; a module that never touches the database
    overrides this fixture with ``sqlite_url``."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def app_factory(database_url):
    """Builds testing apps on this test's database, with settings overridden."""
    apps = []

    def build(**settings):
        config = TestingConfig(database_url)
        for name, value in settings.items():
            setattr(config, name, value)
        app = create_app(config)
        apps.append(app)
        return app

    yield build
    if apps and database_url.startswith("postgresql"):
        _truncate_all(apps[0])
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    return app_factory()


@pytest.fixture
def client(app):
    return app.test_client()


class Auth:
    """Session tokens for citizens in tests (the platform login has its own tests)."""

    def __init__(self, app) -> None:
        self.app = app

    def citizen(self, identity: str = "web:test-citizen", **profile) -> tuple[int, dict]:
        from miniapp_api.auth import issue_session_token
        from miniapp_api.citizens.service import citizen_for_identity, parse_sender_id

        with self.app.app_context():
            citizen = citizen_for_identity(*parse_sender_id(identity))
            for name, value in profile.items():
                setattr(citizen, name, value)
            db.session.commit()
            token, _ = issue_session_token(citizen.id, "web")
            return citizen.id, {"Authorization": f"Bearer {token}"}

    def bot(self, identity: str, proven: bool = True) -> dict:
        """The action server's headers for a conversation: with the identity assertion a
        trusted edge issued for it, or (``proven=False``) a guest's, without."""
        from tests.edge import bot_headers

        return bot_headers(
            identity,
            proven,
            self.app.config["BOT_SERVICE_TOKEN"],
            self.app.config["IDENTITY_ASSERTION_KEY"],
        )


@pytest.fixture
def auth(app) -> Auth:
    return Auth(app)


# The stacks' per-minute limits per address, raised: every test speaks from 127.0.0.1, and the
# attack suite (tests/security) shows the daily budgets that hold whatever the address.
ATTACK_SETTINGS = {
    "GUEST_LOOKUP_RATE_LIMIT": "1000 per minute",
    "LOGIN_RATE_LIMIT": "1000 per minute",
    "NEW_CITIZEN_RATE_LIMIT": "100000 per hour",
}


@pytest.fixture(scope="session")
def running_stack(tmp_path_factory):
    """The whole system on free ports: API (gunicorn), action server and Rasa server.

    Its own SQLite database (migrated and seeded through the real CLI) and tracker store.
    """
    import subprocess
    import sys

    from launcher.stack import MODEL, ROOT, Ports, Stack

    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make test`, which trains it")
    var_dir = tmp_path_factory.mktemp("stack")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{var_dir / 'citizen.sqlite3'}",
        "FLASK_APP": "miniapp_api",
        "PYTHONPATH": str(ROOT),
    }
    flask = [sys.executable, "-m", "flask"]
    for command in (["db-upgrade"], ["seed"]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
    from tests.wechat_standin import stack_env as wechat_env  # WeChat's API, on loopback

    stack = Stack(
        ports=Ports.free(),
        var_dir=var_dir,
        api_workers=1,
        env={
            "DATABASE_URL": env["DATABASE_URL"],
            **wechat_env(),
            **ATTACK_SETTINGS,
            "SMS_SENDER": f"jsonl:{var_dir / 'sms.jsonl'}",
        },
    )
    stack.start(timeout=300)
    yield stack
    outcome = stack.stop()
    assert set(outcome.values()) == {"stopped"}, outcome
