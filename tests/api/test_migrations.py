"""Alembic migrations build the models' schema, the same on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from miniapp_api.db import db

# Each engine's name for the same SQLAlchemy type.
SAME_TYPE = {"VARCHAR": "STRING", "TIMESTAMP": "DATETIME", "DOUBLE_PRECISION": "FLOAT"}


def neutral_type(column_type) -> str:
    name = column_type.__class__.__name__.upper()
    return SAME_TYPE.get(name, name)


def schema_of(engine) -> dict:
    """Tables, columns, keys, constraints and indexes, in engine-neutral terms."""
    inspector = inspect(engine)
    schema = {}
    for table in sorted(inspector.get_table_names()):
        if table == "alembic_version":
            continue
        schema[table] = {
            "columns": {
                c["name"]: (neutral_type(c["type"]), c["nullable"])
                for c in inspector.get_columns(table)
            },
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "unique": sorted(
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
            "foreign_keys": sorted(
                (f["name"], tuple(f["constrained_columns"]), f["referred_table"])
                for f in inspector.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
                if not i["name"].startswith(("uq_", "pk_"))
            ),
        }
    return schema


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def test_downgrade_to_base_and_back(app):
    with app.app_context():
        downgrade(revision="base")
        assert inspect(db.engine).get_table_names() in ([], ["alembic_version"])
        upgrade(revision="heads")
        assert "citizen" in inspect(db.engine).get_table_names()


@pytest.mark.postgres
def test_same_schema_on_sqlite_and_postgresql(sqlite_url, postgres_database):
    from miniapp_api import create_app
    from miniapp_api.config import TestingConfig

    schemas = []
    for url in (sqlite_url, postgres_database):
        app = create_app(TestingConfig(url))
        with app.app_context():
            schemas.append(schema_of(db.engine))
            db.engine.dispose()
    sqlite_schema, postgres_schema = schemas
    assert sqlite_schema == postgres_schema
    assert {"citizen", "channel_identity"} <= set(sqlite_schema)
