"""Masking of personal numbers, for every response, log line and stored conversation.

Both environments use it: the API (``miniapp_api.privacy``) and the bot (its action server,
Rasa's tracker store, the replay).
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote

# A mainland mobile number as the API stores it: 11 ASCII digits, 1[3-9] then nine more. The
# API's validation, the booking form's reading of a typed number and the hotline's caller ID are
# built from it.
MAINLAND_MOBILE = "1[3-9][0-9]{9}"

# Personal numbers inside free text, in the spellings people and systems write them: digits
# ASCII or full-width, grouped by single spaces or hyphens ("138 0013 8000", "138-0013-8000",
# "6222 0212 3456 7890"), a mobile with its country code ("+86 13800138000", "0086…"), an ID
# number right after letters ("sfz4401…"). A number is not part of a longer run of digits; a line
# break never joins two (``mask_structure`` relies on it).
_DIGIT = "[0-9\uff10-\uff19]"
_GAP = "[ \\-\u00a0\u3000]?"
_NOT_DIGIT_BEFORE, _NOT_DIGIT_AFTER = f"(?<!{_DIGIT})", f"(?!{_DIGIT})"


def _digits(count: str) -> str:
    return f"(?:{_GAP}{_DIGIT}){count}"


_PERSONAL_NUMBER = re.compile(
    _NOT_DIGIT_BEFORE + "(?:"
    # Resident ID card, 18 characters (GB 11643): region 1-8, 16 digits, a digit or X.
    f"(?P<id18>[1-8\uff11-\uff18]{_digits('{16}')}{_GAP}(?:{_DIGIT}|[Xx\uff38\uff58]))"
    # Bank card: 16 to 19 digits.
    f"|(?P<bank>[1-9\uff11-\uff19]{_digits('{15,18}')})"
    # Resident ID card of the first generation, 15 digits.
    f"|(?P<id15>[1-8\uff11-\uff18]{_digits('{14}')})"
    # Mainland mobile, with its country code or without.
    f"|(?P<prefix>(?:[+\uff0b]|00|\uff10\uff10)?(?:86|\uff18\uff16)[ \\-]?)?"
    f"(?P<phone>[1\uff11]{_GAP}[3-9\uff13-\uff19]{_digits('{9}')})"
    ")" + _NOT_DIGIT_AFTER
)
_FULL_WIDTH = str.maketrans(
    "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff38\uff58", "0123456789XX"
)
_GAPS = re.compile("[ \\-\u00a0\u3000]")


def _plain(number: str) -> str:
    """``１３８ 0013-8000`` → ``13800138000``."""
    return _GAPS.sub("", number.translate(_FULL_WIDTH)).upper()


def _masked_number(match: re.Match) -> str:
    kind = match.lastgroup if match.lastgroup != "prefix" else "phone"
    number = _plain(match.group(kind))
    if kind == "phone":
        prefix = match.group("prefix")
        return ("+86 " if prefix else "") + f"{number[:3]}****{number[-4:]}"
    if kind == "bank":
        return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"
    return f"{number[:3]}{'*' * (len(number) - 4)}{number[-1]}"


# Credentials that libraries log inside URLs (urllib3 logs the full URL at DEBUG; the access
# log has Rasa's NLG calls, ``/nlg?token=<the bot's service token>``).
_SECRET_IN_URL = re.compile(
    r"([?&](?:secret|js_code|access_token|session_key|sign|token)=)[^&\s\"']+"
)


def mask_phone(phone: str | None) -> str | None:
    """``13812345678`` → ``138****5678``."""
    if not phone:
        return phone
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


def mask_id_card(number: str | None) -> str | None:
    """``44010619900101123X`` → ``440**************X``."""
    if not number:
        return number
    if len(number) < 4:
        return "*" * len(number)
    return f"{number[:3]}{'*' * (len(number) - 4)}{number[-1:]}"


def mask_text(text: str) -> str:
    """Mask every phone, ID-card and bank-card number, and URL credentials, in free text."""
    text = _SECRET_IN_URL.sub(r"\1***", text)
    return _PERSONAL_NUMBER.sub(_masked_number, text)


def mask_structure(value: Any) -> Any:
    """The same JSON-like structure with every string's personal numbers masked: ``value``
    itself when none of its strings holds one (the usual case, found with one pass of the
    patterns over all its strings at once instead of three passes per string)."""
    joined = "\n".join(_strings(value))
    if mask_text(joined) == joined:
        return value
    return _masked_copy(value)


def _strings(value: Any):
    """Every string of a JSON-like structure. Joined by line breaks they are masked as they are
    one by one: no pattern matches across a line break, and a line break is, like the start and
    end of a string, neither a digit nor a letter."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _masked_copy(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {key: _masked_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked_copy(item) for item in value]
    return value


def _masked(record: logging.LogRecord) -> logging.LogRecord:
    message = record.getMessage()
    masked = mask_text(message)
    if "%" in masked:  # a URL (an access log line): a number may sit behind percent-escapes
        decoded = unquote(masked)
        if mask_text(decoded) != decoded:
            masked = mask_text(decoded)
    if masked != message:
        record.msg, record.args = masked, None
    # A traceback repeats the values its exception names ("invalid phone 138…"): formatted now,
    # masked, and kept where every ``logging.Formatter`` takes it from.
    if record.exc_info and not record.exc_text:
        record.exc_text = mask_text(_TRACEBACKS.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)
    return record


_TRACEBACKS = logging.Formatter()


def install_log_masking() -> None:
    """Mask personal numbers in every log record this process creates, whatever its handler.

    A record factory (rather than a handler filter) also covers loggers and handlers that are
    configured after start-up, such as gunicorn's and the libraries'.
    """
    factory = logging.getLogRecordFactory()
    if getattr(factory, "masks_personal_numbers", False):
        return

    def masking_factory(*args, **kwargs) -> logging.LogRecord:
        return _masked(factory(*args, **kwargs))

    masking_factory.masks_personal_numbers = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masking_factory)
