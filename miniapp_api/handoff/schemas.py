"""Request and response shapes of the handoff endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..i18n import SUPPORTED_LOCALES
from ..routing import MAX_RECORD_ID
from .models import REASONS, STATUSES
from .service import TRANSCRIPT_TURNS


class TranscriptTurnSchema(Schema):
    role = fields.String(required=True, validate=validate.OneOf(("citizen", "bot")))
    text = fields.String(required=True, validate=validate.Length(max=20000))
    at = fields.DateTime(allow_none=True)


class StoredTurnSchema(Schema):
    role = fields.String()
    text = fields.String(metadata={"description": "phone and ID-card numbers masked"})
    at = fields.String(allow_none=True, metadata={"description": "ISO 8601"})


class TicketRequestSchema(Schema):
    reason = fields.String(required=True, validate=validate.OneOf(REASONS))
    transcript = fields.List(
        fields.Nested(TranscriptTurnSchema),
        load_default=list,
        validate=validate.Length(max=10 * TRANSCRIPT_TURNS),
        metadata={
            "description": f"the conversation so far; the latest {TRANSCRIPT_TURNS} turns are kept"
        },
    )
    lang = fields.String(validate=validate.OneOf(SUPPORTED_LOCALES))


class TicketListQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_RECORD_ID))


class CloseSchema(Schema):
    note = fields.String(validate=validate.Length(max=2000))


class TicketSchema(Schema):
    number = fields.String()
    status = fields.String()
    status_name = fields.String()
    reason = fields.String()
    reason_name = fields.String()
    channel = fields.String()
    sender_id = fields.String()
    citizen_id = fields.Integer()
    citizen_name = fields.String(allow_none=True)
    citizen_phone = fields.String(allow_none=True, metadata={"description": "masked"})
    locale = fields.String(allow_none=True)
    operator_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    transcript = fields.List(fields.Nested(StoredTurnSchema))


class TicketRefSchema(Schema):
    number = fields.String()
    status = fields.String()


class TicketCreatedSchema(Schema):
    number = fields.String()
    status = fields.String()
    created = fields.Boolean(metadata={"description": "false: the conversation's open ticket"})


class TicketPageSchema(Schema):
    items = fields.List(fields.Nested(TicketSchema))
    total = fields.Integer()
