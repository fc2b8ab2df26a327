"""Alipay RSA2 signatures (SHA256withRSA, PKCS#1 v1.5), with the ``cryptography`` package.

Keys are accepted as Alipay's console hands them out: PEM (PKCS#1 ``BEGIN RSA PRIVATE KEY`` or
PKCS#8 ``BEGIN PRIVATE KEY``; ``BEGIN PUBLIC KEY`` or ``BEGIN RSA PUBLIC KEY``) or the bare
base64 body without the armor. Literal ``\\n`` sequences (keys pasted into one-line environment
variables) are turned back into newlines.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

_WHITESPACE = re.compile(r"\s+")


class AlipayKeyError(ValueError):
    """A configured key cannot be read (the message never contains the key)."""


def _key_bytes(key_text: str) -> tuple[bytes, bool]:
    """The key as bytes, and whether it is PEM (``True``) or DER decoded from bare base64."""
    text = key_text.strip().replace("\\n", "\n")
    if text.startswith("-----BEGIN"):
        return text.encode("ascii"), True
    try:
        return base64.b64decode(_WHITESPACE.sub("", text), validate=True), False
    except (binascii.Error, ValueError):
        raise AlipayKeyError("key is neither PEM nor base64") from None


@lru_cache(maxsize=8)
def load_private_key(key_text: str) -> rsa.RSAPrivateKey:
    """An RSA private key from PEM (PKCS#1 or PKCS#8) or bare base64 DER."""
    data, is_pem = _key_bytes(key_text)
    try:
        if is_pem:
            key = serialization.load_pem_private_key(data, password=None)
        else:
            key = serialization.load_der_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise AlipayKeyError("private key cannot be loaded") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise AlipayKeyError("private key is not an RSA key")
    return key


@lru_cache(maxsize=8)
def load_public_key(key_text: str) -> rsa.RSAPublicKey:
    """An RSA public key from PEM (SubjectPublicKeyInfo or PKCS#1) or bare base64 DER."""
    data, is_pem = _key_bytes(key_text)
    try:
        key = (
            serialization.load_pem_public_key(data)
            if is_pem
            else serialization.load_der_public_key(data)
        )
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise AlipayKeyError("public key cannot be loaded") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise AlipayKeyError("public key is not an RSA key")
    return key


def signing_string(params: Mapping[str, Any]) -> str:
    """``k=v&k2=v2`` over the parameters sorted by key, without ``sign`` and empty values.

    Values are raw (not URL-encoded), as Alipay signs them.
    """
    items = sorted(
        (k, str(v)) for k, v in params.items() if k != "sign" and v is not None and str(v) != ""
    )
    return "&".join(f"{k}={v}" for k, v in items)


def sign_rsa2(params: Mapping[str, Any], private_key_pem: str) -> str:
    """The base64 RSA2 signature of a request's parameters."""
    key = load_private_key(private_key_pem)
    signature = key.sign(
        signing_string(params).encode("utf-8"), padding.PKCS1v15(), hashes.SHA256()
    )
    return base64.b64encode(signature).decode("ascii")


def verify_rsa2(content: str, signature: str, public_key_pem: str) -> bool:
    """Whether ``signature`` (base64) is Alipay's RSA2 signature of ``content``.

    Raises ``AlipayKeyError`` when the public key itself cannot be read.
    """
    key = load_public_key(public_key_pem)  # raises AlipayKeyError: a configuration problem
    try:
        raw_signature = base64.b64decode(signature, validate=True)
        key.verify(raw_signature, content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
