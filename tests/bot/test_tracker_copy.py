"""bot/serving/tracker_copy.py: a tracker copied from its state is the one Rasa's replay makes,
after every event of every story and rule of the assistant (forms, pauses, follow-ups, reverts
and a restart included), and changing the copy leaves the original alone."""

from __future__ import annotations

import pytest

from .conftest import probe_fixture

pytestmark = pytest.mark.bot

record = probe_fixture("tracker_copy_probe.py")


def test_the_copy_is_rasas_after_every_event(record):
    assert record["differences"] == []
    assert record["compared"] > 500 and record["forms_seen"] > 0


def test_changing_the_copy_leaves_the_original_alone(record):
    assert record["kept_apart"] is True


def test_a_tracker_keeping_only_its_last_events_is_copied_as_rasa_copies_it(record):
    assert record["bounded_history_as_rasa"] is True


def test_slots_are_copied_as_copy_copy_copies_them(record):
    assert record["slots_copied_as_copy_copies"] is True
