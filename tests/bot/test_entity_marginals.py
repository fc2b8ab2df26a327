"""bot/serving/entity_marginals.py: with it, the trained assistant parses every training example
and phrasings none of them has exactly as with Rasa's own CRF code (intent ranking, entities,
their confidences to the last bit)."""

from __future__ import annotations

import pytest

from .conftest import probe_fixture

pytestmark = pytest.mark.bot

record = probe_fixture("entity_marginals_probe.py")


def test_every_parse_is_rasas_own(record):
    assert record["installed"] is True
    assert record["compared"] > 1000
    assert record["with_entities"] > 100  # the comparison covers the entity confidences
    assert record["different_count"] == 0, record["different"]
