"""Locales: which one a request or a conversation speaks, and the translated messages.

Every sentence a citizen sees is a message id (``error.not_found``, ``utter_greet``) translated in
``locales/<locale>/LC_MESSAGES/messages.po``; code never holds the sentence itself.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any, Iterable

from babel import Locale, dates, numbers
from babel.support import LazyProxy, Translations

# Which locales exist and which one a text or a conversation speaks: shared with the bot.
from citizen_common.language import (  # noqa: F401
    DEFAULT_LOCALE,
    LOCALES_DIR,
    SUPPORTED_LOCALES,
    TRADITIONAL_LOCALE,
    conversation_locale,
    locale_of_text,
    normalize_locale,
)
from citizen_common.script import to_traditional
from flask import current_app, g, has_app_context, has_request_context, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from .config import settings


@lru_cache(maxsize=None)
def translations(locale: str) -> Translations:
    return Translations.load(str(LOCALES_DIR), [locale], domain="messages")


@lru_cache(maxsize=None)
def babel_locale(locale: str) -> Locale:
    """Babel's ``Locale`` of a locale name, parsed once: Babel parses a name given as a string
    again on every call, looking for its data file on disk each time."""
    return Locale.parse(locale)


@lru_cache(maxsize=None)
def skeleton_pattern(skeleton: str, locale: str) -> str:
    """The locale's date pattern for a CLDR skeleton (``MMMMdEEEE``), as Babel's
    ``format_skeleton`` matches it (fuzzily), matched once."""
    patterns = babel_locale(locale).datetime_skeletons
    return patterns[skeleton if skeleton in patterns else dates.match_skeleton(skeleton, patterns)]


def format_skeleton(skeleton: str, value: date | datetime, locale: str) -> str:
    """Babel's ``format_skeleton``, its pattern matched once per skeleton and locale."""
    return dates.format_datetime(
        value, skeleton_pattern(skeleton, locale), locale=babel_locale(locale)
    )


def current_locale() -> str:
    if has_request_context():
        return getattr(g, "locale", None) or negotiate_request_locale()
    return DEFAULT_LOCALE


def negotiate_request_locale() -> str:
    """``?lang=``, then the ``X-Lang`` header, then ``Accept-Language``, then the default."""
    for candidate in (request.args.get("lang"), request.headers.get("X-Lang")):
        if locale := normalize_locale(candidate):
            return locale
    return accepted_locale(request.headers.get("Accept-Language", "")) or current_app.config.get(
        "DEFAULT_LOCALE", DEFAULT_LOCALE
    )


@lru_cache(maxsize=512)
def accepted_locale(accept_language: str) -> str | None:
    """Our best locale for an ``Accept-Language`` header (parsed once per distinct header:
    clients send the same few again and again)."""
    best = parse_accept_header(accept_language, LanguageAccept).best_match(
        ["zh-CN", "zh-TW", "zh-HK", "zh-MO", "zh-Hant", "zh", "en"]
    )
    return normalize_locale(best)


def translate(message_id: str, locale: str | None = None, **arguments: Any) -> str:
    """The message ``message_id`` in ``locale`` with its named ``{placeholders}`` filled in."""
    locale = locale or current_locale()
    text = translations(locale).gettext(message_id)
    if arguments:
        formatted = format_arguments(arguments, locale)
        if locale == TRADITIONAL_LOCALE:
            # The sentence is the zh_Hant catalog's; the names data holds are written in
            # simplified script, and made traditional here.
            formatted = {
                k: to_traditional(v) if isinstance(v, str) else v for k, v in formatted.items()
            }
        text = text.format(**formatted)
    return text


# The name pybabel extracts from code.
_ = translate


def lazy(message_id: str) -> LazyProxy:
    """A message translated when it is used, in the locale of that moment."""
    return LazyProxy(translate, message_id, enable_cache=False)


def format_arguments(arguments: dict[str, Any], locale: str) -> dict[str, Any]:
    """Format each argument for ``locale`` with Babel: dates, times and numbers.

    By name: ``*_at`` and ``*_time`` hold ISO datetimes, ``*_date`` ISO dates; numbers are
    formatted as decimals. Other values are used as they are.
    """
    return {name: format_value(name, value, locale) for name, value in arguments.items()}


def format_value(name: str, value: Any, locale: str) -> Any:
    zone = _timezone()
    if isinstance(value, str) and name.endswith(("_at", "_time")):
        value = _parse_datetime(value) or value
    if isinstance(value, str) and name.endswith("_date"):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return dates.format_datetime(value, "medium", tzinfo=zone, locale=babel_locale(locale))
    if isinstance(value, date):
        return dates.format_date(value, "medium", locale=babel_locale(locale))
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return numbers.format_decimal(value, locale=babel_locale(locale))
    return value


def join_list(items: Iterable[str], locale: str) -> str:
    """``a, b and c`` in English; the ideographic comma and and its "and" in Chinese: as Babel says."""
    from babel.lists import format_list

    return format_list(list(items), locale=babel_locale(locale))


def _parse_datetime(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _timezone():
    zone = current_app.config.get("TIMEZONE") if has_app_context() else None
    return dates.get_timezone(zone or settings().TIMEZONE)


def display_name(locale: str) -> str:
    return babel_locale(locale).get_display_name(babel_locale(locale))
