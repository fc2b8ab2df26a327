"""``flask applications deliver``: the outbox worker."""

from __future__ import annotations

import time
from datetime import timedelta

import click
from flask.cli import AppGroup

from ..db import db
from .outbox import deliver_batch, sender_from_spec

applications_cli = AppGroup("applications", help="Government applications.")


@applications_cli.command("deliver")
@click.option(
    "--sender", "sender_spec", default="log", show_default=True, help="log, or jsonl:PATH"
)
@click.option("--batch", default=50, show_default=True)
@click.option("--lease", default=60.0, show_default=True, help="Seconds a claim holds.")
@click.option("--follow", is_flag=True, help="Keep delivering until stopped.")
@click.option("--interval", default=2.0, show_default=True)
def deliver_command(
    sender_spec: str, batch: int, lease: float, follow: bool, interval: float
) -> None:
    """Deliver pending notifications; safe to stop and restart at any moment."""
    sender = sender_from_spec(sender_spec)
    while True:
        sent = deliver_batch(sender, batch, timedelta(seconds=lease))
        if sent:
            click.echo(f"delivered {sent}", err=True)
        db.session.remove()
        if not follow and sent < batch:
            return
        if not sent:
            time.sleep(interval)
