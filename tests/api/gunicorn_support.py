"""The API in a gunicorn of a test's own: waiting until it serves."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import requests


def wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    """Returns once the API at ``url`` answers its health check; fails with the log if
    ``process`` exits or two minutes pass."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            if requests.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:  # not listening, or still booting its workers
            pass
        time.sleep(0.2)
    raise AssertionError("gunicorn did not become ready:\n" + log.read_text(errors="replace"))
