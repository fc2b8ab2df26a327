"""bot/serving/event_json.py: the action call written from each event's kept JSON reads exactly
as Rasa's own (``event_json`` off), after every event of every story and rule of the
assistant; each event is made into JSON once, and forgotten with the event."""

from __future__ import annotations

import pytest

from .conftest import probe_fixture

pytestmark = pytest.mark.bot

record = probe_fixture("event_json_probe.py")


def test_the_action_call_reads_as_rasas(record):
    assert record["different"] == []
    assert record["compared"] > 300
    # Byte for byte: the kept JSON is what writing the whole call writes.
    assert record["written_alike"] == record["compared"]


def test_each_event_is_made_into_json_once(record):
    assert record["made_once"] is True and record["made"] > 0


def test_a_value_like_the_placeholder_is_written_whole(record):
    assert record["placeholder_as_a_value_read_the_same"] is True


def test_the_kept_json_goes_with_its_events(record):
    assert record["forgotten_with_the_events"] is True
