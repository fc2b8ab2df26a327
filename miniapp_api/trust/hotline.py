"""Hotline step-up: a caller is a guest until verified inside the call.

Caller ID proves nothing, but it says which citizen the caller claims to be: the one whose
verified phone is that number. The caller proves it with two things: the last four characters of
an ID-card number on that citizen's file (an application's applicant), and a one-time code the
API texts to the phone on file (which the caller must hold). Then the API, as the hotline's
trusted edge, issues an identity assertion for this call's conversation alone, and the call's
identity (``hotline:<number>-<call id>``) becomes that citizen's.

Every step answers the same whether or not the number and the four characters match anyone, so
the hotline tells a caller nothing until both are proven; tries are budgeted per call and per
number.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta, timezone

from citizen_common import identity
from citizen_common.privacy import MAINLAND_MOBILE
from flask import current_app
from sqlalchemy import delete, select

from ..applications.models import Application
from ..citizens.models import ChannelIdentity, Citizen
from ..db import db
from ..errors import ApiError
from .budgets import spend
from .models import PhoneCode
from .phone_codes import check_code, new_code, text_code

# A hotline conversation: the caller's number (optionally +86 / 0086), optionally "-<call id>".
_CALLER = re.compile(rf"^(?:\+86|0086|86)?({MAINLAND_MOBILE})(?:-.*)?\Z", re.ASCII)
# The caller's proof lasts the call (and a little longer).
CALL_ASSERTION_SECONDS = 3600


def caller_number(sender_id: str) -> str:
    """The mobile number a hotline conversation's caller ID shows; 404 if it shows none."""
    channel, _, external_id = sender_id.partition(":")
    match = _CALLER.match(external_id) if channel == "hotline" else None
    if match is None:
        raise ApiError("not_found")
    return match.group(1)


def _digest(sender_id: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"hotline-code:{sender_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _claimed_citizen(phone: str, id_last4: str) -> Citizen | None:
    """The citizen whose verified phone is ``phone`` and on whose file an ID number ends with
    ``id_last4``; ``None`` otherwise."""
    citizen = db.session.scalars(select(Citizen).where(Citizen.phone == phone)).first()
    if citizen is None:
        return None
    endings = db.session.scalars(
        select(Application.applicant_id_last4).where(Application.citizen_id == citizen.id)
    ).all()
    given = id_last4.strip().upper().encode()
    matched = any(hmac.compare_digest(ending.upper().encode(), given) for ending in endings)
    return citizen if matched else None


def start(sender_id: str, id_last4: str) -> int:
    """Texts a code to the phone on file when the caller's number and ``id_last4`` match a
    citizen's file; the same answer (seconds the code would stay valid) either way."""
    phone = caller_number(sender_id)
    config = current_app.config
    spend(f"hotline-verify:call:{sender_id}", config["PHONE_CODE_DAILY_BUDGET"])
    spend(f"hotline-verify:phone:{phone}", config["PHONE_CODE_DAILY_BUDGET"])
    ttl = config["PHONE_CODE_TTL_SECONDS"]
    citizen = _claimed_citizen(phone, id_last4)
    if citizen is None:
        return ttl
    code = new_code()
    now = datetime.now(timezone.utc)
    db.session.execute(
        delete(PhoneCode).where(PhoneCode.citizen_id == citizen.id, PhoneCode.phone == phone)
    )
    db.session.add(
        PhoneCode(
            citizen_id=citizen.id,
            phone=phone,
            created_at=now,
            attempts=0,
            code_digest=_digest(sender_id, code),
            expires_at=now + timedelta(seconds=ttl),
        )
    )
    db.session.commit()
    text_code(citizen, phone, code, ttl)
    return ttl


def confirm(sender_id: str, code: str) -> str:
    """The identity assertion for this call once ``code`` is the one texted for it; 422
    ``phone_code_invalid`` otherwise. The call's identity becomes the citizen's."""
    phone = caller_number(sender_id)
    pending = check_code(
        db.session.scalars(
            select(PhoneCode).where(PhoneCode.phone == phone).order_by(PhoneCode.id.desc())
        ).first(),
        _digest(sender_id, code),
    )
    citizen_id = pending.citizen_id
    db.session.delete(pending)
    _attach_call(sender_id, citizen_id)
    db.session.commit()
    return identity.issue(
        sender_id,
        "hotline",
        current_app.config["IDENTITY_ASSERTION_KEY"],
        ttl_seconds=CALL_ASSERTION_SECONDS,
    )


def _attach_call(sender_id: str, citizen_id: int) -> None:
    channel, _, external_id = sender_id.partition(":")
    identity = db.session.scalars(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
        )
    ).first()
    if identity is None:
        db.session.add(
            ChannelIdentity(channel=channel, external_id=external_id, citizen_id=citizen_id)
        )
    else:
        identity.citizen_id = citizen_id
