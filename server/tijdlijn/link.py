"""The link between server processes: python-socketio's Redis manager, told to report its health.

python-socketio delivers a broadcast to this process's own devices directly and publishes it on a
Redis channel for the others. Two things can silently lose a message for the others: a failed
publish (given up after two tries, with only a log line), and a subscriber that is reconnecting
(``CLIENT KILL TYPE pubsub``, a Redis restart). This subclass notices both, says so (``up``, for
``/healthz``), reconnects within a second rather than backing off to a minute, and then lets the
hub tell the devices where their meetings stand, so every device that missed something asks for
it (see docs/reliability.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import socketio

log = logging.getLogger("tijdlijn.link")

# Redis's own answer to a publish is quick; past this, count the message as not delivered.
PUBLISH_SECONDS = 2.0
RETRY_FIRST, RETRY_MOST = 0.1, 1.0


class Link(socketio.AsyncRedisManager):  # type: ignore[misc]
    connected: bool

    def __init__(self, url: str, channel: str) -> None:
        super().__init__(url, channel=channel)
        # The subscriber is connected; the last publish failed (cleared by the next success).
        self.listening = True
        self.publish_failed = False
        # Rooms ("fac:<id>", "pub:<id>") whose messages may not have reached other processes.
        self.dirty: set[str] = set()
        # Called (in a task) after the subscriber came back: this process's devices may have
        # missed what others published meanwhile.
        self.on_heal: Callable[[], Any] | None = None
        # Called with a room another process closed (it found the meeting gone, or it was
        # ended there): close_room takes this process's devices out of the room, so unless
        # they are let go too they stay connected and hear nothing more.
        self.on_room_closed: Callable[[str], Any] | None = None
        # Called with the room and payload of each emit another process published: lets this
        # process see that a meeting moved on before it writes to it.
        self.on_remote_emit: Callable[[str, Any], None] | None = None

    @property
    def up(self) -> bool:
        """False while the subscriber is reconnecting or since a publish failed, until one
        succeeds again (a paused Redis fails publishes without dropping the subscriber)."""
        return self.listening and not self.publish_failed

    async def emit_each(self, event: str, deliveries: list[tuple[str, Any]]) -> None:
        """``event`` to several rooms, each with its own payload (a meeting's facilitators and
        its participants get different copies of one write): delivered to this process's
        devices at once, and to the other processes in one published message instead of one
        per room, which saves a publish and a decode per process on every write."""
        messages = [
            {
                "method": "emit",
                "event": event,
                "data": [data],
                "binary": False,
                "namespace": "/",
                "room": room,
                "skip_sid": None,
                "callback": None,
                "host_id": self.host_id,
            }
            for room, data in deliveries
        ]
        for message in messages:
            await self._handle_emit(message)
        if messages:
            await self._publish({**messages[0], "also": messages[1:]})

    async def _handle_emit(self, message: Any) -> None:
        # The other rooms of an emit_each from another process. (A process of an older version
        # ignores them; its devices notice the gap at their next event and catch up.)
        also = message.get("also") or () if isinstance(message, dict) else ()
        for part in (message, *also):
            await super()._handle_emit(part)
            remote = isinstance(part, dict) and part.get("host_id") != self.host_id
            if remote and self.on_remote_emit is not None:
                data = part.get("data")
                if isinstance(data, list) and data and isinstance(part.get("room"), str):
                    self.on_remote_emit(part["room"], data[0])

    async def _handle_close_room(self, message: Any) -> None:
        await super()._handle_close_room(message)
        room = message.get("room") if isinstance(message, dict) else None
        remote = isinstance(message, dict) and message.get("host_id") != self.host_id
        if remote and isinstance(room, str) and self.on_room_closed is not None:
            await self.on_room_closed(room)

    async def _publish(self, data: Any) -> Any:
        for attempt in range(2):
            try:
                if not self.connected:
                    self._redis_connect()
                published = await asyncio.wait_for(
                    self.redis.publish(self.channel, self.json.dumps(data)), PUBLISH_SECONDS
                )
            except Exception as exc:
                self.connected = False
                if attempt == 1:
                    self.publish_failed = True
                    for part in [data, *(data.get("also") or [])] if isinstance(data, dict) else []:
                        room = part.get("room") if isinstance(part, dict) else None
                        if isinstance(room, str):
                            self.dirty.add(room)
                    log.warning(
                        "publish failed (%s); devices will be told to resync", type(exc).__name__
                    )
            else:
                self.publish_failed = False
                return published
        return None

    async def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        delay = RETRY_FIRST
        first = True
        while True:
            try:
                self._redis_connect()
                await self.pubsub.subscribe(self.channel)
                if not first:
                    log.info("cross-process link is back")
                    if self.on_heal is not None:
                        asyncio.get_running_loop().create_task(self.on_heal())
                first = False
                self.listening = True
                delay = RETRY_FIRST
                async for message in self.pubsub.listen():
                    yield message
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.listening = False
                first = False
                log.warning("cross-process link lost (%s); retrying", type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MOST)
