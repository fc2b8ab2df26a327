"""bot/policies/rules.py: the rule policy finds the same rules, for its rules and its loops'
unhappy paths, and predicts the same action as with Rasa's own code (``rule_lookup`` turned
off by name), before every action of every
story and rule of the trained assistant."""

from __future__ import annotations

import pytest

from .conftest import probe_fixture

pytestmark = pytest.mark.bot

record = probe_fixture("rule_lookup_probe.py")


def test_the_rule_policy_finds_what_rasas_code_finds(record):
    assert record["class"] == "CitizenRulePolicy"  # named in bot/config.yml
    assert record["compared"] > 100
    assert record["different_count"] == 0, record["different"]


def test_the_comparison_reaches_past_the_longest_rule(record):
    # Conversations longer than any rule, where the filtering now stops early.
    assert record["longest_state_history"] > record["longest_rule"] >= 2
    assert record["with_rules_found"] > 50 and record["actions_predicted"] > 50
    assert record["with_unhappy_found"] > 0


def test_only_the_rules_that_may_apply_are_asked(record):
    # Indexed by the newest state's previous action and intent: a few of the rules are asked at
    # the newest state, and by the last message's text (no rule is written for a text) none
    # but those the index cannot place.
    assert record["asked_by_intent_mean"] < record["rules"] / 5, record
    assert record["asked_by_text"] <= record["rules"] / 10, record
