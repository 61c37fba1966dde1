"""Live meetings under load: ack latency and server CPU per delivered message.

Starts a real `tijdlijn serve` (embedded store, or Redis with --redis-url), opens MEETINGS
meetings of 14 devices each (1 facilitator, 12 participants in 4 parties, 1 wall) and has each
meeting write once a second for DURATION seconds (an interpretation or a reveal). Bounded: it
stops by itself. Run:

    .venv/bin/python bench/bench_meeting.py --meetings 10 --seconds 20
    .venv/bin/python bench/bench_meeting.py --meetings 10 --seconds 20 --redis-url redis://127.0.0.1:6379/0
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

import httpx
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.server import ServerProcess

PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#0072B2"]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Device:
    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received = 0
        self.sio.on("event", self._count)

    async def _count(self, _data: object) -> None:
        self.received += 1


async def meeting(url: str, seconds: float, latencies: list[float], devices: list[Device]) -> None:
    async with httpx.AsyncClient(base_url=url) as http:
        created = (
            await http.post(
                "/api/meetings",
                json={
                    "title": "Bench",
                    "initials": "B.M.",
                    "parties": [
                        {"name": f"Partij {i}", "colour": c} for i, c in enumerate(PALETTE)
                    ],
                },
            )
        ).json()
        parties = (await http.get(f"/api/join/{created['join_code']}")).json()["parties"]
        tokens = [created["facilitator_token"], created["wall_token"]]
        for i in range(12):
            joined = await http.post(
                "/api/join", json={"code": created["join_code"], "party_id": parties[i % 4]["id"]}
            )
            tokens.append(joined.json()["token"])
    mine = [Device() for _ in tokens]
    devices.extend(mine)
    for device, token in zip(mine, tokens, strict=True):
        await device.sio.connect(url, auth={"token": token}, transports=["websocket"])
    fac, participants = mine[0].sio, [d.sio for d in mine[2:]]
    ack = await fac.call("moment.add", {"op_id": "m0", "text": "Moment", "reveal": True})
    moment_id = ack["id"]
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
        sender = participants[n % len(participants)]
        start = time.perf_counter()
        ack = await sender.call(
            "interpretation.add",
            {"op_id": f"i{n}", "moment_id": moment_id, "text": f"Duiding {n}"},
        )
        latencies.append(time.perf_counter() - start)
        if not ack.get("ok"):
            print("error ack", ack, file=sys.stderr)
        await asyncio.sleep(1.0)  # the load model: one write per meeting per second
    for device in mine:
        await device.sio.disconnect()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--redis-url", default=None)
    args = parser.parse_args()
    server = ServerProcess(*(["--redis-url", args.redis_url] if args.redis_url else []))
    try:
        latencies: list[float] = []
        devices: list[Device] = []
        cpu0 = cpu_seconds(server.process.pid)
        await asyncio.gather(
            *(meeting(server.url, args.seconds, latencies, devices) for _ in range(args.meetings))
        )
        cpu = cpu_seconds(server.process.pid) - cpu0
        delivered = sum(d.received for d in devices)
        latencies.sort()
        print(f"store        {'redis' if args.redis_url else 'memory'}")
        print(f"meetings     {args.meetings} x 14 devices, {args.seconds:.0f} s")
        print(f"writes       {len(latencies)}")
        print(f"delivered    {delivered} event messages")
        print(f"ack p50      {statistics.median(latencies) * 1000:.1f} ms")
        print(f"ack p99      {latencies[int(len(latencies) * 0.99) - 1] * 1000:.1f} ms")
        print(
            f"server CPU   {cpu:.2f} s "
            f"({cpu / max(delivered, 1) * 1e6:.0f} µs per delivered message, setup included)"
        )
    finally:
        server.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
