"""The database: one Flask-SQLAlchemy handle over a typed SQLAlchemy 2 declarative base."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timezone

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, MetaData, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Named constraints, so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


logger = logging.getLogger(__name__)
db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)


# How long a SQLite connection waits for another's write lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "connect")
def _sqlite_waits_for_locks(dbapi_connection, connection_record) -> None:
    """SQLite allows one writer at a time: under contention, wait for the lock (briefly held)
    rather than fail at once."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A moment in time, stored in UTC and always read back timezone-aware.

    PostgreSQL keeps the offset itself; SQLite stores text without one, so values are
    normalized to UTC on the way in and marked UTC on the way out. Naive values are refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware moments only")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def install_session_teardown(app) -> None:
    """End each request's session even when the database went away under it.

    After a database restart the connection a request used is dead, and the rollback that
    closing the session sends fails: the answer was already made (a booking may have been
    committed and acknowledged), so the failure must not turn it into a 500. SQLAlchemy has
    invalidated the connection by then; the pool replaces it. Registered after
    ``db.init_app``, so it runs before Flask-SQLAlchemy's own teardown.
    """

    @app.teardown_appcontext
    def end_session(exc: BaseException | None) -> None:
        try:
            db.session.remove()
        except DBAPIError as error:
            logger.warning("session closed on a lost connection: %s", error.__class__.__name__)
            db.session.registry.clear()
