"""The cost of one write as a meeting grows, on both stores, measured from outside.

For each store (embedded; Redis, one process) and each size, a fresh meeting on a real
`tijdlijn serve` is filled with that many interpretations (by many phones, within the per-phone
write limit). The phones that filled it leave; 16 phones stay with the facilitator and the wall,
so every size is measured with the same devices connected. Each of the 16 adds an
interpretation of its own (unmeasured), then --writes edits of those are sent one after another,
each waiting for its ack. Reported per size: ack latency (p50, p90) and server CPU per write, and
the growth from the empty meeting. The domain caps a meeting at 600 interpretations
(domain/limits.py LIMITS), so the largest size is 600 minus the 16 of the measuring phones.

    .venv/bin/python bench/bench_growth.py
    .venv/bin/python bench/bench_growth.py --sizes 0,100 --writes 40    # quick
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.redis import start_redis, stop_redis
from tests.support.server import ServerProcess

PER_PHONE = 18  # under the per-connection burst of 20 writes
# Each phone may send a burst of 20 writes (then 5 a second): 16 phones carry 300 edits.
MEASURING_PHONES = 16


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Client:
    """A bare Engine.IO 4 / Socket.IO 5 client over one WebSocket: cheap, so the server is
    what is measured. Only acks are read; events are drained."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.acks: dict[int, asyncio.Future[Any]] = {}
        self.next = 0
        self.reader = asyncio.create_task(self.read())

    @classmethod
    async def open(cls, port: int, token: str) -> Client:
        url = f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
        ws = await websockets.connect(url, ping_interval=None, compression=None)
        await ws.recv()  # the Engine.IO open packet
        client = cls(ws)
        await ws.send("40" + json.dumps({"token": token}))
        return client

    async def read(self) -> None:
        try:
            async for msg in self.ws:
                if msg == "2":
                    await self.ws.send("3")
                elif isinstance(msg, str) and msg.startswith("43"):
                    digits = len(msg) - len(msg[2:].lstrip("0123456789"))
                    future = self.acks.pop(int(msg[2:digits]), None)
                    if future is not None:
                        future.set_result(json.loads(msg[digits:])[0])
        except websockets.ConnectionClosed:
            pass

    async def call(self, name: str, data: dict[str, Any]) -> Any:
        """Send a write and wait for its ack; a ``busy`` answer (the server's admission control,
        while the meeting is being filled by many phones at once) is sent again with the same
        op id after a short pause, as the browser does."""
        for attempt in range(12):
            self.next += 1
            future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self.acks[self.next] = future
            await self.ws.send(f"42{self.next}" + json.dumps([name, data]))
            ack = await asyncio.wait_for(future, 30)
            if ack.get("error", {}).get("code") != "busy":
                return ack
            await asyncio.sleep(0.1 * 2**attempt)
        return ack

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()


async def one_size(server: ServerProcess, size: int, writes: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        parties = [{"name": "Partij A", "colour": "#E69F00"}]
        made = (
            await http.post(
                "/api/meetings", json={"title": "Groei", "initials": "G.B.", "parties": parties}
            )
        ).json()
        party = (await http.get(f"/api/join/{made['join_code']}")).json()["parties"][0]["id"]
        phones = -(-size // PER_PHONE) + MEASURING_PHONES
        tokens = [
            (
                await http.post("/api/join", json={"code": made["join_code"], "party_id": party})
            ).json()["token"]
            for _ in range(phones)
        ]
    facilitator = await Client.open(server.port, made["facilitator_token"])
    wall = await Client.open(server.port, made["wall_token"])
    moment = await facilitator.call("moment.add", {"op_id": "m", "text": "Moment", "reveal": True})
    fillers = [await Client.open(server.port, t) for t in tokens]
    counter = iter(range(size))

    async def fill(client: Client) -> None:
        for _ in range(PER_PHONE):
            n = next(counter, None)
            if n is None:
                return
            data = {"op_id": f"f{n}", "moment_id": moment["id"], "text": f"Duiding {n} " * 8}
            ack = await client.call("interpretation.add", data)
            assert ack.get("ok"), ack

    await asyncio.gather(*(fill(c) for c in fillers[:-MEASURING_PHONES]))
    # The phones that filled the meeting leave: every size is measured with the same devices
    # connected (facilitator, wall, 5 phones), so only the meeting's size differs.
    for client in fillers[:-MEASURING_PHONES]:
        await client.close()
    measuring = fillers[-MEASURING_PHONES:]
    # Each measuring phone adds its own interpretation first (unmeasured; this also lets the
    # server finish handling the disconnects above), then edits it: an edit keeps the meeting
    # at its size, so many writes can be counted at each size.
    own = []
    for n, client in enumerate(measuring):
        data = {"op_id": f"u{n}", "moment_id": moment["id"], "text": f"Eigen duiding {n} " * 8}
        ack = await client.call("interpretation.add", data)
        assert ack.get("ok"), ack
        own.append(ack["id"])
    latencies = []
    cpu0 = cpu_seconds(server.process.pid)
    for n in range(writes):
        phone = n % MEASURING_PHONES
        data = {"op_id": f"w{n}", "id": own[phone], "text": f"Meting {n} " * 8}
        sent = time.perf_counter()
        ack = await measuring[phone].call("interpretation.update", data)
        latencies.append(time.perf_counter() - sent)
        assert ack.get("ok"), ack
    cpu = cpu_seconds(server.process.pid) - cpu0
    for client in [facilitator, wall, *measuring]:
        await client.close()
    latencies.sort()
    return {
        "interpretations": size,
        "writes": writes,
        "ack_p50_ms": round(statistics.median(latencies) * 1000, 2),
        "ack_p90_ms": round(latencies[int(len(latencies) * 0.9)] * 1000, 2),
        "cpu_ms_per_write": round(cpu / writes * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="0,100,400,580")
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "growth.json"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    env = {"TIJDLIJN_JOIN_FAILURES_PER_MINUTE": "100000"}
    rows: dict[str, list[dict[str, Any]]] = {}
    redis_process, redis_url = start_redis(Path(tempfile.mkdtemp(prefix="bench-growth-")))
    try:
        for store, extra in (("embedded", ()), ("redis", ("--redis-url", redis_url))):
            server = ServerProcess(*extra, env=env)
            try:
                asyncio.run(one_size(server, 0, 32))  # warm the fresh server up, unmeasured
                # Sizes interleaved over rounds; per size the least disturbed round counts
                # (the machine is shared: a busy neighbour only ever adds time).
                runs = [
                    [asyncio.run(one_size(server, n, args.writes)) for n in sizes]
                    for _ in range(args.rounds)
                ]
                rows[store] = [
                    min((run[i] for run in runs), key=lambda r: r["cpu_ms_per_write"])
                    for i in range(len(sizes))
                ]
            finally:
                server.cleanup()
    finally:
        stop_redis(redis_process)
    print("| store | interpretations | ack p50 (ms) | ack p90 (ms) | server CPU per write (ms) "
          "| p50 vs empty | CPU vs empty |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for store, results in rows.items():
        base = results[0]
        for r in results:
            grow = r["ack_p50_ms"] / base["ack_p50_ms"] - 1
            cpu_grow = r["cpu_ms_per_write"] / base["cpu_ms_per_write"] - 1
            print(
                f"| {store} | {r['interpretations']} | "
                f"{r['ack_p50_ms']} | {r['ack_p90_ms']} | {r['cpu_ms_per_write']} | "
                f"{grow:+.0%} | {cpu_grow:+.0%} |"
            )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"sizes": sizes, "writes": args.writes, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
