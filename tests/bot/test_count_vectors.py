"""bot/nlu/count_vectors.py: the count-vector features its featurizer computes for the Rasa
server are those of Rasa's ``CountVectorsFeaturizer``, matrix for matrix (values, indices, order, shape and types), for every training
example of the trained assistant and for phrasings none of them has."""

from __future__ import annotations

import pytest

from .conftest import probe_fixture

pytestmark = pytest.mark.bot

record = probe_fixture("count_vectors_probe.py")


def test_both_featurizers_of_the_assistant_are_followed(record):
    assert record["featurizers"] == 2
    assert record["analyzers"] == ["char_wb", "word"]
    assert record["followed"] == [True, True]
    assert record["classes"] == ["CitizenCountVectorsFeaturizer"]  # named in bot/config.yml


def test_every_message_gets_rasas_own_features(record):
    assert record["examples"] > 1000
    assert record["compared"] == 2 * (record["examples"] + 24)
    assert record["with_features"] > 0.9 * record["compared"]
    assert record["different_count"] == 0, record["different"]


def test_turned_off_by_name_rasas_own_code_runs(record):
    # CITIZEN_SPEEDUPS_OFF=count_vectors: Rasa's code (the COO counting would fail if called)
    assert record["different_off_count"] == 0
