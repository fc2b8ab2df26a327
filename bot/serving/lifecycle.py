"""What the Rasa server does once its agent is loaded and before it stops, in one place.

Every step asks ``bot.speedups.enabled`` for its own name, so each can be turned off alone.
"""

from __future__ import annotations

import gc
from typing import Any

from bot.speedups import enabled


def after_agent_loaded(agent: Any) -> None:
    """Once the model is loaded: its graph run in order, the tracker store told who else
    writes, the heap frozen."""
    if enabled("graph_runner"):
        from bot.graph_runner import adopt_in

        adopt_in(agent)
    if enabled("sole_writer"):
        from bot.plugins.tracker_store import mark_sole_writer

        mark_sole_writer(agent.tracker_store, agent.lock_store)
    if enabled("frozen_heap"):
        gc.collect()  # what loading left behind, collected once, not frozen
        gc.freeze()


async def before_server_stop() -> None:
    """Before the server's event loop stops: the kept-alive endpoint sessions closed."""
    from .rasa_speedups import close_shared_sessions

    await close_shared_sessions()
