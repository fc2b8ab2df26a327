"""What the bot's channels share as trusted edges: the credentials they check and the identity
assertions they issue or pass on (``citizen_common.identity``), read from the environment once
(``bot/settings.py``)."""

from __future__ import annotations

import hmac
from typing import Optional

from citizen_common import identity

from bot.settings import settings


def assertion_key() -> str:
    return settings().identity_assertion_key


def channel_token() -> str:
    return settings().channel_token


def bearer_matches(header: Optional[str], expected: str) -> bool:
    """True when an ``Authorization`` header is ``Bearer <expected>`` (compared in constant
    time)."""
    scheme, _, token = (header or "").partition(" ")
    return (
        scheme.lower() == "bearer"
        and bool(token)
        and hmac.compare_digest(token.strip().encode(), expected.encode())
    )


def assert_conversation(sender_id: str, edge: str) -> str:
    """A fresh assertion, issued by this edge, that it proved the conversation ``sender_id``."""
    return identity.issue(sender_id, edge, assertion_key())
