"""``flask db-upgrade``, ``flask seed`` and ``flask create-operator``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


def upgrade_database() -> None:
    """Apply every Alembic migration (creates the SQLite file's folder first)."""
    from pathlib import Path

    from flask import current_app
    from flask_migrate import upgrade
    from sqlalchemy.engine import make_url

    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    upgrade(revision="heads")


# A sign-in token the operator CLI prints: long enough to sign in, short enough to be worthless
# in a terminal's scroll-back.
OPERATOR_TOKEN_TTL_SECONDS = 3600


def register_commands(app: Flask) -> None:
    from .air.cli import air_cli
    from .applications.cli import applications_cli
    from .appointments.cli import appointments_cli
    from .transit.cli import transit_cli

    app.cli.add_command(air_cli)
    app.cli.add_command(applications_cli)
    app.cli.add_command(appointments_cli)
    app.cli.add_command(transit_cli)

    @app.cli.command("db-upgrade")
    @with_appcontext
    def db_upgrade_command() -> None:
        """Create or migrate the database to the newest schema."""
        upgrade_database()

    @app.cli.command("seed")
    @with_appcontext
    def seed_command() -> None:
        """Load the demo city's data (idempotent: running it twice changes nothing). The
        production profile loads the city's reference data alone, never the demo residents."""
        from .seed import seed_demo_data

        counts = seed_demo_data(people=current_app.config["PROFILE"] != "production")
        click.echo("seeded: " + ", ".join(f"{name} {count}" for name, count in counts.items()))

    @app.cli.command("create-operator")
    @click.argument("identity")
    @with_appcontext
    def create_operator_command(identity: str) -> None:
        """Make IDENTITY (e.g. web:operator-zhang) an operator and print a one-time sign-in
        token for it: strong, short-lived (an hour), shown once and never stored."""
        from .auth import issue_session_token
        from .citizens.service import citizen_for_identity, parse_sender_id
        from .db import db

        citizen = citizen_for_identity(*parse_sender_id(identity))
        citizen.role = "operator"
        db.session.commit()
        token, expires_at = issue_session_token(
            citizen.id, "operator", role="operator", ttl_seconds=OPERATOR_TOKEN_TTL_SECONDS
        )
        click.echo(
            f"operator {identity} (citizen {citizen.id}); this token works until "
            f"{expires_at.isoformat(timespec='seconds')} and is shown only now:"
        )
        click.echo(token)
