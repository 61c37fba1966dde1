"""Guessing join codes (docs/security.md "Join codes"; ASVS V6.3.1, V2.4.1).

Every endpoint that answers differently for a live code is throttled the same way; forwarded
addresses count only from a trusted proxy; the count is shared through Redis; memory stays
bounded without forgetting the worst offenders; a room behind one address keeps its meeting.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis

from tests.support.server import ServerProcess
from tijdlijn.access import CODE_ALPHABET, CODE_LENGTH
from tijdlijn.limiter import MemoryLimits, RedisLimits
from tijdlijn.settings import Settings

LIMIT = {"TIJDLIJN_JOIN_FAILURES_PER_MINUTE": "3"}
DOCS = Path(__file__).resolve().parents[1] / "docs" / "security.md"


def probes(http: httpx.Client, code: str) -> list[int]:
    """The three ways to ask about a code."""
    return [
        http.get(f"/api/join/{code}").status_code,
        http.get(f"/api/join/{code}/qr.svg").status_code,
        http.post("/api/join", json={"code": code, "party_id": "x"}).status_code,
    ]


def test_every_endpoint_that_knows_a_code_is_throttled(
    start_server: Callable[..., ServerProcess],
) -> None:
    server = start_server(env=LIMIT)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        # Three wrong codes, one through each endpoint, use up the minute's budget.
        assert probes(http, "XXXXXX") == [404, 404, 404]
        assert probes(http, "YYYYYY") == [429, 429, 429]
        # A meeting this address creates works for it even now (the facilitator in the room).
        made = http.post("/api/meetings", json={"title": "Casus", "initials": "J.K."}).json()
        assert http.get(f"/api/join/{made['join_code']}").status_code == 200
        assert http.get(f"/api/join/{made['join_code']}/qr.svg").status_code == 200


def test_a_locked_out_address_learns_nothing_about_other_codes(
    start_server: Callable[..., ServerProcess],
) -> None:
    server = start_server("--trusted-proxy", "127.0.0.1", env=LIMIT)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        made = http.post(
            "/api/meetings",
            json={"title": "Casus", "initials": "J.K."},
            headers={"X-Forwarded-For": "198.51.100.1"},
        ).json()
        guesser = {"X-Forwarded-For": "203.0.113.9"}
        for _ in range(3):
            assert http.get("/api/join/XXXXXX", headers=guesser).status_code == 404
        # The live code answers 429 like any other to the guesser ...
        assert http.get(f"/api/join/{made['join_code']}", headers=guesser).status_code == 429
        assert http.get(f"/api/join/{made['join_code']}/qr.svg", headers=guesser).status_code == 429
        # ... while another address (the room) is not affected.
        room = {"X-Forwarded-For": "198.51.100.77"}
        assert http.get(f"/api/join/{made['join_code']}", headers=room).status_code == 200


def test_a_room_behind_one_address_is_not_locked_out_by_typos(
    start_server: Callable[..., ServerProcess],
) -> None:
    """Everyone shares the address; the wall showed the QR code, then typos lock the address."""
    server = start_server("--trusted-proxy", "127.0.0.1", env=LIMIT)
    facilitator_home = {"X-Forwarded-For": "192.0.2.10"}
    room = {"X-Forwarded-For": "198.51.100.1"}
    with httpx.Client(base_url=server.url, timeout=10) as http:
        made = http.post(
            "/api/meetings", json={"title": "Casus", "initials": "J.K."}, headers=facilitator_home
        ).json()
        code = made["join_code"]
        # The wall screen in the room loads the QR code: the code worked from the room.
        assert http.get(f"/api/join/{code}/qr.svg", headers=room).status_code == 200
        for typo in ("AAAAAA", "CCCCCC", "DDDDDD", "EEEEEE"):
            http.get(f"/api/join/{typo}", headers=room)
        assert http.get("/api/join/FFFFFF", headers=room).status_code == 429
        lookup = http.get(f"/api/join/{code}", headers=room)
        assert lookup.status_code == 200, lookup.text
        party = http.post(
            "/api/join", json={"code": code.lower(), "party_id": "none"}, headers=room
        )
        assert party.status_code == 404  # the code worked; only the party was wrong


def test_rotating_x_forwarded_for_does_not_help_without_a_trusted_proxy(
    start_server: Callable[..., ServerProcess],
) -> None:
    server = start_server(env=LIMIT)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        answers = [
            http.get("/api/join/XXXXXX", headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code
            for n in range(10)
        ]
    assert answers == [404] * 3 + [429] * 7


def test_forwarded_addresses_count_separately_behind_a_trusted_proxy(
    start_server: Callable[..., ServerProcess],
) -> None:
    server = start_server("--trusted-proxy", "127.0.0.1", env=LIMIT)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for n in range(2):
            who = {"X-Forwarded-For": f"203.0.113.{n}"}
            assert [http.get("/api/join/XXXXXX", headers=who).status_code for _ in range(4)] == [
                404,
                404,
                404,
                429,
            ]
        # A client cannot prepend its own hop: the proxy's last entry is the one that counts.
        spoofed = {"X-Forwarded-For": "192.0.2.1, 203.0.113.0"}
        assert http.get("/api/join/XXXXXX", headers=spoofed).status_code == 429
        # IPv6: one /64 is one client.
        for n in range(3):
            http.get("/api/join/XXXXXX", headers={"X-Forwarded-For": f"2001:db8:1:2::{n + 1}"})
        other_host = {"X-Forwarded-For": "2001:db8:1:2:ffff::1"}
        assert http.get("/api/join/XXXXXX", headers=other_host).status_code == 429


@pytest.mark.redis
def test_the_count_is_shared_by_every_process(
    start_server: Callable[..., ServerProcess], redis_url: str, redis_prefix: str
) -> None:
    env = {**LIMIT, "TIJDLIJN_KEY_PREFIX": redis_prefix}
    one = start_server("--redis-url", redis_url, env=env)
    two = start_server("--redis-url", redis_url, env=env)
    with httpx.Client(timeout=10) as http:
        assert http.get(f"{one.url}/api/join/XXXXXX").status_code == 404
        assert http.get(f"{two.url}/api/join/XXXXXX").status_code == 404
        assert http.get(f"{one.url}/api/join/XXXXXX/qr.svg").status_code == 404
        assert http.get(f"{two.url}/api/join/XXXXXX").status_code == 429
        assert http.get(f"{one.url}/api/join/XXXXXX").status_code == 429


async def test_memory_stays_bounded_and_keeps_the_worst_offenders() -> None:
    now = [0.0]
    limits = MemoryLimits(clock=lambda: now[0], capacity=100)
    for _ in range(50):
        await limits.hit("join", "worst", 60)
    for n in range(10_000):
        await limits.hit("join", f"10.0.{n // 256}.{n % 256}", 60)
    assert len(limits.counts) <= 100
    assert await limits.count("join", "worst", 60) == 50
    # A new window starts clean.
    now[0] += 61
    assert await limits.count("join", "worst", 60) == 0
    for n in range(10_000):
        await limits.remember(f"a{n}", "ACDEFG", 3600)
    assert len(limits.codes) <= 100


@pytest.mark.redis
async def test_redis_keeps_a_bounded_set_with_the_worst_offenders(
    redis_url: str, redis_prefix: str
) -> None:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        limits = RedisLimits(lambda: client, redis_prefix, capacity=50)
        for _ in range(20):
            await limits.hit("join", "worst", 60)
        for n in range(500):
            await limits.hit("join", f"10.1.0.{n}", 60)
        keys = [k async for k in client.scan_iter(match=f"{redis_prefix}limit:join:*")]
        assert len(keys) == 1
        assert await client.zcard(keys[0]) <= 50
        assert 0 < await client.ttl(keys[0]) <= 120
        assert await limits.count("join", "worst", 60) == 20
        # Addresses are kept hashed only.
        members = await client.zrange(keys[0], 0, -1)
        assert not any("10.1.0." in member or member == "worst" for member in members)
    finally:
        await client.aclose()


def test_the_arithmetic_in_the_docs_matches_the_code() -> None:
    text = DOCS.read_text()
    space = len(CODE_ALPHABET) ** CODE_LENGTH
    per_day = Settings().join_failures_per_minute * 60 * 24
    live = Settings().max_live_meetings
    assert f"{space:,}" in text, "code space"
    assert f"{per_day:,}" in text, "tries per address per day"
    assert f"{live:,}" in text, "live meetings"
    expected = per_day * live / space
    assert f"{expected:.3f}" in text, f"expected hits per address per day at {live} meetings"
    assert re.search(r"once in about \d+ days", text)
