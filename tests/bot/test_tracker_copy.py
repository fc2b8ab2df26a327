"""bot/plugins/trackers.py and bot/serving/tracker_copy.py: a CitizenTracker copied from its state
is the one Rasa's replay makes, after every event of every story and rule of the assistant
(forms, pauses, follow-ups, reverts and a restart included), and changing the copy leaves the
original alone."""

from __future__ import annotations

import pytest

from .conftest import probe_fixture, probe_record

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


def test_the_copy_is_made_from_the_state_and_is_a_citizen_tracker(record):
    assert record["copy_class"] == "CitizenTracker"
    assert record["copy_replayed"] is False
    assert record["slot_class_unchanged"] is True  # no Slot.__copy__ assigned


def test_with_the_speed_up_off_the_copy_is_rasas_replay():
    off = probe_record("tracker_copy_probe.py", env={"CITIZEN_SPEEDUPS_OFF": "tracker_copy"})
    assert off["copy_replayed"] is True
    assert off["copy_class"] == "CitizenTracker"
    assert off["differences"] == []
