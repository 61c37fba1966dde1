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

import pytest
from socketio import packet as sio_packet
from websockets.frames import Frame, Opcode

from tijdlijn.direct import BACKLOG_LIMIT, DirectEngine, DirectSocket, encoded, start
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


class Raw:
    """A socket's own writer (sio_server._Frames over the lean protocol): takes a frame at once
    while open and writable, and refuses it otherwise, as LeanWebSocketProtocol.write_text."""

    def __init__(self) -> None:
        self.open = True
        self.written: list[str] = []

    def write_text(self, text: str) -> bool:
        if self.open:
            self.written.append(text)
        return self.open


async def test_frames_go_to_the_raw_writer_and_keep_order_when_it_refuses() -> None:
    sock, transport = socket(DirectEngine(async_mode="asgi"), "a")
    raw = Raw()
    sock.raw = raw
    sock.write("4one")
    assert raw.written == ["4one"] and transport.sent == []  # no ASGI message, no coroutine
    raw.open = False  # not writable now: the ASGI send, which waits, and the backlog after it
    transport.writable.clear()
    sock.write("4two")
    raw.open = True
    sock.write("4three")  # behind "4two": not written before it
    assert raw.written == ["4one"] and sock.backlog is not None
    transport.writable.set()
    for _ in range(20):
        await asyncio.sleep(0)
    assert transport.sent == ["4two", "4three"] and sock.backlog is None
    sock.write("4four")
    assert raw.written == ["4one", "4four"]


@pytest.mark.parametrize(
    ("kind", "namespace", "ack_id", "data"),
    [
        (sio_packet.EVENT, "/", None, ["event", {"seq": 3, "text": 'é \u2028 "x"', "n": 1.5}]),
        (sio_packet.EVENT, "/other", None, ["event"]),
        (sio_packet.ACK, "/", 12, [{"ok": True, "seq": 4}]),
        (sio_packet.ACK, "/other", 0, []),
    ],
)
def test_a_frame_encoded_here_is_what_python_socketio_sends(
    kind: int, namespace: str, ack_id: int | None, data: list[Any]
) -> None:
    pkt = sio_packet.Packet(kind, data=data, namespace=namespace, id=ack_id)
    assert encoded(sio_packet.Packet, kind, namespace, ack_id, data) == "4" + pkt.encode()


def test_binary_data_is_left_to_python_socketio() -> None:
    assert encoded(sio_packet.Packet, sio_packet.EVENT, "/", None, ["event", b"\x00"]) is None


async def test_start_runs_at_once_and_carries_on_as_a_task_would() -> None:
    seen: list[str] = []

    async def at_once() -> str:
        seen.append("ran")
        return "done"

    assert start(at_once()) is None and seen == ["ran"]  # finished without waiting: no task

    gate: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def waits() -> str:
        await asyncio.sleep(0)
        return await gate + "!"

    task = start(waits())
    assert task is not None and not task.done()
    gate.set_result("opened")
    assert await task == "opened!"

    async def cancelled() -> str:
        try:
            await asyncio.get_running_loop().create_future()
        except asyncio.CancelledError:
            seen.append("cancelled inside")
            raise
        return "never"

    task = start(cancelled())
    assert task is not None
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen[-1] == "cancelled inside"  # thrown into the coroutine, as a task does


async def test_pings_pongs_and_messages_read_from_the_socket() -> None:
    engine = DirectEngine(async_mode="asgi", async_handlers=False)  # as python-socketio sets it
    got: list[tuple[str, Any]] = []

    async def on_message(sid: str, data: Any) -> None:
        got.append((sid, data))

    engine.on("message", on_message)
    sock, transport = socket(engine, "p")
    sock.last_ping = None
    sock._ping()
    assert transport.sent == ["2"] and sock.last_ping  # the ping, and the clock for its pong
    frames = iter(["3", '42["event",{"a":1}]', '4{"not":"socket.io"}', None])

    async def wait() -> Any:
        return next(frames)

    await sock._read(wait)
    assert sock.last_ping is None and sock.ping_timer is not None  # the next ping is due
    sock.ping_timer.cancel()
    # A Socket.IO packet reaches Socket.IO as python-engineio hands it on (the same string); a
    # message python-engineio decodes as JSON still takes its path.
    assert got == [("p", '2["event",{"a":1}]'), ("p", {"not": "socket.io"})]
