"""Who may create meetings, and how many (docs/security.md "Creating meetings"; ASVS V8.2,
V2.4.1, V13.1).

Open only when the server listens on loopback; else a facilitator key or a header set by an
authenticating proxy (trusted addresses only). Plus a limit per address and on live meetings.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import httpx
import pytest

from tests.support.clients import Devices, create_meeting
from tests.support.server import ServerProcess
from tijdlijn.settings import from_env

KEY = "sleutel-voor-de-gemeente-0123456789"
BODY = {"title": "Casus", "initials": "J.K."}
CREATORS = ("/api/meetings", "/api/import", "/api/followup/start")


def test_open_creation_is_refused_off_loopback() -> None:
    with pytest.raises(ValueError, match="facilitator key"):
        from_env({}, host="0.0.0.0")
    assert from_env({}, host="127.0.0.1").facilitator_access == "open"
    assert from_env({}, host="::1").facilitator_access == "open"
    keyed = from_env({"TIJDLIJN_FACILITATOR_KEYS": KEY}, host="0.0.0.0")
    assert keyed.facilitator_access == "key"
    with pytest.raises(ValueError, match="16"):
        from_env({"TIJDLIJN_FACILITATOR_KEYS": "kort"}, host="0.0.0.0")
    with pytest.raises(ValueError, match="trusted"):
        from_env({"TIJDLIJN_FACILITATOR_HEADER": "X-Forwarded-User"}, host="0.0.0.0")


def test_serve_on_all_interfaces_without_a_key_stops_with_a_clear_message() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tijdlijn.cli", "serve", "--host", "0.0.0.0", "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2
    assert "facilitator key" in done.stderr and "docs/security.md" in done.stderr


def test_a_facilitator_key_is_needed_for_every_way_to_create(
    start_server: Callable[..., ServerProcess],
) -> None:
    server = start_server(env={"TIJDLIJN_FACILITATOR_KEYS": f"andere-sleutel-00000000,{KEY}"})
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for path in CREATORS:
            for headers in ({}, {"Authorization": "Bearer fout-fout-fout-fout-fout"}):
                answer = http.post(path, json=BODY, headers=headers)
                assert answer.status_code == 401, (path, answer.text)
                error = answer.json()["error"]
                assert error["code"] == "unauthorized" and error["detail"] == "facilitator_key"
                assert "toegangssleutel" in error["message"]
        made = http.post("/api/meetings", json=BODY, headers={"Authorization": f"Bearer {KEY}"})
        assert made.status_code == 201, made.text
        # Joining needs no key: participants never have one.
        code = made.json()["join_code"]
        assert http.get(f"/api/join/{code}").status_code == 200


async def test_a_key_server_still_runs_meetings(start_server: Callable[..., ServerProcess]) -> None:
    server = start_server(env={"TIJDLIJN_FACILITATOR_KEYS": KEY})
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        made = await http.post(
            "/api/meetings", json=BODY, headers={"Authorization": f"Bearer {KEY}"}
        )
        token = made.json()["facilitator_token"]
    async with Devices(server.url) as ds:
        fac = await ds.connect(token, "facilitator")
        await fac.ok("moment.add", text="Moment")


def test_a_proxy_header_counts_only_from_a_trusted_proxy(
    start_server: Callable[..., ServerProcess],
) -> None:
    header = "X-Forwarded-User"
    untrusted = start_server("--trusted-proxy", "192.0.2.1", "--facilitator-header", header)
    trusted = start_server("--trusted-proxy", "127.0.0.1", "--facilitator-header", header)
    with httpx.Client(timeout=10) as http:
        signed_in = {header: "j.jansen@gemeente.example"}
        refused = http.post(f"{untrusted.url}/api/meetings", json=BODY, headers=signed_in)
        assert refused.status_code == 401 and "inlog" in refused.json()["error"]["message"]
        made = http.post(f"{trusted.url}/api/meetings", json=BODY, headers=signed_in)
        assert made.status_code == 201, made.text
        anonymous = http.post(f"{trusted.url}/api/meetings", json=BODY)
        assert anonymous.status_code == 401
        blank = http.post(f"{trusted.url}/api/meetings", json=BODY, headers={header: ""})
        assert blank.status_code == 401


def test_creations_per_address_are_limited(start_server: Callable[..., ServerProcess]) -> None:
    server = start_server(env={"TIJDLIJN_CREATIONS_PER_HOUR": "3"})
    with httpx.Client(base_url=server.url, timeout=10) as http:
        answers = [http.post("/api/meetings", json=BODY).status_code for _ in range(5)]
        assert answers == [201, 201, 201, 429, 429]
        limited = http.post("/api/import", json={}).json()["error"]
        assert limited["code"] == "rate_limited" and "uur" in limited["message"]


async def test_live_meetings_per_server_are_limited(
    start_server: Callable[..., ServerProcess],
) -> None:
    server = start_server(env={"TIJDLIJN_MAX_LIVE_MEETINGS": "2"})
    first = await create_meeting(server.url, parties=1)
    await create_meeting(server.url, parties=1)
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        full = await http.post("/api/meetings", json=BODY)
        assert full.status_code == 503, full.text
        assert full.json()["error"]["code"] == "limit_reached"
    # Ending one makes room.
    async with Devices(server.url) as ds:
        fac = await ds.connect(first.facilitator_token, "facilitator")
        await fac.ok("meeting.end", confirm=True)
    await create_meeting(server.url, parties=1)


@pytest.mark.redis
async def test_live_meetings_are_counted_in_redis(
    start_server: Callable[..., ServerProcess], redis_url: str, redis_prefix: str
) -> None:
    env = {"TIJDLIJN_MAX_LIVE_MEETINGS": "2", "TIJDLIJN_KEY_PREFIX": redis_prefix}
    one = start_server("--redis-url", redis_url, env=env)
    two = start_server("--redis-url", redis_url, env=env)
    await create_meeting(one.url, parties=1)
    await create_meeting(two.url, parties=1)
    async with httpx.AsyncClient(timeout=10) as http:
        full = await http.post(f"{one.url}/api/meetings", json=BODY)
        assert full.status_code == 503, full.text
