"""Application numbers: readable, unguessable, and checked against typing mistakes.

Canonical (stored) form, 17 characters without separators: ``GZ`` + 4-digit year + 10 random
Crockford base32 characters (50 bits) + 1 check character, e.g. ``GZ2026K7M39QXD2FA``.
Display form groups it for reading: ``GZ2026-K7M3-9QXD-2FA``.

Check character: Crockford's mod-37 check symbol. The body (year digits and random characters,
without ``GZ``) is read as one base32 integer; the check is that integer mod 37, written with
the 32 base32 symbols followed by ``*~$=U``. As 37 is prime and 32 is not 0 or 1 mod 37, every
single-character substitution and every adjacent transposition changes the check.
All check symbols are allowed unescaped in a URL path segment.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from typing import Protocol, TypeVar

PREFIX = "GZ"
YEAR_LENGTH = 4
RANDOM_LENGTH = 10  # 10 x 5 bits = 50 bits of randomness
BASE32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CHECK_SYMBOLS = BASE32 + "*~$=U"
CHECK_MODULUS = len(CHECK_SYMBOLS)  # 37
LENGTH = len(PREFIX) + YEAR_LENGTH + RANDOM_LENGTH + 1
GROUP_LENGTH = 4
SEPARATOR = "-"

# Crockford's decoding aliases, applied after upper-casing.
_ALIASES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_IGNORED = re.compile(r"[\s\-]+")
_CANONICAL = re.compile(
    rf"{PREFIX}[0-9]{{{YEAR_LENGTH}}}[{BASE32}]{{{RANDOM_LENGTH}}}[{re.escape(CHECK_SYMBOLS)}]"
)

T = TypeVar("T")


class Chooser(Protocol):
    """``secrets`` or a ``random.Random`` (for tests): anything with ``choice``."""

    def choice(self, seq: Sequence[T]) -> T: ...


def check_symbol(body: str) -> str:
    """The mod-37 check symbol of a base32 body."""
    value = 0
    for char in body:
        value = value * len(BASE32) + BASE32.index(char)
    return CHECK_SYMBOLS[value % CHECK_MODULUS]


def new_number(year: int, rng: Chooser = secrets) -> str:
    """A fresh application number for ``year``, canonical form."""
    if not 1000 <= year <= 9999:
        raise ValueError(f"year out of range: {year}")
    body = f"{year}" + "".join(rng.choice(BASE32) for _ in range(RANDOM_LENGTH))
    return f"{PREFIX}{body}{check_symbol(body)}"


def normalize(text: str) -> str | None:
    """The canonical form of a typed number, or None if its shape or check is wrong.

    Accepts any case, spaces and hyphens, and Crockford's I/L for 1 and O for 0.
    """
    compact = _IGNORED.sub("", text or "").upper()
    if not compact.startswith(PREFIX):
        return None
    candidate = PREFIX + compact[len(PREFIX) :].translate(_ALIASES)
    if not _CANONICAL.fullmatch(candidate):
        return None
    body, check = candidate[len(PREFIX) : -1], candidate[-1]
    return candidate if check_symbol(body) == check else None


def display(number: str) -> str:
    """``GZ2026K7M39QXD2FA`` -> ``GZ2026-K7M3-9QXD-2FA``; ValueError if not a valid number."""
    canonical = normalize(number)
    if canonical is None:
        raise ValueError("not an application number")
    head = len(PREFIX) + YEAR_LENGTH
    rest = canonical[head:]
    groups = [rest[i : i + GROUP_LENGTH] for i in range(0, len(rest), GROUP_LENGTH)]
    return SEPARATOR.join([canonical[:head], *groups])
