"""Appends per second and append latency (p50/p99) of both stores.

Run from the project root:

    .venv/bin/python bench/bench_store.py                      # starts its own redis-server
    .venv/bin/python bench/bench_store.py --url redis://127.0.0.1:6379/0 --appends 5000

Each store gets the same work: ``--appends`` appends to one meeting one after another (the
latency a single write sees), then the same number spread over ``--meetings`` meetings written
concurrently (throughput with many meetings live). Each append carries the whole state, as the
hub's writes do, so ``--interpretations`` sets how big a meeting is. Without ``--url`` a
throwaway redis-server (no persistence) is started on a free loopback port and stopped after;
with ``--url`` the keys go under a unique prefix and are deleted after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tijdlijn.answers import written
from tijdlijn.domain.evolve import Event
from tijdlijn.domain.meeting import Meeting, new_meeting
from tijdlijn.store.base import Appended, Store
from tijdlijn.store.memory import MemoryStore
from tijdlijn.store.redis import RedisStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.redis import start_redis, stop_redis

TTL = 3600


@contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway redis-server, started as the tests start theirs."""
    with tempfile.TemporaryDirectory() as workdir:
        process, url = start_redis(Path(workdir))
        try:
            yield url
        finally:
            stop_redis(process)


def sample_meeting(interpretations: int) -> Meeting:
    state = new_meeting(uuid.uuid4().hex[:16], "Casus", "JV", now=time.time())
    for number in range(interpretations):
        state["interpretations"][f"i{number}"] = {
            "id": f"i{number}",
            "moment_id": "m1",
            "party_id": "a",
            "text": "Wij dachten dat de school het gezin al had doorverwezen. " * 3,
            "created_at": 0.0,
            "updated_at": 0.0,
            "author": "p1",
            "pii": False,
        }
    return state


async def writer(store: Store, state: Meeting, count: int, latencies: list[float]) -> None:
    meeting_id = state["id"]
    for seq in range(1, count + 1):
        state["title"] = f"Casus {seq}"
        changes = [{"op": "set", "fields": {"title": state["title"]}}]
        event: Event = json.loads(
            json.dumps({"seq": seq, "type": "meeting.updated", "at": 0.0, "changes": changes})
        )
        event["public"] = event["changes"]
        started = time.perf_counter()
        outcome = await store.append(meeting_id, event, f"op-{seq}", written(1, {}), TTL)
        latencies.append(time.perf_counter() - started)
        assert isinstance(outcome, Appended), outcome


async def run(store: Store, appends: int, meetings: int, size: int) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for label, spread in (
        ("1 meeting, one by one", 1),
        (f"{meetings} meetings, at once", meetings),
    ):
        states = [sample_meeting(size) for _ in range(spread)]
        for number, state in enumerate(states):
            assert await store.create(state, f"C{number}{uuid.uuid4().hex[:8]}", {}, {}, TTL)
        latencies: list[float] = []
        started = time.perf_counter()
        await asyncio.gather(*(writer(store, s, appends // spread, latencies) for s in states))
        elapsed = time.perf_counter() - started
        for state in states:
            await store.delete(state["id"])
        cuts = statistics.quantiles(latencies, n=100)
        rows.append(
            (
                store.kind,
                label,
                f"{len(latencies) / elapsed:,.0f}",
                f"{cuts[49] * 1000:.2f}",
                f"{cuts[98] * 1000:.2f}",
            )
        )
    return rows


async def bench(url: str, args: argparse.Namespace) -> None:
    size_kb = len(json.dumps(sample_meeting(args.interpretations))) / 1024
    print(f"{args.appends} appends per run, state {size_kb:.0f} KB\n")
    memory = MemoryStore(log_max=args.appends)
    redis_store = RedisStore(url, prefix=f"bench{uuid.uuid4().hex[:8]}:", log_max=args.appends)
    rows: list[tuple[str, ...]] = [("store", "run", "appends/s", "p50 ms", "p99 ms")]
    for store in (memory, redis_store):
        await store.open()
        try:
            rows += await run(store, args.appends, args.meetings, args.interpretations)
        finally:
            await store.close()
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", help="a Redis URL; default: start a throwaway redis-server")
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--meetings", type=int, default=20)
    parser.add_argument("--interpretations", type=int, default=100)
    args = parser.parse_args()
    if args.url:
        asyncio.run(bench(args.url, args))
    else:
        with redis_server() as url:
            asyncio.run(bench(url, args))


if __name__ == "__main__":
    main()
