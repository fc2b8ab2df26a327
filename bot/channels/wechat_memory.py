"""What the WeChat channel remembers for a while: messages already seen (WeChat retries) and the
payloads of the menu links it sent. In the process by default; in Redis (``redis://…``) when
several Rasa processes serve one account, so a retry reaching another process is still a retry.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Optional

MAX_ENTRIES = 100_000


class Memory:
    async def first(self, key: str, ttl: int) -> bool:
        """True the first time ``key`` is seen within ``ttl`` seconds (atomically)."""
        raise NotImplementedError

    async def claim(self, key: str, value: str, ttl: int) -> Optional[str]:
        """Stores ``value`` under ``key`` for ``ttl`` seconds if nobody holds the key (``None``);
        else the value its holder stored (atomically)."""
        raise NotImplementedError

    async def put(self, key: str, value: str, ttl: int) -> None:
        raise NotImplementedError

    async def get(self, key: str) -> Optional[str]:
        raise NotImplementedError


class LocalMemory(Memory):
    def __init__(self) -> None:
        self._entries: "OrderedDict[str, tuple[float, str]]" = OrderedDict()

    def _live(self, key: str) -> Optional[str]:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] < time.monotonic():
            del self._entries[key]
            return None
        return entry[1]

    def _store(self, key: str, value: str, ttl: int) -> None:
        self._entries[key] = (time.monotonic() + ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)

    async def first(self, key: str, ttl: int) -> bool:
        # No await between the check and the store: atomic within the event loop.
        if self._live(key) is not None:
            return False
        self._store(key, "1", ttl)
        return True

    async def claim(self, key: str, value: str, ttl: int) -> Optional[str]:
        held = self._live(key)
        if held is None:
            self._store(key, value, ttl)
        return held

    async def put(self, key: str, value: str, ttl: int) -> None:
        self._store(key, value, ttl)

    async def get(self, key: str) -> Optional[str]:
        return self._live(key)


class RedisMemory(Memory):
    PREFIX = "citizen:wechat:"

    def __init__(self, url: str) -> None:
        from redis import asyncio as redis

        self._redis = redis.from_url(url, decode_responses=True)

    async def first(self, key: str, ttl: int) -> bool:
        return bool(await self._redis.set(self.PREFIX + key, "1", nx=True, ex=ttl))

    async def claim(self, key: str, value: str, ttl: int) -> Optional[str]:
        if await self._redis.set(self.PREFIX + key, value, nx=True, ex=ttl):
            return None
        return await self._redis.get(self.PREFIX + key) or value

    async def put(self, key: str, value: str, ttl: int) -> None:
        await self._redis.set(self.PREFIX + key, value, ex=ttl)

    async def get(self, key: str) -> Optional[str]:
        return await self._redis.get(self.PREFIX + key)


def memory_from_url(url: str) -> Memory:
    return RedisMemory(url) if url else LocalMemory()
