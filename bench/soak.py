"""The soak: is memory flat under a steady load, and how long does the collector pause?

Starts `tijdlijn serve` as shipped (under bench/probe.py, which only watches: RSS and every
garbage collection's pause), then keeps --meetings meetings running for --minutes: each meeting
of 14 devices (facilitator, wall, 12 phones) writes once a second, alternating an interpretation
and a new moment, for --lifetime seconds; then the facilitator ends it (the server deletes it and
disconnects its devices) and a new one takes its place. So connections, meetings and events come
and go all the time while the load stays level: what is left behind shows as growing RSS.

Every --sample seconds RSS is read; at the end the slope of RSS over the time after the warm-up
(two lifetimes, or a fifth of the run) says whether memory is flat: grown by at most 2 % of the
mean (or 1 MB) over that time. It also checks that every device saw every write of its meeting
and prints the pause distribution per generation (wall time and CPU time). Bounded; loopback.

    make soak                                     # 30 minutes
    .venv/bin/python bench/soak.py --minutes 5 --meetings 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from tests.support.redis import free_port
from tests.support.server import RELAXED_LIMITS

from bench_fanout import BENCH, cpu_seconds, spawn
from bench_memory import pick, probe

PHONES = 12
PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#0072B2"]
SEQ = re.compile(r'"seq":\s*(\d+)')
# Every fourth write adds a moment, the others an interpretation: within the domain's limits
# (40 moments, 600 interpretations per meeting) for lifetimes up to ten minutes.
MOMENTS = 30
QUANTILES = {"p50": 0.5, "p99": 0.99, "max": 1.0}
FLAT_SHARE = 0.02
FLAT_FLOOR_KB = 1024
BUSY_TRIES = 8


@dataclass
class Tally:
    meetings: int = 0
    writes: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    missing: int = 0
    dropped: int = 0
    busy: int = 0


class Device:
    """A raw Engine.IO/Socket.IO client: answers pings, keeps the highest seq it saw."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.seq = 0
        self.acks: dict[int, asyncio.Future[Any]] = {}
        self.next_ack = 0
        self.ready = asyncio.Event()
        self.ended = False
        self.reader = asyncio.ensure_future(self.read())

    async def read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for msg in self.ws:
                if msg == "2":
                    await self.ws.send("3")
                elif msg.startswith('42["event"'):
                    if m := SEQ.search(msg):
                        self.seq = max(self.seq, int(m.group(1)))
                elif msg.startswith('42["snapshot"'):
                    self.ready.set()
                elif msg.startswith("43"):
                    digits = re.match(r"43(\d+)", msg)
                    if digits and (fut := self.acks.pop(int(digits.group(1)), None)):
                        fut.set_result(json.loads(msg[digits.end() :])[0])
                elif msg.startswith('42["meeting.deleted"'):
                    self.ended = True

    async def call(self, name: str, data: dict[str, Any], tally: Tally | None = None) -> Any:
        """The answer; ``busy`` is retried with the same op id, as the browser does (a busy
        machine makes the server's admission control answer it), counted in ``tally``."""
        for attempt in range(BUSY_TRIES):
            self.next_ack += 1
            fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self.acks[self.next_ack] = fut
            await self.ws.send(f"42{self.next_ack}" + json.dumps([name, data]))
            ack = await asyncio.wait_for(fut, 30)
            busy = isinstance(ack, dict) and (ack.get("error") or {}).get("code") == "busy"
            if not busy or attempt == BUSY_TRIES - 1:
                return ack
            if tally is not None:
                tally.busy += 1
            await asyncio.sleep(random.uniform(0.1, 0.2) * 2**attempt)
        return None

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()


async def create(http: httpx.AsyncClient) -> list[str]:
    parties = [{"name": f"Partij {i}", "colour": c} for i, c in enumerate(PALETTE)]
    made = (
        await http.post(
            "/api/meetings", json={"title": "Soak", "initials": "S.K.", "parties": parties}
        )
    ).json()
    ids = [p["id"] for p in (await http.get(f"/api/join/{made['join_code']}")).json()["parties"]]
    tokens = [made["facilitator_token"], made["wall_token"]]
    for i in range(PHONES):
        joined = await http.post(
            "/api/join", json={"code": made["join_code"], "party_id": ids[i % 4]}
        )
        tokens.append(joined.json()["token"])
    return tokens


async def connect(port: int, token: str) -> Device:
    url = f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
    ws = await websockets.connect(url, open_timeout=30, ping_interval=None, compression=None)
    opened = await asyncio.wait_for(ws.recv(), 30)
    assert isinstance(opened, str) and opened.startswith("0{"), opened
    device = Device(ws)
    await ws.send("40" + json.dumps({"token": token}))
    await asyncio.wait_for(device.ready.wait(), 30)
    return device


def count(tally: Tally, ack: Any) -> int | None:
    if not isinstance(ack, dict) or not ack.get("ok"):
        code = str((ack or {}).get("error", {}).get("code", "?")) if isinstance(ack, dict) else "?"
        tally.errors[code] = tally.errors.get(code, 0) + 1
        return None
    tally.writes += 1
    seq = ack.get("seq")
    return int(seq) if isinstance(seq, int) else None


async def meeting_life(
    http: httpx.AsyncClient, port: int, lifetime: float, offset: float, tally: Tally
) -> None:
    devices = [await connect(port, t) for t in await create(http)]
    facilitator = devices[0]
    try:
        first = await facilitator.call(
            "moment.add", {"op_id": "m0", "text": "Moment", "reveal": True}, tally
        )
        moment = str(first["id"])
        last = count(tally, first) or 0
        start = time.monotonic() + offset
        for n in range(1, max(1, int(lifetime))):
            await asyncio.sleep(max(0.0, start + n - time.monotonic()))
            data: dict[str, Any]
            if n % 4 or n // 4 >= MOMENTS:
                data = {"op_id": f"i{n}", "moment_id": moment, "text": f"Duiding {n}"}
                ack = await devices[2 + n % PHONES].call("interpretation.add", data, tally)
            else:
                data = {"op_id": f"m{n}", "text": f"Moment {n}", "reveal": True}
                ack = await facilitator.call("moment.add", data, tally)
            last = count(tally, ack) or last
        # Every device saw the last write (events are in order per socket), bounded wait.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(d.seq < last for d in devices[2:]):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        tally.missing += sum(1 for d in devices[2:] if d.seq < last)
        tally.dropped += sum(1 for d in devices if d.ws.state != websockets.State.OPEN)
        end = {"op_id": "end", "confirm": True}
        count(tally, await facilitator.call("meeting.end", end, tally))
        tally.meetings += 1
    finally:
        for d in devices:
            await d.close()


async def load(port: int, meetings: int, lifetime: float, until: float, tally: Tally) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:

        async def slot(i: int) -> None:
            while time.monotonic() + lifetime < until:
                await meeting_life(http, port, lifetime, i / meetings, tally)

        await asyncio.gather(*(slot(i) for i in range(meetings)))


def slope_kb_per_min(samples: list[tuple[float, int]]) -> float:
    n = len(samples)
    if n < 2:
        return 0.0
    mx = sum(t for t, _ in samples) / n
    my = sum(r for _, r in samples) / n
    var = sum((t - mx) ** 2 for t, _ in samples)
    return sum((t - mx) * (r - my) for t, r in samples) / var * 60 if var else 0.0


def pauses_by_generation(pauses: list[list[float]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for generation in (0, 1, 2):
        wall = sorted(p[1] * 1000 for p in pauses if p[0] == generation)
        cpu = sorted(p[2] * 1000 for p in pauses if p[0] == generation)
        out[f"gen{generation}"] = (
            {
                "count": len(wall),
                "wall_ms": {q: round(pick(wall, v), 2) for q, v in QUANTILES.items()},
                "cpu_ms": {q: round(pick(cpu, v), 2) for q, v in QUANTILES.items()},
            }
            if wall
            else {"count": 0}
        )
    return out


async def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    out = workdir / "probe.json"
    port = free_port()
    env = {"TIJDLIJN_JOIN_FAILURES_PER_MINUTE": "1000000", **RELAXED_LIMITS}
    command = [sys.executable, str(BENCH / "probe.py"), str(out), "serve", "--port", str(port)]
    server = spawn([*command, *args.serve_args], port, workdir, env)
    tally = Tally()
    samples: list[tuple[float, int]] = []
    pauses: list[list[float]] = []
    began = time.monotonic()
    until = began + args.minutes * 60
    cpu0 = cpu_seconds(server.pid)
    try:
        # Startup's collections (imports, the policy's own) are not the soak's.
        probe(server.pid, out, True)
        work = asyncio.ensure_future(load(port, args.meetings, args.lifetime, until, tally))
        while not work.done():
            await asyncio.wait([work], timeout=args.sample)
            report = await asyncio.to_thread(probe, server.pid, out, True)
            samples.append((time.monotonic() - began, report["rss_kb"]))
            pauses.extend(report["pauses"])
        work.result()
        cpu = cpu_seconds(server.pid) - cpu0
        # With every meeting ended and settled: one full collection, what it finds, what is
        # left, and RSS after it. What a collection gives back was garbage, not a leak.
        await asyncio.sleep(args.settle)  # closing handshakes finish
        final = await asyncio.to_thread(probe, server.pid, out)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.monotonic() - began
    warmup = max(2 * args.lifetime, elapsed / 5)
    steady = [(t, r) for t, r in samples if t >= warmup] or samples
    slope = slope_kb_per_min(steady)
    window_min = (steady[-1][0] - steady[0][0]) / 60 if len(steady) > 1 else 0.0
    mean = sum(r for _, r in steady) / len(steady)
    growth = slope * window_min
    return {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - elapsed)),
        "minutes": round(elapsed / 60, 2),
        "meetings_at_once": args.meetings,
        "lifetime_seconds": args.lifetime,
        "meetings_run": tally.meetings,
        "writes": tally.writes,
        "errors": tally.errors,
        "missing": tally.missing,
        "dropped": tally.dropped,
        "busy_retried": tally.busy,
        "server_cpu_percent": round(cpu / elapsed * 100, 1),
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "rss_mb": {
            "first": round(samples[0][1] / 1024, 1) if samples else None,
            "last": round(samples[-1][1] / 1024, 1) if samples else None,
            "steady_mean": round(mean / 1024, 1),
        },
        "warmup_seconds": round(warmup),
        "slope_kb_per_min": round(slope, 1),
        "growth_over_steady_kb": round(growth),
        "flat": abs(growth) <= max(FLAT_SHARE * mean, FLAT_FLOOR_KB),
        "gc_pauses": pauses_by_generation(pauses),
        "after_all_meetings_ended": {
            "rss_mb": round(final["rss_kb"] / 1024, 1),
            "full_collection_cpu_ms": final["full_collection_cpu_ms"],
            "garbage_found": final["garbage_count"],
            "garbage_types": dict(list(final["garbage_types"].items())[:10]),
            "garbage_shape": final.get("garbage_shape", {}),
            "frozen_walk_cpu_ms": final["frozen_full_collection_cpu_ms"],
            "frozen_garbage_found": final["frozen_garbage_count"],
            "frozen_garbage_types": dict(list(final["frozen_garbage_types"].items())[:10]),
            "rss_after_collection_mb": round(final["rss_after_collection_kb"] / 1024, 1),
            "objects_left_by_type": dict(list(final["types"].items())[:60]),
        },
        "rss_samples": [(round(t), r) for t, r in samples],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--meetings", type=int, default=20, help="meetings running at once")
    parser.add_argument("--lifetime", type=float, default=120.0, help="seconds a meeting runs")
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between RSS samples")
    parser.add_argument(
        "--settle", type=float, default=15.0, help="seconds after the load before the last look"
    )
    parser.add_argument("serve_args", nargs="*", help="extra `tijdlijn serve` flags (after --)")
    parser.add_argument("--out", default=str(BENCH / "results" / "soak.json"))
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    shown = {k: v for k, v in result.items() if k != "rss_samples"}
    print(json.dumps(shown, indent=1))
    verdict = "flat" if result["flat"] else "NOT flat"
    print(
        f"memory {verdict}: {result['slope_kb_per_min']} KB/min after "
        f"{result['warmup_seconds']} s warm-up (steady mean {result['rss_mb']['steady_mean']} MB)"
    )
    return result


if __name__ == "__main__":
    if (os.cpu_count() or 1) >= 2:
        os.sched_setaffinity(0, {1})  # the clients on core 1; the server is pinned to core 0
    outcome = main()
    clean = not (outcome["errors"] or outcome["missing"] or outcome["dropped"])
    raise SystemExit(0 if outcome["flat"] and clean else 1)
