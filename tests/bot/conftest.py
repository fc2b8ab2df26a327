"""Fixtures for the bot's tests: a live API on loopback, and the bot environment's tools."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from launcher.environments import BOT_BIN
from miniapp_api.db import db
from miniapp_api.seed import seed_demo_data

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "bot" / "models" / "citizen.tar.gz"


@pytest.fixture
def database_url(seeded_sqlite_url):
    return seeded_sqlite_url


@pytest.fixture
def live_api(app, monkeypatch):
    """The testing app served over real HTTP on a free loopback port, with the demo data."""
    from bot.actions import settings

    with app.app_context():
        seed_demo_data()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("API_URL", url)
    monkeypatch.setenv("BOT_SERVICE_TOKEN", app.config["BOT_SERVICE_TOKEN"])
    settings.settings.cache_clear()
    yield url
    server.shutdown()
    thread.join(5)
    settings.settings.cache_clear()
    with app.app_context():
        db.session.remove()


def run_in_bot_env(
    args: list[str], timeout: float = 600, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Runs a command of the bot environment (Rasa) from the project root; ``env`` adds to
    (or overrides) this process's environment."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        **(env or {}),
    }
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def probe_fixture(probe: str, *arguments: str):
    """A module-scoped fixture ``record``: ``probe_record(probe, *arguments)``, run once for
    the module's tests (``record = probe_fixture("x_probe.py")``)."""

    @pytest.fixture(scope="module")
    def record() -> dict:
        return probe_record(probe, *arguments)

    return record


def probe_record(probe: str, *arguments: str, env: dict[str, str] | None = None) -> dict:
    """Runs ``tests/bot/<probe>`` in the bot environment (``env`` added to its environment);
    the JSON record it printed last."""
    result = run_in_bot_env(
        [str(BOT_BIN / "python"), f"tests/bot/{probe}", *arguments], timeout=300, env=env
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
