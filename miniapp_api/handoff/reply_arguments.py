"""The bot's handoff responses: the ticket number as the citizen reads it out."""

from __future__ import annotations

from .models import REASONS, STATUSES
from .service import NUMBER_PREFIX


def display_number(number: str) -> str:
    """``HD48213907`` → ``HD 4821 3907``: easier to read out to the hotline."""
    digits = number.removeprefix(NUMBER_PREFIX)
    return f"{NUMBER_PREFIX} {digits[:4]} {digits[4:]}".strip()


def handoff_arguments(arguments: dict, locale: str) -> dict:
    number = arguments.get("number")
    return {"display_number": display_number(number)} if isinstance(number, str) else {}


def message_ids() -> list[str]:
    return [f"handoff.status.{s}" for s in STATUSES] + [f"handoff.reason.{r}" for r in REASONS]
