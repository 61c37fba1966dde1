"""The server CPU of one write, in-process: the real service (parse, decide, append) on a real
store, with the broadcast left out (a broadcaster that drops what it is given).

Each meeting gets one revealed moment and 39 drafts (a meeting holds at most 40 moments); then
78 writes alternate, as in bench_fanout.py, a reveal by the facilitator (the next draft) and an
interpretation by one of 10 participants; meetings are made until ``--writes`` are counted.
CPU time (``time.process_time``) is taken over each round; the least disturbed of ``--rounds``
rounds counts (a busy neighbour only ever adds time). The Redis store's figure includes
redis-py's work on the round trip (not the redis-server's: that is another process). Run:

    .venv/bin/python bench/bench_write.py                  # memory and redis (its own server)
    .venv/bin/python bench/bench_write.py --stores memory --writes 4000 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import time
import uuid
from pathlib import Path

from cryptography.fernet import Fernet

from tijdlijn import access, meetings
from tijdlijn.capsule import Sealer
from tijdlijn.domain.evolve import WireEvent
from tijdlijn.domain.items import PALETTE
from tijdlijn.service import Meetings
from tijdlijn.settings import Settings
from tijdlijn.store.base import AccessRecord, Store
from tijdlijn.store.memory import MemoryStore
from tijdlijn.store.redis import RedisStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.redis import start_redis, stop_redis


class Dropped:
    """A broadcaster that delivers nothing: the broadcast is another benchmark's subject."""

    async def deliver(
        self, meeting_id: str, facilitators: WireEvent, public: WireEvent | None
    ) -> None:
        return None

    async def restored(self, meeting_id: str, seq: int) -> None:
        return None


DRAFTS = 39


async def one_meeting(service: Meetings, store: Store) -> float:
    """CPU seconds of the 2 * DRAFTS measured writes on a fresh meeting."""
    body = meetings.NewMeeting(
        title="Casus",
        initials="J.K.",
        parties=[meetings.PartyIn(name=f"Partij {i + 1}", colour=PALETTE[i]) for i in range(3)],
    )
    state = meetings.build(body, time.time())
    created = await service.create(state, "http://bench.test")
    fac = await service.session(created["facilitator_token"])
    mid = created["meeting_id"]
    party = sorted(state["parties"])[0]
    phones = []
    for _ in range(10):
        token = access.new_token(mid)
        record: AccessRecord = {
            "role": "participant",
            "participant_id": access.new_item_id(),
            "party_id": party,
        }
        assert await store.grant(mid, access.token_hash(token), record, 3600)
        phones.append(await service.session(token))
    moment = await service.write(fac, "moment.add", {"op_id": "p0", "text": "M", "reveal": True})
    moment_id = moment["id"]  # type: ignore[typeddict-item]
    for k in range(DRAFTS):
        await service.write(fac, "moment.add", {"op_id": f"p{k + 1}", "text": f"Concept {k}"})
    gc.collect()
    started = time.process_time()
    for n in range(2 * DRAFTS):
        if n % 2 == 0:
            ack = await service.write(fac, "moment.reveal", {"op_id": f"w{n}"})
        else:
            data = {"op_id": f"w{n}", "moment_id": moment_id, "text": f"Duiding {n}"}
            ack = await service.write(phones[n % len(phones)], "interpretation.add", data)
        assert ack.get("ok"), ack
    used = time.process_time() - started
    await store.delete(mid)
    return used


async def one_round(store: Store, writes: int) -> float:
    """CPU µs per write over at least ``writes`` writes, on as many meetings as that takes."""
    service = Meetings(Settings(), store, Sealer([Fernet.generate_key()]))
    service.broadcaster = Dropped()
    meetings_made = -(-writes // (2 * DRAFTS))
    used = sum([await one_meeting(service, store) for _ in range(meetings_made)])
    return used / (meetings_made * 2 * DRAFTS) * 1e6


async def measure(kind: str, url: str, writes: int, rounds: int) -> float:
    store: Store = (
        MemoryStore() if kind == "memory" else RedisStore(url, prefix=f"bw{uuid.uuid4().hex[:8]}:")
    )
    await store.open()
    try:
        await one_round(store, 100)  # warm up, unmeasured
        return min([await one_round(store, writes) for _ in range(rounds)])
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--stores", default="memory,redis")
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    kinds = args.stores.split(",")
    process, url = (None, "")
    workdir = tempfile.TemporaryDirectory()
    if "redis" in kinds:
        process, url = start_redis(Path(workdir.name))
    try:
        for kind in kinds:
            cost = asyncio.run(measure(kind, url, args.writes, args.rounds))
            print(f"{kind}: {cost:.1f} µs CPU per write (reveal / interpretation alternating)")
    finally:
        if process is not None:
            stop_redis(process)
        workdir.cleanup()


if __name__ == "__main__":
    main()
