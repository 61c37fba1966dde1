"""uvicorn's sans-I/O WebSocket protocol, leaner per connection and per broadcast frame.

- uvicorn (0.54) keeps the upgrade request and its response, with all their headers, for as
  long as the connection lives, though it reads them only while accepting: about 4 KB per
  connection. They go once the handshake is done.
- Its receive queue (an ``asyncio.Queue``: four deques of 64 slots) and its ``writable`` event
  (one more) are about 3 KB per connection; :class:`Inbox` and :class:`Writable` do the same
  job for one reader in a few hundred bytes. It pauses reading after every message and resumes
  when the app takes it; here only when :data:`INBOX_PAUSE` messages wait.
- A text message to an open, writable connection without extensions (Tijdlijn turns
  permessage-deflate off) is framed here and written to the transport: a server's frame is not
  masked, so a broadcast is the same bytes for every device, and the last one framed is reused
  (direct.py hands the same string to each socket through ``write_text``: no ASGI message or
  coroutine per device). Anything else takes uvicorn's own path.

`tijdlijn serve` passes it to uvicorn as ``ws`` (cli.py, ``--ws lean``).
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State


class _Last:
    """The last text framed: a broadcast frames its text once for all its devices."""

    text = ""
    frame = b"\x81\x00"


def text_frame(text: str) -> bytes:
    """An unmasked, unfragmented WebSocket text frame (RFC 6455 5.2) carrying ``text``."""
    if text is _Last.text:
        return _Last.frame
    payload = text.encode()
    size = len(payload)
    if size < 126:
        head = bytes((0x81, size))
    elif size < 1 << 16:
        head = struct.pack("!BBH", 0x81, 126, size)
    else:
        head = struct.pack("!BBQ", 0x81, 127, size)
    _Last.text, _Last.frame = text, head + payload
    return _Last.frame


class Inbox:
    """What uvicorn's protocol uses of its ``asyncio.Queue``: one reader (the app's receive)."""

    __slots__ = ("items", "waiter")

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        self.items.append(item)
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def arrival(self) -> asyncio.Future[None]:
        """Done when the next message comes: what the reader awaits instead of :meth:`get`."""
        self.waiter = asyncio.get_running_loop().create_future()
        return self.waiter

    def empty(self) -> bool:
        return not self.items

    def qsize(self) -> int:
        return len(self.items)

    async def get(self) -> Any:
        while not self.items:
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        return self.items.pop(0)


class Writable:
    """What uvicorn's protocol uses of its ``asyncio.Event`` for flow control, set at first."""

    __slots__ = ("flag", "waiters")

    def __init__(self) -> None:
        self.flag = True
        self.waiters: list[asyncio.Future[None]] = []

    def is_set(self) -> bool:
        return self.flag

    def set(self) -> None:
        self.flag = True
        waiters, self.waiters = self.waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self.flag = False

    async def wait(self) -> bool:
        if not self.flag:
            waiter = asyncio.get_running_loop().create_future()
            self.waiters.append(waiter)
            await waiter
        return True


# Reading pauses once this many messages wait for the app. uvicorn pauses after every message
# and resumes when the app takes it: two changes to the event loop's poller (system calls) per
# message received, for a reader that is nearly always waiting already.
INBOX_PAUSE = 8


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    queue: Inbox  # type: ignore[assignment]  # what it uses of uvicorn's asyncio.Queue

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Inbox()
        self.writable = Writable()  # type: ignore[assignment]
        # The transport's ``write`` while a text frame may go straight to it, else None: one
        # attribute for a broadcast to read per device instead of seven conditions over four
        # objects (at 20,000 connections those are cache misses). Kept by :meth:`_refresh`
        # after everything that can change one of the conditions: the event loop's calls
        # (data received, writing paused or resumed, connection lost), the app's ``send`` and
        # the server's shutdown.
        self.wire: Callable[[bytes], object] | None = None

    def _refresh(self) -> None:
        conn = self.conn
        open_ = (
            self.writable.is_set()
            and self.handshake_complete
            and not (self.close_sent or self.disconnected or self.initial_response)
            and conn.state is State.OPEN
            and not (conn.extensions or conn.expect_continuation_frame)
        )
        if not open_:
            self.wire = None
        elif self.wire is None:  # a bound method is an object: made once, not per refresh
            self.wire = self.transport.write

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        # Read only above; the scope keeps the headers the app needs.
        self.request = None  # type: ignore[assignment]

    def start_keepalive(self) -> None:
        # Called once, right after the handshake response went out.
        self.response = None  # type: ignore[assignment]  # read only when accepting
        super().start_keepalive()

    def send_receive_event_to_app(self) -> None:
        paused = self.read_paused
        self.read_paused = True  # so uvicorn's method does not pause reading itself
        try:
            super().send_receive_event_to_app()
        finally:
            self.read_paused = paused
        if not paused and self.queue.qsize() >= INBOX_PAUSE:
            self.read_paused = True
            self.transport.pause_reading()

    # Everything that can close the connection, stop writes or end the handshake ends here.
    def data_received(self, data: bytes) -> None:
        try:
            super().data_received(data)
        finally:
            self._refresh()

    def connection_lost(self, exc: Exception | None) -> None:
        try:
            super().connection_lost(exc)
        finally:
            self._refresh()

    def pause_writing(self) -> None:
        super().pause_writing()
        self._refresh()

    def resume_writing(self) -> None:
        super().resume_writing()
        self._refresh()

    def shutdown(self) -> None:
        try:
            super().shutdown()
        finally:
            self._refresh()

    def keepalive_timeout(self) -> None:
        try:
            super().keepalive_timeout()
        finally:
            self._refresh()

    async def run_asgi(self) -> None:
        try:
            await super().run_asgi()
        finally:
            self._refresh()

    def next_text(self, kinds: str) -> str | None:
        """The next message, taken now without a coroutine, when one is waiting and is a text
        starting with one of ``kinds``; None otherwise (nothing waiting, or a message for
        :meth:`receive`). A reader awaiting a new chain of coroutines per message (five, ~14
        objects) kept them alive until its next message, so they outlived young collections:
        at 20,000 connections most of what the middle generation held (bench/README.md)."""
        items = self.queue.items
        if not items:
            return None
        message = items[0]
        text = message.get("text") if message["type"] == "websocket.receive" else None
        if not text or text[0] not in kinds:
            return None
        del items[0]
        if self.read_paused and not items:  # as receive()
            self.read_paused = False
            self.transport.resume_reading()
        return str(text)

    def write_text(self, text: str) -> bool:
        """Write one text message to the transport now, when the connection is open, writable
        and without extensions: True. False when only uvicorn's own ``send`` may (closing, not
        writable, an extension): the caller then goes through :meth:`send`, which waits."""
        wire = self.wire
        if wire is None:
            return False
        wire(text_frame(text))
        return True

    async def send(self, message: Any) -> None:
        if message["type"] == "websocket.send":
            text = message.get("text")
            if text is not None and self.write_text(text):
                return
        try:
            await super().send(message)
        finally:
            self._refresh()
