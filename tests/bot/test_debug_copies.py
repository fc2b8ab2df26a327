"""bot/serving/debug_copies.py: in the Rasa modules it changes, ``copy`` serves only debug lines
(checked in Rasa's source, so an upgrade that uses it otherwise fails here), and their deep
copies are made only while the module's debug lines are written."""

from __future__ import annotations

import pytest

from .conftest import probe_fixture

pytestmark = pytest.mark.bot

record = probe_fixture("debug_copies_probe.py")


def test_every_copy_in_those_modules_is_an_argument_of_a_debug_line(record):
    uses = [use for module in record["modules"].values() for use in module["uses"]]
    assert len(uses) >= 10  # processor 6, memoization 3, rule policy 1, forms 3 in Rasa 3.6
    assert all(use["attribute"] == "deepcopy" and use["in_debug_line"] for use in uses), uses


def test_deep_copies_are_made_only_while_debug_lines_are_written(record):
    for name, module in record["modules"].items():
        assert module["wrapped"] and module["wrapped_once"], name
        assert module["quiet_is_the_value"], name
        assert module["loud_is_a_copy"], name
        assert module["shallow_copy_is_real"], name
