"""A whole meeting through the hub, from creation to deletion, as 14 devices see it; and the
canary run that proves no meeting content reaches the server's logs."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import httpx
import pytest

from tests.support.clients import (
    Device,
    Devices,
    create_meeting,
    join,
    refused_with,
    wait_all,
)
from tests.support.server import ServerProcess

PARTIES = 4
PER_PARTY = 3
DRAFTS = 10
REVEALED = 4
THEME = "Signalen komen niet samen"


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def meeting_url(
    request: pytest.FixtureRequest,
    live_server: ServerProcess,
    start_server: Callable[..., ServerProcess],
) -> str:
    if request.param == "memory":
        return live_server.url
    redis_url: str = request.getfixturevalue("redis_url")
    prefix: str = request.getfixturevalue("redis_prefix")
    server = start_server("--redis-url", redis_url, env={"TIJDLIJN_KEY_PREFIX": prefix})
    health = httpx.get(f"{server.url}/healthz", timeout=10).json()
    assert health == {"status": "ok", "store": "redis"}
    return server.url


def at_least(seq: int) -> Callable[[Device], bool]:
    return lambda device: device.seq >= seq


async def assert_levels_with_server(devices: list[Device]) -> None:
    """Every device's applied state equals a fresh snapshot of its own role."""
    for device in devices:
        ack = await device.sync()
        assert ack["ok"] is True, ack
        snapshot = ack["snapshot"]
        assert device.state == snapshot["meeting"], f"{device.label} drifted from the server"
        assert device.seq <= snapshot["seq"]
        assert len(set(device.applied)) == len(device.applied), f"{device.label} applied twice"


async def test_a_whole_meeting_with_fourteen_devices(meeting_url: str) -> None:
    url = meeting_url
    marker = uuid.uuid4().hex[:10]
    m = await create_meeting(url, parties=PARTIES)
    async with Devices(url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        wall = await ds.connect(m.wall_token, "wall")
        joined = await asyncio.gather(
            *(join(url, m.join_code, pid) for pid in m.party_ids for _ in range(PER_PARTY))
        )
        participants = list(
            await asyncio.gather(
                *(ds.connect(j["token"], f"participant-{i}") for i, j in enumerate(joined))
            )
        )
        public = [wall, *participants]
        everyone = [fac, *public]
        assert len(everyone) == 14

        # Presence: the facilitator sees devices per party, never names.
        expected_presence = {"facilitator": 1, "wall": 1, **dict.fromkeys(m.party_ids, 3)}
        await fac.wait_for(lambda: fac.presence == expected_presence, what="presence of all 14")
        assert wall.share is not None and set(wall.share) == {"join_code", "join_url"}
        assert fac.share is not None and fac.share["join_code"] == m.join_code
        for p, j in zip(participants, joined, strict=True):
            assert p.you == {
                "role": "participant",
                "party_id": j["party_id"],
                "participant_id": j["participant_id"],
                "own": [],
            }
            assert p.share is None

        # Preparation: ten drafts while everyone is connected; only facilitators hear of them.
        drafts = [f"Concept {i} {marker} bijna-incident" for i in range(DRAFTS)]
        ids = []
        for i, text in enumerate(drafts):
            ack = await fac.ok("moment.add", text=text, when=f"week {i + 1}")
            ids.append(ack["id"])
        phase = await fac.ok("meeting.phase", phase="timeline")
        await wait_all(everyone, lambda d: d.seq >= phase["seq"], what="the phase change")
        assert fac.seq == phase["seq"] and len(fac.meeting["moments"]) == DRAFTS
        for device in public:
            assert device.meeting["moments"] == {}
            assert device.meeting["phase"] == "timeline"
            assert not device.events("moment.added"), f"{device.label} got a draft event"

        own: dict[str, set[str]] = {p.label: set() for p in participants}
        for k in range(REVEALED):
            assert not any(d.saw(drafts[k]) for d in public), "a draft leaked before its reveal"
            reveal = await fac.ok("moment.reveal")
            assert reveal["id"] == ids[k], "reveals follow the prepared order"
            await wait_all(everyone, at_least(reveal["seq"]), what="the reveal")
            for device in everyone:
                [event] = [e for e in device.events() if e["seq"] == reveal["seq"]]
                assert event["type"] == "moment.revealed", device.label
                assert device.meeting["current_moment_id"] == ids[k]
                assert device.meeting["moments"][ids[k]]["text"] == drafts[k]
            assert all(d.saw(drafts[k]) for d in public)  # the search does find revealed text

            # Everyone in the room answers at once, attributed to their party.
            acks = await asyncio.gather(
                *(
                    p.ok(
                        "interpretation.add",
                        moment_id=ids[k],
                        text=f"Duiding {k} van {p.label}: wij wisten het pas later",
                    )
                    for p in participants
                )
            )
            for p, ack in zip(participants, acks, strict=True):
                own[p.label].add(ack["id"])
            # One participant per party flags the same theme (any case of the label is reused).
            flaggers = participants[::PER_PARTY]
            label = THEME if k % 2 else THEME.upper()
            flags = await asyncio.gather(
                *(f.ok("theme.flag", label=label, target="moment", id=ids[k]) for f in flaggers)
            )
            assert len({a["id"] for a in flags}) == 1, "one theme for one label"
            theme_id = flags[0]["id"]
            last = max(a["seq"] for a in [*acks, *flags])
            await wait_all(everyone, at_least(last), what="interpretations")
            for device in everyone:
                on_moment = [
                    i
                    for i in device.meeting["interpretations"].values()
                    if i["moment_id"] == ids[k]
                ]
                assert len(on_moment) == len(participants), device.label
                assert all("author" not in i for i in on_moment), "Chatham House"
                assert len(device.meeting["themes"][theme_id]["flags"]) == PARTIES * (k + 1)

        # A participant flags a theme on someone else's interpretation.
        other = next(iter(own[participants[1].label]))
        flagged = await participants[0].ok(
            "theme.flag", label="Taal", target="interpretation", id=other
        )
        # Undo the last reveal: it disappears from every phone and the wall, then comes back.
        undo = await fac.ok("moment.unreveal")
        assert undo["id"] == ids[REVEALED - 1]
        await wait_all(everyone, lambda d: d.seq >= undo["seq"], what="the undo")
        for device in public:
            assert ids[REVEALED - 1] not in device.meeting["moments"]
            assert device.meeting["current_moment_id"] == ids[REVEALED - 2]
            hidden = [
                i
                for i in device.meeting["interpretations"].values()
                if i["moment_id"] == ids[REVEALED - 1]
            ]
            assert hidden == []
        again = await fac.ok("moment.reveal", id=ids[REVEALED - 1])
        rename = await fac.ok("theme.rename", id=flagged["id"], label="Taalgebruik")
        await wait_all(everyone, lambda d: d.seq >= rename["seq"], what="the rename")
        assert again["seq"] < rename["seq"]

        # Drafts never revealed never reached a participant or the wall, in any form.
        for text in drafts[REVEALED:]:
            for device in public:
                assert not device.saw(text), f"{device.label} received a draft"
            assert fac.saw(text)
        # Nobody learns which participant wrote what, facilitators included.
        participant_ids = {j["participant_id"] for j in joined}
        for device in everyone:
            mine = device.you["participant_id"] if device.you else None
            for pid in participant_ids - {mine}:
                assert not device.saw(pid), f"{device.label} can tell who wrote what"

        await assert_levels_with_server(everyone)
        assert len(fac.meeting["interpretations"]) == len(participants) * REVEALED
        for p in participants:
            snapshot = (await p.sync())["snapshot"]
            assert set(snapshot["you"]["own"]) == own[p.label]
        fac_snapshot = (await fac.sync())["snapshot"]
        assert fac.seq == fac_snapshot["seq"]

        # End and delete: every device is told, then disconnected.
        ended = await fac.ok("meeting.end", confirm=True)
        assert set(ended) == {"ok", "receipt"}, "the ack is the receipt, no seq: nothing appended"
        receipt = ended["receipt"]
        assert receipt["verified_empty"] is True and receipt["keys_remaining"] == 0
        assert receipt["items_removed"]["moments"] == DRAFTS
        assert receipt["items_removed"]["interpretations"] == len(participants) * REVEALED
        assert marker not in str(receipt)
        # The sender learns it from its ack; every other device from meeting.deleted.
        others = [d for d in everyone if d is not fac]
        await wait_all(
            others,
            lambda d: d.deleted is not None and not d.connected,
            what="meeting.deleted and a disconnect",
        )
        await fac.wait_for(lambda: not fac.connected, what="the sender's disconnect")
        for device in others:
            assert device.deleted["code"] == "meeting_gone"

    # Afterwards every code and link says the meeting no longer exists.
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        lookup = await http.get(f"/api/join/{m.join_code}")
        joining = await http.post(
            "/api/join", json={"code": m.join_code, "party_id": m.party_ids[0]}
        )
        qr = await http.get(f"/api/join/{m.join_code}/qr.svg")
    for answer in (lookup, joining, qr):
        assert answer.status_code == 404, answer.text
        error = answer.json()["error"]
        assert error["code"] == "meeting_gone"
        assert "bijeenkomst" in error["message"]
    for token in (m.facilitator_token, m.wall_token, joined[0]["token"]):
        data = await refused_with(url, token)
        assert isinstance(data, dict), f"connect_error without data {{code, message}}: {data!r}"
        assert data["code"] == "meeting_gone"
        assert "bijeenkomst" in data["message"]


async def test_old_tokens_are_refused_with_meeting_gone(live_server: ServerProcess) -> None:
    """The browser reads ``err.data`` of a connect_error: it must be ``{code, message}``."""
    url = live_server.url
    m = await create_meeting(url, parties=1)
    participant = await join(url, m.join_code, m.party_ids[0])
    async with Devices(url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        await fac.ok("meeting.end", confirm=True)
    for token in (m.facilitator_token, m.cofacilitator_token, m.wall_token, participant["token"]):
        assert await refused_with(url, token) == {
            "code": "meeting_gone",
            "message": "Deze bijeenkomst bestaat niet meer.",
        }


async def test_a_wrong_token_is_refused_as_unauthorized(live_server: ServerProcess) -> None:
    url = live_server.url
    m = await create_meeting(url, parties=1)
    forged = m.facilitator_token.split(".")[0] + "." + "A" * 22
    for token in (forged, "not-a-token"):
        data = await refused_with(url, token)
        assert isinstance(data, dict) and data["code"] == "unauthorized", data


async def test_no_meeting_content_reaches_the_logs(
    start_server: Callable[..., ServerProcess],
) -> None:
    server = start_server()
    url = server.url
    canary = f"KANARIE{uuid.uuid4().hex}"
    m = await create_meeting(url, parties=2, title=f"Casus {canary}", initials="C.K.")
    async with Devices(url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        wall = await ds.connect(m.wall_token, "wall")
        joined = [await join(url, m.join_code, pid) for pid in m.party_ids]
        p1, p2 = [await ds.connect(j["token"], f"p{i}") for i, j in enumerate(joined)]
        await fac.ok("party.add", name=f"Partij {canary}", colour="#000000")
        await fac.ok("meeting.update", ground_rules=[f"Regel {canary}"])
        first = await fac.ok("moment.add", text=f"Moment {canary} een", when=f"mei {canary[:20]}")
        await fac.ok("moment.add", text=f"Moment {canary} twee (concept)")
        await fac.ok("meeting.phase", phase="timeline")
        await fac.ok("moment.reveal", id=first["id"])
        interp = await p1.ok("interpretation.add", moment_id=first["id"], text=f"Duiding {canary}")
        await p1.ok("interpretation.update", id=interp["id"], text=f"Duiding {canary} bijgewerkt")
        await p2.ok(
            "interpretation.add",
            moment_id=first["id"],
            text=f"Tel 06-12345678, {canary}@example.nl",
        )
        theme = await p2.ok(
            "theme.flag", label=f"Thema {canary[:40]}", target="moment", id=first["id"]
        )
        await fac.ok("theme.rename", id=theme["id"], label=f"Hernoemd {canary[:40]}")
        await fac.ok("thread.add", text=f"Rode draad {canary}", level="relations")
        await fac.ok("meeting.phase", phase="reflection")
        await fac.ok("lesson.add", text=f"Les {canary}")
        agreement = await fac.ok(
            "agreement.add", text=f"Afspraak {canary}", owner_party_id=m.party_ids[0]
        )
        status = await p1.ok("agreement.status", id=agreement["id"], status="in_progress")
        # Refused writes must not log what they carried either.
        too_long = await p1.write("interpretation.add", moment_id=first["id"], text=canary * 60)
        assert too_long["error"]["code"] == "invalid"
        assert canary not in too_long["error"]["message"]
        forbidden = await p2.write("lesson.add", text=f"Les {canary}")
        assert forbidden["error"]["code"] == "forbidden"
        unknown = await p2.call(f"onbekend.{canary}", {"op_id": "x", "text": canary})
        assert unknown["error"]["code"] == "unknown_event"
        wrong = await wall.write("moment.add", text=f"Moment {canary}")
        assert wrong["error"]["code"] == "forbidden"
        await fac.wait_seq(status["seq"])
        await fac.ok("meeting.end", confirm=True)
        await wait_all([fac, wall, p1, p2], lambda d: not d.connected, what="the disconnect")
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        bad = await http.post("/api/meetings", json={"title": canary * 5, "initials": "C.K."})
        assert bad.status_code == 400 and canary not in bad.text
        bad = await http.post("/api/meetings", json={"title": "Casus", "initials": canary})
        assert bad.status_code == 400 and canary not in bad.text
        gone = await http.get(f"/api/join/{canary[:6]}")
        assert gone.status_code == 404
    server.stop()
    output = server.output()
    assert "tijdlijn.hub" in output and "deleted meeting=" in output, "logs were not captured"
    assert canary not in output
    assert canary.lower() not in output.lower()
    assert m.facilitator_token not in output and joined[0]["token"] not in output
