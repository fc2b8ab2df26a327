"""WeChat official-account message signing and AES "safe mode", as WeChat specifies them.

- Signature: SHA-1 of the sorted, concatenated ``token``, ``timestamp`` and ``nonce`` (and, for
  an encrypted message, its ``Encrypt`` text: ``msg_signature``).
- Safe mode: the AES key is the 43-character EncodingAESKey plus ``=``, base64-decoded (32
  bytes); AES-256-CBC with the key's first 16 bytes as IV; the plaintext is 16 random bytes,
  the message length (4 bytes, network order), the message, then the AppID; padded with
  PKCS#7 to a multiple of 32 bytes (not AES's 16); the ciphertext travels base64-encoded.

Only ``cryptography`` is needed (present in both environments), so the API's tests can check
this module against ``wechatpy``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeChat's PKCS#7 block size
AES_KEY_CHARS = 43


class WeChatCryptoError(ValueError):
    """A message that does not decrypt, pad, or name our AppID."""


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_matches(expected_parts: tuple[str, ...], given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(signature(*expected_parts), given.lower())


def pkcs7_pad(data: bytes) -> bytes:
    amount = BLOCK - len(data) % BLOCK
    return data + bytes([amount]) * amount


def pkcs7_unpad(data: bytes) -> bytes:
    if not data or len(data) % BLOCK:
        raise WeChatCryptoError("ciphertext length is not a multiple of 32")
    amount = data[-1]
    if not 1 <= amount <= BLOCK or data[-amount:] != bytes([amount]) * amount:
        raise WeChatCryptoError("bad padding")
    return data[:-amount]


class WeChatCrypto:
    """Encrypts and decrypts an account's messages (``token``, ``encoding_aes_key``, AppID)."""

    def __init__(self, token: str, encoding_aes_key: str, app_id: str) -> None:
        if len(encoding_aes_key) != AES_KEY_CHARS:
            raise ValueError("EncodingAESKey must be 43 characters")
        try:
            self.key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error:
            raise ValueError("EncodingAESKey is not base64") from None
        self.token, self.app_id = token, app_id

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, message: str, random16: bytes | None = None) -> str:
        body = message.encode("utf-8")
        plain = (
            (random16 or os.urandom(16))
            + struct.pack(">I", len(body))
            + body
            + self.app_id.encode("utf-8")
        )
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(pkcs7_pad(plain)) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise WeChatCryptoError("not base64") from None
        if not data or len(data) % 16:
            raise WeChatCryptoError("ciphertext length")
        decryptor = self._cipher().decryptor()
        plain = pkcs7_unpad(decryptor.update(data) + decryptor.finalize())
        if len(plain) < 20:
            raise WeChatCryptoError("too short")
        (length,) = struct.unpack(">I", plain[16:20])
        body, app_id = plain[20 : 20 + length], plain[20 + length :]
        if len(body) != length or not hmac.compare_digest(app_id, self.app_id.encode("utf-8")):
            raise WeChatCryptoError("message for another AppID")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise WeChatCryptoError("not UTF-8") from None

    def message_signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        return signature(self.token, timestamp, nonce, encrypted)
