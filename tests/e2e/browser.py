"""Debian's Chromium for the browser tests: installed with apt-get when missing (as root), or
the reason it cannot be, for the test to skip with."""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from launcher.stack import ROOT

CHROMIUM = Path("/usr/bin/chromium")
# Where the browser tests keep their screenshots.
ARTIFACTS = ROOT / "var" / "test-artifacts"
# The browser's shared location: Tianhe's air station.
TIANHE_STATION = {"latitude": 23.1323, "longitude": 113.3407}


@lru_cache(maxsize=1)
def chromium_or_reason() -> tuple[str | None, str | None]:
    """``(path, None)`` when Chromium is there (installed now if need be), else
    ``(None, reason)``."""
    if CHROMIUM.exists():
        return str(CHROMIUM), None
    if not shutil.which("apt-get"):
        return None, "Chromium is missing and there is no apt-get to install it with"
    if os.geteuid() != 0:
        return None, "Chromium is missing and installing it needs root (apt-get install chromium)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Chinese fonts too, so that the screenshots show the Chinese text.
    install = ["apt-get", "install", "-y", "-qq", "chromium", "fonts-noto-cjk"]
    for command in (install, ["apt-get", "update", "-qq"], install):
        if CHROMIUM.exists():
            break
        try:
            subprocess.run(command, env=env, capture_output=True, timeout=900, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            return None, f"installing Chromium failed: {error}"
    if CHROMIUM.exists():
        return str(CHROMIUM), None
    return None, "apt-get could not install Debian's chromium package"
