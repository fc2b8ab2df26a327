"""Rules about citizens and identities, without HTTP."""
from __future__ import annotations

import re
from functools import lru_cache

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from ..db import commit_or_conflict, db
from ..errors import ApiError
from .models import CHANNELS, ChannelIdentity, Citizen

MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}\Z", re.ASCII)  # no trailing newline, ASCII digits only
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9_\-.+@=]{1,128}$")
# A hotline identity: the caller's number (optionally +86 / 0086), optionally "-<call id>" when
# each call is its own conversation (the hotline replay).
_HOTLINE_CALLER = re.compile(r"^(?:\+86|0086|86)?(1[3-9][0-9]{9})(?:-.*)?\Z", re.ASCII)


def parse_sender_id(sender_id: str) -> tuple[str, str]:
    """Split ``wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M`` into its channel and external id.

    Raises ``ApiError("bad_request")`` for an unknown channel or a malformed id.
    """
    channel, _, external_id = (sender_id or "").partition(":")
    if channel not in CHANNELS or not _EXTERNAL_ID.match(external_id):
        raise ApiError("bad_request", data={"identity": sender_id[:140] if sender_id else None})
    return channel, external_id


def find_by_identity(channel: str, external_id: str) -> Citizen | None:
    return db.session.scalars(_identity_statement(),
                              {"channel": channel, "external_id": external_id}).first()


@lru_cache(maxsize=None)
def _identity_statement():
    """The citizen of a channel identity, by a statement built once (every request of the bot
    reads it; building it again cost a third of the lookup)."""
    return (select(Citizen).join(ChannelIdentity)
            .where(ChannelIdentity.channel == bindparam("channel"),
                   ChannelIdentity.external_id == bindparam("external_id")))


def citizen_for_identity(channel: str, external_id: str) -> Citizen:
    """The citizen behind a channel identity, created on first contact.

    A hotline caller whose number is a citizen's verified phone is that citizen (also when the
    number was verified after the line first called). Safe under concurrency: when two first
    contacts race, the loser of the unique constraint reads the winner's row.
    """
    owner = _citizen_with_caller_number(channel, external_id)
    if citizen := find_by_identity(channel, external_id):
        if owner is None or owner.id == citizen.id:
            return citizen
        return _move_identity(channel, external_id, owner)
    identity = ChannelIdentity(channel=channel, external_id=external_id)
    citizen = owner
    if citizen is not None:
        citizen.identities.append(identity)
    else:
        citizen = Citizen(identities=[identity])
        db.session.add(citizen)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        citizen = find_by_identity(channel, external_id)
        if citizen is None:
            raise
    return citizen


def _move_identity(channel: str, external_id: str, owner: Citizen) -> Citizen:
    identity = db.session.scalars(select(ChannelIdentity).where(
        ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id)).one()
    identity.citizen_id = owner.id
    db.session.commit()
    db.session.expire_all()
    return owner


def _citizen_with_caller_number(channel: str, external_id: str) -> Citizen | None:
    caller = _HOTLINE_CALLER.match(external_id) if channel == "hotline" else None
    if caller is None:
        return None
    return db.session.scalars(select(Citizen).where(Citizen.phone == caller.group(1))).first()


def update_profile(citizen: Citizen, changes: dict) -> Citizen:
    """Apply validated profile changes; a phone verified by another citizen is a conflict."""
    phone = changes.get("phone")
    if phone and phone != citizen.phone:
        owner = db.session.scalars(select(Citizen).where(Citizen.phone == phone)).first()
        if owner is not None and owner.id != citizen.id:
            raise ApiError("phone_in_use")
    for field in ("display_name", "phone", "locale"):
        if field in changes:
            setattr(citizen, field, changes[field])
    commit_or_conflict("phone_in_use", IntegrityError)  # a concurrent claim of the phone
    return citizen
