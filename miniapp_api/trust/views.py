"""The hotline's step-up, for the bot: the caller proves who they are inside the call."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import bot_conversation
from ..envelope import envelope_of, ok
from . import hotline

bp = Blueprint("trust", __name__, url_prefix="/api/v1", description="Hotline verification")


class VerificationStartSchema(Schema):
    # The spec's patterns are ECMA-262, where `$` is the end of the text (Python's `\Z`).
    id_last4 = fields.String(
        required=True,
        validate=validate.Regexp(r"^[0-9]{3}[0-9Xx]\Z"),
        metadata={
            "description": "last four characters of the ID card",
            "pattern": "^[0-9]{3}[0-9Xx]$",
        },
    )


class VerificationCodeSchema(Schema):
    code = fields.String(
        required=True, validate=validate.Regexp(r"^[0-9]{6}\Z"), metadata={"pattern": "^[0-9]{6}$"}
    )


class CodeSentSchema(Schema):
    expires_in = fields.Integer()


class CallProvenSchema(Schema):
    assertion = fields.String(metadata={"description": "the call's identity assertion"})
    expires_in = fields.Integer()


@bp.post("/hotline/verification")
@bp.arguments(VerificationStartSchema)
@bp.response(202, envelope_of(CodeSentSchema))
def start_verification(body: dict):
    """The bot, for a hotline call: text a code to the phone on file when the caller's number
    and the four characters match a citizen's file. The same answer either way."""
    return ok({"expires_in": hotline.start(bot_conversation(), body["id_last4"])}), 202


@bp.post("/hotline/verification/confirm")
@bp.arguments(VerificationCodeSchema)
@bp.response(200, envelope_of(CallProvenSchema))
def confirm_verification(body: dict):
    """The bot: the code the caller read out; the call's identity assertion (422 if wrong)."""
    assertion = hotline.confirm(bot_conversation(), body["code"])
    return ok({"assertion": assertion, "expires_in": hotline.CALL_ASSERTION_SECONDS})
