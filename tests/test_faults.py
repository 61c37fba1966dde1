"""Faults with writes flowing: nothing acknowledged is lost or unseen.

Real `tijdlijn serve` processes (two on one real redis-server, or one embedded), 14 devices
(1 facilitator, 12 participants, 1 wall) spread over them, and the faults of issue 7: a process
killed with ``kill -9``, Redis paused, the pub/sub links cut, Redis restarted empty, the embedded
process restarted. Devices behave as browsers do (tests/support/faults.py). Each test ends with
the verdict: every acknowledged write in the meeting exactly once, and every device's state equal
to a fresh snapshot. ``make faults`` repeats the kill and pause cases (bench/faults.py).
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from cryptography.fernet import Fernet

from tests.support.clients import Device, wait_all
from tests.support.faults import (
    Fleet,
    RedisServer,
    Verdict,
    kill_hard,
    kill_one,
    on_live,
    pause_redis,
    told_lost,
)
from tests.support.server import ServerProcess
from tijdlijn.errors import MeetingExpired, MeetingLost

Start = Callable[..., ServerProcess]


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    yield server
    server.stop()


def shared_env(redis: RedisServer, **extra: str) -> dict[str, str]:
    # Several processes seal and open one meeting's capsules: they share the key.
    return {"TIJDLIJN_REDIS_URL": redis.url, "TIJDLIJN_CAPSULE_KEYS": KEY, **extra}


KEY = Fernet.generate_key().decode()


async def start(starter: Start, env: dict[str, str], port: int | None = None) -> ServerProcess:
    """A server started off the event loop, so devices and writers keep running meanwhile."""
    args = ("--redis-url", env["TIJDLIJN_REDIS_URL"]) if "TIJDLIJN_REDIS_URL" in env else ()
    return await asyncio.to_thread(lambda: starter(*args, env=env, port=port))


@pytest.fixture
async def fleets() -> AsyncIterator[list[Fleet]]:
    opened: list[Fleet] = []
    yield opened
    for fleet in opened:
        await fleet.close()


async def open_fleet(fleets: list[Fleet], urls: list[str]) -> Fleet:
    fleet = await Fleet.open(urls)
    fleets.append(fleet)
    return fleet


async def health(url: str) -> str:
    async with httpx.AsyncClient(timeout=10) as http:
        status: str = (await http.get(f"{url}/healthz")).json()["status"]
        return status


async def until_healthy(urls: list[str], within: float = 20.0) -> None:
    """Polls /healthz (a process's readiness, as tests/support/server.py does)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while [await health(url) for url in urls] != ["ok"] * len(urls):
        assert loop.time() < deadline, "a process did not report ok again"
        await asyncio.sleep(0.1)


async def two_on_redis(
    start_server: Start, redis_server: RedisServer, fleets: list[Fleet], **extra: str
) -> tuple[list[ServerProcess], Fleet]:
    """Two processes on one Redis, and the 14 devices of a meeting spread over them."""
    env = shared_env(redis_server, **extra)
    servers = [await start(start_server, env) for _ in range(2)]
    return servers, await open_fleet(fleets, [s.url for s in servers])


async def copy_midway(fleet: Fleet) -> str:
    """Writes flowing: 20, the console's sealed copy, then 10 the copy does not have."""
    fleet.start_writing()
    await fleet.more_writes(20)
    sealed = await fleet.capsule()
    await fleet.more_writes(10)
    return sealed


async def goes_on_clean(fleet: Fleet) -> None:
    """After a restore: 10 more writes, then nothing acknowledged lost or unseen, and the
    writes acknowledged after the copy were sent again by their devices."""
    await fleet.more_writes(10)
    await fleet.stop_writing()
    assert_clean(await fleet.verdict())
    assert fleet.resent > 0, "writes acknowledged after the copy were sent again"


def assert_clean(verdict: Verdict) -> None:
    assert verdict.clean, verdict
    assert verdict.acknowledged > 0 or verdict.unacknowledged == 0


pytestmark = pytest.mark.timeout(150)


@pytest.mark.redis
async def test_kill_9_of_either_process_loses_nothing(
    start_server: Start, redis_server: RedisServer, fleets: list[Fleet]
) -> None:
    servers, fleet = await two_on_redis(start_server, redis_server, fleets)
    fleet.start_writing()
    await fleet.more_writes(20)
    rounds = 3
    for round_ in range(rounds):
        victim = round_ % 2
        # The last round kills with the writes under way as the last ones: what their
        # retries acknowledge on the survivor must reach every device with nothing after it.
        await kill_one(fleet, servers[victim].process, victim, tail=round_ == rounds - 1)
        servers[victim] = await start(start_server, shared_env(redis_server))
        fleet.up(victim, servers[victim].url)
        if round_ < rounds - 1:
            await fleet.more_writes(10)
    await fleet.stop_writing()
    assert_clean(await fleet.verdict())
    assert fleet.reconnects >= 10


@pytest.mark.redis
async def test_redis_paused_for_12_seconds_loses_nothing(
    start_server: Start, redis_server: RedisServer, fleets: list[Fleet]
) -> None:
    servers, fleet = await two_on_redis(start_server, redis_server, fleets)
    fleet.start_writing()
    await fleet.more_writes(20)
    before = fleet.acknowledged
    await pause_redis(fleet, redis_server, 12.0, tail=False)
    await fleet.stop_writing()
    assert fleet.acknowledged >= before + 20
    assert_clean(await fleet.verdict())
    await until_healthy([s.url for s in servers])


@pytest.mark.redis
async def test_pubsub_links_cut_every_device_is_level_again_without_later_writes(
    start_server: Start, redis_server: RedisServer, fleets: list[Fleet]
) -> None:
    servers, fleet = await two_on_redis(start_server, redis_server, fleets)
    fleet.start_writing()
    await fleet.more_writes(30)
    # Cut both processes' subscribers while writes are in flight, and write nothing after:
    # no later event can show a device what it missed, so the link's return must.
    assert redis_server.kill_pubsub() >= 2
    await fleet.stop_writing()
    # Within 2 s of the link's return (which takes at most about a second).
    assert_clean(await fleet.verdict(within=3.0))
    await until_healthy([s.url for s in servers])


@pytest.mark.redis
async def test_devices_still_connected_when_their_meeting_is_restored_take_it_afresh(
    start_server: Start, redis_server: RedisServer, fleets: list[Fleet]
) -> None:
    """The meeting's keys vanish and the console restores it before any process noticed: the
    devices never disconnected and hold events past the copy, which the restored meeting
    numbers again. Told ``restored``, they take it afresh and send their later writes again."""
    _, fleet = await two_on_redis(start_server, redis_server, fleets)
    sealed = await copy_midway(fleet)
    await fleet.stop_writing()
    client = redis.Redis.from_url(redis_server.url)
    try:
        client.flushall()
    finally:
        client.close()
    await fleet.restore(sealed)

    def took_restored(device: Device) -> bool:
        return device.connected and any(
            name == "snapshot" and "restored_at" in data for name, data in device.received
        )

    await wait_all(fleet.devices, took_restored, within=30, what="the restored meeting")
    fleet.resend_after_restores()
    fleet.start_writing()
    await goes_on_clean(fleet)


@pytest.mark.redis
async def test_redis_restarted_empty_then_restored_from_the_facilitators_capsule(
    start_server: Start, redis_server: RedisServer, fleets: list[Fleet]
) -> None:
    _, fleet = await two_on_redis(start_server, redis_server, fleets)
    # Writes acknowledged after the copy: their devices send them again after the restore.
    sealed = await copy_midway(fleet)
    await asyncio.to_thread(redis_server.restart_empty)
    # Every device is told, in words that blame no one, that the meeting is being restored.
    await wait_all(fleet.devices, told_lost, within=20, what="meeting.lost")
    for device in fleet.devices:
        assert told_lost(device) == MeetingLost().as_error(), device.label
        assert device.deleted is None and device.expired is None
    restored = await fleet.restore(sealed)
    assert restored["meeting_id"] == fleet.meeting.meeting_id
    assert restored["join_code"] == fleet.meeting.join_code
    # Phones and the wall come back by themselves, with their own tokens.
    await wait_all(fleet.devices, on_live(fleet), within=30, what="back in the restored meeting")
    await goes_on_clean(fleet)


async def test_embedded_process_restarted_then_restored(
    start_server: Start, tmp_path: Path, fleets: list[Fleet]
) -> None:
    env = {"TIJDLIJN_STATE_DIR": str(tmp_path / "state")}
    server = await start(start_server, env)
    key_file = tmp_path / "state" / "capsule.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    key = key_file.read_bytes()
    fleet = await open_fleet(fleets, [server.url])
    sealed = await copy_midway(fleet)
    kill_hard(server.process)
    again = await start(start_server, env, port=server.port)
    assert again.url == server.url
    assert key_file.read_bytes() == key, "the restarted process opens the capsules it sealed"
    # Devices retry their own tokens: refused as lost (not ended) until the restore.
    await wait_all(fleet.devices, told_lost, within=20, what="a refusal as lost")
    for device in fleet.devices:
        assert told_lost(device) == MeetingLost().as_error(), device.label
    await fleet.restore(sealed)
    await wait_all(fleet.devices, on_live(fleet), within=30, what="back in the restored meeting")
    await goes_on_clean(fleet)


@pytest.mark.redis
async def test_presence_after_kill_9_drops_back_to_the_true_count(
    start_server: Start, redis_server: RedisServer, fleets: list[Fleet]
) -> None:
    servers, fleet = await two_on_redis(
        start_server, redis_server, fleets, TIJDLIJN_PRESENCE_SECONDS="6"
    )
    fac = fleet.facilitator
    true = {"facilitator": 1, "wall": 1, **{p: 3 for p in fleet.meeting.party_ids}}
    await fac.wait_for(lambda: fac.presence == true, what="every device counted once")
    fleet.start_writing()
    await fleet.more_writes(10)
    kill_hard(servers[1].process)
    fleet.down(1)
    await wait_all(fleet.devices, on_live(fleet), within=30, what="on the survivor")
    # The dead process's entries count until they run out (6 s here, 60 by default).
    await fac.wait_for(lambda: fac.presence == true, within=15, what="the true count")
    await fleet.stop_writing()
    assert_clean(await fleet.verdict())


@pytest.mark.redis
async def test_devices_are_told_their_meeting_expired(
    start_server: Start, redis_server: RedisServer, fleets: list[Fleet]
) -> None:
    _, fleet = await two_on_redis(start_server, redis_server, fleets)
    # What Redis's own expiry does (a lifetime is a minute at least): the meeting's keys go,
    # the one-word tombstone stays.
    client = redis.Redis.from_url(redis_server.url)
    try:
        mid = fleet.meeting.meeting_id
        keys = list(client.scan_iter(match=f"tijdlijn:m:{mid}:*"))
        keys.append(f"tijdlijn:code:{fleet.meeting.join_code}")
        assert client.delete(*keys) >= 5
    finally:
        client.close()
    await wait_all(
        fleet.devices,
        lambda d: d.expired is not None and not d.connected,
        within=10,
        what="meeting.expired",
    )
    for device in fleet.devices:
        assert device.expired == MeetingExpired().as_error(), device.label
        assert device.deleted is None and device.lost is None, device.label
