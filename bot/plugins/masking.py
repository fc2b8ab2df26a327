"""A SQL tracker store that keeps conversations without raw ID-card or phone numbers.

Citizens type their ID-card and phone numbers into chat when they register a patient. The turn
that receives them works with the full text (the booking form seals them before keeping them in
a slot), but what Rasa stores, and therefore what ``/conversations/{id}/tracker``, the next turns
and any export see, has every such number masked: user and bot texts, parse data, entity and slot
values alike. Configured in bot/endpoints.yml (``type: bot.plugins.masking.MaskingSQLTrackerStore``),
on SQLite or PostgreSQL like Rasa's own ``SQLTrackerStore``.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Tuple

from citizen_common.privacy import install_log_masking, mask_structure
from rasa.shared.core.events import Event

from .sql_store import LeanSQLTrackerStore

# Rasa's own log lines (its debug output quotes messages) are masked too.
install_log_masking()


class MaskingSQLTrackerStore(LeanSQLTrackerStore):
    """``SQLTrackerStore`` (with ``LeanSQLTrackerStore``'s reads) whose stored events are masked
    copies of the conversation's."""

    def _additional_events(self, session: Any, tracker: Any) -> Iterator[Event]:
        for event in super()._additional_events(session, tracker):
            yield self.stored_copy(event)

    @staticmethod
    def stored_copy(event: Event) -> Event:
        """``event`` itself when it holds no personal number, else its masked copy."""
        return stored_form(event)[0]


def stored_form(event: Event) -> Tuple[Event, Dict[str, Any]]:
    """The event as stored (itself, or its masked copy when it holds a personal number) and
    its stored JSON data."""
    data = event.as_dict()
    safe = mask_structure(data)
    return (event, data) if safe == data else (Event.from_parameters(safe), safe)
