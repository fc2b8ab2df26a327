"""How hard the reliability tests push: ``make test`` runs them at scale 1, ``make soak`` at a
larger one (``RELIABILITY_SCALE``), with the same tests and the same assertions."""

from __future__ import annotations

import os


def scale() -> int:
    """``RELIABILITY_SCALE`` (default 1): the multiplier of every count in the reliability tests."""
    try:
        return max(1, int(os.environ.get("RELIABILITY_SCALE", "1")))
    except ValueError:
        return 1


def scaled(count: int) -> int:
    return count * scale()
