"""Locale negotiation, catalog completeness, and Babel formatting."""

from datetime import date, datetime, timezone

import pytest
from babel.messages.pofile import read_po

from miniapp_api.config import PROJECT_ROOT
from miniapp_api.i18n import SUPPORTED_LOCALES, format_value, locale_of_text, normalize_locale
from miniapp_api.message_ids import all_message_ids

LOCALES = PROJECT_ROOT / "locales"


@pytest.fixture
def database_url(sqlite_url):
    """These tests never touch the database: one engine is enough."""
    return sqlite_url


def errmsg(client, **kwargs):
    return client.get("/api/v1/nowhere", **kwargs).get_json()["errmsg"]


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({}, "您要找的内容不存在。"),
        (
            {"headers": {"Accept-Language": "en-US,en;q=0.9"}},
            "What you are looking for does not exist.",
        ),
        ({"headers": {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}}, "您要找的内容不存在。"),
        ({"headers": {"Accept-Language": "fr-FR"}}, "您要找的内容不存在。"),
        ({"headers": {"X-Lang": "en"}}, "What you are looking for does not exist."),
        (
            {"query_string": {"lang": "en"}, "headers": {"Accept-Language": "zh-CN"}},
            "What you are looking for does not exist.",
        ),
        (
            {"query_string": {"lang": "zh-CN"}, "headers": {"Accept-Language": "en"}},
            "您要找的内容不存在。",
        ),
    ],
)
def test_request_locale_negotiation(client, kwargs, expected):
    assert errmsg(client, **kwargs) == expected


def _catalog(locale: str):
    with open(LOCALES / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_message_is_translated(locale):
    catalog = _catalog(locale)
    with open(LOCALES / "messages.pot", "rb") as handle:
        template_ids = {m.id for m in read_po(handle) if m.id}
    ids = set(all_message_ids())
    assert ids <= template_ids, "run `make extract-messages`"
    for message_id in ids:
        message = catalog.get(message_id)
        assert message is not None and message.string, f"{locale}: {message_id} untranslated"
        assert not message.fuzzy


def test_catalogs_use_the_same_placeholders():
    import re

    zh, en = _catalog("zh_CN"), _catalog("en")
    for message in zh:
        if message.id:
            names = lambda text: set(re.findall(r"{(\w+)}", text))  # noqa: E731
            assert names(message.string) == names(en.get(message.id).string), message.id


@pytest.mark.parametrize(
    "text, locale",
    [
        ("你好", "zh_CN"),
        ("我想坐 bus 55 路", "zh_CN"),
        ("hello there", "en"),
        ("thx 啦", "zh_CN"),
        ("12345", None),
        ("👍", None),
        ("/greet", None),
        ("", None),
    ],
)
def test_locale_of_text_by_script(text, locale):
    assert locale_of_text(text) == locale


@pytest.mark.parametrize(
    "value, expected",
    [
        ("zh", "zh_CN"),
        ("zh-CN", "zh_CN"),
        ("zh_Hans", "zh_CN"),
        ("en-GB", "en"),
        ("English", "en"),
        ("fr", None),
        (None, None),
        ("", None),
    ],
)
def test_normalize_locale(value, expected):
    assert normalize_locale(value) == expected


def test_babel_formats_dates_times_and_numbers_per_locale(app):
    moment = datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc)  # 09:30 in Asia/Shanghai
    with app.app_context():
        assert format_value("starts_at", moment.isoformat(), "zh_CN") == "2026年11月24日 09:30:00"
        assert format_value("starts_at", moment, "en") == "Nov 24, 2026, 9:30:00\u202fAM"
        assert format_value("visit_date", "2026-11-24", "en") == "Nov 24, 2026"
        assert format_value("visit_date", date(2026, 11, 24), "zh_CN") == "2026年11月24日"
        assert format_value("fee", 1234.5, "en") == "1,234.5"
        assert format_value("fee", 1234.5, "zh_CN") == "1,234.5"
        assert format_value("name", "Alice", "en") == "Alice"


@pytest.mark.parametrize("skeleton", ["MMMMdEEEE", "MMMd", "yMMMd", "Hm", "MMMMEEEEd"])
def test_skeleton_dates_are_babels_own(skeleton):
    """The pattern matched once per skeleton and locale writes what Babel's format_skeleton
    writes, over a year of days."""
    from datetime import date, timedelta

    from babel.dates import format_skeleton as babels

    from miniapp_api.i18n import format_skeleton

    for locale in ("zh_CN", "en"):
        for offset in range(0, 366, 7):
            day = date(2026, 1, 1) + timedelta(days=offset)
            assert format_skeleton(skeleton, day, locale) == babels(skeleton, day, locale=locale)
