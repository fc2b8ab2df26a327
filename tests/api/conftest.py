"""Fixtures shared by the API's test modules."""

from __future__ import annotations

import pytest

from miniapp_api.air.service import seed_places, store_readings

from ..air_readings import HOUR, readings_at


@pytest.fixture
def air_network(app):
    """The demo stations with the hand-made readings of tests/air_readings.py, at ``HOUR``."""
    with app.app_context():
        seed_places()
        store_readings(readings_at(HOUR))
    return app
