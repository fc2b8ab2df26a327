"""Rasa's debug lines without their deep copies when no debug line is written.

Rasa 3.6's message processor, memoization and rule policies and forms deep-copy what their
structured debug lines show (every event an action returned, the dialogue states, the entities,
the slot candidates) as the arguments of ``structlogger.debug(...)``. Python evaluates arguments
before the call, so the copies are made for every message and thrown away when the debug level
is off, as it is in service: about 6 % of the Rasa server's CPU under load. In these modules
``copy`` is used for nothing else. Each module's ``copy`` is replaced by one that copies only
while its logger writes debug lines (``rasa run --debug``) and otherwise hands the value on
unchanged, to a call that discards it (the ``debug_copies`` patch of ``bot/rasa_compat.py``,
whose targets are ``MODULES``). ``tests/bot/test_debug_copies.py`` checks, in Rasa's
source, that every use of ``copy`` in these modules is such an argument.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

MODULES = (
    "rasa.core.processor",
    "rasa.core.policies.memoization",
    "rasa.core.policies.rule_policy",
    "rasa.core.actions.forms",
)


class CopiesForDebugLines:
    """The ``copy`` module as seen by one Rasa module: ``deepcopy`` copies only while that
    module's logger is enabled for debug lines; everything else is the real module's."""

    def __init__(self, logger_name: str) -> None:
        self._logger = logging.getLogger(logger_name)

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if self._logger.isEnabledFor(logging.DEBUG):
            return copy.deepcopy(value, memo)
        return value

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)
