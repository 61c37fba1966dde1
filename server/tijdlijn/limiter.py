"""Counting per client address over fixed windows, shared by every process when Redis is used.

Two uses (docs/security.md): wrong join codes per address per minute, and meetings created per
address per hour. Plus a short memory of which join codes already worked from an address, so a
room behind one address (a municipal NAT, Docker's port mapping) is not locked out of its own
meeting by someone's typos: a locked-out address may still use a code that worked from it.

Memory stays bounded under a flood of addresses without forgetting the worst offenders: when
full, the memory backend drops the entries with the lowest counts; Redis keeps each window in
one sorted set trimmed to the highest scores (``ZREMRANGEBYRANK``), which expires with it.
Addresses are kept only as a hash, and only for two windows.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any, Protocol

MAX_TRACKED = 50_000

_HIT = """
local n = redis.call('ZINCRBY', KEYS[1], 1, ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
local size = redis.call('ZCARD', KEYS[1])
local cap = tonumber(ARGV[3])
if size > cap then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, size - cap - 1) end
return n
"""


def hashed(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class Limits(Protocol):
    async def hit(self, name: str, address: str, window: int) -> int:
        """Count one for ``address`` in the current window; the count so far."""

    async def count(self, name: str, address: str, window: int) -> int: ...

    async def remember(self, address: str, code: str, ttl: int) -> None:
        """``code`` worked from ``address``."""

    async def known(self, address: str, code: str) -> bool: ...


class MemoryLimits:
    """One process's counts; the embedded store runs in one process anyway."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, capacity: int = MAX_TRACKED
    ) -> None:
        self.clock = clock
        self.capacity = capacity
        self.counts: dict[tuple[str, str], tuple[int, int]] = {}
        self.codes: dict[str, float] = {}

    def _slot(self, window: int) -> int:
        return int(self.clock() // window)

    async def hit(self, name: str, address: str, window: int) -> int:
        slot = self._slot(window)
        key = (name, address)
        seen_slot, n = self.counts.get(key, (slot, 0))
        n = n + 1 if seen_slot == slot else 1
        if key not in self.counts and len(self.counts) >= self.capacity:
            self._shrink(window)
        self.counts[key] = (slot, n)
        return n

    def _shrink(self, window: int) -> None:
        slot = self._slot(window)
        current = {k: v for k, v in self.counts.items() if v[0] == slot}
        if len(current) >= self.capacity:
            # Keep the worst half: a flood of new addresses must not free the worst offenders.
            ranked = sorted(current.items(), key=lambda kv: kv[1][1], reverse=True)
            current = dict(ranked[: self.capacity // 2])
        self.counts = current

    async def count(self, name: str, address: str, window: int) -> int:
        seen_slot, n = self.counts.get((name, address), (-1, 0))
        return n if seen_slot == self._slot(window) else 0

    async def remember(self, address: str, code: str, ttl: int) -> None:
        now = self.clock()
        if len(self.codes) >= self.capacity:
            self.codes = {k: t for k, t in self.codes.items() if t > now}
            while len(self.codes) >= self.capacity:
                self.codes.pop(next(iter(self.codes)))
        self.codes[hashed(f"{address} {code}")] = now + ttl

    async def known(self, address: str, code: str) -> bool:
        return self.codes.get(hashed(f"{address} {code}"), 0.0) > self.clock()


class RedisLimits:
    """Counts in Redis, under the store's key prefix (so its ACL covers them)."""

    def __init__(self, client: Callable[[], Any], prefix: str, capacity: int = MAX_TRACKED) -> None:
        self.client = client
        self.prefix = prefix
        self.capacity = capacity
        self._script: Any = None

    def _key(self, name: str, window: int) -> str:
        return f"{self.prefix}limit:{name}:{int(time.time() // window)}"

    async def hit(self, name: str, address: str, window: int) -> int:
        client = self.client()
        if self._script is None or self._script.registered_client is not client:
            self._script = client.register_script(_HIT)
        args = [hashed(address), window * 2, self.capacity]
        n = await self._script(keys=[self._key(name, window)], args=args)
        return int(float(n))

    async def count(self, name: str, address: str, window: int) -> int:
        n = await self.client().zscore(self._key(name, window), hashed(address))
        return int(n or 0)

    async def remember(self, address: str, code: str, ttl: int) -> None:
        await self.client().set(f"{self.prefix}limit:ok:{hashed(f'{address} {code}')}", 1, ex=ttl)

    async def known(self, address: str, code: str) -> bool:
        key = f"{self.prefix}limit:ok:{hashed(f'{address} {code}')}"
        return bool(await self.client().exists(key))
