"""CitizenTracker (bot/plugins/trackers.py, bot/serving/applied_events.py): a conversation's
applied events, worked out from where the last working-out stopped, are Rasa's own (the same
event objects, in order) over every story and rule of the assistant, with reverts, a restart, a
new session, a loop named only after it ran, a reused sender id and a tracker growing in place."""

from __future__ import annotations

import pytest

from .conftest import probe_fixture, probe_record

pytestmark = pytest.mark.bot

record = probe_fixture("applied_events_probe.py")


def test_every_answer_is_rasas_own(record):
    assert record["compared"] > 300
    assert record["differences"] == []


def test_the_comparison_covers_loops_and_resumed_folds(record):
    assert record["forms_seen"] > 0
    assert record["late_loop_differs_from_prefix"] is True
    assert record["resumed"] > record["started"] > 0


def test_with_the_speed_up_off_the_answers_are_worked_out_by_rasa():
    off = probe_record("applied_events_probe.py", env={"CITIZEN_SPEEDUPS_OFF": "applied_events"})
    assert off["differences"] == []
    assert off["started"] == off["resumed"] == 0
