"""Two `tijdlijn serve` processes on one Redis serve one meeting: what happens through one is
seen through the other, concurrent writes on both lose nothing, and deletion reaches both."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from tests.support.clients import (
    Device,
    Devices,
    create_meeting,
    join,
    refused_with,
    revealed_meeting,
    wait_all,
)
from tests.support.server import ServerProcess

pytestmark = pytest.mark.redis


@pytest.fixture
def two_servers(
    start_server: Callable[..., ServerProcess], redis_url: str, redis_prefix: str
) -> tuple[ServerProcess, ServerProcess]:
    env = {"TIJDLIJN_KEY_PREFIX": redis_prefix}
    a = start_server("--redis-url", redis_url, env=env)
    b = start_server("--redis-url", redis_url, env=env)
    for server in (a, b):
        assert httpx.get(f"{server.url}/healthz", timeout=10).json() == {
            "status": "ok",
            "store": "redis",
        }
    return a, b


async def levelled(devices: list[Device]) -> None:
    for device in devices:
        snapshot = (await device.sync())["snapshot"]
        assert device.state == snapshot["meeting"], device.label


async def test_a_participant_on_b_follows_a_facilitator_on_a(
    two_servers: tuple[ServerProcess, ServerProcess],
) -> None:
    a, b = two_servers
    m = await create_meeting(a.url, parties=2)
    # The code made on A works on B: one store.
    joined = await join(b.url, m.join_code, m.party_ids[0])
    async with Devices(a.url) as on_a, Devices(b.url) as on_b:
        fac = await on_a.connect(m.facilitator_token, "facilitator@A")
        p = await on_b.connect(joined["token"], "participant@B")
        wall = await on_b.connect(m.wall_token, "wall@B")
        present = {"facilitator": 1, "wall": 1, m.party_ids[0]: 1}
        await fac.wait_for(lambda: fac.presence == present, what="presence across processes")

        draft = await fac.ok("moment.add", text="Concept dat B nooit ziet")
        shown = await fac.ok("moment.add", text="Moment via A", reveal=True)
        await wait_all([p, wall], lambda d: d.seq >= shown["seq"], what="the reveal via A")
        for device in (p, wall):
            assert device.meeting["current_moment_id"] == shown["id"]
            assert draft["id"] not in device.meeting["moments"]
            [event] = device.events("moment.revealed")
            assert event["seq"] == shown["seq"]
        on_behalf = await fac.ok(
            "interpretation.add",
            moment_id=shown["id"],
            text="Namens partij 2, via A",
            party_id=m.party_ids[1],
        )
        await p.wait_seq(on_behalf["seq"])
        assert p.meeting["interpretations"][on_behalf["id"]]["text"] == "Namens partij 2, via A"

        mine = await p.ok("interpretation.add", moment_id=shown["id"], text="Van B")
        await fac.wait_seq(mine["seq"])
        assert fac.meeting["interpretations"][mine["id"]]["party_id"] == m.party_ids[0]
        flag = await p.ok("theme.flag", label="Over en weer", target="moment", id=shown["id"])
        await fac.wait_seq(flag["seq"])
        assert not p.saw("Concept dat B nooit ziet") and not wall.saw("Concept dat B nooit ziet")
        await levelled([fac, p, wall])

        # A reconnect to the other process picks up where it left off.
        last = p.seq
        await p.disconnect()
        missed = await fac.ok("moment.reveal", id=draft["id"])
        moved = Device(a.url, joined["token"], label="participant@A")
        on_a.all.append(moved)
        moved.state, moved.seq = p.state, last
        await moved.connect(since=last)
        assert [n for n in moved.names() if n in ("snapshot", "catchup")] == ["catchup"]
        assert moved.seq >= missed["seq"]
        await levelled([moved])

        # Ending on A tells and disconnects the devices on B too.
        ended = await fac.ok("meeting.end", confirm=True)
        assert ended["receipt"]["verified_empty"] is True
        await wait_all(
            [wall, moved],
            lambda d: d.deleted is not None and not d.connected,
            what="deletion on both processes",
        )
        await fac.wait_for(lambda: not fac.connected, what="the sender's disconnect")
    for server in (a, b):
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            answer = await http.get(f"/api/join/{m.join_code}")
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "meeting_gone"
        data = await refused_with(server.url, joined["token"])
        assert isinstance(data, dict) and data["code"] == "meeting_gone", data


async def test_concurrent_writes_on_both_processes_lose_nothing(
    two_servers: tuple[ServerProcess, ServerProcess],
) -> None:
    a, b = two_servers
    per_device = 5
    async with Devices(a.url) as on_a, Devices(b.url) as on_b:
        o = await revealed_meeting(a.url, on_a, parties=4, phones=())
        m, fac, shown = o.m, o.fac, o.shown
        joined = await asyncio.gather(
            *(join(a.url, m.join_code, pid) for pid in m.party_ids for _ in range(3))
        )
        participants = await asyncio.gather(
            *(
                (on_a if i % 2 else on_b).connect(j["token"], f"p{i}@{'A' if i % 2 else 'B'}")
                for i, j in enumerate(joined)
            )
        )

        async def add_all(p: Device) -> list[dict[str, Any]]:
            return [
                await p.write("interpretation.add", moment_id=shown["id"], text=f"{p.label} {i}")
                for i in range(per_device)
            ]

        batches = await asyncio.gather(*map(add_all, participants))
        acks = [ack for batch in batches for ack in batch]
        failed = [ack for ack in acks if not ack.get("ok")]
        assert failed == [], f"{len(failed)} of {len(acks)} writes were refused: {failed[:3]}"
        total = len(participants) * per_device
        seqs = sorted(ack["seq"] for ack in acks)
        assert seqs == list(range(shown["seq"] + 1, shown["seq"] + 1 + total)), "one seq each"
        everyone = [fac, *participants]
        # Across two processes broadcasts may arrive out of seq order; a device that sees an
        # event whose ``prev`` it has not reached asks for what it missed (docs/protocol.md),
        # so each ends with every interpretation.
        await wait_all(
            everyone,
            lambda d: d.seq >= seqs[-1] and len(d.meeting["interpretations"]) == total,
            what="every interpretation",
        )
        for device in everyone:
            if device.gaps:
                assert device.names().count("catchup") + device.names().count("snapshot") >= 2
        await levelled(everyone)


async def test_one_write_is_one_message_between_processes(
    two_servers: tuple[ServerProcess, ServerProcess], redis_url: str, redis_prefix: str
) -> None:
    """A reveal has a copy for facilitators and one for participants: both travel to the other
    process in one published message, and both reach their devices there."""
    a, b = two_servers
    m = await create_meeting(a.url, parties=1)
    joined = await join(b.url, m.join_code, m.party_ids[0])
    listener = aioredis.Redis.from_url(redis_url)
    pubsub = listener.pubsub()
    await pubsub.subscribe(f"{redis_prefix}socketio")
    try:
        async with Devices(a.url) as on_a, Devices(b.url) as on_b:
            fac = await on_a.connect(m.facilitator_token, "facilitator@A")
            cofac = await on_b.connect(m.facilitator_token, "facilitator@B")
            p = await on_b.connect(joined["token"], "participant@B")
            shown = await fac.ok("moment.add", text="Moment via A", reveal=True)
            await wait_all([cofac, p], lambda d: d.seq >= shown["seq"], what="the reveal on B")
            emits = []
            while (message := await pubsub.get_message(timeout=0.5)) is not None:
                if message["type"] != "message":
                    continue  # the subscription's confirmation
                data = json.loads(message["data"])
                if data.get("method") == "emit" and data["data"][0].get("seq") == shown["seq"]:
                    emits.append(data)
        assert len(emits) == 1, "one message for both audiences"
        rooms = [emits[0]["room"], *(extra["room"] for extra in emits[0]["also"])]
        assert rooms == [f"fac:{m.meeting_id}", f"pub:{m.meeting_id}"]
        assert [e["seq"] for e in cofac.events("moment.revealed")] == [shown["seq"]]
        assert [e["seq"] for e in p.events("moment.revealed")] == [shown["seq"]]
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]
        await listener.aclose()
