"""Bad input, oversized messages, the rate limit, foreign origins and concurrent writers: each
gets a clear answer, changes nothing it should not, and leaves everyone else undisturbed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.clients import (
    Device,
    Devices,
    Refused,
    create_meeting,
    join,
    op_id,
    revealed_meeting,
    wait_all,
)
from tests.support.server import ServerProcess

EVIL = "http://evil.example"


async def meeting_with_participant(
    url: str, ds: Devices, parties: int = 1
) -> tuple[Device, Device, str]:
    opened = await revealed_meeting(url, ds, parties=parties)
    return opened.fac, opened.phones[0], opened.shown["id"]


def bad_payloads(moment_id: str) -> list[tuple[str, Any, str | None]]:
    """(why, payload, a field the message must name)."""
    good = {"op_id": op_id(), "moment_id": moment_id, "text": "Duiding"}
    return [
        ("a string", "Duiding", None),
        ("a list", [good], None),
        ("a number", 42, None),
        ("nothing", None, None),
        ("no op_id", {"moment_id": moment_id, "text": "Duiding"}, "op_id"),
        ("no moment_id", {"op_id": op_id(), "text": "Duiding"}, "moment_id"),
        ("no text", {"op_id": op_id(), "moment_id": moment_id}, "text"),
        ("an extra field", {**good, "op_id": op_id(), "author": "iemand"}, "author"),
        ("a text that is a number", {**good, "op_id": op_id(), "text": 5}, "text"),
        ("an empty text", {**good, "op_id": op_id(), "text": "   "}, "text"),
        ("2001 characters", {**good, "op_id": op_id(), "text": "a" * 2001}, "text"),
        ("a malformed op_id", {**good, "op_id": "spaties mogen niet"}, "op_id"),
        ("a malformed id", {**good, "op_id": op_id(), "moment_id": "../x"}, "moment_id"),
    ]


async def test_malformed_writes_are_invalid_and_change_nothing(live_server: ServerProcess) -> None:
    async with Devices(live_server.url) as ds:
        fac, p, moment_id = await meeting_with_participant(live_server.url, ds)
        before = (await fac.sync())["snapshot"]
        for why, payload, field in bad_payloads(moment_id):
            ack = await p.call("interpretation.add", payload)
            assert ack["ok"] is False, why
            assert ack["error"]["code"] == "invalid", (why, ack)
            message = ack["error"]["message"]
            if field is not None:
                assert field in message, (why, message)
            assert "iemand" not in message and "aaaa" not in message, "values are never echoed"
            assert p.connected, f"{why}: the client was disconnected"
        after = (await fac.sync())["snapshot"]
        assert after == before
        # The connection still works, and 2000 characters is allowed.
        ok = await p.ok("interpretation.add", moment_id=moment_id, text="b" * 2000)
        await fac.wait_seq(ok["seq"])
        assert ok["seq"] == before["seq"] + 1


async def test_facilitator_writes_are_validated_too(live_server: ServerProcess) -> None:
    async with Devices(live_server.url) as ds:
        fac, _, moment_id = await meeting_with_participant(live_server.url, ds)
        before = (await fac.sync())["snapshot"]
        for event, payload in (
            ("moment.add", {"text": "x" * 501}),
            ("moment.add", {"text": "Moment", "position": -1}),
            ("meeting.phase", {"phase": "nabespreking"}),
            ("meeting.update", {"initials": "Jan de Vries"}),
            ("meeting.end", {"confirm": False}),
            ("party.add", {"name": "Partij", "colour": "#123456"}),
            ("agreement.add", {"text": "Afspraak", "due": "volgende week"}),
            ("interpretation.add", {"moment_id": moment_id, "text": "Namens wie?"}),
        ):
            ack = await fac.write(event, **payload)
            assert ack["ok"] is False and ack["error"]["code"] == "invalid", (event, ack)
        assert (await fac.sync())["snapshot"] == before


async def test_an_unknown_event_gets_an_error_answer(live_server: ServerProcess) -> None:
    async with Devices(live_server.url) as ds:
        fac, p, moment_id = await meeting_with_participant(live_server.url, ds)
        before = (await fac.sync())["snapshot"]
        for event in ("moment.explode", "interpretation.delete", "sync.all", "x" * 300):
            ack = await p.call(event, {"op_id": op_id()})
            assert ack == {"ok": False, "error": ack["error"]}, ack
            assert ack["error"]["code"] == "unknown_event", (event, ack)
        assert p.connected
        assert (await fac.sync())["snapshot"] == before
        await p.ok("interpretation.add", moment_id=moment_id, text="Nog steeds verbonden")


async def test_reserved_event_names_sent_by_a_client_are_unknown(
    live_server: ServerProcess,
) -> None:
    """A client that emits "connect" or "disconnect" as events must not reach the hub's
    connect/disconnect handlers (python-socketio dispatches them by name): that would forget
    the connection while it stays in its rooms, or re-authenticate an open socket."""
    url = live_server.url
    async with Devices(url) as ds:
        o = await revealed_meeting(url, ds)
        m, fac, [p], shown = o.m, o.fac, o.phones, o.shown
        present = {"facilitator": 1, m.party_ids[0]: 1}
        await fac.wait_for(lambda: fac.presence == present, what="presence")
        forged: list[tuple[str, Any]] = [
            ("disconnect", {"op_id": op_id()}),
            ("connect", {"op_id": op_id()}),
            ("connect", ({}, {"token": m.facilitator_token})),
        ]
        for event, data in forged:
            ack = await p.call(event, data, within=3)
            assert isinstance(ack, dict) and ack.get("ok") is False, (event, ack)
            assert ack["error"]["code"] == "unknown_event", (event, ack)
        # Still the same participant, still counted, still able to write as itself only.
        assert fac.presence == present
        await p.ok("interpretation.add", moment_id=shown["id"], text="Nog steeds deelnemer")
        smuggled = await p.write("moment.add", text="Via een vervalst connect")
        assert smuggled["error"]["code"] == "forbidden"


async def test_a_message_over_64_kib_is_refused_by_the_transport(
    live_server: ServerProcess,
) -> None:
    url = live_server.url
    async with Devices(url) as ds:
        o = await revealed_meeting(url, ds, phones=())
        m, fac, shown = o.m, o.fac, o.shown
        big, other = [
            await ds.connect((await join(url, m.join_code, m.party_ids[0]))["token"], name)
            for name in ("big", "other")
        ]
        before = (await fac.sync())["snapshot"]
        # Under the limit but invalid: the hub answers, the connection stays.
        ack = await big.write("interpretation.add", moment_id=shown["id"], text="x" * 60_000)
        assert ack["error"]["code"] == "invalid"
        assert big.connected
        # Over the limit: the transport refuses it before the hub sees it.
        answers: list[Any] = []
        assert big.client is not None
        await big.client.emit(
            "interpretation.add",
            {"op_id": op_id(), "moment_id": shown["id"], "text": "y" * (70 * 1024)},
            callback=lambda *a: answers.append(a),
        )
        await big.wait_for(
            lambda: not big.connected or bool(answers), what="a disconnect or an error"
        )
        if answers:
            assert answers[0][0]["ok"] is False, answers
        assert (await fac.sync())["snapshot"] == before
        # Everyone else carries on.
        assert other.connected and fac.connected
        done = await other.ok("interpretation.add", moment_id=shown["id"], text="Gewoon door")
        await wait_all([fac, other], lambda d: d.seq >= done["seq"], what="the next write")
        # And the refused device can come back.
        await big.disconnect()
        await big.connect(since=big.seq)
        assert big.meeting["interpretations"].keys() == fac.meeting["interpretations"].keys()


async def test_a_burst_beyond_the_rate_limit_is_refused(live_server: ServerProcess) -> None:
    async with Devices(live_server.url) as ds:
        fac, p, moment_id = await meeting_with_participant(live_server.url, ds, parties=2)
        assert p.client is not None
        answers: list[asyncio.Future[Any]] = []
        loop = asyncio.get_running_loop()
        for i in range(60):
            future: asyncio.Future[Any] = loop.create_future()
            answers.append(future)
            await p.client.emit(
                "interpretation.add",
                {"op_id": op_id(), "moment_id": moment_id, "text": f"Snel {i}"},
                callback=lambda ack, f=future: f.set_result(ack),
            )
        acks = await asyncio.wait_for(asyncio.gather(*answers), 10)
        accepted = [a for a in acks if a["ok"]]
        refused = [a for a in acks if not a["ok"]]
        assert refused, "60 writes at once must hit the limit"
        assert {a["error"]["code"] for a in refused} == {"rate_limited"}
        assert all(a["error"]["message"] for a in refused)
        assert accepted, "a burst is allowed"
        snapshot = (await fac.sync())["snapshot"]
        assert len(snapshot["meeting"]["interpretations"]) == len(accepted)
        assert p.connected
        # Per connection: someone else is not slowed down by it.
        assert p.you is not None
        other = next(pid for pid in snapshot["meeting"]["parties"] if pid != p.you["party_id"])
        await fac.ok("interpretation.add", moment_id=moment_id, text="Ik mag", party_id=other)


async def connect_with_origin(url: str, token: str, origin: str | None) -> Device:
    headers = {"Origin": origin} if origin else None
    device = Device(url, token, label=f"origin {origin}", headers=headers)
    return await device.connect()


async def test_socket_connections_from_a_foreign_origin_are_refused(
    live_server: ServerProcess,
) -> None:
    url = live_server.url
    m = await create_meeting(url, parties=1)
    with pytest.raises(Refused):
        await connect_with_origin(url, m.facilitator_token, EVIL)
    with pytest.raises(Refused):
        await connect_with_origin(url, m.facilitator_token, "http://127.0.0.1:1")
    same = await connect_with_origin(url, m.facilitator_token, url)
    try:
        assert same.you is not None and same.you["role"] == "facilitator"
    finally:
        await same.disconnect()


async def test_an_allowed_origin_may_connect(start_server: Callable[..., ServerProcess]) -> None:
    server = start_server("--allowed-origin", EVIL)
    m = await create_meeting(server.url, parties=1)
    device = await connect_with_origin(server.url, m.facilitator_token, EVIL)
    try:
        assert device.you is not None and device.you["role"] == "facilitator"
    finally:
        await device.disconnect()
    with pytest.raises(Refused):
        await connect_with_origin(server.url, m.facilitator_token, "http://other.example")


async def test_twelve_participants_writing_at_once_lose_nothing(
    live_server: ServerProcess,
) -> None:
    url = live_server.url
    per_device = 5
    async with Devices(url) as ds:
        o = await revealed_meeting(url, ds, parties=4, phones=())
        m, fac, shown = o.m, o.fac, o.shown
        joined = await asyncio.gather(
            *(join(url, m.join_code, pid) for pid in m.party_ids for _ in range(3))
        )
        participants = await asyncio.gather(
            *(ds.connect(j["token"], f"p{i}") for i, j in enumerate(joined))
        )

        total = len(participants) * per_device

        async def add(p: Device, text: str) -> dict[str, Any]:
            # 60 writes at once are more than a process admits at a time (16 in flight,
            # docs/deploy.md "Overload"): a busy answer is retried with the same op id, as a
            # browser does, once another write has completed (its event reached this device).
            op = op_id()
            for _ in range(total):
                events = len(p.events())
                ack = await p.write("interpretation.add", op=op, moment_id=shown["id"], text=text)
                if ack.get("error", {}).get("code") != "busy":
                    assert ack.get("ok") is True, f"{p.label}: {ack!r}"
                    return ack

                def completed(before: int = events) -> bool:
                    return len(p.events()) > before

                await p.wait_for(completed, what="a write to complete")
            raise AssertionError(f"{p.label}: still busy after {total} tries")

        async def add_all(p: Device) -> list[dict[str, Any]]:
            return await asyncio.gather(*(add(p, f"{p.label} {i}") for i in range(per_device)))

        acks = [a for batch in await asyncio.gather(*map(add_all, participants)) for a in batch]
        assert len({a["id"] for a in acks}) == total
        seqs = sorted(a["seq"] for a in acks)
        assert seqs == list(range(shown["seq"] + 1, shown["seq"] + 1 + total)), "one seq each"
        everyone = [fac, *participants]
        await wait_all(everyone, lambda d: d.seq >= seqs[-1], what="every interpretation")
        for device in everyone:
            assert len(device.meeting["interpretations"]) == total, device.label
            snapshot = (await device.sync())["snapshot"]
            assert device.state == snapshot["meeting"]
