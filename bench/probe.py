"""`tijdlijn serve` with a probe: where memory per connection goes and how long the GC pauses.

    python bench/probe.py OUT.json serve --port 8000 [tijdlijn serve flags]

Runs the real CLI in this process. Every garbage collection is timed (``gc.callbacks``); on
SIGUSR1 the probe writes OUT.json: the pauses since the last dump, RSS, the live objects the
collector tracks counted by type, and (with ``PYTHONTRACEMALLOC=1`` in the environment) the
allocated bytes by file; on SIGUSR2 only the pauses and RSS (cheap: the soak samples with it).
bench_memory.py drives it; the differences between two dumps, divided by the connections opened
in between, are the per-connection figures.
"""

from __future__ import annotations

import asyncio
import gc
import json
import signal
import sys
import time
import tracemalloc
import types
from collections import Counter
from pathlib import Path
from typing import Any

from tijdlijn import cli, collector

cell_type = type((lambda x: lambda: x)(0).__closure__[0])  # type: ignore[index]
# generation, wall seconds, CPU seconds, objects collected, when (monotonic seconds)
pauses: list[tuple[int, float, float, int, float]] = []
_started = [0.0, 0.0]
# Every pause also as a line of OUT.pauses.jsonl as it happens: a server killed at the end of
# a benchmark step leaves them too (bench/pauses.py reads them).
_log: list[Any] = []


def _timed(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
        _started[1] = time.thread_time()
    elif len(pauses) < 1_000_000:
        entry = (
            info["generation"],
            time.perf_counter() - _started[0],
            # CPU time too: on a shared machine a pause's wall time includes being
            # descheduled, which is the machine, not the collector.
            time.thread_time() - _started[1],
            info["collected"],
            time.monotonic(),
        )
        pauses.append(entry)
        if _log:
            _log[0].write(json.dumps(entry) + "\n")


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _task_name(task: asyncio.Task[Any]) -> str:
    coro = task.get_coro()
    return str(getattr(coro, "__qualname__", type(coro).__qualname__))


def _name(o: object) -> str:
    name = type(o).__qualname__
    if isinstance(o, types.FunctionType | types.MethodType | types.CodeType):
        name += f" {getattr(o, '__qualname__', getattr(o, 'co_qualname', ''))}"
    elif isinstance(o, types.CoroutineType | types.GeneratorType):
        name += f" {o.__qualname__}"
    return name


def shape(garbage: list[Any], examples: int = 12) -> dict[str, Any]:
    """What holds the cyclic garbage together: for one example of each of the commonest named
    types, the garbage objects it refers to and that refer to it (the cycle's members)."""
    ids = {id(o) for o in garbage}
    kinds = Counter(_name(o) for o in garbage)
    out: dict[str, Any] = {}
    seen: set[str] = set()
    for o in garbage:
        name = _name(o)
        if name in seen or len(seen) >= examples or kinds[name] < 3:
            continue
        if type(o) in (tuple, list, dict, cell_type):
            continue
        seen.add(name)
        out[f"{name} x{kinds[name]}"] = {
            "refers_to": sorted(_name(r) for r in gc.get_referents(o) if id(r) in ids),
            "referred_by": sorted(_name(r) for r in gc.get_referrers(o) if id(r) in ids)[:20],
        }
    return out


def _collect(prefix: str, shape_too: bool = False) -> dict[str, Any]:
    """One full collection, timed, its garbage kept aside only to be counted, then freed."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    began = time.thread_time()
    gc.collect()
    cpu_ms = round((time.thread_time() - began) * 1000, 1)
    gc.set_debug(0)
    garbage = Counter(type(o).__qualname__ for o in gc.garbage)
    out: dict[str, Any] = {
        f"{prefix}full_collection_cpu_ms": cpu_ms,
        f"{prefix}garbage_count": sum(garbage.values()),
        f"{prefix}garbage_types": dict(garbage.most_common(25)),
    }
    if shape_too:
        out["garbage_shape"] = shape(gc.garbage)
    gc.garbage.clear()
    gc.collect()  # what was kept aside is still in cycles: now it is freed
    return out


def dump(path: Path, light: bool = False) -> None:
    """The report; ``light`` (SIGUSR2, for the soak's samples) leaves out the walk over every
    object, which would itself pause the server."""
    report: dict[str, Any] = {
        "rss_kb": rss_kb(),
        "gc_counts": gc.get_count(),
        "gc_threshold": gc.get_threshold(),
        "frozen": gc.get_freeze_count(),
        "pauses": list(pauses),
    }
    pauses.clear()
    if not light:
        # What a full collection costs now as the policy runs it (only what is not frozen; CPU
        # time, kept out of the pauses) and what it finds; then everything thawed and walked
        # once: cyclic garbage among the frozen objects would be a leak (collector.py).
        # (An older collector.py, for an A/B with PYTHONPATH, has no state: a plain object.)
        state: Any = getattr(collector, "_State", type("Old", (), {"applied": True}))
        state.checking = True  # nothing frozen meanwhile
        try:
            report.update(_collect("", shape_too=True))
            gc.unfreeze()
            report.update(_collect("frozen_"))
            report["rss_after_collection_kb"] = rss_kb()
            counts = Counter(type(o).__qualname__ for o in gc.get_objects())
        finally:
            state.checking = False
            if state.applied:
                gc.freeze()
        pauses.clear()
        report["gc_objects"] = sum(counts.values())
        report["types"] = dict(counts.most_common(300))
        report["tasks"] = dict(Counter(_task_name(t) for t in asyncio.all_tasks()))
    if tracemalloc.is_tracing():
        stats = tracemalloc.take_snapshot().statistics("filename")
        report["by_file"] = {str(s.traceback[0].filename): s.size for s in stats[:400]}
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(report))
    partial.replace(path)  # whole or not at all: the driver polls for the file


def main() -> int:
    out = Path(sys.argv[1])
    _log.append(out.with_suffix(".pauses.jsonl").open("a", buffering=1))
    gc.callbacks.append(_timed)
    signal.signal(signal.SIGUSR1, lambda *_: dump(out))
    signal.signal(signal.SIGUSR2, lambda *_: dump(out, light=True))
    return cli.main(sys.argv[2:])


if __name__ == "__main__":
    raise SystemExit(main())
