"""``flask appointments roll``: extend the demo clinics' slots (``flask seed`` does it too)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from .seed import seed_appointments

appointments_cli = AppGroup("appointments", help="Hospital appointments.")


@appointments_cli.command("roll")
def roll_command() -> None:
    """Add the missing slots from today to APPOINTMENT_SLOT_DAYS ahead; existing ones stay."""
    counts = seed_appointments()
    click.echo(", ".join(f"{name} {count}" for name, count in counts.items()))
