"""make faults: the kill -9 and Redis-pause cases of tests/test_faults.py, many times over.

Each run starts its own redis-server and two `tijdlijn serve` processes on it, opens the 14
devices of tests/support/faults.py (1 facilitator, 12 participants, 1 wall) with writes
flowing, applies the fault, stops the writes and takes the verdict: acknowledged writes, those
missing from the meeting (or in it twice), and devices whose state differs from a fresh
snapshot. Prints one line per run and the totals; exits 1 when anything was missing or
divergent. Bounded: a run that hangs fails after --run-seconds.

    .venv/bin/python bench/faults.py --runs 20
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.faults import Fleet, RedisServer, Verdict, kill_one, pause_redis
from tests.support.server import ServerProcess

PAUSE_SECONDS = 12.0


@dataclass
class Totals:
    runs: int = 0
    failed_runs: int = 0
    acknowledged: int = 0
    unacknowledged: int = 0
    missing: int = 0
    duplicated: int = 0
    divergent: int = 0

    def add(self, verdict: Verdict | None) -> None:
        self.runs += 1
        if verdict is None:
            self.failed_runs += 1
            return
        self.acknowledged += verdict.acknowledged
        self.unacknowledged += verdict.unacknowledged
        self.missing += len(verdict.missing)
        self.duplicated += len(verdict.duplicated)
        self.divergent += len(verdict.divergent)

    @property
    def clean(self) -> bool:
        return not (
            self.failed_runs
            or self.unacknowledged
            or self.missing
            or self.duplicated
            or self.divergent
        )


Case = Callable[[Fleet, list[ServerProcess], RedisServer, bool], Awaitable[None]]


async def kill_case(
    fleet: Fleet, servers: list[ServerProcess], redis: RedisServer, tail: bool
) -> None:
    await fleet.more_writes(20)
    victim = random.randrange(2)
    await kill_one(fleet, servers[victim].process, victim, tail)


async def pause_case(
    fleet: Fleet, servers: list[ServerProcess], redis: RedisServer, tail: bool
) -> None:
    await fleet.more_writes(20)
    await pause_redis(fleet, redis, PAUSE_SECONDS, tail)


async def run_once(case: Case, workdir: Path, tail: bool) -> tuple[Verdict, Fleet]:
    redis = RedisServer(workdir)
    env = {"TIJDLIJN_CAPSULE_KEYS": Fernet.generate_key().decode()}
    servers: list[ServerProcess] = []
    fleet: Fleet | None = None
    try:
        for _ in range(2):
            servers.append(
                await asyncio.to_thread(ServerProcess, "--redis-url", redis.url, env=env)
            )
        fleet = await Fleet.open([s.url for s in servers])
        fleet.start_writing()
        await case(fleet, servers, redis, tail)
        await fleet.stop_writing()
        return await fleet.verdict(), fleet
    finally:
        if fleet is not None:
            await fleet.close()
        for server in servers:
            await asyncio.to_thread(server.cleanup)
        redis.stop()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cases", default="kill,pause", help="comma-separated: kill,pause")
    parser.add_argument("--run-seconds", type=float, default=180.0)
    args = parser.parse_args()
    cases: dict[str, Case] = {"kill": kill_case, "pause": pause_case}
    chosen = [c.strip() for c in args.cases.split(",") if c.strip()]
    totals = {name: Totals() for name in chosen}
    started = time.monotonic()
    for name in chosen:
        for run in range(1, args.runs + 1):
            t0 = time.monotonic()
            # Every other run the writes under way at the fault are the last ones (see
            # tests/support/faults.py), so nothing written later can mend what was missed.
            tail = run % 2 == 0
            verdict: Verdict | None = None
            note = ""
            try:
                with tempfile.TemporaryDirectory(prefix="tijdlijn-faults-") as workdir:
                    verdict, fleet = await asyncio.wait_for(
                        run_once(cases[name], Path(workdir), tail), args.run_seconds
                    )
                note = f"reconnects {fleet.reconnects}"
            except Exception as exc:  # a run that fails counts, and the next one starts
                note = f"FAILED: {type(exc).__name__}: {exc}"[:300]
            totals[name].add(verdict)
            mode = "tail" if tail else "flow"
            line = f"{name:5} {mode} run {run:2}/{args.runs} {time.monotonic() - t0:5.1f}s "
            if verdict is not None:
                line += (
                    f"acknowledged {verdict.acknowledged:4} missing {len(verdict.missing)} "
                    f"duplicated {len(verdict.duplicated)} divergent {len(verdict.divergent)} "
                    f"unacknowledged {verdict.unacknowledged} "
                )
                if verdict.divergent or verdict.missing:
                    note += f" {verdict.divergent[:3]} {verdict.missing[:3]}"
            print(line + note, flush=True)
    print(f"\nmake faults: {args.runs} runs per case, {time.monotonic() - started:.0f}s in all")
    print(
        f"{'case':6}{'runs':>6}{'failed':>8}{'acknowledged':>14}{'missing':>9}"
        f"{'duplicated':>12}{'divergent devices':>19}{'unacknowledged':>16}"
    )
    for name, t in totals.items():
        print(
            f"{name:6}{t.runs:>6}{t.failed_runs:>8}{t.acknowledged:>14}{t.missing:>9}"
            f"{t.duplicated:>12}{t.divergent:>19}{t.unacknowledged:>16}"
        )
    return 0 if all(t.clean for t in totals.values()) else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
