"""For the probes: a speed-up turned off by name (``CITIZEN_SPEEDUPS_OFF``) for a while, and a
stand-in for its own code that fails if called, to show that Rasa's code ran instead."""

import contextlib
import os

from bot.settings import settings


@contextlib.contextmanager
def turned_off(name: str, module=None, own_code: str = ""):
    """``name`` off by ``CITIZEN_SPEEDUPS_OFF``; ``module.<own_code>`` raises if called."""
    before = os.environ.get("CITIZEN_SPEEDUPS_OFF")
    os.environ["CITIZEN_SPEEDUPS_OFF"] = name
    settings.cache_clear()
    original = getattr(module, own_code) if module else None

    def refused(*args, **kwargs):
        raise AssertionError(f"{name} is off, yet its own code ran")

    if module:
        setattr(module, own_code, refused)
    try:
        yield
    finally:
        if module:
            setattr(module, own_code, original)
        if before is None:
            os.environ.pop("CITIZEN_SPEEDUPS_OFF", None)
        else:
            os.environ["CITIZEN_SPEEDUPS_OFF"] = before
        settings.cache_clear()
