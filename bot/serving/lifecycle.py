"""What the Rasa server does once its agent is loaded and before it stops, in one place.

``listen(blueprint)`` registers both on the REST channel's blueprint (``bot/channels/rest.py``,
always in ``credentials.yml``), as Sanic listeners: Rasa loads its agent in a
``before_server_start`` listener, so by ``after_server_start`` it is there, in every worker.
Every step that is a speed-up asks ``bot.speedups.enabled`` for its own name, so each can be
turned off alone.
"""

from __future__ import annotations

import gc
from typing import Any

from bot.speedups import enabled


def after_agent_loaded(agent: Any) -> None:
    """Once the model is loaded: its graph run in order, the action endpoint adopted (its
    bounded wait, kept alive), the tracker store told who else writes, the heap frozen."""
    if enabled("graph_runner"):
        from bot.graph_runner import adopt_in

        adopt_in(agent)
    adopt_action_endpoint(agent)
    if enabled("sole_writer"):
        from bot.plugins.tracker_store import mark_sole_writer

        mark_sole_writer(agent.tracker_store, agent.lock_store)
    if enabled("frozen_heap"):
        gc.collect()  # what loading left behind, collected once, not frozen
        gc.freeze()


def adopt_action_endpoint(agent: Any) -> None:
    """The agent's and its processor's action endpoint as a ``KeptAliveEndpoint`` with the
    configured wait (Rasa read it from ``endpoints.yml`` as a plain ``EndpointConfig``)."""
    from bot.plugins.endpoints import KeptAliveEndpoint
    from bot.serving.resilience import action_timeout_seconds

    endpoint = KeptAliveEndpoint.adopt(agent.action_endpoint, action_timeout_seconds())
    agent.action_endpoint = endpoint
    if agent.processor is not None:
        agent.processor.action_endpoint = endpoint


async def before_server_stop() -> None:
    """Before the server's event loop stops: the kept-alive endpoint sessions closed."""
    from bot.plugins.endpoints import close_shared_sessions

    await close_shared_sessions()


def listen(blueprint: Any) -> None:
    """Registers ``after_agent_loaded`` (once per worker) and ``before_server_stop`` on the
    Sanic ``blueprint``."""

    @blueprint.listener("after_server_start")
    async def agent_loaded(app: Any, _loop: Any) -> None:
        agent = getattr(app.ctx, "agent", None)
        if agent is not None and not getattr(app.ctx, "citizen_agent_loaded", False):
            app.ctx.citizen_agent_loaded = True
            after_agent_loaded(agent)

    @blueprint.listener("before_server_stop")
    async def server_stopping(_app: Any, _loop: Any) -> None:
        await before_server_stop()
