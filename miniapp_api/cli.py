"""``flask db-upgrade``, ``flask seed`` and ``flask operator-token``."""
from __future__ import annotations

import click
from flask import Flask
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
        """Load the demo city's data (idempotent: running it twice changes nothing)."""
        from .seed import seed_demo_data

        counts = seed_demo_data()
        click.echo("seeded: " + ", ".join(f"{name} {count}" for name, count in counts.items()))

    @app.cli.command("operator-token")
    @click.argument("identity")
    @with_appcontext
    def operator_token_command(identity: str) -> None:
        """Print a session token for the operator IDENTITY (e.g. web:operator-1)."""
        from .auth import issue_session_token
        from .citizens.service import citizen_for_identity, parse_sender_id
        from .db import db

        citizen = citizen_for_identity(*parse_sender_id(identity))
        citizen.role = "operator"
        db.session.commit()
        token, _ = issue_session_token(citizen.id, "operator", role="operator")
        click.echo(token)
