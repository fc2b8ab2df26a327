"""CitizenTracker.past_states (bot/plugins/trackers.py, bot/serving/dialogue_states.py): the
dialogue states of a resumed replay are Rasa's own, for every prediction of every story and rule
of the assistant, asked for in every way the policies ask, through reverts, a restart and a
reused sender id; callers may change what they get."""

from __future__ import annotations

import pytest

from .conftest import probe_fixture, probe_record

pytestmark = pytest.mark.bot

record = probe_fixture("dialogue_states_probe.py")


def test_every_prediction_gets_rasas_states(record):
    assert record["differences"] == []
    assert record["compared"] > 1000


def test_the_conversations_cover_rules_stories_forms_and_reverts(record):
    assert record["stories"] >= 4 and record["rules"] >= 20
    assert record["forms_seen"] > 0 and record["reverts_seen"] == 2


def test_most_runs_go_on_from_where_the_last_stopped(record):
    assert record["resumed_runs"] > 2 * record["started_runs"]


def test_with_the_speed_up_off_the_states_are_rasas_replay():
    off = probe_record("dialogue_states_probe.py", env={"CITIZEN_SPEEDUPS_OFF": "dialogue_states"})
    assert off["differences"] == []
    assert off["started_runs"] == off["resumed_runs"] == 0
