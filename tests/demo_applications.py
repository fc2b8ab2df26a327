"""The demo city's applications (miniapp_api/seed_data/applications.json), for the tests that
look them up through the bot or the API."""

from __future__ import annotations

import json
from pathlib import Path

DEMO = json.loads(
    (
        Path(__file__).resolve().parents[1] / "miniapp_api" / "seed_data" / "applications.json"
    ).read_text(encoding="utf-8")
)
WANG_PERMIT, WANG_CARD, ALICE_LICENCE = DEMO[0], DEMO[1], DEMO[2]
