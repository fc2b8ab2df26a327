"""Text messages to phones: the adapter an SMS gateway plugs into.

``SMS_SENDER`` chooses it: ``log`` (development: the text goes to the API's log, the number
masked) or ``jsonl:PATH`` (a local stand-in for tests and staging: one JSON line per message,
which a test reads as the phone would). A city's gateway is one more class with ``send``.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from flask import current_app

from ..privacy import mask_phone

logger = logging.getLogger(__name__)
_lock = threading.Lock()


class LogSms:
    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)


class JsonLinesSms:
    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def send(self, phone: str, text: str) -> None:
        line = json.dumps({"phone": phone, "text": text}, ensure_ascii=False)
        with _lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


def sms_sender():
    """The configured sender (``SMS_SENDER``)."""
    setting = current_app.config["SMS_SENDER"]
    if setting.startswith("jsonl:"):
        return JsonLinesSms(setting.removeprefix("jsonl:"))
    if setting == "log":
        return LogSms()
    raise ValueError(f"SMS_SENDER must be log or jsonl:PATH, not {setting!r}")
