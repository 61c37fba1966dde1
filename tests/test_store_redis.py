"""What each store does beyond the shared contract: keys and expiry.

Redis runs for real (tests/support/redis.py); the memory store's clock is a fake one, so its
expiry is tested without waiting.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from tests.support.redis import free_port, start_redis, stop_redis
from tijdlijn.answers import written
from tijdlijn.domain.evolve import Change, Event, clone, evolve
from tijdlijn.domain.meeting import Meeting, new_meeting
from tijdlijn.errors import StoreUnavailable
from tijdlijn.settings import Settings
from tijdlijn.store import open_store
from tijdlijn.store.base import AccessRecord, Appended, Gone, Store
from tijdlijn.store.memory import MemoryStore
from tijdlijn.store.redis import RedisStore

FACILITATOR: AccessRecord = {"role": "facilitator", "participant_id": None, "party_id": None}
PARTICIPANT: AccessRecord = {"role": "participant", "participant_id": "p1", "party_id": "a"}
SHARE = {"join_code": "KMNPQR"}


def meeting() -> Meeting:
    return new_meeting(uuid.uuid4().hex[:16], "Casus", "JV", now=1_700_000_000.0)


def first_event(state: Meeting) -> Event:
    changes: list[Change] = [{"op": "set", "fields": {"title": state["title"] + " (2)"}}]
    return {"seq": 1, "type": "meeting.updated", "at": 1.0, "changes": changes, "public": changes}


async def touch_every_key(store: Store, state: Meeting, ttl: int) -> None:
    """Write to every part of a meeting, so each of its keys exists."""
    assert await store.grant(state["id"], "hash-p", PARTICIPANT, ttl)
    await store.set_presence(state["id"], {"sid-1": "wall"}, 2_000_000_000, ttl)
    outcome = await store.append(state["id"], first_event(state), "op-1", written(1, {}), ttl)
    assert outcome == Appended(seq=1)


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 10.0) -> None:
    """Poll an async predicate until it holds, failing after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, "condition not met before the deadline"
        await asyncio.sleep(0.05)


# Redis


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    connection = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield connection
    await connection.aclose()


@pytest.fixture
async def redis_store(redis_url: str, redis_prefix: str) -> AsyncIterator[RedisStore]:
    store = RedisStore(redis_url, prefix=redis_prefix)
    await store.open()
    yield store
    await store.close()


async def keys_under(client: aioredis.Redis, prefix: str) -> list[str]:
    return [key async for key in client.scan_iter(match=prefix + "*", count=1000)]


async def content_keys(client: aioredis.Redis, prefix: str) -> list[str]:
    """Keys that hold anything of a meeting: all but the tombstones (a hash and one word)."""
    keys = await keys_under(client, prefix)
    for key in keys:
        if key.startswith(prefix + "known:"):
            assert await client.get(key) in ("live", "ended")
    return [key for key in keys if not key.startswith(prefix + "known:")]


@pytest.mark.redis
async def test_every_key_of_a_meeting_sits_under_its_prefix_and_expires(
    redis_store: RedisStore, client: aioredis.Redis, redis_prefix: str
) -> None:
    state = meeting()
    assert await redis_store.create(state, "KMNPQR", {"hash-f": FACILITATOR}, SHARE, 60)
    await touch_every_key(redis_store, state, 600)

    keys = await content_keys(client, redis_prefix)
    base = f"{redis_prefix}m:{state['id']}:"
    assert sorted(keys) == sorted(
        [f"{redis_prefix}code:KMNPQR"]
        + [base + part for part in ("meta", "log", "ops", "opseq", "access", "presence", "state")]
    )
    for key in keys:
        # The last write gave every key, the code key too, the same fresh 600 seconds.
        assert 590_000 < await client.pttl(key) <= 600_000, key
    # The tombstone outlives the meeting by a day, so a late device learns it expired.
    (tombstone,) = set(await keys_under(client, redis_prefix)) - set(keys)
    assert 600 + 86_390 < await client.ttl(tombstone) <= 600 + 86_400


@pytest.mark.redis
async def test_a_meeting_stored_whole_by_an_earlier_version_is_split_on_first_load(
    redis_store: RedisStore, client: aioredis.Redis, redis_prefix: str
) -> None:
    """A rolling upgrade: a live meeting written by a version that kept its state as one JSON
    text keeps working, and from then on is stored in parts."""
    state = meeting()
    state["lessons"]["l1"] = {"id": "l1", "text": "Eerder", "position": 0, "pii": False}
    base = f"{redis_prefix}m:{state['id']}:"
    await client.hset(
        base + "meta", mapping={"seq": 3, "pseq": 2, "state": json.dumps(state), "code": "X"}
    )
    await client.expire(base + "meta", 600)

    loaded = await redis_store.load(state["id"])
    assert loaded is not None and (loaded.seq, loaded.state) == (3, state)
    assert not await client.hexists(base + "meta", "state")
    assert 0 < await client.ttl(base + "state") <= 600
    event = first_event(state)
    event["seq"] = 4
    assert await redis_store.append(state["id"], event, None, written(1, {}), 600) == Appended(
        seq=4
    )
    after = await redis_store.load(state["id"])
    assert after is not None
    assert after.state == evolve(clone(state), event["changes"])
    assert list(after.state["lessons"]) == ["l1"]


@pytest.mark.redis
async def test_a_meeting_left_alone_expires_as_a_whole(
    redis_store: RedisStore, client: aioredis.Redis, redis_prefix: str
) -> None:
    state = meeting()
    assert await redis_store.create(state, "KMNPQR", {"hash-f": FACILITATOR}, SHARE, 1)
    await touch_every_key(redis_store, state, 1)
    assert await keys_under(client, redis_prefix)

    async def nothing_left() -> bool:
        return not await content_keys(client, redis_prefix)

    await eventually(nothing_left)
    assert await redis_store.load(state["id"]) is None
    assert await redis_store.meeting_for_code("KMNPQR") is None
    assert await redis_store.grant(state["id"], "hash-x", PARTICIPANT, 60) is False
    outcome = await redis_store.append(state["id"], first_event(state), None, written(1, {}), 60)
    assert outcome == Gone()
    # Writes to an expired meeting must not bring back keys without a TTL.
    await redis_store.set_presence(state["id"], {"sid-2": "wall"}, 2_000_000_000, 60)
    assert await content_keys(client, redis_prefix) == []
    assert await redis_store.status(state["id"]) == "expired"


@pytest.mark.redis
async def test_after_delete_a_scan_finds_nothing_of_the_meeting(
    redis_store: RedisStore, client: aioredis.Redis, redis_prefix: str
) -> None:
    state = meeting()
    assert await redis_store.create(state, "KMNPQR", {"hash-f": FACILITATOR}, SHARE, 60)
    await touch_every_key(redis_store, state, 60)

    deletion = await redis_store.delete(state["id"])

    assert deletion.removed == 8
    assert deletion.remaining == 0
    assert await content_keys(client, redis_prefix) == []
    assert await redis_store.status(state["id"]) == "ended"


@pytest.mark.redis
async def test_delete_counts_what_it_could_not_remove(
    redis_store: RedisStore, client: aioredis.Redis, redis_prefix: str
) -> None:
    state = meeting()
    assert await redis_store.create(state, "KMNPQR", {}, SHARE, 60)
    stray = f"{redis_prefix}m:{state['id']}:unknown"
    await client.set(stray, "x", ex=60)

    deletion = await redis_store.delete(state["id"])

    assert deletion.remaining == 1


async def test_ping_on_a_dead_url_is_store_unavailable() -> None:
    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0", timeout=1.0)
    await store.open()
    try:
        with pytest.raises(StoreUnavailable):
            await store.ping()
        with pytest.raises(StoreUnavailable):
            await store.load("any")
    finally:
        await store.close()


@pytest.mark.redis
async def test_a_redis_that_goes_away_makes_every_call_store_unavailable(
    tmp_path: Path,
) -> None:
    process, url = start_redis(tmp_path)
    store = RedisStore(url, timeout=1.0)
    await store.open()
    try:
        state = meeting()
        assert await store.create(state, "KMNPQR", {}, SHARE, 60)
        stop_redis(process)
        with pytest.raises(StoreUnavailable):
            await store.ping()
        with pytest.raises(StoreUnavailable):
            await store.append(state["id"], first_event(state), "op-1", written(1, {}), 60)
        with pytest.raises(StoreUnavailable):
            await store.delete(state["id"])
    finally:
        stop_redis(process)
        await store.close()


# Memory


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_memory_meeting_expires_after_its_ttl_unless_written_to() -> None:
    clock = FakeClock()
    store = MemoryStore(clock=clock)
    state = meeting()
    assert await store.create(state, "KMNPQR", {"hash-f": FACILITATOR}, SHARE, 100)

    clock.now += 90
    assert await store.grant(state["id"], "hash-p", PARTICIPANT, 100)
    clock.now += 90
    await store.set_presence(state["id"], {"sid-1": "wall"}, 2_000_000_000, 100)
    clock.now += 90
    assert await store.append(state["id"], first_event(state), None, written(1, {}), 100) == (
        Appended(seq=1)
    )
    clock.now += 99
    assert await store.load(state["id"]) is not None

    clock.now += 1
    assert await store.load(state["id"]) is None
    assert await store.meeting_for_code("KMNPQR") is None
    assert await store.access(state["id"], "hash-f") is None
    assert len(store) == 0
    # The code is free again.
    assert await store.create(meeting(), "KMNPQR", {}, SHARE, 100)


async def test_memory_sweep_drops_expired_meetings_nobody_asks_about() -> None:
    clock = FakeClock()
    store = MemoryStore(clock=clock)
    old, young = meeting(), meeting()
    assert await store.create(old, "KMNPQR", {}, SHARE, 60)
    assert await store.create(young, "ACDEFG", {}, SHARE, 600)
    clock.now += 60
    assert store.sweep() == 1
    assert len(store) == 1
    assert await store.load(young["id"]) is not None


async def test_memory_sweep_task_runs_between_open_and_close() -> None:
    clock = FakeClock()
    store = MemoryStore(clock=clock, sweep_interval=0.01)
    await store.open()
    try:
        assert await store.create(meeting(), "KMNPQR", {}, SHARE, 60)
        clock.now += 60

        async def swept() -> bool:
            return len(store) == 0

        await eventually(swept)
    finally:
        await store.close()


async def test_open_store_chooses_by_redis_url() -> None:
    assert isinstance(open_store(Settings()), MemoryStore)
    chosen = open_store(Settings(redis_url="redis://127.0.0.1:1/0", key_prefix="x:"))
    assert isinstance(chosen, RedisStore)
    assert chosen.kind == "redis"
