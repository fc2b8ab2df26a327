"""``flask air ingest FILE`` and ``flask air feed [--follow]``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..db import db
from .ingest import parse
from .models import AirStation
from .service import fill_demo_hours, store_readings

air_cli = AppGroup("air", help="Air-quality data.")


@air_cli.command("ingest")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def ingest_command(path: Path) -> None:
    """Load hourly readings from a national-network CSV or a JSON file.

    Bad rows are reported and skipped; every good row is stored.
    """
    known = set(db.session.scalars(select(AirStation.code)))
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    report = parse(text, path.name, known)
    stored = store_readings(report.readings)
    click.echo(
        json.dumps({"stored_hours": stored, "rejected": report.rejected}, ensure_ascii=False)
    )


@air_cli.command("feed")
@click.option("--follow", is_flag=True, help="Keep the current hour filled until stopped.")
@click.option("--interval", default=60.0, show_default=True, help="Seconds between checks.")
def feed_command(follow: bool, interval: float) -> None:
    """Fill missing hours (the last day) of every demo station with demo readings."""
    while True:
        added = fill_demo_hours(days=1)
        if added:
            click.echo(f"air feed: filled {added} station-hours", err=True)
        db.session.remove()
        if not follow:
            return
        time.sleep(interval)
