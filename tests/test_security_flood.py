"""Floods cost the abuser, not the meeting (docs/security.md, ASVS V2.4, V16.3).

Each test floods a server of its own and asserts a figure: the log it wrote, how much of the
flood was answered, and that a well-behaved device is still served.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.support.clients import Devices, Refused, create_meeting, join, op_id
from tests.support.raw import RawSocket, ack_data
from tests.support.server import ServerProcess


async def aget(url: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(url, **kwargs)


async def apost(url: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(url, **kwargs)


# "At most a few KB of log" for a flood, however long.
LOG_BUDGET = 4 * 1024


def log_size(server: ServerProcess) -> int:
    return len(server.output().encode())


async def test_a_flood_of_junk_packets_writes_a_few_kb_of_log_and_no_traceback(
    start_server: Callable[..., ServerProcess],
) -> None:
    server = start_server()
    m = await create_meeting(server.url, parties=1)
    token = (await join(server.url, m.join_code, m.party_ids[0]))["token"]
    before = log_size(server)
    answered = 0
    junk: list[str | bytes] = ['42["sync",', b"\x04", "421[]", '421["sync",{},{}]', "49", "4x"]
    async with RawSocket(server.url) as authed:
        await authed.connect({"token": token})
        # Ack-bearing junk keeps the connection: 2,000 packets, each answered.
        for n in range(2000):
            await authed.send(f"42{n + 1}" + '["sync",{},{}]')
        while answered < 2000:
            frame = await authed.recv()
            if isinstance(frame, str) and frame.startswith("43"):
                answered += 1
    # Unauthenticated junk: 300 connections, each closed after its packet.
    for n in range(300):
        async with RawSocket(server.url) as raw:
            await raw.send(junk[n % len(junk)])
            while await raw.answer() not in ("1", "closed"):
                pass
    written = server.output()[before:]
    assert answered == 2000
    assert "Traceback" not in written
    assert len(written.encode()) <= LOG_BUDGET, written[-2000:]
    # The server still serves.
    assert (await aget(f"{server.url}/healthz", timeout=10)).status_code == 200


async def test_a_sync_flood_is_inside_the_connection_budget(live_server: ServerProcess) -> None:
    url = live_server.url
    m = await create_meeting(url, parties=1)
    token = (await join(url, m.join_code, m.party_ids[0]))["token"]
    async with RawSocket(url) as raw, Devices(url) as ds:
        await raw.connect({"token": token})
        fac = await ds.connect(m.facilitator_token, "facilitator")
        started = time.monotonic()
        for n in range(1000):
            await raw.send(f"42{n + 1}" + '["sync",{}]')
        oks = refused = 0
        while oks + refused < 1000:
            frame = await raw.recv()
            if isinstance(frame, str) and frame.startswith("43"):
                [ack] = ack_data(frame)
                if ack["ok"]:
                    oks += 1
                else:
                    assert ack["error"]["code"] == "rate_limited"
                    refused += 1
        elapsed = time.monotonic() - started
        # A burst of 20 writes' worth (a sync costs a quarter) plus 5 a second, as for writes.
        assert oks <= 80 + 20 * elapsed + 4, (oks, elapsed)
        assert refused >= 1000 - oks
        # Everyone else is served meanwhile.
        done = await fac.ok("moment.add", text="Gewoon door", reveal=True)
        await fac.wait_seq(done["seq"])


async def test_connections_are_capped_per_meeting(
    start_server: Callable[..., ServerProcess],
) -> None:
    server = start_server(env={"TIJDLIJN_MAX_CONNECTIONS_PER_MEETING": "3"})
    m = await create_meeting(server.url, parties=1)
    async with Devices(server.url) as ds:
        for n in range(3):
            await ds.connect(m.facilitator_token, f"fac{n}")
        try:
            await ds.connect(m.wall_token, "one too many")
            raise AssertionError("the fourth connection was accepted")
        except Refused as exc:
            data = exc.data.get("data") if isinstance(exc.data, dict) else None
            assert isinstance(data, dict) and data["code"] == "limit_reached", exc.data
        # Another meeting is not affected.
        other = await create_meeting(server.url, parties=1)
        await ds.connect(other.facilitator_token, "other meeting")


async def test_connections_are_capped_per_address(
    start_server: Callable[..., ServerProcess],
) -> None:
    server = start_server(env={"TIJDLIJN_MAX_CONNECTIONS_PER_ADDRESS": "3"})
    m = await create_meeting(server.url, parties=1)
    async with Devices(server.url) as ds:
        first = [await ds.connect(m.facilitator_token, f"fac{n}") for n in range(3)]
        # The Engine.IO handshake itself is refused: no session, no memory spent.
        answer = await aget(f"{server.url}/socket.io/?EIO=4&transport=polling", timeout=10)
        assert answer.status_code == 401, answer.text
        # A place frees up when a device leaves.
        await first[0].disconnect()
        await ds.connect(m.facilitator_token, "after one left")


async def test_a_participant_flooding_bad_writes_is_rate_limited_without_log_growth(
    start_server: Callable[..., ServerProcess],
) -> None:
    server = start_server()
    m = await create_meeting(server.url, parties=1)
    token = (await join(server.url, m.join_code, m.party_ids[0]))["token"]
    before = log_size(server)
    async with RawSocket(server.url) as raw:
        await raw.connect({"token": token})
        bad: dict[str, Any] = {"op_id": op_id(), "moment_id": "x", "text": ""}
        for n in range(1500):
            await raw.send(f"42{n + 1}" + json.dumps(["interpretation.add", bad]))
        codes: dict[str, int] = {}
        while sum(codes.values()) < 1500:
            frame = await raw.recv()
            if isinstance(frame, str) and frame.startswith("43"):
                code = ack_data(frame)[0]["error"]["code"]
                codes[code] = codes.get(code, 0) + 1
    assert codes.get("rate_limited", 0) >= 1400, codes
    written = server.output()[before:]
    assert "Traceback" not in written
    assert len(written.encode()) <= LOG_BUDGET, written[-2000:]


async def test_many_connections_at_once_leave_the_server_answering(
    live_server: ServerProcess,
) -> None:
    """50 raw sockets that never connect to Socket.IO cost a little memory each, not more."""
    sockets = [RawSocket(live_server.url) for _ in range(50)]
    await asyncio.gather(*(s.__aenter__() for s in sockets))
    try:
        assert (await aget(f"{live_server.url}/healthz", timeout=10)).status_code == 200
    finally:
        await asyncio.gather(*(s.__aexit__() for s in sockets))


async def test_reconnecting_in_a_loop_is_rate_limited(
    start_server: Callable[..., ServerProcess],
) -> None:
    """Each connect costs a token lookup and a snapshot: a loop of them must not get around the
    sync budget. A burst of 20 (or the per-address cap, if higher), then 2 a second."""
    server = start_server(env={"TIJDLIJN_MAX_CONNECTIONS_PER_ADDRESS": "5"})
    m = await create_meeting(server.url, parties=1)
    token = (await join(server.url, m.join_code, m.party_ids[0]))["token"]
    started = time.monotonic()
    answers: dict[str, int] = {}
    for _ in range(60):
        async with RawSocket(server.url) as raw:
            frame = await raw.connect({"token": token})
            code = "ok" if frame.startswith("40") else json.loads(frame[2:])["data"]["code"]
            answers[code] = answers.get(code, 0) + 1
    elapsed = time.monotonic() - started
    assert set(answers) == {"ok", "rate_limited"}, answers
    assert answers["ok"] <= 20 + 2 * elapsed + 1, (answers, elapsed)
