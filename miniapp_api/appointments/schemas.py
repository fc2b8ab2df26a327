"""Request and response shapes of the hospital and appointment endpoints."""

from __future__ import annotations

from functools import lru_cache

from marshmallow import Schema, fields, validate

from ..routing import RECORD_ID
from .models import PERIODS, STATUSES

SEARCH_TEXT = validate.Length(max=64)
ID = {"validate": RECORD_ID}


def _limit(default: int, maximum: int) -> fields.Integer:
    return fields.Integer(load_default=default, validate=validate.Range(min=1, max=maximum))


# --- queries ---------------------------------------------------------------------------------
class HospitalQuerySchema(Schema):
    q = fields.String(validate=SEARCH_TEXT, metadata={"example": "xiehe"})
    district = fields.String(
        validate=validate.Length(max=32),
        metadata={"description": "district code or name", "example": "tianhe"},
    )
    limit = _limit(20, 100)


class DepartmentQuerySchema(Schema):
    q = fields.String(validate=SEARCH_TEXT, metadata={"example": "cardiologist"})
    hospital_id = fields.Integer(**ID)
    limit = _limit(20, 100)


class DoctorQuerySchema(Schema):
    q = fields.String(validate=SEARCH_TEXT, metadata={"description": "name or specialty"})
    hospital_id = fields.Integer(**ID)
    department_id = fields.Integer(**ID)
    limit = _limit(20, 100)


class SlotQuerySchema(Schema):
    hospital_id = fields.Integer(**ID)
    department_id = fields.Integer(**ID, metadata={"description": "this or doctor_id is required"})
    doctor_id = fields.Integer(**ID)
    date_from = fields.Date(metadata={"description": "default: first bookable date"})
    date_to = fields.Date(metadata={"description": "default: last bookable date"})
    period = fields.String(validate=validate.OneOf(PERIODS))
    available = fields.Boolean(metadata={"description": "only slots bookable now with units left"})
    limit = _limit(200, 500)


class AppointmentQuerySchema(Schema):
    status = fields.String(
        load_default="active",
        validate=validate.OneOf(("active", "all")),
        metadata={"description": "active: booked and not yet over"},
    )


# --- bodies ----------------------------------------------------------------------------------
class PatientCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    id_card = fields.String(
        required=True,
        validate=validate.Length(min=1, max=32),
        metadata={"description": "18-character resident ID (GB 11643)"},
    )
    phone = fields.String(
        required=True,
        validate=validate.Length(min=1, max=20),
        metadata={"description": "mainland mobile number"},
    )


class BookSchema(Schema):
    slot_id = fields.Integer(required=True, strict=True, **ID)
    patient_id = fields.Integer(required=True, strict=True, **ID)


class RescheduleSchema(Schema):
    slot_id = fields.Integer(required=True, strict=True, **ID)


# --- responses -------------------------------------------------------------------------------
class DistrictRefSchema(Schema):
    code = fields.String()
    name = fields.String()


class RefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class HospitalSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    short_names = fields.List(fields.String())
    level = fields.String(metadata={"description": "grade, in the request's locale"})
    level_code = fields.String(metadata={"enum": ["3a", "3b", "2a"]})
    district = fields.Nested(DistrictRefSchema)
    address = fields.String()
    phone = fields.String()
    score = fields.Float(allow_none=True, metadata={"description": "match score of q, 0-1"})


class DepartmentSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    aliases = fields.List(fields.String())
    hospital = fields.Nested(RefSchema)
    score = fields.Float(allow_none=True)


class DoctorSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    title = fields.String()
    title_code = fields.String()
    specialties = fields.List(fields.String())
    fee = fields.Float(metadata={"description": "registration fee, yuan"})
    fee_text = fields.String()
    department = fields.Nested(RefSchema)
    hospital = fields.Nested(RefSchema)
    score = fields.Float(allow_none=True)


class SlotDoctorSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    title = fields.String()
    title_code = fields.String()
    fee = fields.Float()


class SlotHospitalSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String()
    phone = fields.String()


class SlotSchema(Schema):
    id = fields.Integer()
    date = fields.Date()
    period = fields.String(metadata={"enum": list(PERIODS)})
    period_name = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    capacity = fields.Integer()
    remaining = fields.Integer()
    bookable = fields.Boolean()
    doctor = fields.Nested(SlotDoctorSchema)
    department = fields.Nested(RefSchema)
    hospital = fields.Nested(SlotHospitalSchema)


class PatientSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    id_card = fields.String(metadata={"description": "masked"})
    phone = fields.String(metadata={"description": "masked"})


class AppointmentSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"enum": list(STATUSES)})
    status_name = fields.String()
    queue_number = fields.Integer()
    patient = fields.Nested(PatientSchema)
    slot = fields.Nested(SlotSchema)
    created_at = fields.DateTime()
    cancelled_at = fields.DateTime(allow_none=True)
    cancel_deadline = fields.DateTime()
    rescheduled_from_id = fields.Integer(allow_none=True)
    rescheduled_to_id = fields.Integer(allow_none=True)


@lru_cache(maxsize=None)
def items_of(schema: type[Schema]) -> type[Schema]:
    """``{"items": [<schema>]}``."""
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(schema))},
        name=schema.__name__.removesuffix("Schema") + "Items",
    )
