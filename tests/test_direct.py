"""direct.py and wsprotocol.py: frames written straight to each WebSocket keep their order, a
slow client never holds up the others, one that takes nothing is closed before its backlog grows
past the limit, and a frame framed here is byte for byte what websockets would send.

The ASGI ``send`` here waits on an event exactly as uvicorn's does (``writable``, cleared when the
transport's buffer is full), so "slow" is the same condition a real stalled client causes. The
whole path with real clients is covered by the hub, fault and deploy tests, which run on it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from websockets.frames import Frame, Opcode

from tijdlijn.direct import BACKLOG_LIMIT, DirectEngine, DirectSocket
from tijdlijn.wsprotocol import Inbox, Writable, text_frame


class Transport:
    """An ASGI send that completes at once while writable, as uvicorn's does."""

    def __init__(self) -> None:
        self.writable = asyncio.Event()
        self.writable.set()
        self.sent: list[Any] = []

    async def send(self, message: dict[str, Any]) -> None:
        await self.writable.wait()
        self.sent.append(message.get("text", message["type"]))


def socket(engine: DirectEngine, sid: str) -> tuple[DirectSocket, Transport]:
    sock = DirectSocket(engine, sid)
    transport = Transport()
    sock.asgi_send = transport.send
    sock.connected = sock.upgraded = True
    engine.sockets[sid] = sock
    return sock, transport


async def test_a_writable_socket_gets_each_frame_at_once_in_order() -> None:
    sock, transport = socket(DirectEngine(async_mode="asgi"), "a")
    for frame in ("4one", "4two", "4three"):
        sock.write(frame)
    # No await in between: written synchronously, no task, nothing kept.
    assert transport.sent == ["4one", "4two", "4three"]
    assert sock.backlog is None


async def test_a_slow_socket_keeps_order_and_does_not_hold_up_others() -> None:
    engine = DirectEngine(async_mode="asgi")
    slow, slow_transport = socket(engine, "slow")
    fast, fast_transport = socket(engine, "fast")
    slow_transport.writable.clear()  # its buffer is full
    for n in range(5):
        slow.write(f"4event{n}")
        fast.write(f"4event{n}")
    assert fast_transport.sent == [f"4event{n}" for n in range(5)]
    assert slow_transport.sent == []
    assert slow.backlog is not None and len(slow.backlog) == 4  # the first is in flight
    slow_transport.writable.set()  # the client reads again
    for _ in range(20):
        await asyncio.sleep(0)
    assert slow_transport.sent == [f"4event{n}" for n in range(5)]
    assert slow.backlog is None
    slow.write("4after")
    assert slow_transport.sent[-1] == "4after"


async def test_a_client_that_takes_nothing_is_closed_at_the_limit() -> None:
    engine = DirectEngine(async_mode="asgi")
    disconnects: list[str] = []

    async def on_disconnect(sid: str, reason: Any) -> None:
        disconnects.append(sid)

    engine.on("disconnect", on_disconnect)
    stalled, transport = socket(engine, "stalled")
    transport.writable.clear()
    frame = "4" + "x" * 999
    sent = 0
    while not stalled.ended:
        stalled.write(frame)
        sent += 1
        assert sent < 2 * BACKLOG_LIMIT // len(frame)
    # What it had not taken is dropped at once; later frames are not kept either.
    assert stalled.backlog_size == 0
    for _ in range(100):
        stalled.write(frame)
    assert stalled.backlog is not None and len(stalled.backlog) <= 1
    for _ in range(20):
        await asyncio.sleep(0)
    assert stalled.closed
    assert disconnects == ["stalled"]


def test_a_text_frame_is_what_websockets_itself_would_send() -> None:
    for size in (0, 1, 125, 126, 127, 65535, 65536, 100_000):
        text = ("é" if size % 2 else "a") * (size // 2) + "a" * (size - 2 * (size // 2))
        expected = Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])
        assert text_frame(text) == expected
        assert text_frame(text) == expected  # the reused frame of the same text


async def test_the_lean_inbox_and_writable_behave_as_uvicorn_needs() -> None:
    inbox = Inbox()
    reader = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    assert not reader.done() and inbox.empty()
    inbox.put_nowait({"n": 1})
    inbox.put_nowait({"n": 2})
    assert await reader == {"n": 1}  # in order, the waiting reader woken
    assert not inbox.empty() and await inbox.get() == {"n": 2}

    writable = Writable()
    assert writable.is_set() and await writable.wait()  # set: no waiting
    writable.clear()  # the transport's buffer is full
    senders = [asyncio.ensure_future(writable.wait()) for _ in range(2)]
    await asyncio.sleep(0)
    assert not any(s.done() for s in senders)
    writable.set()
    assert await asyncio.gather(*senders) == [True, True]
