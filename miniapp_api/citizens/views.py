"""Login, the development login, and the citizen's own profile."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint

from ..auth import current_citizen, issue_session_token, operator_required
from ..envelope import envelope_of, ok
from ..errors import ApiError
from ..limiter import limiter
from ..trust.phone_codes import send_code, verify_code
from . import platforms
from .schemas import (
    CitizenSchema,
    CitizenUpdateSchema,
    DevLoginSchema,
    LoginSchema,
    PhoneCodeRequestSchema,
    PhoneCodeSentSchema,
    PhoneVerifySchema,
    SessionSchema,
)
from .service import citizen_for_identity, parse_sender_id, update_profile

bp = Blueprint("citizens", __name__, url_prefix="/api/v1", description="Login and profile")


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _session_for(identity_channel: str, external_id: str, platform: str) -> dict:
    citizen = citizen_for_identity(identity_channel, external_id)
    token, expires_at = issue_session_token(citizen.id, platform)
    return ok({"token": token, "expires_at": expires_at, "citizen_id": citizen.id})


@bp.post("/auth/login")
@limiter.limit(_login_rate_limit)
@bp.arguments(LoginSchema)
@bp.response(200, envelope_of(SessionSchema))
def login(body: dict):
    """Exchange a mini-app login code (WeChat ``wx.login`` or Alipay ``my.getAuthCode``)."""
    external_id = platforms.exchange_code(body["platform"], body["code"])
    return _session_for(body["platform"], external_id, body["platform"])


@bp.post("/auth/dev-login")
@bp.arguments(DevLoginSchema)
@bp.response(200, envelope_of(SessionSchema))
def dev_login(body: dict):
    """Development profile only: a session for any channel identity, without a platform."""
    if not current_app.config.get("PROFILE") == "development":
        raise ApiError("not_found")
    channel, external_id = parse_sender_id(body["identity"])
    return _session_for(channel, external_id, "dev")


@bp.get("/me")
@bp.response(200, envelope_of(CitizenSchema))
def read_me():
    """The calling citizen, with phone masked."""
    return ok(current_citizen())


@bp.patch("/me")
@bp.arguments(CitizenUpdateSchema)
@bp.response(200, envelope_of(CitizenSchema))
def update_me(changes: dict):
    """Change the display name or preferred locale (the phone: ``/me/phone/code``)."""
    citizen = update_profile(current_citizen(), changes)
    return ok(citizen)


@bp.post("/me/phone/code")
@bp.arguments(PhoneCodeRequestSchema)
@bp.response(202, envelope_of(PhoneCodeSentSchema))
def request_phone_code(body: dict):
    """Text a one-time code to the phone to bind. The same answer for a free phone and one
    another citizen has; a few codes a day per citizen and per phone."""
    return ok({"expires_in": send_code(current_citizen(), body["phone"])}), 202


@bp.post("/me/phone/verify")
@bp.arguments(PhoneVerifySchema)
@bp.response(200, envelope_of(CitizenSchema))
def verify_phone(body: dict):
    """Bind the phone with the code it received (422 if wrong or expired; 409 if another
    citizen has already proven it)."""
    return ok(verify_code(current_citizen(), body["phone"], body["code"]))


@bp.get("/admin/citizens/<int:citizen_id>")
@operator_required
@bp.response(200, envelope_of(CitizenSchema))
def read_citizen(citizen_id: int):
    """Operators only: one citizen's profile, masked as everywhere."""
    from ..db import db
    from .models import Citizen

    citizen = db.session.get(Citizen, citizen_id)
    if citizen is None:
        raise ApiError("not_found")
    return ok(citizen)
