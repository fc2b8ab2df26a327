"""``flask seed``: the demo city's GTFS feed, written under var/ and imported when it is new.

A feed an operator imported (any other source) is never replaced by the demo.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import select

from ..db import db
from .gtfs import demo
from .gtfs.demo import SEED_DATA, write_demo_feed
from .gtfs.importer import import_feed
from .models import TransitFeed

INPUTS = (
    Path(demo.__file__),  # the demo feed is written again when its writer changes
    SEED_DATA / "transit_demo.json",
    SEED_DATA / "holidays.json",
)


def seed_transit() -> dict[str, int]:
    path = Path(current_app.config["TRANSIT_DEMO_FEED"])
    active = db.session.scalar(select(TransitFeed).where(TransitFeed.is_active))
    if active is not None and active.source != str(path):
        return {"transit_stops": active.counts.get("stops", 0)}
    if not path.exists() or path.stat().st_mtime < max(p.stat().st_mtime for p in INPUTS):
        write_demo_feed(path)
    result = import_feed(path, skip_if_unchanged=True)
    if not result.report.ok:
        errors = result.report.as_dict()["errors"][:5]
        raise RuntimeError(f"the demo feed does not import: {errors}")
    return {
        "transit_stops": result.report.counts.get("stops", 0),
        "transit_stop_times": result.report.counts.get("stop_times", 0),
    }
