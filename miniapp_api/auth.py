"""Who is calling: a citizen's session token, or the bot's service token acting for a citizen.

- Mini-app clients send ``Authorization: Bearer <session token>``, a signed, expiring JWT issued
  at login.
- The action server sends ``Authorization: Bearer <BOT_SERVICE_TOKEN>``,
  ``X-Citizen-Identity: <channel>:<id>`` (the conversation's sender id) and, when a trusted edge
  proved who is talking, ``X-Identity-Assertion`` (``citizen_common.identity``). The service token
  proves only that the bot is calling: the API acts for the citizen of the conversation only on
  an assertion issued for that very conversation; without one the conversation is a guest's,
  and anything personal answers ``sign_in_required``.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache, wraps
from typing import Callable
from urllib.parse import unquote

import jwt
from citizen_common.identity import HEADER as ASSERTION_HEADER
from citizen_common.identity import for_conversation
from flask import Flask, current_app, g, request
from flask.sessions import SessionInterface
from sqlalchemy import bindparam, select

from .db import db
from .errors import ApiError


class NoCookieSessions(SessionInterface):
    """Callers name themselves with a bearer token; no cookie session exists. (Flask's default
    interface would build its signing serializer and look for a session cookie on every
    request, to find none.) A view that wrote to ``flask.session`` would fail loudly."""

    def open_session(self, app: Flask, request):
        return self.make_null_session(app)

    def save_session(self, app: Flask, session, response) -> None:
        return None


TOKEN_AUDIENCE = "citizen-assistant"
TOKEN_ALGORITHM = "HS256"
IDENTITY_HEADER = "X-Citizen-Identity"
# The platforms that issue session tokens: mini-app logins, the web chat, the operator CLI.
SESSION_PLATFORMS = frozenset({"wechat", "alipay", "web", "operator"})
DEV_PLATFORM = "dev"  # POST /auth/dev-login, development profile only


@dataclass(frozen=True)
class Principal:
    citizen_id: int
    via: str  # "session" or "bot"
    platform: str | None = None


def issue_session_token(
    citizen_id: int, platform: str, role: str = "citizen", ttl_seconds: int | None = None
) -> tuple[str, datetime]:
    """A signed token for ``citizen_id`` and the moment it expires."""
    ttl = ttl_seconds if ttl_seconds is not None else current_app.config["SESSION_TTL_SECONDS"]
    now = datetime.now(timezone.utc)
    expires_at = now + timedelta(seconds=ttl)
    claims = {
        "sub": str(citizen_id),
        "plat": platform,
        "role": role,
        "aud": TOKEN_AUDIENCE,
        "iat": now,
        "exp": expires_at,
    }
    token = jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm=TOKEN_ALGORITHM)
    return token, expires_at


def _decode_session_token(token: str) -> dict:
    try:
        claims = _verified_claims(token, current_app.config["SECRET_KEY"])
    except jwt.ExpiredSignatureError:
        raise ApiError("token_expired") from None
    except jwt.InvalidTokenError:
        raise ApiError("token_invalid") from None
    # A remembered token is checked for expiry again on every use, as PyJWT checks it.
    if claims["exp"] <= datetime.now(tz=timezone.utc).timestamp():
        raise ApiError("token_expired")
    return dict(claims)


@lru_cache(maxsize=4096)
def _verified_claims(token: str, secret_key: str) -> dict:
    """A session token's claims, its signature and claims verified once: a client sends the same
    token with every request, and verifying it again cost a tenth of an answered request. Only
    tokens that verify are remembered (a refused one raises, and is checked again next time);
    nothing revokes a token before it expires, so a verified signature stays verified."""
    return jwt.decode(
        token,
        secret_key,
        algorithms=[TOKEN_ALGORITHM],
        audience=TOKEN_AUDIENCE,
        options={"require": ["exp", "sub", "aud"]},
    )


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def is_service_token(token: str) -> bool:
    expected = current_app.config["BOT_SERVICE_TOKEN"]
    return hmac.compare_digest(token.encode(), expected.encode())


def header_identity() -> str:
    """The sender id the bot names in ``X-Citizen-Identity``, percent-encoded there (a header
    carries Latin-1 alone, a sender id any character); empty if none."""
    return unquote(request.headers.get(IDENTITY_HEADER, ""))


def bot_identity() -> str | None:
    """The conversation named by the bot's service token in this request, if the bot is calling
    (no database access: for rate-limit keys). A name, not a proof."""
    token = _bearer_token()
    if token is None or not is_service_token(token):
        return None
    return header_identity() or None


def bot_conversation() -> str:
    """The conversation a call of the bot is about (``channel:id``, validated), proven or a
    guest's; 401 when the caller is not the bot, 403 for a citizen's session."""
    from .citizens.service import parse_sender_id

    token = _bearer_token()
    if token is None:
        raise ApiError("unauthorized", headers={"WWW-Authenticate": "Bearer"})
    if not is_service_token(token):
        authenticate()  # a bad or expired token is told so (401); a citizen's session is 403
        raise ApiError("forbidden")
    identity = header_identity()
    if not identity:
        raise ApiError("unauthorized", data={"missing": IDENTITY_HEADER})
    channel, external_id = parse_sender_id(identity)
    return f"{channel}:{external_id}"


def proven_conversation() -> bool:
    """True when the bot's call carries an identity assertion for the conversation it names."""
    return (
        for_conversation(
            request.headers.get(ASSERTION_HEADER),
            header_identity(),
            current_app.config["IDENTITY_ASSERTION_KEY"],
        )
        is not None
    )


def authenticate() -> Principal:
    """The caller of this request; raises 401 when there is none or it is not valid."""
    if principal := getattr(g, "principal", None):
        return principal
    token = _bearer_token()
    if token is None:
        raise ApiError("unauthorized", headers={"WWW-Authenticate": "Bearer"})
    if is_service_token(token):
        principal = _bot_principal()
    else:
        claims = _decode_session_token(token)
        try:
            citizen_id = int(claims["sub"])
        except (TypeError, ValueError):
            raise ApiError("token_invalid") from None
        if not _platform_accepted(claims.get("plat")):
            raise ApiError("token_invalid")
        principal = Principal(citizen_id=citizen_id, via="session", platform=claims.get("plat"))
    g.principal = principal
    return principal


def _platform_accepted(platform: object) -> bool:
    """Tokens name the platform that issued them; a development login's only count in the
    development profile (a production server sharing a key with a test one refuses them)."""
    if platform == DEV_PLATFORM:
        return current_app.config.get("PROFILE") == "development"
    return platform in SESSION_PLATFORMS


def _bot_principal() -> Principal:
    from .citizens.service import citizen_for_identity, parse_sender_id

    identity = header_identity()
    if not identity:
        raise ApiError("unauthorized", data={"missing": IDENTITY_HEADER})
    channel, external_id = parse_sender_id(identity)
    if not proven_conversation():
        # A guest: the sender id is a name anyone can write. Nothing personal, no citizen made.
        raise ApiError("sign_in_required")
    citizen = citizen_for_identity(channel, external_id)
    g.citizen = citizen  # read here already: current_citizen need not read it again
    return Principal(citizen_id=citizen.id, via="bot", platform=channel)


def current_citizen():
    """The citizen model of the authenticated caller (401 if none, 401 if since deleted)."""
    if (citizen := getattr(g, "citizen", None)) is not None:
        return citizen
    principal = authenticate()
    citizen = db.session.scalars(_citizen_statement(), {"id": principal.citizen_id}).first()
    if citizen is None:
        raise ApiError("token_invalid")
    g.citizen = citizen
    return citizen


@lru_cache(maxsize=None)
def _citizen_statement():
    """The caller's row, by a statement built once (every authenticated request reads it)."""
    from .citizens.models import Citizen

    return select(Citizen).where(Citizen.id == bindparam("id"))


def records_version_of_caller() -> tuple[int, int]:
    """The authenticated caller's citizen id and ``records_version`` (401 as for
    ``current_citizen``): two columns, not the whole citizen, for a cached answer's key."""
    if (citizen := getattr(g, "citizen", None)) is not None:
        return citizen.id, citizen.records_version
    principal = authenticate()
    version = db.session.execute(
        _records_version_statement(), {"id": principal.citizen_id}
    ).scalar()
    if version is None:
        raise ApiError("token_invalid")
    return principal.citizen_id, version


@lru_cache(maxsize=None)
def _records_version_statement():
    from .citizens.models import Citizen

    return select(Citizen.records_version).where(Citizen.id == bindparam("id"))


def operator_required(view: Callable) -> Callable:
    """Operators only: a citizen's token or the bot's service token get 403."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        citizen = current_citizen()
        if g.principal.via != "session" or not citizen.is_operator:
            raise ApiError("forbidden")
        return view(*args, **kwargs)

    return wrapper
