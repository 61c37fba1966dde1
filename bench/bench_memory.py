"""Where a connection's memory and the garbage collector's pauses go, in `tijdlijn serve`.

The scenario of bench_fanout.py (loadgen.mjs, meetings of 14 devices writing once a second)
against `tijdlijn serve` run under bench/probe.py. Dumps before connecting, after connecting
and after the load give, per connection: RSS, the objects the cyclic collector tracks (by
type) and, with --tracemalloc, bytes by source file; and for the measured seconds: every
collection's pause by generation, and server CPU per delivered message. Bounded, loopback.

    .venv/bin/python bench/bench_memory.py --meetings 100 --seconds 20
    .venv/bin/python bench/bench_memory.py --meetings 50 --tracemalloc
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from tests.support.redis import free_port
from tests.support.server import RELAXED_LIMITS

from bench_fanout import BENCH, LoadGen, cpu_seconds, spawn


def probe(pid: int, out: Path, light: bool = False) -> dict[str, Any]:
    """The probe's report (bench/probe.py); ``light``: RSS and pauses only."""
    out.unlink(missing_ok=True)
    os.kill(pid, signal.SIGUSR2 if light else signal.SIGUSR1)
    deadline = time.monotonic() + 60
    while not out.exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the probe did not answer")
        time.sleep(0.05)  # polling another process's file
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def pick(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(len(values) * q))]


def pause_summary(pauses: list[list[float]]) -> str:
    lines = []
    for generation in (0, 1, 2):
        ms = sorted(d * 1000 for g, d, *_ in pauses if g == generation)
        cpu = sorted(c * 1000 for g, _, c, *_ in pauses if g == generation)
        freed = sum(n for g, _, _, n, *_ in pauses if g == generation)
        if not ms:
            lines.append(f"  gen {generation}: none")
            continue
        lines.append(
            f"  gen {generation}: {len(ms)} collections, p50 {pick(ms, 0.5):.1f} ms, "
            f"p99 {pick(ms, 0.99):.1f} ms, max {ms[-1]:.1f} ms, total {sum(ms):.0f} ms; CPU time "
            f"p50 {cpu[len(cpu) // 2]:.1f} ms, max {cpu[-1]:.1f} ms; {freed} objects freed"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--tracemalloc", action="store_true", help="bytes by file (slower)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--py-spy", help="record the load phase with py-spy into this file")
    parser.add_argument("serve_args", nargs="*", help="extra `tijdlijn serve` flags (after --)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    out = workdir / "probe.json"
    port = free_port()
    env = {"TIJDLIJN_JOIN_FAILURES_PER_MINUTE": "1000000", **RELAXED_LIMITS}
    if args.tracemalloc:
        env["PYTHONTRACEMALLOC"] = "1"
    command = [sys.executable, str(BENCH / "probe.py"), str(out), "serve", "--port", str(port)]
    server = spawn([*command, *args.serve_args], port, workdir, env)
    gen = None
    try:
        gen = LoadGen("tijdlijn", [f"http://127.0.0.1:{port}"], args.meetings, args.seconds)
        gen.expect("created", 600)
        before = probe(server.pid, out)
        gen.proceed()
        gen.expect("connected", 600)
        connected = probe(server.pid, out)
        cpu0 = cpu_seconds(server.pid)
        spy = None
        if args.py_spy:
            spy = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "py-spy"),
                    "record",
                    "-p",
                    str(server.pid),
                    "-o",
                    args.py_spy,
                    "-f",
                    "raw",
                    "-d",
                    str(int(args.seconds)),
                    "-r",
                    "200",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        gen.proceed()
        result = json.loads(gen.expect("result", args.seconds + 120))
        if spy is not None:
            spy.wait(timeout=60)
        cpu = cpu_seconds(server.pid) - cpu0
        after = probe(server.pid, out)
    finally:
        if gen is not None:
            gen.stop()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    conns = result["connections"]
    print(f"{args.meetings} meetings, {conns} connections, {args.seconds:.0f} s of load")
    rss = (connected["rss_kb"] - before["rss_kb"]) / conns
    objects = (connected["gc_objects"] - before["gc_objects"]) / conns
    print(f"RSS per connection        {rss:.1f} KB")
    print(f"GC-tracked objects / conn {objects:.1f}  (heap after load: {after['gc_objects']:,})")
    print(f"CPU per delivered message {cpu / max(1, result['delivered']) * 1e6:.0f} µs")
    f = result["fanout_ms"]
    print(
        f"fan-out p50/p99/max       {f['p50']}/{f['p99']}/{f['max']} ms, missing "
        f"{result['missing']}"
    )
    growth = Counter(connected["types"])
    growth.subtract(Counter(before["types"]))
    print("objects per connection by type (connecting):")
    for name, n in growth.most_common(args.top):
        print(f"  {n / conns:7.2f}  {name}")
    tasks = Counter(connected["tasks"])
    tasks.subtract(Counter(before["tasks"]))
    print("tasks per connection (connected, idle):")
    for name, n in tasks.most_common(args.top):
        print(f"  {n / conns:7.2f}  {name}")
    if "by_file" in connected:
        files = Counter(connected["by_file"])
        files.subtract(Counter(before["by_file"]))
        print("bytes per connection by file (tracemalloc, connecting):")
        for name, n in files.most_common(args.top):
            print(f"  {n / conns:8.0f}  {name.split('site-packages/')[-1]}")
    print("garbage collections during the load:")
    print(pause_summary(after["pauses"]))
    print(f"collector thresholds {after['gc_threshold']}, frozen {after['frozen']}")
    print(
        f"a full collection after the load: {after['full_collection_cpu_ms']} ms of CPU as the "
        f"policy runs it (frozen objects not walked), {after['frozen_full_collection_cpu_ms']} ms "
        f"walking everything; cyclic garbage found {after['garbage_count']}, among frozen "
        f"objects {after['frozen_garbage_count']}"
    )


if __name__ == "__main__":
    main()
