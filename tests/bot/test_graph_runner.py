"""bot/graph_runner.py: the model graph run node after node by ``InOrderGraphRunner`` (adopting
the runner Rasa loads, its nodes shared) gives the trained assistant's parses and predictions
exactly as Rasa's ``DaskGraphRunner``; with ``graph_runner`` turned off by name, Rasa's
runner runs."""

from __future__ import annotations

import pytest

from .conftest import probe_fixture

pytestmark = pytest.mark.bot

record = probe_fixture("graph_runner_probe.py")


def test_the_loaded_agent_adopts_the_in_order_runner(record):
    assert record["rasas_class"] == "DaskGraphRunner"
    assert record["adopted_class"] == "InOrderGraphRunner"
    assert record["nodes_shared"] is True  # no second load of the components


def test_every_parse_and_prediction_is_rasas_own(record):
    assert record["parses"] > 1000 and record["predictions"] > 100
    assert record["different_count"] == 0, record["different"]


def test_turned_off_by_name_rasas_own_runner_runs(record):
    # CITIZEN_SPEEDUPS_OFF=graph_runner: dask runs (the in-order ordering would fail if called)
    assert record["different_off_count"] == 0
    assert record["not_adopted_when_off"] is True
