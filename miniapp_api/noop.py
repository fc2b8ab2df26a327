"""``GET /api/v1/noop``: answers and does nothing, so that ``bench/api_load.py`` can measure the
server's own cost per request (gunicorn, Flask, locale negotiation, security headers, the
envelope) beside the real endpoints. Registered only when ``BENCH_NOOP_ENDPOINT=1``."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema

from .envelope import envelope_of, ok

bp = Blueprint(
    "noop",
    __name__,
    url_prefix="/api/v1",
    description="Benchmark baseline (only with BENCH_NOOP_ENDPOINT=1)",
)


class NoopSchema(Schema):
    """Nothing."""


@bp.get("/noop")
@bp.response(200, envelope_of(NoopSchema))
def noop():
    """Does nothing (the benchmarks' baseline)."""
    return ok({})
