"""Hypothesis against a real server: every event's payload, and raw Socket.IO packets
(docs/security.md; ASVS 2.2.1, 16.5.3).

The server never crashes, answers every ack-bearing packet (or closes cleanly), answers only
with documented codes, and afterwards the invariants hold: each device's state, built from its
snapshot and the events it received, equals a fresh snapshot; a participant never holds a draft;
nothing was logged with a traceback. Bounded: a few hundred examples, seconds each.
"""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.clients import Device, MeetingInfo, create_meeting, join
from tests.support.raw import Closed, RawSocket
from tests.support.server import ServerProcess
from tijdlijn.domain.commands import COMMANDS

CODES = {
    "invalid",
    "unauthorized",
    "forbidden",
    "not_found",
    "conflict",
    "limit_reached",
    "rate_limited",
    "meeting_closed",
    "meeting_gone",
    "unknown_event",
    "too_large",
}
FAST = {"TIJDLIJN_RATE_BURST": "100000", "TIJDLIJN_RATE_PER_SECOND": "100000"}
LEAF = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
JSON = st.recursive(
    LEAF,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
NAMES = [*sorted(COMMANDS), "sync", "onbekend"]


@dataclass
class Meeting:
    info: MeetingInfo
    fac: Device
    participant: Device
    ids: list[str]


async def open_meeting(url: str) -> Meeting:
    info = await create_meeting(url, parties=2)
    joined = await join(url, info.join_code, info.party_ids[0])
    fac = await Device(url, info.facilitator_token, label="facilitator").connect()
    shown = await fac.ok("moment.add", text="Getoond moment", reveal=True)
    draft = await fac.ok("moment.add", text="Concept")
    interp = await fac.ok(
        "interpretation.add", moment_id=shown["id"], text="Duiding", party_id=info.party_ids[1]
    )
    participant = await Device(url, joined["token"], label="participant").connect()
    ids = [*info.party_ids, shown["id"], draft["id"], interp["id"]]
    return Meeting(info, fac, participant, ids)


def payloads(ids: list[str]) -> Callable[[str], st.SearchStrategy[Any]]:
    known = st.sampled_from(ids) | st.text(max_size=12)

    def for_event(name: str) -> st.SearchStrategy[Any]:
        model = COMMANDS.get(name)
        fields = sorted(model.model_fields) if model else ["since"]
        value = known | JSON
        shaped = st.fixed_dictionaries(
            {"op_id": st.from_regex(r"[a-z0-9-]{1,16}", fullmatch=True)},
            optional={f: value for f in fields if f != "op_id"},
        )
        return shaped | JSON

    return for_event


def check_ack(ack: Any) -> None:
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
    if not ack["ok"]:
        assert ack["error"]["code"] in CODES, ack
        assert isinstance(ack["error"]["message"], str) and ack["error"]["message"]


async def invariants(m: Meeting) -> None:
    # A last public write: once a device has it, it has every earlier event meant for it.
    last = await m.fac.ok("meeting.update", title="Na het fuzzen")
    for device in (m.fac, m.participant):
        await device.wait_seq(last["seq"])
        fresh = await device.sync()
        assert fresh["snapshot"]["seq"] == last["seq"]
        assert device.meeting == fresh["snapshot"]["meeting"], device.label
    drafts = [x for x in m.participant.meeting["moments"].values() if x["state"] != "revealed"]
    assert not drafts, "a participant holds a draft"


def test_every_event_payload(start_server: Callable[..., ServerProcess]) -> None:
    server = start_server(env=FAST)
    loop = asyncio.new_event_loop()
    m = loop.run_until_complete(open_meeting(server.url))
    try:
        strategy = payloads(m.ids)
        names = [n for n in NAMES if n != "meeting.end"]

        @settings(
            max_examples=250,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(data=st.data(), sender=st.sampled_from(["fac", "participant"]))
        def fuzz(data: st.DataObject, sender: str) -> None:
            name = data.draw(st.sampled_from(names if sender == "fac" else NAMES))
            payload = data.draw(strategy(name))
            device = m.fac if sender == "fac" else m.participant
            check_ack(loop.run_until_complete(device.call(name, payload)))

        fuzz()
        loop.run_until_complete(invariants(m))
    finally:
        loop.run_until_complete(m.fac.disconnect())
        loop.run_until_complete(m.participant.disconnect())
        loop.close()
    output = server.output()
    assert "Traceback" not in output and "handler error" not in output


FRAMES = st.one_of(
    st.text(max_size=120),
    st.builds(
        lambda kind, ack, body: f"4{kind}{ack}{body}",
        st.sampled_from("0123456789"),
        st.one_of(st.just(""), st.integers(0, 10**14).map(str)),
        st.one_of(JSON.map(json.dumps), st.text(max_size=60)),
    ),
    st.builds(
        lambda ack, name, args: f"42{ack}" + json.dumps([name, *args]),
        st.integers(1, 10**6).map(str),
        st.sampled_from(NAMES),
        st.lists(JSON, max_size=3),
    ),
    st.binary(max_size=16),
)
PROBE_ID = 987654321


async def probe(raw: RawSocket) -> str:
    """After any frame the server answers this ack-bearing sync, or has closed cleanly."""
    try:
        await raw.send(f"42{PROBE_ID}" + json.dumps(["sync", {"since": 10**6}]))
        while True:
            frame = await raw.recv()
            if isinstance(frame, str) and frame.startswith(f"43{PROBE_ID}"):
                return "answered"
            if frame == "1":
                return "closed"
    except (Closed, ConnectionError):
        return "closed"


def test_raw_packets(start_server: Callable[..., ServerProcess]) -> None:
    server = start_server(env=FAST)
    loop = asyncio.new_event_loop()
    info = loop.run_until_complete(create_meeting(server.url, parties=1))
    token = loop.run_until_complete(join(server.url, info.join_code, info.party_ids[0]))["token"]
    state: dict[str, RawSocket | None] = {"raw": None}
    outcomes: dict[str, int] = {}

    async def connected() -> RawSocket:
        raw = state["raw"]
        if raw is None or raw.close_code is not None:
            if raw is not None:
                await raw.__aexit__()
            raw = RawSocket(server.url)
            await raw.__aenter__()
            assert (await raw.connect({"token": token})).startswith("40{")
            state["raw"] = raw
        return raw

    async def send(frame: str | bytes) -> str:
        raw = await connected()
        try:
            await raw.send(frame)
        except ConnectionError:
            return "closed"
        result = await probe(raw)
        if result == "closed":
            raw.close_code = raw.close_code or 1000
        return result

    try:

        @settings(
            max_examples=300,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(frame=FRAMES)
        def fuzz(frame: str | bytes) -> None:
            result = loop.run_until_complete(asyncio.wait_for(send(frame), 15))
            outcomes[result] = outcomes.get(result, 0) + 1

        fuzz()
    finally:
        raw = state["raw"]
        if raw is not None:
            loop.run_until_complete(raw.__aexit__())
        loop.close()
    assert outcomes.get("answered", 0) > 0 and outcomes.get("closed", 0) > 0, outcomes
    output = server.output()
    assert "Traceback" not in output and "handler error" not in output


ENDPOINTS = [
    "/api/meetings",
    "/api/join",
    "/api/import",
    "/api/followup/start",
    "/api/report",
    "/api/followup/ics",
    "/api/followup/pack",
    "/api/export",
]
BODIES = st.one_of(JSON.map(lambda v: json.dumps(v).encode()), st.binary(max_size=200))


def test_no_http_input_gives_a_500(start_server: Callable[..., ServerProcess]) -> None:
    server = start_server(env={"TIJDLIJN_JOIN_FAILURES_PER_MINUTE": "100000"})
    statuses: dict[int, int] = {}
    with httpx.Client(base_url=server.url, timeout=10) as http:

        @settings(max_examples=300, deadline=None)
        @given(
            path=st.sampled_from(ENDPOINTS),
            body=BODIES,
            auth=st.one_of(st.none(), st.text(max_size=60)),
            code=st.text(max_size=12),
        )
        def fuzz(path: str, body: bytes, auth: str | None, code: str) -> None:
            headers = {"Content-Type": "application/json"}
            if auth is not None and auth.strip() and auth.isprintable() and auth.isascii():
                headers["Authorization"] = f"Bearer {auth}"
            answer = http.post(path, content=body, headers=headers)
            looked = http.get("/api/join/" + urllib.parse.quote(code, safe="") + "/qr.svg")
            for status in (answer.status_code, looked.status_code):
                statuses[status] = statuses.get(status, 0) + 1
                assert status < 500, (path, body[:80], status)

        fuzz()
    assert statuses.get(400, 0) > 0, statuses
    assert "Traceback" not in server.output()
