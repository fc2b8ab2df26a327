"""What the Rasa server does when the action server fails: it apologises, and waits a bounded time.

Rasa 3.6 waits five minutes for the action server (``DEFAULT_REQUEST_TIMEOUT``, a module
constant with no setting), then treats the failure like any exception of an action: it logs
it, drops the action's events and says nothing, so the citizen's message goes unanswered. Here:

- the wait is ``RASA_ACTION_TIMEOUT_SECONDS`` (default 15 s: a citizen does not wait longer);
- an action that fails (timeout, connection lost, error status, invalid answer) still leaves the
  conversation as it was (no event of it is applied, as in Rasa) but the citizen hears
  ``utter_service_unavailable`` in their language (rendered offline if the API is down too).

A rejection (a form's validation refusing) is not a failure and passes through untouched. A
failed session start is logged without an apology: it answers nothing, and the action that
answers the citizen's message apologises itself if it fails too.
Applied by ``bot/rasa_compat.py`` (``apology``) with or without speed-ups; the bounded wait is
the action endpoint's (``bot/plugins/endpoints.py``).
"""

from __future__ import annotations

import logging
import os
from typing import Any, List

logger = logging.getLogger(__name__)
ACTION_TIMEOUT_VARIABLE = "RASA_ACTION_TIMEOUT_SECONDS"
DEFAULT_ACTION_TIMEOUT_SECONDS = 15.0
APOLOGY = "utter_service_unavailable"
SESSION_START = "action_session_start"


def action_timeout_seconds() -> float:
    value = os.environ.get(ACTION_TIMEOUT_VARIABLE, "")
    try:
        seconds = float(value) if value else DEFAULT_ACTION_TIMEOUT_SECONDS
    except ValueError:
        raise SystemExit(
            f"{ACTION_TIMEOUT_VARIABLE}={value!r} is not a number of seconds"
        ) from None
    if seconds <= 0:
        raise SystemExit(f"{ACTION_TIMEOUT_VARIABLE} must be positive, not {value!r}")
    return seconds


class ApologisingAction:
    """An action as the processor runs it, an apology in place of a failure."""

    def __init__(self, action: Any) -> None:
        self._action = action

    def __getattr__(self, name: str) -> Any:
        return getattr(self._action, name)

    def __str__(self) -> str:
        return str(self._action)

    async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        from rasa.core.actions.action import ActionExecutionRejection, create_bot_utterance

        try:
            return await self._action.run(output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except Exception as error:  # what Rasa itself would swallow, but not silently
            logger.error(
                "action %s failed (%s: %s); its events are dropped",
                self._action.name(),
                type(error).__name__,
                error,
            )
            if self._action.name() == SESSION_START:
                return []
            message = await nlg.generate(APOLOGY, tracker, output_channel.name())
            return [create_bot_utterance(message)] if message else []


def apologising_run_action(run_action: Any) -> Any:
    """``MessageProcessor._run_action`` running each action as an ``ApologisingAction``
    (``bot/rasa_compat.py``'s ``apology`` patch)."""

    async def run_action_or_apologise(self, action, *arguments, **keywords):
        return await run_action(self, ApologisingAction(action), *arguments, **keywords)

    return run_action_or_apologise
