"""Rules about citizens and identities, without HTTP."""

from __future__ import annotations

import re
from functools import lru_cache

from citizen_common.privacy import MAINLAND_MOBILE as MAINLAND_MOBILE_NUMBER
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from ..db import db
from ..errors import ApiError
from ..transactions import commit_or_conflict
from .models import CHANNELS, ChannelIdentity, Citizen

# No trailing newline, ASCII digits only.
MAINLAND_MOBILE = re.compile(rf"^{MAINLAND_MOBILE_NUMBER}\Z", re.ASCII)
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9_\-.+@=]{1,128}$")


def parse_sender_id(sender_id: str) -> tuple[str, str]:
    """Split ``wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M`` into its channel and external id.

    Raises ``ApiError("bad_request")`` for an unknown channel or a malformed id.
    """
    channel, _, external_id = (sender_id or "").partition(":")
    if channel not in CHANNELS or not _EXTERNAL_ID.match(external_id):
        raise ApiError("bad_request", data={"identity": sender_id[:140] if sender_id else None})
    return channel, external_id


def find_by_identity(channel: str, external_id: str) -> Citizen | None:
    return db.session.scalars(
        _identity_statement(), {"channel": channel, "external_id": external_id}
    ).first()


@lru_cache(maxsize=None)
def _identity_statement():
    """The citizen of a channel identity, by a statement built once (every request of the bot
    reads it; building it again cost a third of the lookup)."""
    return (
        select(Citizen)
        .join(ChannelIdentity)
        .where(
            ChannelIdentity.channel == bindparam("channel"),
            ChannelIdentity.external_id == bindparam("external_id"),
        )
    )


def citizen_for_identity(channel: str, external_id: str) -> Citizen:
    """The citizen behind a channel identity, created on first contact.

    Callers of this have the identity proven (a platform login, an identity assertion). A
    hotline caller's number is never matched to a citizen's phone here: caller ID can be
    spoofed, so it proves nothing. Safe under concurrency: when two first contacts race, the
    loser of the unique constraint reads the winner's row.
    """
    if citizen := find_by_identity(channel, external_id):
        return citizen
    citizen = Citizen(identities=[ChannelIdentity(channel=channel, external_id=external_id)])
    db.session.add(citizen)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        citizen = find_by_identity(channel, external_id)
        if citizen is None:
            raise
    return citizen


def update_profile(citizen: Citizen, changes: dict) -> Citizen:
    """Apply validated profile changes (display name, locale)."""
    for field in ("display_name", "locale"):
        if field in changes:
            setattr(citizen, field, changes[field])
    db.session.commit()
    return citizen


def bind_phone(citizen: Citizen, phone: str) -> Citizen:
    """Binds a phone whose one-time code the citizen has proven; another citizen's verified
    phone is a conflict (told only now, after the code, so it enumerates nothing)."""
    if phone != citizen.phone:
        owner = db.session.scalars(select(Citizen).where(Citizen.phone == phone)).first()
        if owner is not None and owner.id != citizen.id:
            raise ApiError("phone_in_use")
        citizen.phone = phone
    commit_or_conflict("phone_in_use", IntegrityError)  # a concurrent claim of the phone
    return citizen
