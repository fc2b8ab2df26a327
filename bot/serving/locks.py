"""A Redis lock store whose ticket queue changes atomically, for several Rasa processes.

Rasa 3.6's ``RedisLockStore`` changes a conversation's ticket queue by reading it, changing it
in the process and writing it back: issuing a ticket, finishing one, and, every time a waiting
message polls, dropping expired tickets. Two processes doing that at once overwrite each other:
a finished ticket comes back (the conversation stalls until it expires) or the queue is deleted
under waiting messages (they fail with ``LockError``, the citizen gets an HTTP 500).
``tests/e2e/test_scale_profile.py`` hit exactly that with two Sanic workers and a dozen quick
messages in one conversation.

Here every such change is one Redis transaction (``WATCH`` the conversation's key, read,
change, ``MULTI``/``SET``/``EXEC``, retried when another process wrote in between), so the
queue is always first come, first served. Same keys, same stored format, same settings as
Rasa's (``url``, ``port``, ``db``, ``password``, ``key_prefix``, ...); configured in
``bot/endpoints.yml`` as ``type: bot.serving.locks.AtomicRedisLockStore`` (the launcher's scale
profile does).

Both lock stores here (``AtomicRedisLockStore`` and ``QuickInMemoryLockStore``, the default
``LOCK_STORE_TYPE``) let a waiting message poll its conversation's lock every 50 ms instead of
Rasa's every second (``lock_polling``): a citizen who sends two messages quickly no longer waits
a second for the second answer. The lock and its first-come-first-served tickets are Rasa's own.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Optional, Text, Tuple

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.speedups import enabled

# What a change returns instead of a lock to leave the stored queue as it is.
KEEP = object()
Change = Callable[[Optional[TicketLock]], Tuple[Any, Any]]

# Seconds between a waiting message's looks at its conversation's lock: ours, and Rasa 3.6's
# default (``LockStore.lock``'s ``wait_time_in_seconds``).
LOCK_POLL_SECONDS = 0.05
RASA_LOCK_POLL_SECONDS = 1.0


class QuickPolling:
    """A lock store mixin: ``lock()`` polls every ``LOCK_POLL_SECONDS`` unless told otherwise."""

    def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: Optional[float] = None,
    ) -> Any:
        if wait_time_in_seconds is None:
            quick = enabled("lock_polling")
            wait_time_in_seconds = LOCK_POLL_SECONDS if quick else RASA_LOCK_POLL_SECONDS
        return super().lock(conversation_id, lock_lifetime, wait_time_in_seconds)


class QuickInMemoryLockStore(QuickPolling, InMemoryLockStore):
    """Rasa's in-memory lock store (one Rasa process), polled quickly (``LOCK_STORE_TYPE``
    ``bot.serving.locks.QuickInMemoryLockStore``)."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None) -> None:
        """From ``bot/endpoints.yml`` (Rasa passes the ``lock_store`` section, unused)."""
        super().__init__()


class AtomicRedisLockStore(QuickPolling, RedisLockStore):
    """``RedisLockStore`` whose read-change-write steps are Redis transactions, polled quickly."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        """From ``bot/endpoints.yml`` (Rasa passes the ``lock_store`` section), or as
        ``RedisLockStore(host, port, db, ...)``."""
        if endpoint_config is not None:
            kwargs = {
                "host": endpoint_config.url or "localhost",
                **endpoint_config.kwargs,
                **kwargs,
            }
        super().__init__(**kwargs)

    def _key(self, conversation_id: Text) -> Text:
        return self.key_prefix + conversation_id

    def _atomically(self, conversation_id: Text, change: Change) -> Any:
        """Applies ``change`` to the stored queue in one transaction; returns its result.

        ``change(lock)`` gets the stored ``TicketLock`` (or None) and returns ``(new, result)``:
        ``new`` is the lock to store, None to delete it, or ``KEEP``.
        """
        key = self._key(conversation_id)
        outcome: list = []

        def apply(pipe: Any) -> None:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new, result = change(lock)
            pipe.multi()
            if new is None:
                pipe.delete(key)
            elif new is not KEEP:
                pipe.set(key, new.dumps())
            outcome[:] = [result]

        self.red.transaction(apply, key)
        return outcome[0]

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._atomically(conversation_id, issue)
        except Exception as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Any, None]:
            if lock is None:
                return KEEP, None
            before = len(lock.tickets)
            lock.remove_expired_tickets()
            return (lock if len(lock.tickets) != before else KEEP), None

        self._atomically(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self._remove_ticket(conversation_id, ticket_number, tidy=False)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Finishes the ticket and deletes the queue if nobody waits, in one step."""
        self._remove_ticket(conversation_id, ticket_number, tidy=True)

    def _remove_ticket(self, conversation_id: Text, ticket_number: int, tidy: bool) -> None:
        def remove(lock: Optional[TicketLock]) -> Tuple[Any, None]:
            if lock is None:
                return KEEP, None
            lock.remove_ticket_for(ticket_number)
            return (None if tidy and not lock.is_someone_waiting() else lock), None

        self._atomically(conversation_id, remove)
