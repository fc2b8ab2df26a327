"""bot/nlu/entity_marginals.py: with its extractor, the trained assistant parses every training
example and phrasings none of them has exactly as with Rasa's own CRF code, which runs when
``entity_marginals`` is turned off by name (intent ranking, entities, their confidences to the
last bit)."""

from __future__ import annotations

import pytest

from .conftest import probe_fixture

pytestmark = pytest.mark.bot

record = probe_fixture("entity_marginals_probe.py")


def test_every_parse_is_rasas_own(record):
    assert record["classes"] == ["CitizenCRFEntityExtractor"]  # named in bot/config.yml
    assert "CRFEntityExtractor" in record["extractor_names"]  # Rasa's name in the entities
    assert record["compared"] > 1000
    assert record["with_entities"] > 100  # the comparison covers the entity confidences
    assert record["different_count"] == 0, record["different"]
