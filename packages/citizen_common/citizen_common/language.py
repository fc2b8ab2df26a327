"""Which language a citizen speaks: the supported locales, and a conversation's locale.

Both environments decide it the same way: the API renders Rasa's responses in it
(``miniapp_api.nlg``) and the bot renders its apology in it when the API cannot be reached
(``bot.plugins.nlg``).

The compiled catalogs are read from ``CITIZEN_LOCALES_DIR`` when it is set (an image sets it),
else from the ``locales`` folder of the checkout this package is installed from (``make``
installs it editable into both environments), else from ``./locales``.
"""

from __future__ import annotations

import gettext
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from .script import chinese_script

LOCALES_DIR_VARIABLE = "CITIZEN_LOCALES_DIR"


def _locales_dir() -> Path:
    if configured := os.environ.get(LOCALES_DIR_VARIABLE):
        return Path(configured)
    checkout = Path(__file__).resolve().parents[3] / "locales"
    return checkout if checkout.is_dir() else Path.cwd() / "locales"


LOCALES_DIR = _locales_dir()
# Chinese in simplified script, in traditional script (its catalog built from zh_CN's with
# OpenCC: scripts/traditional_catalog.py), and English.
SUPPORTED_LOCALES = ("zh_CN", "zh_Hant", "en")
DEFAULT_LOCALE = "zh_CN"
TRADITIONAL_LOCALE = "zh_Hant"
# The slot in which the bot keeps the language a citizen chose in chat.
LANGUAGE_SLOT = "language"
# A message's metadata: ``lang``, the language the citizen chose on the page or in the app (a
# choice); ``interface_lang``, the language the page or the account is shown in (a default only:
# a citizen who writes Chinese on an English page is answered in Chinese).
CHOSEN_LANGUAGE_KEY = "lang"
INTERFACE_LANGUAGE_KEY = "interface_lang"

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# A Latin word: two letters or more (an ID-card number's final X or a route "B1" is not English).
_LATIN = re.compile(r"[A-Za-z]{2,}")
_ALIASES = {
    "zh": "zh_CN",
    "zh_cn": "zh_CN",
    "zh_hans": "zh_CN",
    "cn": "zh_CN",
    "chinese": "zh_CN",
    "zh_hant": "zh_Hant",
    "zh_tw": "zh_Hant",
    "zh_hk": "zh_Hant",
    "zh_mo": "zh_Hant",
    "zh_hant_hk": "zh_Hant",
    "zh_hant_tw": "zh_Hant",
    "zh_hant_mo": "zh_Hant",
    "traditional": "zh_Hant",
    "en": "en",
    "en_us": "en",
    "en_gb": "en",
    "english": "en",
}


def normalize_locale(value: Any) -> str | None:
    """Map ``zh``, ``zh-CN``, ``en_US``, ``English`` … to a supported locale, else ``None``."""
    if not value or not isinstance(value, str):
        return None
    key = value.strip().replace("-", "_").lower()
    if key in _ALIASES:
        return _ALIASES[key]
    return _ALIASES.get(key.split("_")[0])


def locale_of_text(text: Any) -> str | None:
    """The locale a message is written in, by its script: Han characters mean Chinese, in
    traditional script when a character only it writes is there, else in simplified.

    Returns ``None`` when the text has no words at all (digits, an ID-card number, emoji, a
    button payload).
    """
    if not text or not isinstance(text, str) or text.startswith("/"):
        return None
    if _HAN.search(text):
        return TRADITIONAL_LOCALE if chinese_script(text) == "traditional" else "zh_CN"
    if _LATIN.search(text):
        return "en"
    return None


def _written_locale(user_events: list[Any]) -> str | None:
    """The locale of the latest user message with letters; for Chinese in characters both
    scripts share ("你好"), the script of the Chinese written before it."""
    chinese = False
    for event in reversed(user_events):
        text = event.get("text") if isinstance(event, dict) else None
        if not (locale := locale_of_text(text)):
            continue
        if locale == "en":
            return "zh_CN" if chinese else "en"
        if script := chinese_script(text):
            return TRADITIONAL_LOCALE if script == "traditional" else "zh_CN"
        chinese = True
    return "zh_CN" if chinese else None


def conversation_locale(tracker: dict[str, Any]) -> str:
    """The locale of a conversation, from a Rasa tracker state, the first of:

    - the language chosen for the latest message (its metadata's ``lang``: the page's language
      button, the app's setting);
    - the language chosen in chat ("请用英文回复", slot ``language``);
    - the script of the latest user message that has letters (the citizen's own language);
    - the interface's language (the latest message's ``interface_lang``);
    - the default.
    """
    user_events = [
        e for e in tracker.get("events") or [] if isinstance(e, dict) and e.get("event") == "user"
    ]
    latest = user_events[-1] if user_events else tracker.get("latest_message") or {}
    metadata = latest.get("metadata") if isinstance(latest, dict) else None
    metadata = metadata if isinstance(metadata, dict) else {}
    if locale := normalize_locale(metadata.get(CHOSEN_LANGUAGE_KEY)):
        return locale
    slots = tracker.get("slots")
    if locale := normalize_locale(slots.get(LANGUAGE_SLOT) if isinstance(slots, dict) else None):
        return locale
    if locale := _written_locale(user_events or [latest]):
        return locale
    return normalize_locale(metadata.get(INTERFACE_LANGUAGE_KEY)) or DEFAULT_LOCALE


@lru_cache(maxsize=None)
def compiled_catalog(locale: str) -> gettext.NullTranslations:
    """The compiled messages of ``locale`` (``make`` compiles them), read with the standard
    library alone; an empty catalog if they are missing."""
    return gettext.translation("messages", str(LOCALES_DIR), [locale], fallback=True)
