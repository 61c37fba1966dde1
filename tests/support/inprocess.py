"""The whole app (create_app) served by uvicorn in this process, with `tijdlijn serve`'s own
options: for tests that look at the server's objects themselves (the garbage collector's)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

import uvicorn
import uvloop

from tests.support.redis import free_port
from tijdlijn.app import create_app
from tijdlijn.cli import uvicorn_options
from tijdlijn.settings import from_env

# Whose objects count: the server side of a connection, not the test's own clients.
SERVER_MODULES = ("uvicorn", "httptools", "engineio", "socketio", "tijdlijn", "starlette")


@contextlib.asynccontextmanager
async def serving() -> AsyncIterator[tuple[int, Any, uvicorn.Server]]:
    """The port, the app and uvicorn's server, serving until the block ends."""
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
    options.pop("loop")  # the caller's loop serves
    config = uvicorn.Config(app, host="127.0.0.1", port=port, proxy_headers=False, **options)
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.01)  # uvicorn has no started event to wait on
    try:
        yield port, app, server
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)


def served(scenario: Callable[[int, Any, uvicorn.Server], Awaitable[None]]) -> None:
    """Run ``scenario(port, app, server)`` on uvloop against the app :func:`serving` serves."""

    async def main() -> None:
        async with serving() as (port, app, server):
            await scenario(port, app, server)

    on_uvloop(main())


def on_uvloop(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` on uvloop, the loop `tijdlijn serve` runs on (asyncio's own selector
    transport refers to itself through a bound method: a cycle uvloop's does not have)."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


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


async def one_leaves_then_the_meeting_ends(
    server: uvicorn.Server, engine: Any, devices: list[Any]
) -> None:
    """The last of ``devices`` leaves while the meeting runs; then the first (the facilitator)
    ends the meeting and the others close, as clients do; until neither uvicorn nor Engine.IO
    (``engine``) holds any of them."""
    await devices[-1].close()
    left = len(devices) - 1
    await until(lambda: len(server.server_state.connections) == left, "the phone's close")
    ack = await devices[0].call("meeting.end", {"op_id": "end", "confirm": True})
    assert ack.get("ok"), ack
    for device in devices[:-1]:
        await device.close()
    await until(lambda: not server.server_state.connections, "the closes")
    await until(lambda: not engine.sockets, "Engine.IO forgets the sockets")
