"""Request and response shapes of the application endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .states import STATES


class CatalogQuerySchema(Schema):
    q = fields.String(validate=validate.Length(max=64), metadata={"example": "residence"})


class ServiceItemSchema(Schema):
    code = fields.String()
    name = fields.String()
    department = fields.String()
    time_limit_days = fields.Integer(metadata={"description": "legal limit, working days"})
    materials = fields.List(fields.String())
    fee = fields.String()
    collect = fields.String()
    how_to_apply = fields.String()


class SubmitSchema(Schema):
    item_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    applicant_name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    id_card = fields.String(
        required=True,
        validate=validate.Length(min=15, max=20),
        metadata={"description": "18-character resident ID (GB 11643)"},
    )


class GuestLookupSchema(Schema):
    number = fields.String(required=True, validate=validate.Length(min=4, max=40))
    id_last4 = fields.String(required=True, validate=validate.Length(equal=4))


class TransitionSchema(Schema):
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    note = fields.String(validate=validate.Length(max=500))
    reason = fields.String(validate=validate.Length(min=1, max=500))
    materials = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        validate=validate.Length(min=1, max=30),
    )
    department = fields.String(validate=validate.Length(max=128))
    handler_role = fields.String(validate=validate.Length(max=64))


class EventSchema(Schema):
    state = fields.String()
    state_name = fields.String()
    at = fields.DateTime()
    department = fields.String(allow_none=True)
    handler_role = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    materials = fields.List(fields.String(), allow_none=True)
    reason = fields.String(allow_none=True)


class ApplicationSchema(Schema):
    number = fields.String()
    display_number = fields.String()
    item_code = fields.String()
    item_name = fields.String()
    channel = fields.String()
    applicant_name = fields.String()
    applicant_id = fields.String(metadata={"description": "masked"})
    state = fields.String()
    state_name = fields.String()
    department = fields.String()
    submitted_at = fields.DateTime()
    due_on = fields.Date(allow_none=True)
    overdue = fields.Boolean()
    next_steps = fields.List(fields.String())
    missing_materials = fields.List(fields.String(), allow_none=True)
    suspension_reason = fields.String(allow_none=True)
    timeline = fields.List(fields.Nested(EventSchema))
