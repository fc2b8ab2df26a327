"""The success envelope ``{"errcode": 0, "errmsg": "ok", "data": ...}`` and its OpenAPI schemas."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from marshmallow import Schema, fields


def ok(data: Any) -> dict:
    return {"errcode": 0, "errmsg": "ok", "data": data}


class ErrorEnvelopeSchema(Schema):
    errcode = fields.Integer(required=True, metadata={"description": "stable non-zero error code"})
    errmsg = fields.String(required=True, metadata={"description": "localized message"})
    data = fields.Raw(allow_none=True, metadata={"description": "details, such as field errors"})


@lru_cache(maxsize=None)
def envelope_of(schema: type[Schema], many: bool = False) -> type[Schema]:
    """A schema class for ``{"errcode": 0, "errmsg": "ok", "data": <schema>}``."""
    name = schema.__name__.removesuffix("Schema") + ("ListEnvelope" if many else "Envelope")
    return Schema.from_dict(
        {
            "errcode": fields.Integer(required=True, metadata={"example": 0}),
            "errmsg": fields.String(required=True, metadata={"example": "ok"}),
            "data": fields.Nested(schema, many=many, required=True),
        },
        name=name,
    )
