"""bot/nlu/linear_intents.py: the sentence-feature row and the probabilities it computes itself
are the ones scipy's ``hstack`` and scikit-learn's ``predict_proba`` give (whose checks cost
more than the arithmetic for one message)."""

from __future__ import annotations

import pytest

from .conftest import probe_fixture

pytestmark = pytest.mark.bot

record = probe_fixture("linear_intents_probe.py")


def test_the_row_is_scipys_join_of_the_sentence_features(record):
    assert record["rows"]["worst_difference"] == 0.0
    assert record["rows"]["duplicate_entries_seen"] > 0  # repeated columns are summed alike
    assert record["rows"]["no_features"] is True


def test_probabilities_are_scikit_learns(record):
    for model in ("multinomial", "one_vs_rest"):
        assert record["probabilities"][model]["worst_difference"] < 1e-12, model
        assert record["probabilities"][model]["same_ranking"], model
