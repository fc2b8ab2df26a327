"""Patients' personal numbers at rest.

A number is kept three ways, none of which reveals it from a database dump alone:
- sealed: AES-256-GCM under a key derived from ``PATIENT_DATA_KEY``, bound (associated data) to
  its owner and field, so a sealed value copied to another row does not open;
- a keyed digest (HMAC-SHA-256, another derived key) to find the same person again;
- a masked copy for display.

Both keys come from ``PATIENT_DATA_KEY`` through HKDF, so one secret is configured. Sealed values
carry a version prefix so the key can be rotated later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

VERSION = "v1"
NONCE_BYTES = 12
_SALT = b"citizen-assistant/patient-data"


class UnsealError(ValueError):
    """A sealed value that does not open with this key and context."""


@lru_cache(maxsize=8)
def _keys(secret: str) -> tuple[bytes, bytes]:
    material = HKDF(algorithm=hashes.SHA256(), length=64, salt=_SALT, info=VERSION.encode()).derive(
        secret.encode()
    )
    return material[:32], material[32:]


def _secret() -> str:
    return current_app.config["PATIENT_DATA_KEY"]


def seal(value: str, context: str) -> str:
    """``v1.<base64url(nonce | ciphertext | tag)>`` of ``value``, bound to ``context``."""
    key, _ = _keys(_secret())
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, value.encode(), context.encode())
    return f"{VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal(token: str, context: str) -> str:
    """The value ``seal`` sealed for ``context``; ``UnsealError`` if it does not open."""
    version, _, payload = token.partition(".")
    if version != VERSION:
        raise UnsealError(f"unknown sealing version {version!r}")
    key, _ = _keys(_secret())
    try:
        raw = base64.urlsafe_b64decode(payload.encode())
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()).decode()
    except (InvalidTag, ValueError):
        raise UnsealError("sealed value does not open") from None


def digest(value: str, purpose: str) -> str:
    """A keyed digest of ``value`` (hex): equal values give equal digests, for ``purpose`` only."""
    _, key = _keys(_secret())
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()
