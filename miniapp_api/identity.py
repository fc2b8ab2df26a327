"""Mainland identity numbers: resident ID cards (GB 11643-1999) and mobile phone numbers.

Masking for display and logs lives in ``privacy`` (``mask_id_card``, ``mask_phone``).
"""

from __future__ import annotations

import re
from datetime import date

from .citizens.service import MAINLAND_MOBILE

ID_CARD_LENGTH = 18
# ISO 7064 MOD 11-2 weights of the 17 body digits, and the check character per sum mod 11.
ID_CARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CARD_CHECK = "10X98765432"
MIN_BIRTH_YEAR = 1900
# Region codes (GB/T 2260) of resident ID cards start with 1-8.
_ID_CARD = re.compile(r"[1-8][0-9]{16}[0-9X]")
_BIRTH_DATE = slice(6, 14)
_SPACES = re.compile(r"\s+")


def _birth_date(number: str) -> date | None:
    digits = number[_BIRTH_DATE]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def id_card_check_char(body: str) -> str:
    """The check character of a 17-digit body."""
    return ID_CARD_CHECK[sum(int(c) * w for c, w in zip(body, ID_CARD_WEIGHTS)) % 11]


def is_valid_id_card(number: str, today: date | None = None) -> bool:
    """True for a canonical (upper-case X, no spaces) valid 18-character ID-card number.

    Checks the shape, the region code's first digit, the birth date (a real date, year >= 1900,
    not after ``today``) and the check character.
    """
    if not isinstance(number, str) or not _ID_CARD.fullmatch(number):
        return False
    born = _birth_date(number)
    if born is None or born.year < MIN_BIRTH_YEAR or born > (today or date.today()):
        return False
    return id_card_check_char(number[:-1]) == number[-1]


def normalize_id_card(text: str, today: date | None = None) -> str | None:
    """The canonical form (spaces removed, upper-case X), or None if it is not valid."""
    candidate = _SPACES.sub("", text or "").upper()
    return candidate if is_valid_id_card(candidate, today) else None


def id_card_last4(number: str) -> str:
    """The last four characters of a valid ID-card number (any accepted form)."""
    canonical = normalize_id_card(number)
    if canonical is None:
        raise ValueError("not a valid ID-card number")
    return canonical[-4:]


def is_mainland_mobile(phone: str) -> bool:
    """11 ASCII digits, ``1[3-9]`` then nine more; no surrounding whitespace or newline."""
    return isinstance(phone, str) and phone.isascii() and bool(MAINLAND_MOBILE.fullmatch(phone))
