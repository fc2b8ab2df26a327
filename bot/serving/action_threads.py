"""The action server runs actions on threads, so one slow API call does not stop the others.

rasa-sdk awaits each action on its Sanic event loop; our actions (and the booking form's
``validate_*`` methods) are plain functions that call the API with ``requests``, so while one
waits for the API every other conversation's action waits too: one action server process serves
one action at a time. Here each action call runs on a thread of a pool (``ACTION_THREADS``,
default 8), in an event loop of that thread, and the server's loop only hands calls out and
collects the answers. Actions keep no state between calls (they are shared instances in
rasa-sdk), so running them side by side is safe; the API client's ``requests.Session`` is
thread-safe for this use. Several processes (``ACTION_SERVER_SANIC_WORKERS``) add cores.
"""

from __future__ import annotations

import asyncio
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Optional, Text

DEFAULT_THREADS = 8


def thread_count() -> int:
    return max(1, int(os.environ.get("ACTION_THREADS", DEFAULT_THREADS)))


def threaded_executor_class() -> type:
    from rasa_sdk.executor import ActionExecutor

    class ThreadedActionExecutor(ActionExecutor):
        """``ActionExecutor`` whose ``run`` happens on a worker thread's own event loop."""

        def __init__(self) -> None:
            super().__init__()
            self._pool: Optional[ThreadPoolExecutor] = None
            self._local = threading.local()

        def _thread_loop(self) -> asyncio.AbstractEventLoop:
            loop = getattr(self._local, "loop", None)
            if loop is None or loop.is_closed():
                loop = self._local.loop = asyncio.new_event_loop()
            return loop

        def _run_on_thread(self, action_call: Dict[Text, Any]) -> Optional[Dict[Text, Any]]:
            return self._thread_loop().run_until_complete(ActionExecutor.run(self, action_call))

        async def run(self, action_call: Dict[Text, Any]) -> Optional[Dict[Text, Any]]:
            if self._pool is None:  # created in the serving process (after Sanic forks)
                self._pool = ThreadPoolExecutor(thread_count(), thread_name_prefix="action")
            return await asyncio.get_running_loop().run_in_executor(
                self._pool, self._run_on_thread, action_call
            )

    return ThreadedActionExecutor
