"""The side-by-side benchmark: Tijdlijn against reference servers, in one interleaved run.

Every server runs pinned to core 0, the Node load generator (loadgen.mjs, socket.io-client) to
core 1. Meetings of 14 devices (facilitator, wall, 12 phones) write once a second, alternating a
reveal and an interpretation; the meeting count steps up through --ladder and, per step, every
target still passing runs once (interleaved, so drift on a shared machine hits all alike). A
target stops stepping at its first failure: fan-out p99 above 100 ms, or anything missing (a
receipt, an ack, an error answer, a disconnect). A failing step runs again (--retries, twice)
and the best run counts: the machine may be shared; a failure while the load generator's own
event loop was late (p99 > 50 ms) is marked "load generator stalled". Bounded: --budget
seconds, then it stops stepping and says so. Everything on 127.0.0.1. How to read the output:
bench/README.md.

    .venv/bin/python bench/bench_fanout.py                        # the full run (make bench)
    .venv/bin/python bench/bench_fanout.py --ladder 2 --seconds 2 # a smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.redis import free_port, start_redis, stop_redis
from tests.support.server import RELAXED_LIMITS

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

LADDER = (25, 50, 100, 200, 300, 500, 700, 1000, 1400)
P99_LIMIT_MS = 100.0
# The load generator retries a busy answer at most 12 times, pauses capped at 5 s.
RETRY_ALLOWANCE = 180.0
LOADGEN_STALL_MS = 50.0
# The generator's own collector: with V8's default young generation, ~9 MB/s of its objects
# lived just long enough to be promoted, so the old generation was marked every 7-10 s at 1,400
# meetings; on its one pinned core that stopped the generator for 300-500 ms (V8's marking
# threads took ~80 % of the core), and its held-back writes reached the server as one burst.
# With 128 MB semi-spaces nothing is promoted that would not live for the whole phase (no old
# generation collection in a 20 s phase): bench/README.md, "The load generator's own collector".
LOADGEN_NODE_FLAGS = tuple(
    os.environ.get(
        "LOADGEN_NODE_FLAGS", "--min-semi-space-size=128 --max-semi-space-size=128"
    ).split()
)
TIJDLIJN = "tijdlijn"
TARGETS = (
    "tijdlijn",
    "tijdlijn-old-defaults",
    "tijdlijn-redis-2",
    "node-socketio",
    "python-socketio",
    "raw-asgi",
)
# The defaults before this benchmark (legacy websockets, deflate on, a log line per write),
# kept as a target so the before/after of the cli defaults comes from the same run.
OLD_DEFAULTS = ("--ws", "websockets", "--ws-deflate", "--log-level", "debug")
# Not in the default run: isolates the WebSocket implementation (--targets tijdlijn-legacy-ws).
LEGACY_WS = ("--ws", "websockets")
LABELS = {
    "tijdlijn": "Tijdlijn, `tijdlijn serve` as shipped",
    "tijdlijn-old-defaults": "Tijdlijn, previous defaults (deflate, legacy websockets, logs)",
    "tijdlijn-legacy-ws": "Tijdlijn, shipped but with uvicorn's legacy websockets",
    "tijdlijn-redis-2": "Tijdlijn, two processes on Redis sharing the core",
    "node-socketio": "Node.js socket.io 4.8.1 (reference)",
    "python-socketio": "bare python-socketio room broadcast",
    "raw-asgi": "raw ASGI WebSocket broadcast on uvicorn",
}


def raise_open_files(meetings: int) -> int:
    """Let this process and its children (servers, load generator) hold every connection of the
    largest step: 14 sockets a meeting on each side, plus files and listeners. A shell's usual
    limit (often 1,024 to 20,000) would otherwise end the overload step at twice 1,000 meetings
    in connect errors of the machine, not of the server. Root may raise the hard limit too;
    otherwise as far as it goes. Returns the soft limit now in force."""
    wanted = meetings * 14 + 2_000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= wanted:
        return soft
    for limits in ((wanted, max(hard, wanted)), (min(wanted, hard), hard)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, limits)
            break
        except (ValueError, OSError):
            continue
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def pinned(core: int) -> list[str]:
    """taskset prefix; on a one-core machine nothing to pin to."""
    return ["taskset", "-c", str(core)] if (os.cpu_count() or 1) >= 2 else []


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)  # polling a starting process
    raise RuntimeError(f"server did not listen on {port}:\n{log.read_text(errors='replace')}")


@dataclass
class Running:
    """The server side of one target: the processes whose CPU and memory count, and the URLs."""

    urls: list[str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    # Tijdlijn's Prometheus endpoints, read once after a step (busy answers by reason).
    metrics: list[str] = field(default_factory=list)
    extra_pids: list[int] = field(default_factory=list)
    cleanup: list[Callable[[], None]] = field(default_factory=list)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes] + self.extra_pids

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for step in self.cleanup:
            step()


def spawn(command: list[str], port: int, workdir: Path, env: dict[str, str] | None = None) -> Any:
    log = workdir / f"server-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*pinned(0), *command],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            # The store comes from the command line only, never from the caller's environment.
            env={
                **{k: v for k, v in os.environ.items() if k != "TIJDLIJN_REDIS_URL"},
                "PYTHONUNBUFFERED": "1",
                **(env or {}),
            },
        )
    wait_listening(port, process, log)
    return process


def tijdlijn_command(port: int, metrics_port: int, *extra: str) -> list[str]:
    # BENCH_PROBE=DIR: each server under bench/probe.py, every collector pause written to
    # DIR/probe-PORT.pauses.jsonl as it happens (bench/pauses.py summarises them).
    probed = os.environ.get("BENCH_PROBE")
    program = (
        [str(BENCH / "probe.py"), str(Path(probed) / f"probe-{port}.json")]
        if probed
        else ["-m", "tijdlijn.cli"]
    )
    return [
        sys.executable,
        *program,
        "serve",
        "--port",
        str(port),
        "--metrics-port",
        str(metrics_port),
        *extra,
    ]


def refusals_by_reason(running: Running) -> dict[str, float]:
    """Writes answered busy by admission control, summed over the target's processes."""
    found: dict[str, float] = {}
    for url in running.metrics:
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                text = answer.read().decode()
        except OSError:
            continue
        for reason, value in re.findall(
            r'^tijdlijn_overload_refusals_total\{reason="(\w+)"\} (\S+)$', text, re.M
        ):
            found[reason] = found.get(reason, 0.0) + float(value)
    return found


def metrics_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/metrics"


def start(target: str, workdir: Path) -> Running:
    # The per-address limits would stop one load generator on 127.0.0.1 early.
    env = {"TIJDLIJN_JOIN_FAILURES_PER_MINUTE": "1000000", **RELAXED_LIMITS}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    if target in ("tijdlijn", "tijdlijn-old-defaults", "tijdlijn-legacy-ws"):
        variants = {"tijdlijn-old-defaults": OLD_DEFAULTS, "tijdlijn-legacy-ws": LEGACY_WS}
        extra = variants.get(target, ())
        metrics = free_port()
        command = tijdlijn_command(port, metrics, *extra)
        return Running([url], [spawn(command, port, workdir, env)], metrics=[metrics_url(metrics)])
    if target == "tijdlijn-redis-2":
        redis_process, redis_url = start_redis(workdir)
        subprocess.run(["taskset", "-cp", "0", str(redis_process.pid)], capture_output=True)
        second = free_port()
        running = Running([url, f"http://127.0.0.1:{second}"], extra_pids=[redis_process.pid])
        running.cleanup.append(lambda: stop_redis(redis_process))
        try:
            for p in (port, second):
                metrics = free_port()
                command = tijdlijn_command(p, metrics, "--redis-url", redis_url)
                running.processes.append(spawn(command, p, workdir, env))
                running.metrics.append(metrics_url(metrics))
        except Exception:
            running.stop()
            raise
        return running
    if target == "node-socketio":
        command = ["node", str(BENCH / "peers" / "node_socketio.mjs"), str(port)]
        return Running([url], [spawn(command, port, workdir)])
    module = {"python-socketio": "bare_socketio", "raw-asgi": "raw_asgi"}[target]
    command = [sys.executable, str(BENCH / "peers" / "serve.py"), module, str(port)]
    return Running([url], [spawn(command, port, workdir)])


class LoadGen:
    """loadgen.mjs on core 1, stepped through its stages over stdin/stdout."""

    def __init__(
        self,
        kind: str,
        urls: list[str],
        meetings: int,
        seconds: float,
        recover: int = 0,
        rate: int = 1,
    ) -> None:
        config = {
            "kind": kind,
            "urls": urls,
            "meetings": meetings,
            "seconds": seconds,
            "recover": recover,
            "rate": rate,
        }
        self.process = subprocess.Popen(
            [
                *pinned(1),
                "node",
                *LOADGEN_NODE_FLAGS,
                str(BENCH / "loadgen.mjs"),
                json.dumps(config),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=BENCH,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put("@eof")

    def expect(self, stage: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"load generator: no @{stage} within {timeout:.0f} s")
            line = self.lines.get(timeout=remaining)
            if line.startswith(f"@{stage}"):
                return line[len(stage) + 1 :].strip()
            if line.startswith(("@failed", "@eof")):
                raise RuntimeError(f"load generator failed: {line}")

    def proceed(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def run_step(
    target: str, meetings: int, seconds: float, recover: int = 0, rate: int = 1
) -> dict[str, Any]:
    """One step; with ``recover`` (the overload step) the load then drops to that many meetings
    for as long again, measured as ``recovery``; ``rate``: writes per meeting per second."""
    kind = "tijdlijn" if target.startswith("tijdlijn") else target
    kind = {"node-socketio": "socketio", "python-socketio": "socketio", "raw-asgi": "raw"}.get(
        kind, kind
    )
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{target}-"))
    running = start(target, workdir)
    gen: LoadGen | None = None
    try:
        gen = LoadGen(kind, running.urls, meetings, seconds, recover, rate)
        gen.expect("created", 600)
        rss_before = sum(rss_kb(p) for p in running.pids)
        gen.proceed()
        gen.expect("connected", 600)
        rss_connected = sum(rss_kb(p) for p in running.pids)
        cpu0 = sum(cpu_seconds(p) for p in running.pids)
        began, busy_seconds = time.monotonic(), seconds
        gen.proceed()
        # Retried writes (busy) may take up to a minute more before every one is answered.
        if recover:
            gen.expect("measured", seconds + RETRY_ALLOWANCE)
            cpu = sum(cpu_seconds(p) for p in running.pids) - cpu0
            # Retries stretch the overload phase past --seconds: its CPU over its real length.
            busy_seconds = time.monotonic() - began
        result: dict[str, Any] = json.loads(gen.expect("result", 2 * seconds + RETRY_ALLOWANCE))
        if not recover:
            cpu = sum(cpu_seconds(p) for p in running.pids) - cpu0
        result["server_rss_after_mb"] = round(sum(rss_kb(p) for p in running.pids) / 1024, 1)
        result["busy_by_reason"] = refusals_by_reason(running)
    except (RuntimeError, queue.Empty) as exc:
        return {"target": target, "meetings": meetings, "failed": str(exc)[-2000:], "passed": False}
    finally:
        if gen is not None:
            gen.stop()
        running.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    delivered = max(1, result["delivered"])
    result.update(
        target=target,
        # Other work on the machine shows here: a shared machine makes p99 noisy.
        loadavg_1m=round(os.getloadavg()[0], 2),
        server_cpu_percent=round(cpu / busy_seconds * 100, 1),
        cpu_us_per_delivered=round(cpu / delivered * 1e6, 1),
        rss_kb_per_connection=round((rss_connected - rss_before) / result["connections"], 1),
    )
    clean = not (
        result["missing"]
        or result["unanswered"]
        or result["error_acks"]
        or result["disconnects"]
        or result["connect_errors"]
    )
    p99 = result["fanout_ms"]["p99"]
    result["passed"] = clean and p99 is not None and p99 <= P99_LIMIT_MS
    # A load generator that could not keep up (its own event loop late) measures the machine,
    # not the server: such a failure is inconclusive and is run again.
    result["loadgen_stalled"] = result["loadgen_loop_delay_ms"]["p99"] > LOADGEN_STALL_MS
    return result


def better(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """Whether ``first`` is the better of two failing runs (fewer missing, then lower p99)."""
    if "failed" in second:
        return True
    if "failed" in first:
        return False
    lost = [int(r["missing"] + r["unanswered"] + r["disconnects"]) for r in (first, second)]
    if lost[0] != lost[1]:
        return lost[0] < lost[1]
    return bool(first["fanout_ms"]["p99"] <= second["fanout_ms"]["p99"])


def verdict(result: dict[str, Any]) -> str:
    if result["passed"]:
        return "yes"
    return "no (load generator stalled)" if result.get("loadgen_stalled") else "no"


def fmt(value: Any, digits: int = 0) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def best(results: list[dict[str, Any]], target: str) -> dict[str, Any] | None:
    passed = [r for r in results if r["target"] == target and r["passed"]]
    return max(passed, key=lambda r: r["meetings"]) if passed else None


def at(results: list[dict[str, Any]], target: str, meetings: int) -> dict[str, Any] | None:
    return next((r for r in results if r["target"] == target and r["meetings"] == meetings), None)


def ceiling(results: list[dict[str, Any]], target: str) -> float | None:
    """Meetings at which the server's core would be 100 % busy, extrapolated from the largest
    step it completed: an estimate that pauses and a busy machine do not blur (p99 does)."""
    ran = [r for r in results if r["target"] == target and "failed" not in r]
    if not ran:
        return None
    top = max(ran, key=lambda r: r["meetings"])
    busy = top["server_cpu_percent"]
    return float(top["meetings"] * 100 / busy) if busy else None


def ratio(value: float | None, reference: float | None) -> str:
    if value is None or not reference:
        return "-"
    return f"{value / reference:.2f}x"


def markdown(results: list[dict[str, Any]], targets: list[str]) -> str:
    lines = [
        "| server | max meetings (p99 ≤ 100 ms, nothing missing) | x Tijdlijn | fan-out p50 / p99 "
        "at max (ms) | CPU per delivered message (µs) | x Tijdlijn | RSS per connection (KB) "
        "| x Tijdlijn | CPU-bound ceiling (meetings) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    mine = best(results, TIJDLIJN)
    for target in targets:
        top = best(results, target)
        # Ratios compare like with like: the same meeting count, Tijdlijn's largest passing one.
        same = at(results, target, mine["meetings"]) if mine else None

        cpu, rss = (
            ((same or {}).get(key), (mine or {}).get(key))
            for key in ("cpu_us_per_delivered", "rss_kb_per_connection")
        )
        count = top["meetings"] if top else 0
        lines.append(
            f"| {LABELS[target]} | {count} | "
            f"{ratio(count, mine['meetings'] if mine else None)} | "
            f"{fmt(top['fanout_ms']['p50'], 1) if top else '-'} / "
            f"{fmt(top['fanout_ms']['p99'], 1) if top else '-'} | "
            f"{fmt(cpu[0])} | {ratio(*cpu)} | {fmt(rss[0])} | {ratio(*rss)} | "
            f"{fmt(ceiling(results, target))} |"
        )
    if mine:
        lines.append(
            f"\nCPU and RSS columns: at {mine['meetings']} meetings (Tijdlijn's largest passing "
            "step), so every ratio compares the same load. CPU-bound ceiling: the meeting count "
            "at which the server's core would be fully busy, extrapolated from its largest "
            "completed step (an upper bound: it ignores pauses)."
        )
    lines += [
        "",
        "| server | meetings | fan-out p50/p99/max (ms) | reveal p99 | interpretation ack "
        "p50/p99 | → wall p99 | server CPU | µs/msg | KB/conn | missing | unanswered | errors "
        "| disconnects | loadgen CPU | loadgen loop p99/max (ms) | passed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if "failed" in r:
            lines.append(
                f"| {r['target']} | {r['meetings']} | failed: "
                f"{r['failed'].splitlines()[0][:80]} |" + " |" * 13 + " no |"
            )
            continue
        f, rv = r["fanout_ms"], r["reveal_ms"]
        ack, wall, loop = r["interpretation_ack_ms"], r["interpretation_wall_ms"], None
        loop = r["loadgen_loop_delay_ms"]
        lines.append(
            f"| {r['target']} | {r['meetings']} | {fmt(f['p50'], 1)}/{fmt(f['p99'], 1)}/"
            f"{fmt(f['max'], 0)} | {fmt(rv['p99'], 1)} | {fmt(ack['p50'], 1)}/"
            f"{fmt(ack['p99'], 1)} | {fmt(wall['p99'], 1)} | {r['server_cpu_percent']}% | "
            f"{fmt(r['cpu_us_per_delivered'])} | {fmt(r['rss_kb_per_connection'])} | "
            f"{r['missing']} | {r['unanswered']} | {sum(r['error_acks'].values())} | "
            f"{r['disconnects'] + r['connect_errors']} | {r['loadgen_cpu_percent']}% | "
            f"{fmt(loop['p99'], 1)}/{fmt(loop['max'], 1)} | {verdict(r)} |"
        )
    return "\n".join(lines)


def judge_overload(r: dict[str, Any]) -> dict[str, bool]:
    """What "degrades, never collapses" asks of an overload step (issue 11)."""
    if "failed" in r:
        return {"ran": False}
    back = r["recovery"]
    return {
        "every write answered": r["answered"] == r["writes"] and r["unanswered"] == 0,
        "nothing acknowledged missing": r["missing"] == 0,
        "no disconnects": r["disconnects"] + r["connect_errors"] == 0,
        "recovered (p99 ≤ 100 ms back at the passing count)": (
            back["fanout_ms"]["p99"] is not None
            and back["fanout_ms"]["p99"] <= P99_LIMIT_MS
            and back["missing"] == 0
            and back["unanswered"] == 0
            and back["answered"] == back["writes"]
        ),
    }


def run_overload(
    target: str, meetings: int, recover: int, seconds: float, rate: int = 1
) -> dict[str, Any]:
    result = run_step(target, meetings, seconds, recover=recover, rate=rate)
    result["recover_to"] = recover
    result["checks"] = judge_overload(result)
    result["passed"] = all(result["checks"].values())
    return result


def reasons(r: dict[str, Any]) -> str:
    """The server's own count of busy answers by reason, over the whole step (with recovery)."""
    counted = {k: int(v) for k, v in r.get("busy_by_reason", {}).items() if v}
    return f" ({', '.join(f'{k} {v}' for k, v in counted.items())})" if counted else ""


def overload_load(r: dict[str, Any]) -> str:
    """The overload step's load: meetings, and the writes each sent a second when not one."""
    rate = r.get("rate", 1)
    return f"{r['meetings']}" if rate == 1 else f"{r['meetings']}, {rate} writes/s each"


def settled_after(r: dict[str, Any]) -> str:
    """From which second after the load dropped every second's fan-out p99 stayed ≤ 100 ms."""
    series = r["recovery"].get("fanout_p99_by_second_ms") or []
    for second in range(len(series)):
        if all(p is not None and p <= P99_LIMIT_MS for p in series[second:]):
            return f"{second} s"
    return "not within the step"


def overload_markdown(overloads: list[dict[str, Any]]) -> str:
    lines = [
        "| server | overload (meetings) | writes | answered | busy answers (server: by reason, "
        "with recovery) | refused after 12 "
        "tries | acknowledged | acknowledged but missing | fan-out p50/p99 from first emit (ms) "
        "| from the admitted emit p50/p99 (ms) | server CPU | back at (meetings): fan-out "
        "p50/p99 (ms) | every second's p99 ≤ 100 ms from | degrades, never collapses |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in overloads:
        if "failed" in r:
            lines.append(
                f"| {LABELS[r['target']]} | {r['meetings']} | failed: "
                f"{r['failed'].splitlines()[0][:80]} |" + " |" * 10 + " no |"
            )
            continue
        f, a, back = r["fanout_ms"], r["fanout_admitted_ms"], r["recovery"]
        failing = [name for name, ok in r["checks"].items() if not ok]
        lines.append(
            f"| {LABELS[r['target']]} | {overload_load(r)} | {r['writes']} | {r['answered']} | "
            f"{r['busy_answers']}{reasons(r)} | {r['gave_up']} | {r['acknowledged']} | "
            f"{r['missing']} | "
            f"{fmt(f['p50'], 1)}/{fmt(f['p99'], 1)} | {fmt(a['p50'], 1)}/{fmt(a['p99'], 1)} | "
            f"{r['server_cpu_percent']}% | {r['recover_to']}: {fmt(back['fanout_ms']['p50'], 1)}/"
            f"{fmt(back['fanout_ms']['p99'], 1)} | {settled_after(r)} | "
            f"{'yes' if r['passed'] else 'no: ' + ', '.join(failing)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--ladder", default=",".join(map(str, LADDER)))
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--targets", default=",".join(TARGETS))
    # Long enough for the ladder to reach 1,000 meetings on this kind of machine (the steps
    # below 500 with six targets take about nine minutes).
    parser.add_argument("--budget", type=float, default=1200.0, help="stop stepping after (s)")
    parser.add_argument(
        "--retries",
        type=int,
        default=2,
        help="run a failing step again up to this often; the best run counts (a shared machine)",
    )
    parser.add_argument(
        "--overload",
        default="2x",
        help="after the ladder, run each Tijdlijn target at this many meetings (2x: twice its "
        "largest passing count; M@R: M meetings writing R times a second; 0: not at all), then "
        "back at its passing count (recovery)",
    )
    parser.add_argument("--out", default=str(BENCH / "results" / "latest.json"))
    args = parser.parse_args(argv)
    ladder = [int(n) for n in args.ladder.split(",")]
    targets = [t for t in args.targets.split(",") if t]
    unknown = set(targets) - set(LABELS)
    if unknown:
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
    given = args.overload.split("@")
    if args.overload != "2x" and not all(part.isdigit() for part in given):
        parser.error("--overload: 2x, a number of meetings, M@R or 0")
    largest = 2 * max(ladder) if args.overload == "2x" else max([*ladder, int(given[0])])
    files = raise_open_files(largest)
    fits = (files - 2_000) // 14  # meetings whose connections fit under the open-file limit
    if max(ladder) > fits:
        print(
            f"open files limited to {files}: steps past {fits} meetings will fail to "
            "connect (raise `ulimit -n`)",
            file=sys.stderr,
        )
    # A stopped run still stops its servers and load generator (run_step's finally).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    began = time.monotonic()
    results: list[dict[str, Any]] = []
    live = list(targets)
    stopped_early = None
    for meetings in ladder:
        if not live:
            break
        if time.monotonic() - began > args.budget:
            stopped_early = f"budget of {args.budget:.0f} s spent before {meetings} meetings"
            break
        for target in list(live):
            result = run_step(target, meetings, args.seconds)
            for attempt in range(args.retries):
                if result["passed"]:
                    break
                again = run_step(target, meetings, args.seconds)
                again["attempt"] = attempt + 2
                result = again if again["passed"] or not better(result, again) else result
            results.append(result)
            summary = result.get("failed") or (
                f"p99 {result['fanout_ms']['p99']} ms, {result['cpu_us_per_delivered']} µs/msg, "
                f"missing {result['missing']}"
            )
            print(f"{target:24} {meetings:5} meetings: {summary}", file=sys.stderr, flush=True)
            if not result["passed"]:
                live.remove(target)
    overloads: list[dict[str, Any]] = []
    for target in targets if args.overload != "0" else []:
        rate = 1
        if not target.startswith(TIJDLIJN):
            continue  # the baselines have no admission control to show
        top = best(results, target)
        if args.overload == "2x":
            if top is None:
                continue  # no passing count to double
            meetings, back = 2 * top["meetings"], top["meetings"]
            if meetings > fits:
                # Twice the load as twice the writes of the passing count's meetings: the
                # same messages a second, without connections the machine cannot open.
                meetings, rate = back, 2
        else:
            meetings, rate = int(given[0]), int(given[1]) if len(given) > 1 else 1
            # Back at the passing count; if none passed here, at the ladder's first step.
            back = top["meetings"] if top else ladder[0]
        result = run_overload(target, meetings, back, args.seconds, rate)
        overloads.append(result)
        summary = result.get("failed") or (
            f"answered {result['answered']}/{result['writes']}, busy {result['busy_answers']}, "
            f"missing {result['missing']}, back at {back}: p99 "
            f"{result['recovery']['fanout_ms']['p99']} ms"
        )
        print(
            f"{target:24} {meetings:5} overload ({rate} writes/s each): {summary}",
            file=sys.stderr,
            flush=True,
        )
    table = markdown(results, targets)
    if overloads:
        table += "\n\nOverload (issue 11: degrades, never collapses):\n\n" + overload_markdown(
            overloads
        )
    print(table)
    if stopped_early:
        print(f"\nStopped early: {stopped_early}; still passing: {', '.join(live)}.")
    report = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds_per_step": args.seconds,
        "ladder": ladder,
        "targets": targets,
        "stopped_early": stopped_early,
        "still_passing": live,
        "elapsed_seconds": round(time.monotonic() - began, 1),
        "results": results,
        "overload": overloads,
        "table": table,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    return report


if __name__ == "__main__":
    main()
