"""The bot when its servers fail: responses rendered from the compiled catalogs while the API
is unreachable (fixed sentences as they are, anything else as the apology, once per message, in
the conversation's language), and an apology in place of a failed action, within the configured
action timeout. The same faults on the running system: tests/e2e/test_faults.py."""

from __future__ import annotations

import pytest

from miniapp_api.i18n import translate

from .conftest import probe_fixture

pytestmark = pytest.mark.bot

record = probe_fixture("resilience_probe.py")


def test_fixed_sentences_are_rendered_offline_in_the_conversations_language(record):
    assert record["greet_zh"] == {"text": translate("utter_greet", "zh_CN")}
    assert record["locale_argument"] == {"text": translate("utter_greet", "en")}


def test_what_needs_the_api_becomes_one_apology_per_message(record):
    assert record["air_en"] == {"text": translate("utter_service_unavailable", "en")}
    assert record["air_en_again"] is None
    assert record["unknown_in_chosen_language"] == {
        "text": translate("utter_service_unavailable", "en")
    }


def test_a_failed_action_is_answered_with_the_apology(record):
    assert record["timeout"] == 7.5
    assert record["processor_timeout"] == 7.5
    assert record["adopted_url"] is True
    assert record["apology_applied"] == ["apology"]
    assert record["failed_action"] == ["bot"]
    assert record["failed_action_text"] == [translate("utter_service_unavailable", "zh_CN")]
    assert record["failed_action_name"] == "action_x"
    assert record["rejection"] == "passed through"
    assert record["failed_session_start"] == []  # answers nothing: no apology of its own
