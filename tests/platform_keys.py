"""RSA key pairs for the login tests' Alipay stand-in: the app's, "Alipay's" and a stranger's."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def pem_private(key: rsa.RSAPrivateKey, fmt: serialization.PrivateFormat) -> str:
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()


def pem_public(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def bare(pem: str) -> str:
    """The base64 body alone, as Alipay's console shows keys."""
    return "".join(line for line in pem.splitlines() if not line.startswith("-----"))


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Keys:
    """The app's key pair, "Alipay's", and a stranger's (2048-bit, new for each instance)."""

    def __init__(self) -> None:
        self.app, self.alipay, self.stranger = new_key(), new_key(), new_key()
        pkcs1 = serialization.PrivateFormat.TraditionalOpenSSL
        self.app_private_pkcs1 = pem_private(self.app, pkcs1)
        self.app_private_pkcs8 = pem_private(self.app, serialization.PrivateFormat.PKCS8)
        self.app_public = pem_public(self.app)
        self.alipay_private = pem_private(self.alipay, serialization.PrivateFormat.PKCS8)
        self.alipay_public = pem_public(self.alipay)
        self.stranger_private = pem_private(self.stranger, serialization.PrivateFormat.PKCS8)
