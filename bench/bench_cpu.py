"""CPU per delivered message of two versions of Tijdlijn and Node's socket.io, interleaved.

bench_fanout.py's steps (same scenario, pinning and measurement), but every step of the ladder
runs for every target whatever the one before gave: a step that fails its p99 on a shared
machine still measures CPU time, which is what this compares. A version is a directory holding
a checkout's ``server/`` (``git archive <commit> | tar -x -C <dir>``), served with it first on
``PYTHONPATH``; ``node`` is the reference. Per step it prints each target's µs per delivered
message and each version's ratio to Node; --out gets every figure of every step.

    git archive 98d7a88 | tar -x -C /tmp/before && git archive HEAD | tar -x -C /tmp/after
    .venv/bin/python bench/bench_cpu.py before=/tmp/before after=/tmp/after --ladder 100,500
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_fanout import run_step


def step(name: str, code: str | None, meetings: int, seconds: float) -> dict[str, Any]:
    if code is None:
        os.environ.pop("PYTHONPATH", None)
        return run_step("node-socketio", meetings, seconds)
    os.environ["PYTHONPATH"] = str(Path(code) / "server")
    try:
        return run_step("tijdlijn", meetings, seconds)
    finally:
        os.environ.pop("PYTHONPATH", None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("versions", nargs="+", help="name=directory of a checkout")
    parser.add_argument("--ladder", default="100,300,500,1000")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rounds", type=int, default=1, help="the whole ladder again")
    parser.add_argument("--out", default="/tmp/bench_cpu.json")
    args = parser.parse_args()
    targets: list[tuple[str, str | None]] = [
        (name, code) for name, _, code in (v.partition("=") for v in args.versions)
    ]
    targets.append(("node", None))
    results: list[dict[str, Any]] = []
    for _ in range(args.rounds):
        for meetings in (int(n) for n in args.ladder.split(",")):
            cpu: dict[str, float] = {}
            for name, code in targets:
                result = step(name, code, meetings, args.seconds)
                results.append({**result, "version": name})
                if "cpu_us_per_delivered" in result:
                    cpu[name] = result["cpu_us_per_delivered"]
                p99 = (result.get("fanout_ms") or {}).get("p99")
                print(
                    f"{meetings:5} {name:10} {cpu.get(name, 'failed')} µs/msg, p99 {p99} ms, "
                    f"missing {result.get('missing')}, load {result.get('loadavg_1m')}",
                    flush=True,
                )
            if cpu.get("node"):
                ratios = ", ".join(
                    f"{n} {v / cpu['node']:.2f}" for n, v in cpu.items() if n != "node"
                )
                print(f"      ratio to Node: {ratios}", flush=True)
            Path(args.out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
