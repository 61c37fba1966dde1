"""LeanWebSocketProtocol's ``wire``: a broadcast writes straight to the transport exactly while
uvicorn's own ``send`` would have written the frame at once, never after the connection started
closing. Real uvicorn, real WebSocket client."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.frames import Close, Frame, Opcode

from tests.support.redis import free_port
from tijdlijn.cli import uvicorn_options
from tijdlijn.wsprotocol import INBOX_PAUSE, LeanWebSocketProtocol


class Echo:
    """Accepts, then answers "close" with a close of its own and anything else with itself."""

    def __init__(self) -> None:
        self.accepted = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "websocket"
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        self.accepted.set()
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") == "close":
                await send({"type": "websocket.close", "code": 1000})
                return
            await send({"type": "websocket.send", "text": message.get("text")})


@contextlib.asynccontextmanager
async def serving(app: Echo | Idle) -> AsyncIterator[tuple[int, uvicorn.Server]]:
    options: dict[str, Any] = {**uvicorn_options(log_level="warning")}
    options.pop("loop")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **options))
    task = asyncio.ensure_future(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.01)  # uvicorn has no started event to wait on
    try:
        yield port, server
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)


def the_protocol(server: uvicorn.Server) -> LeanWebSocketProtocol:
    (protocol,) = [
        p for p in server.server_state.connections if isinstance(p, LeanWebSocketProtocol)
    ]
    return protocol


async def until(condition: Any) -> None:
    for _ in range(500):  # bounded: 5 s
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition never held")


async def test_open_connection_takes_frames_straight_and_a_full_buffer_stops_them() -> None:
    app = Echo()
    async with serving(app) as (port, server), connect(f"ws://127.0.0.1:{port}/") as client:
        await app.accepted.wait()
        protocol = the_protocol(server)
        assert protocol.wire is not None
        assert protocol.write_text("straight")
        assert await client.recv() == "straight"

        protocol.pause_writing()  # the transport's buffer passed its high-water mark
        assert protocol.wire is None
        assert not protocol.write_text("held")  # the caller takes send(), which waits
        protocol.resume_writing()
        assert protocol.wire is not None

        wire = protocol.wire
        await client.send("echo")  # data received leaves an open connection open
        assert await client.recv() == "echo"
        assert protocol.wire is wire  # the same object: none made per frame received
        assert protocol.write_text("again")
        assert await client.recv() == "again"


async def test_a_close_from_the_client_stops_frames_as_it_is_read() -> None:
    app = Echo()
    async with serving(app) as (port, server), connect(f"ws://127.0.0.1:{port}/"):
        await app.accepted.wait()
        protocol = the_protocol(server)
        # The client's close frame as the event loop hands it over: nothing more may be
        # written after it, even before the app or the loop hears of it.
        close = Frame(Opcode.CLOSE, Close(1000, "").serialize())
        protocol.data_received(close.serialize(mask=True, extensions=[]))
        assert protocol.wire is None
        assert not protocol.write_text("late")


async def test_a_close_from_the_app_stops_frames_at_once() -> None:
    app = Echo()
    async with serving(app) as (port, server), connect(f"ws://127.0.0.1:{port}/") as client:
        await app.accepted.wait()
        protocol = the_protocol(server)
        await protocol.send({"type": "websocket.close", "code": 1000})  # as the app would
        assert protocol.close_sent and protocol.wire is None
        assert not protocol.write_text("late")
        with pytest.raises(ConnectionClosed):
            await client.recv()


async def test_a_lost_connection_and_a_shutdown_stop_frames() -> None:
    app = Echo()
    async with serving(app) as (port, server):
        client = await connect(f"ws://127.0.0.1:{port}/")
        await app.accepted.wait()
        protocol = the_protocol(server)
        client.transport.abort()  # gone without a close frame
        await until(lambda: protocol.disconnected)
        assert protocol.wire is None

        app.accepted.clear()
        async with connect(f"ws://127.0.0.1:{port}/"):
            await app.accepted.wait()
            second = the_protocol(server)
            assert second.wire is not None
            second.shutdown()  # the server going down: a 1012 close
            assert second.wire is None and not second.write_text("late")


class Idle:
    """Accepts and then reads nothing: what the client sends waits in the protocol's inbox."""

    def __init__(self) -> None:
        self.accepted = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        self.accepted.set()
        await self.release.wait()


async def test_waiting_text_is_taken_without_receive_and_reading_resumes() -> None:
    app = Idle()
    async with serving(app) as (port, server), connect(f"ws://127.0.0.1:{port}/") as client:
        await app.accepted.wait()
        protocol = the_protocol(server)
        assert protocol.next_text("4") is None  # nothing waiting
        arrival = protocol.queue.arrival()
        await client.send("4first")
        await asyncio.wait_for(arrival, 5)  # done when the frame came
        # Exactly a full inbox: the last one pauses reading (more would stay unread).
        more = [f"4more{n}" for n in range(INBOX_PAUSE - 3)]
        frames = ["4second", "1", *more]
        for frame in frames:
            await client.send(frame)
        await until(lambda: len(protocol.queue.items) == len(frames) + 1)
        assert protocol.read_paused  # full inbox: reading paused
        assert protocol.next_text("4") == "4first"
        assert protocol.next_text("4") == "4second"
        assert protocol.next_text("4") is None  # "1" is not of the kinds asked for: left there
        assert len(protocol.queue.items) == len(more) + 1
        received: Any = await protocol.receive()
        assert received["text"] == "1"  # the general path takes it
        assert [protocol.next_text("4") for _ in more] == more
        assert not protocol.read_paused  # the inbox emptied: reading resumed, as receive() does
        await client.send("4after")
        await until(lambda: protocol.next_text("4") == "4after")
        app.release.set()
