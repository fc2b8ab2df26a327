"""Rasa's NLG client (bot/plugins/nlg.py) against the live API: a message the API marks as the
same for everyone of a locale is said again from memory, per locale and channel, as a fresh
copy each time; anything made from arguments is asked for every time."""

from __future__ import annotations

import pytest

from miniapp_api.i18n import translate

from .conftest import probe_record

pytestmark = pytest.mark.bot


@pytest.fixture
def record(live_api, app) -> dict:
    return probe_record("nlg_reuse_probe.py", live_api, app.config["BOT_SERVICE_TOKEN"])


def test_reusable_messages_are_asked_for_once_per_locale_and_channel(record):
    assert record["calls"] == [
        "utter_greet",
        "utter_greet",
        "utter_help",
        "utter_help",
        "utter_greet_named",
        "utter_greet_named",
    ]


def test_each_conversation_hears_its_own_language_and_an_untouched_copy(record):
    assert record["greet_zh_again"] == {"text": translate("utter_greet", "zh_CN")}
    assert (
        record["greet_en"]
        == record["greet_chosen_en"]
        == record["greet_en_from_action"]
        == {"text": translate("utter_greet", "en")}
    )
    assert record["help_zh_again"] == record["help_zh"]
    assert record["help_zh"]["buttons"] and "reusable_seconds" not in record["help_zh"]


def test_messages_made_from_arguments_are_rendered_each_time(record):
    assert [m["text"] for m in record["named"]] == [
        translate("utter_greet_named", "en", name=name) for name in ("Ann", "Bob")
    ]


def test_its_endpoint_is_the_kept_alive_one(record):
    assert record["endpoint_is_kept_alive"] is True, record["endpoint"]
