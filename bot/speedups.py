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

from typing import Dict

# name: what it speeds up (docs/performance.md has the figures)
SPEEDUPS: Dict[str, str] = {
    "graph_runner": "the model graph run node after node, without dask's scheduler",
    "dialogue_states": "each conversation's dialogue states resumed where the last prediction "
    "left them",
    "tracker_copy": "the tracker copied from its state, not by replaying the conversation",
    "applied_events": "each conversation's applied events worked out from where the last "
    "working-out stopped",
    "count_vectors": "count-vector features built as COO matrices in one pass",
    "rule_lookup": "the rule policy's lookup ended at the longest rule, each rule parsed once",
    "entity_marginals": "the CRF's tag probabilities read with the tagger looked up once",
    "action_validation": "the action server's replies validated by a compiled schema, "
    "event by event",
    "nlg_validation": "NLG replies validated by a compiled schema, debug lines built only when "
    "logged",
    "kept_alive_endpoints": "one kept-alive connection pool per endpoint, JSON by ujson",
    "event_classes": "event classes found by type name once",
    "lean_reads": "the SQL tracker store selecting the events' JSON only",
    "sqlite_wal": "the SQLite tracker store in write-ahead-log mode, its connection kept open",
    "lock_polling": "a waiting message polls its conversation's lock every 50 ms, not 1 s",
    "sole_writer": "one Rasa process with an in-memory lock store reads remembered "
    "conversations with no statement",
    "debug_copies": "the processor's debug lines' deep copies made only when they are written",
    "frozen_heap": "the loaded model frozen out of the garbage collector's full collections",
    "action_threads": "the action server running actions on a thread pool",
}


def enabled(name: str) -> bool:
    """Whether the speed-up ``name`` is on (``CITIZEN_SPEEDUPS``, ``CITIZEN_SPEEDUPS_OFF``)."""
    if name not in SPEEDUPS:
        raise KeyError(f"no speed-up is called {name!r} (bot/speedups.py)")
    from bot.settings import settings

    current = settings()
    return current.speedups and name not in names(current.speedups_off)


def names(value: str) -> frozenset:
    """The names in a comma-separated list."""
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def known_names(value: str) -> str:
    """A check: a comma-separated list of speed-up names, each known."""
    unknown = sorted(names(value) - SPEEDUPS.keys())
    if unknown:
        raise ValueError(f"unknown speed-up {', '.join(unknown)}; known: {', '.join(SPEEDUPS)}")
    return value
