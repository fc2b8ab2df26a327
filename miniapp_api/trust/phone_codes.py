"""One-time codes that prove a citizen holds a phone before it is bound to them.

A code is six random digits, sent by SMS, kept only as a keyed digest bound to the citizen and
the phone, valid ``PHONE_CODE_TTL_SECONDS`` and for ``PHONE_CODE_MAX_ATTEMPTS`` wrong tries.
Asking for a code answers the same whether the phone is free or another citizen's: whether a
phone is registered is told only to whoever proves they hold it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import delete, select

from ..citizens.models import Citizen
from ..citizens.service import bind_phone
from ..db import db
from ..errors import ApiError
from ..i18n import translate
from .budgets import spend
from .models import PhoneCode
from .sms import sms_sender

CODE_DIGITS = 6
# The SMS that carries a code (listed for extraction in miniapp_api/message_ids.py).
SMS_MESSAGE_ID = "phone_code.sms"


def _digest(citizen_id: int, phone: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(
        key, f"phone-code:{citizen_id}:{phone}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def new_code() -> str:
    """Six random digits."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def text_code(citizen: Citizen, phone: str, code: str, ttl: int) -> None:
    sms_sender().send(
        phone,
        translate(SMS_MESSAGE_ID, citizen.locale or None, code=code, minutes=max(1, ttl // 60)),
    )


def check_code(pending: PhoneCode | None, digest: str) -> PhoneCode:
    """``pending`` when ``digest`` is its code's and it is still valid; else 422
    ``phone_code_invalid`` (a wrong code spends one of its tries)."""
    now = datetime.now(timezone.utc)
    if (
        pending is None
        or pending.expires_at <= now
        or pending.attempts >= current_app.config["PHONE_CODE_MAX_ATTEMPTS"]
    ):
        raise ApiError("phone_code_invalid")
    if not hmac.compare_digest(pending.code_digest, digest):
        pending.attempts += 1
        db.session.commit()
        raise ApiError("phone_code_invalid")
    return pending


def send_code(citizen: Citizen, phone: str) -> int:
    """Sends a new code to ``phone`` for ``citizen`` (earlier ones stop counting); the seconds
    it stays valid. Budgets per citizen and per phone stop a flood of texts."""
    config = current_app.config
    spend(f"phone-code:citizen:{citizen.id}", config["PHONE_CODE_DAILY_BUDGET"])
    spend(f"phone-code:phone:{phone}", config["PHONE_CODE_DAILY_BUDGET"])
    code = new_code()
    ttl = config["PHONE_CODE_TTL_SECONDS"]
    now = datetime.now(timezone.utc)
    db.session.execute(delete(PhoneCode).where(PhoneCode.citizen_id == citizen.id))
    db.session.add(
        PhoneCode(
            citizen_id=citizen.id,
            phone=phone,
            created_at=now,
            code_digest=_digest(citizen.id, phone, code),
            attempts=0,
            expires_at=now + timedelta(seconds=ttl),
        )
    )
    db.session.commit()
    text_code(citizen, phone, code, ttl)
    return ttl


def verify_code(citizen: Citizen, phone: str, code: str) -> Citizen:
    """Binds ``phone`` when ``code`` is the one sent for it; 422 ``phone_code_invalid``
    otherwise (wrong, expired, used up, or never sent)."""
    pending = db.session.scalars(
        select(PhoneCode).where(PhoneCode.citizen_id == citizen.id, PhoneCode.phone == phone)
    ).first()
    db.session.delete(check_code(pending, _digest(citizen.id, phone, code)))
    return bind_phone(citizen, phone)
