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
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from tests.support.inprocess import one_leaves_then_the_meeting_ends, served, server_garbage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import soak


def test_left_and_ended_connections_are_freed_without_the_cyclic_collector() -> None:
    served(leave_and_end)


async def leave_and_end(port: int, app: Any, server: uvicorn.Server) -> None:
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
        await one_leaves_then_the_meeting_ends(server, engine, devices)
        await asyncio.sleep(0)  # the last callbacks of the closes

        alive = [r() for r in protocols + sockets if r() is not None]
        assert alive == [], f"still alive without a cyclic collection: {alive}"
        assert server_garbage() == []
    finally:
        gc.enable()
