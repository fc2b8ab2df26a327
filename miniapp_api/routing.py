"""Record ids in URLs and parameters: 1 up to the largest id a table's key holds.

``<int:...>`` in a route matches only such ids, so an id no row can have (0, or one beyond
PostgreSQL's INTEGER) is a 404 from routing, never an overflow inside the database; the spec
documents the range. Query and body fields that name a record use ``RECORD_ID``.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api
from flask_smorest.spec.plugins import integerconverter2paramschema
from marshmallow import validate
from werkzeug.routing import IntegerConverter

MAX_RECORD_ID = 2**31 - 1  # INTEGER keys on PostgreSQL (SQLite's hold more)
RECORD_ID = validate.Range(min=1, max=MAX_RECORD_ID)


class RecordIdConverter(IntegerConverter):
    """``<int:name>``: a decimal record id from 1 to ``MAX_RECORD_ID``."""

    def __init__(
        self,
        map,
        fixed_digits: int = 0,
        min: int | None = 1,
        max: int | None = MAX_RECORD_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def install_record_ids(app: Flask, api: Api) -> None:
    """Make ``<int:...>`` a record id; call before the blueprints are registered."""
    app.url_map.converters["int"] = RecordIdConverter
    api.register_converter(RecordIdConverter, integerconverter2paramschema)
