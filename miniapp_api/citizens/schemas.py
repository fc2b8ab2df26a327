"""Request and response shapes of the citizen endpoints; the OpenAPI spec is built from these."""

from __future__ import annotations

from citizen_common.privacy import MAINLAND_MOBILE as MAINLAND_MOBILE_NUMBER
from marshmallow import Schema, fields, validate

from ..i18n import SUPPORTED_LOCALES
from ..privacy import mask_phone
from .models import CHANNELS
from .service import MAINLAND_MOBILE

PLATFORMS = ("wechat", "alipay")


class LoginSchema(Schema):
    platform = fields.String(required=True, validate=validate.OneOf(PLATFORMS))
    code = fields.String(required=True, validate=validate.Length(min=1, max=256))


class DevLoginSchema(Schema):
    identity = fields.String(
        required=True,
        validate=validate.Length(min=3, max=140),
        metadata={"example": "web:demo-alice"},
    )


class SessionSchema(Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)
    citizen_id = fields.Integer(required=True)


class IdentitySchema(Schema):
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    external_id = fields.String()


class CitizenSchema(Schema):
    id = fields.Integer(dump_only=True)
    display_name = fields.String(allow_none=True)
    phone = fields.Function(
        lambda c: mask_phone(c.phone),
        dump_only=True,
        allow_none=True,
        metadata={"description": "masked: 138****5678"},
    )
    locale = fields.String(allow_none=True)
    role = fields.String(dump_only=True)
    identities = fields.List(fields.Nested(IdentitySchema), dump_only=True)


def _phone_field() -> fields.String:
    # The spec's pattern is ECMA-262, where `$` is the end of the text (Python's `\Z`).
    return fields.String(
        required=True,
        validate=validate.Regexp(MAINLAND_MOBILE),
        metadata={"pattern": f"^{MAINLAND_MOBILE_NUMBER}$"},
    )


class PhoneCodeRequestSchema(Schema):
    phone = _phone_field()


class PhoneVerifySchema(Schema):
    phone = _phone_field()
    code = fields.String(
        required=True, validate=validate.Regexp(r"^[0-9]{6}\Z"), metadata={"pattern": "^[0-9]{6}$"}
    )


class PhoneCodeSentSchema(Schema):
    expires_in = fields.Integer(metadata={"description": "seconds the code stays valid"})


class CitizenUpdateSchema(Schema):
    """The phone is bound only by a one-time code (``/me/phone/code``, ``/me/phone/verify``)."""

    display_name = fields.String(validate=validate.Length(min=1, max=64))
    locale = fields.String(validate=validate.OneOf(SUPPORTED_LOCALES))
