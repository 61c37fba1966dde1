"""Where meetings live while they last: in this process, or in Redis."""

from __future__ import annotations

from ..settings import Settings
from .base import Store
from .memory import MemoryStore


def open_store(settings: Settings) -> Store:
    """The store the settings ask for: Redis when a URL is given, else this process's memory.

    Not opened yet: the app's lifespan calls ``open()`` and ``close()``.
    """
    if settings.redis_url:
        # Imported here so a memory-only server never loads redis-py.
        from .redis import RedisStore

        return RedisStore(settings.redis_url, prefix=settings.key_prefix, log_max=settings.log_max)
    return MemoryStore(log_max=settings.log_max)


__all__ = ["MemoryStore", "Store", "open_store"]
