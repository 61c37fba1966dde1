"""The method's protocol through a real server: intake links (a token made in the facilitator's
browser, only its hash sent), what each device receives, links that stop working, the ground
rules count, and the method's writes refused for the wrong roles."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import httpx

from tests.support.clients import (
    DEADLINE,
    Devices,
    MeetingInfo,
    Refused,
    create_meeting,
    join,
    refused_with,
)
from tests.support.server import ServerProcess
from tijdlijn.domain.commands_method import METHOD_COMMANDS

CANARY = "UITVRAAG-CANARY"


def intake_token(m: MeetingInfo) -> tuple[str, str]:
    """What the console does: a fresh token for the meeting, and the SHA-256 it sends."""
    token = f"{m.meeting_id}.{secrets.token_urlsafe(16)}"
    return token, hashlib.sha256(token.encode()).hexdigest()


async def test_intake_links_see_only_their_own_party(live_server: ServerProcess) -> None:
    url = live_server.url
    m = await create_meeting(url, parties=3)
    joined = await join(url, m.join_code, m.party_ids[2])
    first, first_hash = intake_token(m)
    second, second_hash = intake_token(m)
    async with Devices(url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        phone = await ds.connect(joined["token"], "participant")
        wall = await ds.connect(m.wall_token, "wall")
        await fac.ok("intake.open", party_id=m.party_ids[0], token_hash=first_hash)
        await fac.ok("intake.open", party_id=m.party_ids[1], token_hash=second_hash)
        assert first_hash not in str(fac.received), "devices never receive a token hash"
        a = await ds.connect(first, "intake-a")
        b = await ds.connect(second, "intake-b")
        assert a.you is not None and a.you["role"] == "intake"
        assert a.share is None, "an intake link gets no links to share"
        assert a.state is not None
        assert a.state["party"]["id"] == m.party_ids[0]  # type: ignore[typeddict-item]
        added = await a.ok(
            "intake.add", text=f"{CANARY} huisbezoek", when="maart", experience=f"{CANARY} ok"
        )
        await b.ok("intake.add", text="Telefoontje", when="april", experience="Onverwacht.")
        await fac.wait_seq(added["seq"] + 1)
        assert added["id"] in fac.meeting["intake_entries"]
        # The contributor is told to look again, and sees its own entry; the other link not.
        await a.wait_for(lambda: "intake.changed" in a.names(), what="a change notice")
        mine = (await a.sync())["snapshot"]["meeting"]
        theirs = (await b.sync())["snapshot"]["meeting"]
        assert set(mine["entries"]) == {added["id"]}
        assert CANARY not in str(theirs) and CANARY in str(mine)
        # Participants and the wall receive nothing of it, not even an event.
        for device in (phone, wall):
            assert not device.saw(CANARY)
            assert "intake_entries" not in str(device.received)
        # Another party's entry is not found for a link; meeting commands are refused.
        other = await b.write("intake.update", id=added["id"], text="Overschreven")
        assert other["error"]["code"] == "not_found"
        refused = await a.write("moment.add", text="Mag niet")
        assert refused["error"]["code"] == "forbidden"
        # Closing the intake: writes refused, and the link no longer connects.
        await fac.ok("intake.close", party_id=m.party_ids[0])
        late = await a.write("intake.add", text="Te laat")
        assert late["error"]["code"] == "forbidden"
        closed = (await a.sync())["snapshot"]["meeting"]
        assert closed["status"] == "closed" and closed["entries"] == {}
        await a.disconnect()
        error = await refused_with(url, first)
        assert error["code"] == "unauthorized" and "gesloten" in error["message"]
        # The meeting starts: the other link stops working too.
        await fac.ok("meeting.phase", phase="introduction")
        assert (await refused_with(url, second))["code"] == "unauthorized"
        # A made-up token for the meeting opens nothing.
        guess, _ = intake_token(m)
        assert (await refused_with(url, guess))["code"] == "unauthorized"


async def test_an_intake_link_opens_no_downloads(live_server: ServerProcess) -> None:
    m = await create_meeting(live_server.url, parties=1)
    token, hashed = intake_token(m)
    async with Devices(live_server.url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        await fac.ok("intake.open", party_id=m.party_ids[0], token_hash=hashed)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=DEADLINE) as http:
        answer = await http.post(
            "/api/report", json={"format": "html"}, headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == 403


async def test_the_console_sees_how_many_devices_accepted_the_rules(
    live_server: ServerProcess,
) -> None:
    url = live_server.url
    m = await create_meeting(url, parties=1)
    one, two = [await join(url, m.join_code, m.party_ids[0]) for _ in range(2)]
    async with Devices(url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        p1 = await ds.connect(one["token"], "p1")
        p2 = await ds.connect(two["token"], "p2")
        assert p1.meeting["ground_rules_version"] == 1
        await p1.ok("ground_rules.accept", version=1)
        done = await p2.ok("ground_rules.accept", version=1)
        await fac.wait_seq(done["seq"])
        assert fac.meeting["ground_rules_accepted"] == 2  # type: ignore[typeddict-item]
        assert one["participant_id"] not in str(fac.received)
        assert "ground_rules_accepted" not in str(p1.received)
        changed = await fac.ok("meeting.update", ground_rules=["Luister naar elkaar."])
        await p1.wait_seq(changed["seq"])
        assert p1.meeting["ground_rules_version"] == 2
        stale = await p1.write("ground_rules.accept", version=1)
        assert stale["error"]["code"] == "conflict"
        await fac.wait_seq(changed["seq"])
        assert fac.meeting["ground_rules_accepted"] == 0  # type: ignore[typeddict-item]


async def test_method_writes_are_refused_for_the_wrong_roles(live_server: ServerProcess) -> None:
    url = live_server.url
    m = await create_meeting(url, parties=2)
    joined = await join(url, m.join_code, m.party_ids[0])
    async with Devices(url) as ds:
        phone = await ds.connect(joined["token"], "participant")
        wall = await ds.connect(m.wall_token, "wall")
        payloads: dict[str, dict[str, Any]] = {
            "meeting.preconditions": {"case_calm": True},
            "intake.open": {"party_id": m.party_ids[0], "token_hash": "ab" * 32},
            "intake.close": {"party_id": m.party_ids[0]},
            "intake.add": {"text": "x", "party_id": m.party_ids[0]},
            "intake.update": {"id": "nope", "text": "x"},
            "intake.remove": {"id": "nope"},
            "intake.take": {"entry_ids": ["nope"]},
            "new_information.add": {},
            "new_information.agree": {"id": "nope", "agreement": "x"},
            "new_information.remove": {"id": "nope"},
            "ground_rules.accept": {"version": 1},
        }
        assert set(payloads) == set(METHOD_COMMANDS)
        for name, payload in payloads.items():
            ack = await wall.write(name, **payload)
            assert ack["error"]["code"] == "forbidden", (name, ack)
            if name != "ground_rules.accept":
                ack = await phone.write(name, **payload)
                assert ack["error"]["code"] == "forbidden", (name, ack)


async def test_links_of_a_deleted_meeting_say_so(live_server: ServerProcess) -> None:
    m = await create_meeting(live_server.url, parties=1)
    token, hashed = intake_token(m)
    async with Devices(live_server.url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        await fac.ok("intake.open", party_id=m.party_ids[0], token_hash=hashed)
        intake = await ds.connect(token, "intake")
        await intake.ok("intake.add", text="Moment")
        await intake.disconnect()
        ended = await fac.write("meeting.end", confirm=True)
        assert ended["ok"] is True
        assert ended["receipt"]["items_removed"]["intake_entries"] == 1
    try:
        await ds.device(token, "after").connect()
    except Refused as exc:
        assert "meeting_gone" in str(exc.data)
    else:
        raise AssertionError("a deleted meeting's intake link still connects")


async def test_preconditions_ticked_on_the_new_meeting_form_are_kept(
    live_server: ServerProcess,
) -> None:
    body = {
        "title": "Casus",
        "initials": "J.K.",
        "parties": [{"name": "Wijkteam", "colour": "#E69F00"}],
        "preconditions": {"case_calm": True, "light_tensions": True},
    }
    async with httpx.AsyncClient(base_url=live_server.url, timeout=DEADLINE) as http:
        created = (await http.post("/api/meetings", json=body)).json()
        wrong = await http.post("/api/meetings", json={**body, "preconditions": {"calm": True}})
    assert wrong.status_code == 400
    async with Devices(live_server.url) as ds:
        fac = await ds.connect(created["facilitator_token"], "facilitator")
        wall = await ds.connect(created["wall_token"], "wall")
        assert fac.meeting["preconditions"] == {
            "case_calm": True,
            "most_involved": None,
            "light_tensions": True,
        }
        assert "preconditions" not in wall.meeting
