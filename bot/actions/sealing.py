"""Sealing of the personal numbers the booking form must keep between two turns.

A new patient's ID-card and phone numbers arrive in separate messages; the form keeps each in a
slot until the last one arrives. Slots are stored by Rasa, so they hold a sealed token (Fernet,
keyed from the bot's service token) instead of the number; the stored conversation is masked
anyway (bot/plugins/masking.py), and the number reaches only the API, which encrypts it at rest.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Optional

from cryptography.fernet import Fernet, InvalidToken

from .settings import settings

PREFIX = "sealed:"


@lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    key = hashlib.sha256(b"citizen-assistant/booking-slots:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str) -> str:
    return PREFIX + _fernet(settings().service_token).encrypt(value.encode()).decode()


def unseal(value: Optional[str]) -> Optional[str]:
    """The number a sealed slot holds; None when it cannot be opened (another key, a forgery)."""
    if not value or not value.startswith(PREFIX):
        return None
    try:
        return _fernet(settings().service_token).decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        return None
