"""Run in the bot environment: how long a second message waits for its conversation's lock.

``python tests/bot/lock_polling_probe.py`` — with the project's lock stores (the default
``QuickInMemoryLockStore``; the Redis one shares its ``lock()``) and Rasa's own
``InMemoryLockStore``, one message holds a conversation's lock for 0.1 s while a second one
waits for it; prints JSON with each wait and the class names. tests/bot/test_lock_polling.py
asserts on it (``CITIZEN_SPEEDUPS_OFF=lock_polling`` in the environment: Rasa's polling).
"""

import asyncio
import json
import time

from rasa.core.lock_store import InMemoryLockStore

from bot.serving.locks import AtomicRedisLockStore, QuickInMemoryLockStore, QuickPolling


async def second_wait(store) -> float:
    """Seconds between the first message's release and the second one's getting the lock."""
    moments = {}

    async def first() -> None:
        async with store.lock("web:probe"):
            await asyncio.sleep(0.1)
            moments["released"] = time.monotonic()

    async def second() -> None:
        await asyncio.sleep(0.02)  # after the first one holds the lock
        async with store.lock("web:probe"):
            moments["acquired"] = time.monotonic()

    await asyncio.gather(first(), second())
    return moments["acquired"] - moments["released"]


async def main() -> dict:
    return {
        "quick": await second_wait(QuickInMemoryLockStore()),
        "rasa": await second_wait(InMemoryLockStore()),
        "quick_is_in_memory": isinstance(QuickInMemoryLockStore(), InMemoryLockStore),
        "redis_polls_quickly": issubclass(AtomicRedisLockStore, QuickPolling),
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
