"""Many connections: server CPU per delivered message, delivery lag and RSS at N devices.

Starts a real `tijdlijn serve` (embedded store), creates meetings of 14 devices (1 facilitator,
1 wall, 12 participants in 4 parties) and opens --connections WebSockets from 2 worker
processes. The clients speak Engine.IO 4 / Socket.IO 5 by hand over `websockets` because
socketio.AsyncClient costs so much CPU per message that it, not the server, would be measured.
After setup (each meeting reveals one moment, unmeasured), each meeting writes once a second
(a participant adds an interpretation on it) for --seconds; only that phase is measured.
Lag is write-sent to event-received per device: it includes the server's event-loop stalls
(garbage collection pauses show up as p99/max in the hundreds of ms). Bounded; loopback only:

    .venv/bin/python bench/bench_connections.py --connections 2000 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import queue
import random
import re
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event as MpEvent
from pathlib import Path
from typing import Any

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.server import ServerProcess

PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#0072B2"]
DEVICES_PER_MEETING = 14
WORKERS = 2
# The write's send time (CLOCK_MONOTONIC is shared by all processes) rides in its text.
MARK = re.compile(r"T@([0-9.]+)@")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def create_meetings(url: str, count: int) -> list[list[str]]:
    """Tokens per meeting: facilitator, wall, then 12 participants."""
    limit = asyncio.Semaphore(16)

    async def one(http: httpx.AsyncClient) -> list[str]:
        async with limit:
            parties = [{"name": f"Partij {i}", "colour": c} for i, c in enumerate(PALETTE)]
            created = (
                await http.post(
                    "/api/meetings", json={"title": "Bench", "initials": "B.M.", "parties": parties}
                )
            ).json()
            ids = [
                p["id"]
                for p in (await http.get(f"/api/join/{created['join_code']}")).json()["parties"]
            ]
            tokens = [created["facilitator_token"], created["wall_token"]]
            for i in range(DEVICES_PER_MEETING - 2):
                joined = await http.post(
                    "/api/join", json={"code": created["join_code"], "party_id": ids[i % 4]}
                )
                tokens.append(joined.json()["token"])
            return tokens

    async with httpx.AsyncClient(base_url=url, timeout=30.0) as http:
        return list(await asyncio.gather(*(one(http) for _ in range(count))))


@dataclass
class Tally:
    """Marked events received by this worker; `done` fires once `target` is reached."""

    count: int = 0
    target: int | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self) -> None:
        self.count += 1
        if self.target is not None and self.count >= self.target:
            self.done.set()


@dataclass
class Device:
    """One raw Socket.IO client: few objects, no per-message parsing beyond a prefix check."""

    ws: Any
    tally: Tally
    recording: bool = False
    lags: list[tuple[float, float]] = field(default_factory=list)
    snapshot: asyncio.Event = field(default_factory=asyncio.Event)
    acks: dict[int, asyncio.Future[Any]] = field(default_factory=dict)
    next_ack: int = 0

    async def read(self) -> None:
        try:
            async for msg in self.ws:
                now = time.monotonic()
                if msg == "2":
                    await self.ws.send("3")
                elif msg.startswith('42["event"'):
                    if self.recording and (m := MARK.search(msg)):
                        sent = float(m.group(1))
                        self.lags.append((sent, now - sent))
                        self.tally.add()
                elif msg.startswith('42["snapshot"'):
                    self.snapshot.set()
                elif msg.startswith("43"):
                    digits = re.match(r"43(\d+)", msg)
                    if digits and (fut := self.acks.pop(int(digits.group(1)), None)):
                        fut.set_result(json.loads(msg[digits.end() :])[0])
                elif msg.startswith("44"):
                    print("connect refused:", msg, file=sys.stderr)
        except websockets.ConnectionClosed:
            pass

    async def call(self, name: str, data: dict[str, Any]) -> Any:
        self.next_ack += 1
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.acks[self.next_ack] = fut
        await self.ws.send(f"42{self.next_ack}" + json.dumps([name, data]))
        return await fut


async def connect(port: int, token: str, tally: Tally, tasks: set[asyncio.Task[None]]) -> Device:
    url = f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
    ws = await websockets.connect(url, open_timeout=30, ping_interval=None, compression=None)
    opened = await asyncio.wait_for(ws.recv(), 30)
    assert isinstance(opened, str) and opened.startswith("0{"), opened
    device = Device(ws, tally)
    task = asyncio.create_task(device.read())
    tasks.add(task)
    await ws.send("40" + json.dumps({"token": token}))
    await asyncio.wait_for(device.snapshot.wait(), 30)
    return device


async def reveal(meeting: list[Device]) -> str:
    """Setup, before the measured phase: the moment every interpretation hangs on."""
    data = {"op_id": "m0", "text": "Moment", "reveal": True}
    ack = await asyncio.wait_for(meeting[0].call("moment.add", data), 30)
    return str(ack["id"])


async def load(
    meeting: list[Device],
    moment_id: str,
    go_at: float,
    seconds: float,
    writes: list[int],
    acks: list[float],
) -> None:
    writers = meeting[2:]
    start = go_at + random.random()  # spread the meetings over each second
    n = 0
    while (at := start + n) < go_at + seconds:
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        n += 1
        sent = time.monotonic()
        text = f"Duiding T@{sent:.6f}@"
        data = {"op_id": f"i{n}", "moment_id": moment_id, "text": text}
        result = await asyncio.wait_for(
            writers[n % len(writers)].call("interpretation.add", data), 30
        )
        acks.append(time.monotonic() - sent)
        if not result.get("ok"):
            print("error ack", result, file=sys.stderr)
        writes[0] += 1


async def worker_main(
    port: int, meetings: list[list[str]], seconds: float, out: Any, go: MpEvent, close: MpEvent
) -> None:
    tasks: set[asyncio.Task[None]] = set()
    tally = Tally()
    limit = asyncio.Semaphore(32)

    async def dial(token: str) -> Device:
        async with limit:
            return await connect(port, token, tally, tasks)

    devices = [list(await asyncio.gather(*(dial(t) for t in m))) for m in meetings]
    moments = [await reveal(m) for m in devices]
    out.put(("ready", sum(len(m) for m in devices)))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, go.wait, 120)
    go_at = time.monotonic()
    for m in devices:
        for d in m:
            d.recording = True
    cpu0 = time.process_time()
    writes: list[int] = [0]
    acks: list[float] = []
    await asyncio.gather(
        *(
            load(m, mid, go_at, seconds, writes, acks)
            for m, mid in zip(devices, moments, strict=True)
        )
    )
    expected = writes[0] * DEVICES_PER_MEETING
    tally.target = expected
    if tally.count < expected:
        with contextlib.suppress(TimeoutError):  # trailing deliveries, bounded
            await asyncio.wait_for(tally.done.wait(), 5)
    lags = [(sent - go_at, lag) for m in devices for d in m for sent, lag in d.lags]
    out.put(("done", writes[0], lags, acks, time.process_time() - cpu0))
    await loop.run_in_executor(None, close.wait, 60)
    for m in devices:
        for d in m:
            await d.ws.close()
    for task in tasks:
        task.cancel()


def worker(
    port: int, meetings: list[list[str]], seconds: float, out: Any, go: MpEvent, close: MpEvent
) -> None:
    asyncio.run(worker_main(port, meetings, seconds, out, go, close))


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    count = max(1, round(args.connections / DEVICES_PER_MEETING))
    server = ServerProcess(env={"TIJDLIJN_JOIN_FAILURES_PER_MINUTE": "100000"})
    ctx = mp.get_context("spawn")
    out: Any = ctx.Queue()
    go, close = ctx.Event(), ctx.Event()
    procs = []
    try:
        pid = server.process.pid
        meetings = asyncio.run(create_meetings(server.url, count))
        rss_idle = rss_mb(pid)
        for i in range(WORKERS):
            share = meetings[i::WORKERS]
            proc = ctx.Process(
                target=worker, args=(server.port, share, args.seconds, out, go, close), daemon=True
            )
            proc.start()
            procs.append(proc)
        connected = sum(out.get(timeout=300)[1] for _ in procs)
        rss_connected = rss_mb(pid)
        cpu0 = cpu_seconds(pid)
        go.set()
        results = [out.get(timeout=args.seconds + 120) for _ in procs]
        cpu = cpu_seconds(pid) - cpu0
        rss_end = rss_mb(pid)
        close.set()
        writes = sum(r[1] for r in results)
        timed = [pair for r in results for pair in r[2]]
        lags = sorted(lag for _, lag in timed)
        acks = sorted(a for r in results for a in r[3])
        delivered = len(lags)
        print(f"connections       {connected} ({count} meetings x {DEVICES_PER_MEETING})")
        print(
            f"load              {args.seconds:.0f} s, {writes} writes, {delivered} delivered "
            f"(expected {writes * DEVICES_PER_MEETING})"
        )
        print(
            f"server CPU        {cpu:.2f} s = {cpu / max(delivered, 1) * 1e6:.0f} µs per "
            f"delivered message ({cpu / args.seconds * 100:.0f}% of a core)"
        )
        print(
            f"delivery lag      p50 {pct(lags, 0.5):.1f} ms  p99 {pct(lags, 0.99):.1f} ms  "
            f"max {pct(lags, 1.0):.1f} ms"
        )
        print(f"ack               p50 {pct(acks, 0.5):.1f} ms  p99 {pct(acks, 0.99):.1f} ms")
        print(
            f"server RSS        {rss_idle:.0f} MB before, {rss_connected:.0f} MB connected, "
            f"{rss_end:.0f} MB after load"
        )
        worst = [0.0] * (int(args.seconds) + 1)
        for at, lag in timed:
            second = min(int(at), len(worst) - 1)
            worst[second] = max(worst[second], lag)
        print("max lag per s     " + " ".join(f"{w * 1000:.0f}" for w in worst))
        print(
            "client CPU        "
            + ", ".join(f"{r[4] / args.seconds * 100:.0f}%" for r in results)
            + " of a core per worker"
        )
    except queue.Empty:
        print("timed out waiting for the workers", file=sys.stderr)
        raise
    finally:
        close.set()
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.terminate()
        server.cleanup()


if __name__ == "__main__":
    main()
