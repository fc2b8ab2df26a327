"""``GET /api/v1/health``: is the database reachable, and which versions run."""

from __future__ import annotations

import platform
from functools import lru_cache
from importlib.metadata import version

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .db import db
from .envelope import envelope_of, ok
from .errors import error_response
from .i18n import SUPPORTED_LOCALES

VERSIONED_PACKAGES = ("flask", "sqlalchemy", "alembic", "babel")

bp = Blueprint("health", __name__, url_prefix="/api/v1", description="Service health")


class DatabaseHealthSchema(Schema):
    reachable = fields.Boolean()
    dialect = fields.String()
    revision = fields.String(allow_none=True, metadata={"description": "Alembic revision"})


class HealthSchema(Schema):
    status = fields.String(metadata={"example": "ok"})
    database = fields.Nested(DatabaseHealthSchema)
    versions = fields.Dict(keys=fields.String(), values=fields.String())
    locales = fields.List(fields.String())


@lru_cache(maxsize=1)
def _versions() -> dict[str, str]:
    """The running software's versions: read from package metadata once per process (parsing it
    cost more than the rest of the health check; load balancers ask often)."""
    from . import __version__

    return {
        "api": __version__,
        "python": platform.python_version(),
        **{package: version(package) for package in VERSIONED_PACKAGES},
    }


def _database_health() -> dict:
    dialect = db.engine.dialect.name
    try:
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return {"reachable": True, "dialect": dialect, "revision": revision}
    except SQLAlchemyError:
        db.session.rollback()
        return {"reachable": False, "dialect": dialect, "revision": None}


@bp.get("/health")
@bp.response(200, envelope_of(HealthSchema))
@bp.alt_response(503, schema=envelope_of(HealthSchema), description="database unreachable")
def health():
    """Reports database reachability and the versions of the running software."""
    report = {
        "status": "ok",
        "database": _database_health(),
        "versions": dict(_versions()),
        "locales": list(SUPPORTED_LOCALES),
    }
    if not report["database"]["reachable"]:
        report["status"] = "unavailable"
        return error_response(
            "unavailable", data=HealthSchema().dump(report), headers={"Retry-After": "5"}
        )
    return ok(report)
