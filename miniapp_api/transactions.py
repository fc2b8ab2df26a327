"""Commits that answer a conflict as the API's error, with nothing half-written."""

from __future__ import annotations

from .db import db
from .errors import ApiError


def commit_or_conflict(error_kind: str, *conflicts: type[Exception]) -> None:
    """Commit; if the database reports one of ``conflicts`` (a unique key, a stale version),
    roll back and answer 409 with ``error_kind``, so nothing is half-written."""
    try:
        db.session.commit()
    except conflicts:
        db.session.rollback()
        raise ApiError(error_kind) from None
