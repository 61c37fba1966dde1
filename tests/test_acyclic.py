"""A closed connection is freed by reference counting, not left for the cyclic collector.

The whole app (create_app) served by uvicorn in this process with `tijdlijn serve`'s own options,
real WebSocket clients (Engine.IO and Socket.IO over the wire, as bench/soak.py speaks it), and
the cyclic collector switched off: a device that leaves and a meeting that ends must leave none
of their server-side objects alive and no cyclic garbage of the server's libraries behind
(acyclic.py; bench/README.md, "Garbage of ended connections").
"""

from __future__ import annotations

import asyncio
import gc
import sys
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests.support.redis import free_port
from tijdlijn.app import create_app
from tijdlijn.cli import uvicorn_options
from tijdlijn.settings import from_env

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import soak

# Whose objects count: the server side of a connection, not the test's own clients.
SERVER_MODULES = ("uvicorn", "httptools", "engineio", "socketio", "tijdlijn", "starlette")


@pytest.fixture
async def served() -> AsyncIterator[tuple[int, Any, uvicorn.Server]]:
    settings = from_env(
        {
            "TIJDLIJN_CREATIONS_PER_HOUR": "1000",
            "TIJDLIJN_MAX_CONNECTIONS_PER_ADDRESS": "1000",
        },
        host="127.0.0.1",
    )
    app = create_app(settings)
    port = free_port()
    options: dict[str, Any] = {**uvicorn_options(log_level="warning")}
    options.pop("loop")  # this test's own event loop serves
    config = uvicorn.Config(app, host="127.0.0.1", port=port, proxy_headers=False, **options)
    server = uvicorn.Server(config)
    serving = asyncio.ensure_future(server.serve())
    while not server.started:
        assert not serving.done(), "uvicorn did not start"
        await asyncio.sleep(0.01)  # uvicorn has no started event to wait on
    try:
        yield port, app, server
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 30)


def server_garbage() -> list[str]:
    """The server libraries' objects a full collection finds as cyclic garbage now."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        found = [
            f"{type(o).__module__}.{type(o).__qualname__}"
            if not isinstance(o, type)
            else f"class {o.__module__}.{o.__qualname__}"
            for o in gc.garbage
            if (o.__module__ if isinstance(o, type) else type(o).__module__ or "").startswith(
                SERVER_MODULES
            )
        ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    gc.collect()  # what was kept aside to be looked at
    return found


async def until(condition: Any, what: str) -> None:
    for _ in range(1000):  # bounded: 10 s
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"not within 10 s: {what}")


async def test_left_and_ended_connections_are_freed_without_the_cyclic_collector(
    served: tuple[int, Any, uvicorn.Server],
) -> None:
    port, app, server = served
    engine = app.sio.eio
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        tokens = await soak.create(http)
    gc.collect()
    gc.disable()
    try:
        devices = [await soak.connect(port, token) for token in tokens[:3]]
        protocols = [weakref.ref(p) for p in server.server_state.connections]
        assert len(protocols) == 3  # the HTTP client's connection has closed
        sockets = [weakref.ref(s) for s in engine.sockets.values()]

        # One phone leaves while the meeting runs; then the facilitator ends the meeting (the
        # server forgets it and lets its devices go) and the others close, as clients do.
        await devices[2].close()
        await until(lambda: len(server.server_state.connections) == 2, "the phone's close")
        ack = await devices[0].call("meeting.end", {"op_id": "end", "confirm": True})
        assert ack.get("ok"), ack
        for device in devices[:2]:
            await device.close()
        await until(lambda: not server.server_state.connections, "the closes")
        await until(lambda: not engine.sockets, "Engine.IO forgets the sockets")
        await asyncio.sleep(0)  # the last callbacks of the closes

        alive = [r() for r in protocols + sockets if r() is not None]
        assert alive == [], f"still alive without a cyclic collection: {alive}"
        assert server_garbage() == []
    finally:
        gc.enable()
