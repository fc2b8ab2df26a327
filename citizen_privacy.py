"""Masking of personal numbers, for every response, log line and stored conversation.

Plain standard library, at the top of the project, because both environments use it: the API
(``miniapp_api.privacy``) and the bot (its action server, Rasa's tracker store, the replay).
"""
from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote

# Mainland mobile numbers and 18-character resident ID-card numbers (GB 11643) inside free text.
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_ID_CARD_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{14}([\dXx])(?![0-9A-Za-z])")
# Credentials that libraries log inside URLs (urllib3 logs the full URL at DEBUG; the access
# log has Rasa's NLG calls, ``/nlg?token=<the bot's service token>``).
_SECRET_IN_URL = re.compile(
    r"([?&](?:secret|js_code|access_token|session_key|sign|token)=)[^&\s\"']+")


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
    """Mask every phone and ID-card number, and URL credentials, that appear in free text."""
    text = _SECRET_IN_URL.sub(r"\1***", text)
    text = _ID_CARD_IN_TEXT.sub(lambda m: f"{m.group(1)}{'*' * 14}{m.group(2)}", text)
    return _PHONE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


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
    return record


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
