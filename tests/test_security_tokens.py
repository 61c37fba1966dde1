"""Tokens at rest: the store holds no token and nothing a token can be rebuilt from; the console
gets its share links back from its own token (docs/security.md "Tokens at rest"; ASVS 14.2.4)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import redis.asyncio as aioredis

from tests.support.clients import Devices, create_meeting, join
from tests.support.server import ServerProcess
from tijdlijn import share


@pytest.mark.redis
async def test_redis_holds_no_token_and_no_link_with_one(
    start_server: Callable[..., ServerProcess], redis_url: str, redis_prefix: str
) -> None:
    server = start_server("--redis-url", redis_url, env={"TIJDLIJN_KEY_PREFIX": redis_prefix})
    m = await create_meeting(server.url, parties=1)
    joined = await join(server.url, m.join_code, m.party_ids[0])
    async with Devices(server.url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        await fac.ok("moment.add", text="Moment")
        secrets = [m.facilitator_token, m.cofacilitator_token, m.wall_token, joined["token"]]
        client = aioredis.Redis.from_url(redis_url, decode_responses=True)
        try:
            dump = []
            async for key in client.scan_iter(match=f"{redis_prefix}*"):
                kind = await client.type(key)
                if kind == "hash":
                    dump.append(str(await client.hgetall(key)))
                elif kind == "string":
                    dump.append(str(await client.get(key)))
                elif kind == "list":
                    dump.append(str(await client.lrange(key, 0, -1)))
                elif kind == "zset":
                    dump.append(str(await client.zrange(key, 0, -1)))
            everything = "\n".join(dump)
        finally:
            await client.aclose()
    assert m.meeting_id in everything, "the scan saw the meeting"
    for token in secrets:
        secret = token.split(".", 1)[1]
        assert secret not in everything
    assert "/facilitator#" not in everything and "/wall#" not in everything


async def test_the_console_gets_its_links_back_from_its_own_token(
    live_server: ServerProcess,
) -> None:
    m = await create_meeting(live_server.url, parties=1)
    async with Devices(live_server.url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        cofac = await ds.connect(m.cofacilitator_token, "co-facilitator")
        wall = await ds.connect(m.wall_token, "wall")
        assert fac.share is not None and cofac.share is not None and wall.share is not None
        for device in (fac, cofac):
            assert device.share is not None
            assert device.share["cofacilitator_url"] == m.links["cofacilitator"], device.label
            assert device.share["wall_url"] == m.links["wall"], device.label
            assert device.share["join_code"] == m.join_code
        assert set(wall.share) == {"join_code", "join_url"}
        # And the links work: the derived tokens are the meeting's.
        again = await ds.connect(fac.share["wall_url"].split("#", 1)[1], "wall again")
        assert again.you is not None and again.you["role"] == "wall"


def test_derived_tokens_are_one_way_and_full_strength() -> None:
    facilitator = "meeting-id-0123456789.abcdefghijklmnopqrstuv"
    cofacilitator, wall = share.tokens(facilitator)
    assert cofacilitator.startswith("meeting-id-0123456789.")
    assert wall.startswith("meeting-id-0123456789.")
    assert len({facilitator, cofacilitator, wall}) == 3
    # 128 bits each, as base64url: 22 characters.
    assert len(cofacilitator.split(".")[1]) == 22 and len(wall.split(".")[1]) == 22
    # The wall's link gives nothing back: deriving from it is not the co-facilitator's token.
    assert share.derive(wall, "cofacilitator") != cofacilitator
    assert share.tokens("other-meeting-01234567.abcdefghijklmnopqrstuv")[0] != cofacilitator
