"""Identity assertions: a trusted edge's signed word that a conversation is a proven identity.

A sender id (``web:v-…``, ``wechat:<openid>``, ``hotline:<number>``) is only a conversation key:
anyone can write one. Only a trusted edge, having proven who is talking, issues an assertion for
a conversation:

- the API, for a signed-in web or mini-app session (``edge="session"``);
- the WeChat channel, after WeChat's signature (and, in safe mode, AES) check (``"wechat"``);
- the hotline gateway, after the caller was verified inside the call (``"hotline"``).

The assertion travels with each message as channel metadata (``identity_assertion``), the action
server forwards it to the API in ``X-Identity-Assertion``, and the API acts for a citizen only
when it verifies and names the very conversation the request is about. Without one the
conversation is a guest's. The API and the bot's channels issue and verify it alike.

Format: ``v1.<claims, base64url JSON>.<HMAC-SHA256 of "v1.<claims>", base64url>``; claims
``sub`` (the sender id), ``edge``, ``iat`` and ``exp`` (Unix seconds).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any, Optional

VERSION = "v1"
METADATA_KEY = "identity_assertion"
HEADER = "X-Identity-Assertion"
EDGES = frozenset({"session", "wechat", "hotline"})
# Long enough for a message to pass Rasa and its actions, short enough that a leaked one is soon
# worthless (each message carries a new one).
DEFAULT_TTL_SECONDS = 600
# A web chat's channel ticket (socket.io) lives as long as its session.
MAX_TTL_SECONDS = 7 * 24 * 3600
MAX_LENGTH = 1024
DEV_ASSERTION_KEY = "development-identity-assertion-key-not-for-production"
# The REST channel's credential, held by the API's /chat (``RASA_CHANNEL_TOKEN``).
DEV_CHANNEL_TOKEN = "development-rasa-channel-token-not-for-production"
# Rasa's HTTP API token (``rasa run --auth-token``, ``RASA_TOKEN``), required in every profile.
DEV_RASA_TOKEN = "development-rasa-token-not-for-production"
# Sender ids as the API accepts them (``miniapp_api.citizens.service``).
MAX_SENDER_LENGTH = 140


@dataclass(frozen=True)
class Assertion:
    sender_id: str
    edge: str
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: str, signed: str) -> str:
    return _b64(hmac.new(key.encode(), signed.encode(), hashlib.sha256).digest())


def issue(
    sender_id: str,
    edge: str,
    key: str,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    now: Optional[float] = None,
) -> str:
    """An assertion that ``edge`` proved the conversation ``sender_id``, valid ``ttl_seconds``."""
    if edge not in EDGES:
        raise ValueError(f"unknown edge {edge!r}")
    if not key:
        raise ValueError("an identity assertion needs a key")
    issued = int(time.time() if now is None else now)
    ttl = max(1, min(int(ttl_seconds), MAX_TTL_SECONDS))
    claims = {"sub": sender_id, "edge": edge, "iat": issued, "exp": issued + ttl}
    body = _b64(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    signed = f"{VERSION}.{body}"
    return f"{signed}.{_mac(key, signed)}"


def verify(token: Any, key: str, now: Optional[float] = None) -> Optional[Assertion]:
    """The assertion ``token`` carries when its signature is ``key``'s and it has not expired;
    ``None`` for anything else (malformed, forged, expired, too long, not a string)."""
    if not isinstance(token, str) or not key or len(token) > MAX_LENGTH:
        return None
    version, _, rest = token.partition(".")
    body, _, mac = rest.partition(".")
    if version != VERSION or not body or not mac:
        return None
    if not hmac.compare_digest(mac, _mac(key, f"{version}.{body}")):
        return None
    try:
        claims = json.loads(_unb64(body))
        sender_id, edge, expires_at = claims["sub"], claims["edge"], int(claims["exp"])
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(sender_id, str) or not sender_id or len(sender_id) > MAX_SENDER_LENGTH:
        return None
    if edge not in EDGES or expires_at <= (time.time() if now is None else now):
        return None
    return Assertion(sender_id=sender_id, edge=edge, expires_at=expires_at)


def for_conversation(
    token: Any, sender_id: str, key: str, now: Optional[float] = None
) -> Optional[Assertion]:
    """The assertion if it is valid *and* names ``sender_id``: one conversation's proof never
    serves another's."""
    assertion = verify(token, key, now)
    if assertion is None or not hmac.compare_digest(
        assertion.sender_id.encode(), sender_id.encode()
    ):
        return None
    return assertion


def of_metadata(metadata: Any) -> Optional[str]:
    """The assertion a message's channel metadata carries, if any (not yet verified)."""
    if isinstance(metadata, dict) and isinstance(metadata.get(METADATA_KEY), str):
        return metadata[METADATA_KEY]
    return None
