"""Attempt budgets: how many tries one key may spend in a window, counted in the database.

One row per key and window, incremented by one atomic ``INSERT … ON CONFLICT DO UPDATE …
RETURNING`` (SQLite 3.35+ and PostgreSQL alike), so every API worker, and the bot's calls and
the mini-app's, spend the same budget: no restart, no second worker and no new sender id gives a
guesser more tries.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..db import db
from ..errors import ApiError
from .models import AttemptBudget

WINDOW = timedelta(days=1)


def _window_start(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def spend(key: str, allowed: int, now: datetime | None = None) -> int:
    """Spends one attempt of ``key``'s budget for the current day (UTC); raises
    ``ApiError("rate_limited")`` once more than ``allowed`` were spent. Commits."""
    now = now or datetime.now(timezone.utc)
    start = _window_start(now)
    row_key = f"{key}:{start.date().isoformat()}"[:200]
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(AttemptBudget)
        .values(key=row_key, attempts=1, expires_at=start + WINDOW)
        .on_conflict_do_update(
            index_elements=["key"], set_={"attempts": AttemptBudget.attempts + 1}
        )
        .returning(AttemptBudget.attempts)
    )
    attempts = db.session.execute(statement).scalar_one()
    db.session.commit()
    if attempts > allowed:
        retry = int((start + WINDOW - now).total_seconds()) + 1
        raise ApiError("rate_limited", headers={"Retry-After": str(retry)})
    return attempts


def forget_expired(now: datetime | None = None) -> int:
    """Removes the budgets of past windows; the number removed."""
    now = now or datetime.now(timezone.utc)
    removed = db.session.execute(delete(AttemptBudget).where(AttemptBudget.expires_at <= now))
    db.session.commit()
    return removed.rowcount or 0
