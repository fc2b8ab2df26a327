"""The speed-ups, each by name: one switch for all, and each one off by name.

Every speed-up of the Rasa server and the action server (a component named in ``config.yml``,
the tracker class, the tracker store's reads, an endpoint kept alive, the few patches of
``bot/rasa_compat.py``) asks ``enabled(<its name>)`` before it changes anything; off, the code
behaves as Rasa 3.6.21 and rasa-sdk 3.6.2 ship. ``CITIZEN_SPEEDUPS=0`` turns them all off (the
"as shipped" path that ``make test`` runs the conversation tests on too);
``CITIZEN_SPEEDUPS_OFF=graph_runner,count_vectors`` turns off those named, to find which one a
difference comes from. An unknown name is refused when the settings are read.
"""

from __future__ import annotations

from bot.settings import SPEEDUPS, names, settings

__all__ = ["SPEEDUPS", "enabled", "names"]


def enabled(name: str) -> bool:
    """Whether the speed-up ``name`` is on (``CITIZEN_SPEEDUPS``, ``CITIZEN_SPEEDUPS_OFF``)."""
    if name not in SPEEDUPS:
        raise KeyError(f"no speed-up is called {name!r} (bot/speedups.py)")
    current = settings()
    return current.speedups and name not in names(current.speedups_off)
