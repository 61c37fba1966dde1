"""Reconnecting and retrying: a device that comes back gets exactly what it missed (or a fresh
snapshot) and applies nothing twice; a write retried with its op_id answers as it did the first
time and changes nothing more."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.clients import Device, Devices, create_meeting, join, op_id, wait_all
from tests.support.server import ServerProcess


async def level(device: Device) -> dict[str, Any]:
    """Assert the device's state equals a fresh snapshot; return that snapshot."""
    ack = await device.sync()
    assert ack["ok"] is True, ack
    snapshot: dict[str, Any] = ack["snapshot"]
    assert device.state == snapshot["meeting"], f"{device.label} differs from the server"
    assert len(set(device.applied)) == len(device.applied), "an event was applied twice"
    return snapshot


async def test_a_reconnecting_participant_gets_exactly_what_it_missed(
    live_server: ServerProcess,
) -> None:
    url = live_server.url
    m = await create_meeting(url, parties=2)
    ja, jb = [await join(url, m.join_code, pid) for pid in m.party_ids]
    async with Devices(url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        p = await ds.connect(ja["token"], "away")
        q = await ds.connect(jb["token"], "stays")
        first = await fac.ok("moment.add", text="Eerste", reveal=True)
        await fac.ok("meeting.phase", phase="timeline")
        mine = await p.ok("interpretation.add", moment_id=first["id"], text="Van mij")
        await p.wait_seq(mine["seq"])
        last = p.seq
        await p.disconnect()

        # While it is away: public events, and events it may not see (drafts), last one hidden.
        public: list[int] = []
        hidden: list[int] = []
        draft = await fac.ok("moment.add", text="Concept, nooit getoond")
        hidden.append(draft["seq"])
        second = await fac.ok("moment.add", text="Tweede", reveal=True)
        public.append(second["seq"])
        public.append(
            (await q.ok("interpretation.add", moment_id=second["id"], text="Van q"))["seq"]
        )
        public.append(
            (await fac.ok("theme.flag", label="Druk", target="moment", id=first["id"]))["seq"]
        )
        public.append((await fac.ok("interpretation.remove", id=mine["id"]))["seq"])
        public.append((await fac.ok("moment.focus", id=first["id"]))["seq"])
        hidden.append((await fac.ok("moment.update", id=draft["id"], text="Concept 2"))["seq"])
        latest = hidden[-1]

        await p.connect(since=last)
        welcome = [(n, d) for n, d in p.received if n in ("snapshot", "catchup")][-1]
        name, catchup = welcome
        assert name == "catchup", "since was in the log: a catchup, not a snapshot"
        assert [e["seq"] for e in catchup["events"]] == public
        assert catchup["seq"] == latest, "the meeting's latest seq, past the last visible event"
        assert p.skipped == [], "nothing arrived twice"
        assert p.seq == latest
        snapshot = await level(p)
        assert snapshot["seq"] == latest
        assert mine["id"] not in p.meeting["interpretations"]
        assert p.meeting["current_moment_id"] == first["id"]
        assert not p.saw("Concept")

        # sync with the same since answers the same catchup; without since, the snapshot.
        again = await p.sync(since=last)
        assert again == {"ok": True, "catchup": catchup}
        assert (await p.sync())["snapshot"]["you"]["participant_id"] == ja["participant_id"]
        # A facilitator's catchup has the hidden events too.
        fac_catchup = (await fac.sync(since=last))["catchup"]
        assert [e["seq"] for e in fac_catchup["events"]] == sorted(public + hidden)

        # And it keeps up afterwards.
        third = await fac.ok("moment.reveal", id=draft["id"])
        await p.wait_seq(third["seq"])
        await level(p)


async def test_without_since_or_with_a_useless_since_a_snapshot(
    live_server: ServerProcess,
) -> None:
    url = live_server.url
    m = await create_meeting(url, parties=1)
    j = await join(url, m.join_code, m.party_ids[0])
    async with Devices(url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        shown = await fac.ok("moment.add", text="Moment", reveal=True)
        p = ds.device(j["token"], "participant")
        for since in (None, 10**6, -1, "3", True):
            await p.connect(since=since)  # type: ignore[arg-type]
            name, payload = [(n, d) for n, d in p.received if n in ("snapshot", "catchup")][-1]
            assert name == "snapshot", f"since={since!r}"
            assert payload["seq"] == shown["seq"]
            await level(p)
            await p.disconnect()
        for since in (10**6, -1, "3", None):
            ack = await fac.sync(since=since)  # type: ignore[arg-type]
            assert set(ack) == {"ok", "snapshot"}, f"since={since!r}: {ack}"


async def test_a_since_older_than_the_log_gets_a_snapshot(
    start_server: Callable[..., ServerProcess],
) -> None:
    server = start_server(env={"TIJDLIJN_LOG_MAX": "3"})
    url = server.url
    m = await create_meeting(url, parties=1)
    j = await join(url, m.join_code, m.party_ids[0])
    async with Devices(url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        p = await ds.connect(j["token"], "participant")
        shown = await fac.ok("moment.add", text="Moment", reveal=True)
        await p.wait_seq(shown["seq"])
        last = p.seq
        await p.disconnect()
        acks = [
            await fac.ok("interpretation.add", moment_id=shown["id"], text=f"D{i}", party_id=pid)
            for i, pid in enumerate(m.party_ids * 5)
        ]
        assert acks[-1]["seq"] - last > 3
        assert set(await p_sync_after_reconnect(p, last)) == {"snapshot"}
        await level(p)
        assert len(p.meeting["interpretations"]) == 5
        # Within the log's reach it is still a catchup.
        recent = acks[-1]["seq"] - 2
        ack = await p.sync(since=recent)
        assert [e["seq"] for e in ack["catchup"]["events"]] == [recent + 1, recent + 2]
        assert set(await p.sync(since=last)) == {"ok", "snapshot"}


async def p_sync_after_reconnect(p: Device, since: int) -> list[str]:
    """Reconnect with ``since``; the names of the welcome messages received on this connection."""
    before = len(p.received)
    await p.connect(since=since)
    return [n for n, _ in p.received[before:] if n in ("snapshot", "catchup")]


async def test_a_retried_add_answers_the_same_and_adds_once(live_server: ServerProcess) -> None:
    url = live_server.url
    m = await create_meeting(url, parties=1)
    j = await join(url, m.join_code, m.party_ids[0])
    async with Devices(url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        p = await ds.connect(j["token"], "participant")
        shown = await fac.ok("moment.add", text="Moment", reveal=True)
        op = op_id()
        payload = {"moment_id": shown["id"], "text": "Eén keer"}
        first = await p.ok("interpretation.add", op=op, **payload)
        second = await p.write("interpretation.add", op=op, **payload)
        assert second == first
        # From a new connection too (a retry after a reconnect).
        await p.disconnect()
        await p.connect(since=first["seq"])
        assert await p.write("interpretation.add", op=op, **payload) == first
        # Sent twice at once (a double tap): still one.
        op2 = op_id()
        both = await asyncio.gather(
            p.call("interpretation.add", {"op_id": op2, **payload}),
            p.call("interpretation.add", {"op_id": op2, **payload}),
        )
        assert both[0] == both[1] and both[0]["ok"] is True
        await fac.wait_seq(both[0]["seq"])
        assert len(fac.meeting["interpretations"]) == 2
        # Retries may deliver an event again (harmless: devices skip a seq they have); it is
        # still two events.
        assert len({e["seq"] for e in fac.events("interpretation.added")}) == 2
        snapshot = await level(fac)
        assert snapshot["seq"] == both[0]["seq"] == first["seq"] + 1
        assert set((await p.sync())["snapshot"]["you"]["own"]) == {first["id"], both[0]["id"]}


async def test_a_retried_reveal_answers_the_first_time_not_a_conflict(
    live_server: ServerProcess,
) -> None:
    url = live_server.url
    m = await create_meeting(url, parties=1)
    async with Devices(url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        ids = [(await fac.ok("moment.add", text=f"Moment {i}"))["id"] for i in range(3)]
        op = op_id()
        chosen = await fac.ok("moment.reveal", op=op, id=ids[1])
        assert await fac.write("moment.reveal", op=op, id=ids[1]) == chosen
        # "Reveal the next" retried must not reveal the one after it.
        op_next = op_id()
        nxt = await fac.ok("moment.reveal", op=op_next)
        assert nxt["id"] == ids[0]
        assert await fac.write("moment.reveal", op=op_next) == nxt
        snapshot = await level(fac)
        assert snapshot["seq"] == nxt["seq"]
        assert snapshot["meeting"]["moments"][ids[2]]["state"] == "draft"
        # Without the op id it is a new request: the same moment is already shown.
        fresh = await fac.write("moment.reveal", id=ids[1])
        assert fresh["error"]["code"] == "conflict"


async def test_a_retried_flag_flags_once(live_server: ServerProcess) -> None:
    url = live_server.url
    m = await create_meeting(url, parties=1)
    j = await join(url, m.join_code, m.party_ids[0])
    async with Devices(url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        p = await ds.connect(j["token"], "participant")
        shown = await fac.ok("moment.add", text="Moment", reveal=True)
        op = op_id()
        acks = [
            await p.write("theme.flag", op=op, label="Thema", target="moment", id=shown["id"])
            for _ in range(3)
        ]
        assert acks[0]["ok"] is True and acks.count(acks[0]) == 3
        snapshot = await level(p)
        assert [len(t["flags"]) for t in snapshot["meeting"]["themes"].values()] == [1]


@pytest.mark.parametrize("role", ["participant", "wall"])
async def test_events_before_the_snapshot_are_not_lost(
    live_server: ServerProcess, role: str
) -> None:
    """Devices that connect while writes stream in end up level with the server."""
    url = live_server.url
    m = await create_meeting(url, parties=1)
    async with Devices(url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        shown = await fac.ok("moment.add", text="Moment", reveal=True)
        tokens = [
            (await join(url, m.join_code, m.party_ids[0]))["token"]
            if role == "participant"
            else m.wall_token
            for _ in range(4)
        ]
        writes = asyncio.gather(
            *(
                fac.ok(
                    "interpretation.add",
                    moment_id=shown["id"],
                    text=f"D{i}",
                    party_id=m.party_ids[0],
                )
                for i in range(15)
            )
        )
        devices = await asyncio.gather(
            *(ds.connect(t, f"{role}-{i}") for i, t in enumerate(tokens))
        )
        acks = await writes
        final = max(a["seq"] for a in acks)
        await wait_all(devices, lambda d: d.seq >= final, what="the last write")
        for device in devices:
            await level(device)
            assert len(device.meeting["interpretations"]) == 15
