"""``flask transit ...``: import a GTFS feed, ingest GTFS-Realtime, the demo feed and simulator."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import db
from .gtfs.importer import import_feed
from .realtime.feed import ingest_once

transit_cli = AppGroup("transit", help="Buses: GTFS schedules and GTFS-Realtime.")
logger = logging.getLogger(__name__)


def _echo(data: dict) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, default=str))


@transit_cli.command("import-gtfs")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--if-changed", is_flag=True, help="Do nothing when this feed is already active.")
def import_gtfs_command(path: Path, if_changed: bool) -> None:
    """Import the GTFS feed at PATH (a .zip or a folder) and make it the active one.

    A feed with errors is rejected with a report of its bad rows (exit status 1); the active
    feed stays as it was.
    """
    result = import_feed(path, skip_if_unchanged=if_changed)
    _echo(result.as_dict())
    if not result.report.ok:
        sys.exit(1)


@transit_cli.command("realtime")
@click.argument("sources", nargs=-1)
@click.option("--follow", is_flag=True, help="Poll until stopped.")
@click.option(
    "--interval",
    type=float,
    default=None,
    help="Seconds between polls (default TRANSIT_REALTIME_INTERVAL_SECONDS).",
)
def realtime_command(sources: tuple[str, ...], follow: bool, interval: float | None) -> None:
    """Ingest GTFS-Realtime TripUpdates and VehiclePositions from URLs or files (default:
    TRANSIT_REALTIME_URLS, comma-separated)."""
    chosen = list(sources) or [
        s.strip() for s in current_app.config["TRANSIT_REALTIME_URLS"].split(",") if s.strip()
    ]
    if not chosen:
        raise click.UsageError("no source given and TRANSIT_REALTIME_URLS is empty")
    interval = interval or float(current_app.config["TRANSIT_REALTIME_INTERVAL_SECONDS"])
    while True:
        started = time.monotonic()
        for result in ingest_once(chosen):
            _echo(result)
        db.session.remove()
        if not follow:
            return
        time.sleep(max(0.0, interval - (time.monotonic() - started)))


@transit_cli.command("demo-feed")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the zip (default TRANSIT_DEMO_FEED).",
)
def demo_feed_command(out: Path | None) -> None:
    """Write the demo city's GTFS feed (deterministic) as a zip."""
    from .gtfs.demo import write_demo_feed

    path = write_demo_feed(out or Path(current_app.config["TRANSIT_DEMO_FEED"]))
    click.echo(str(path))


@transit_cli.command("simulate")
@click.option("--follow", is_flag=True, help="Keep moving the buses until stopped.")
@click.option("--interval", type=float, default=15.0, show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The GTFS-Realtime file written (default TRANSIT_SIMULATOR_FEED).",
)
def simulate_command(follow: bool, interval: float, out: Path | None) -> None:
    """Simulate the demo city's buses: write a GTFS-Realtime feed (TripUpdates and
    VehiclePositions) for the current moment and ingest it like any other source."""
    from .realtime.simulator import simulate_once

    out = out or Path(current_app.config["TRANSIT_SIMULATOR_FEED"])
    while True:
        started = time.monotonic()
        try:
            _echo(simulate_once(out))
        except Exception:  # a bad cycle must not stop the buses for good
            db.session.rollback()
            logger.exception("simulation cycle failed")
        db.session.remove()
        if not follow:
            return
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
