"""Every write event checks the sender's role on the server: the wall may send nothing, a
participant only its own interpretations, theme flags and its party's agreement status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.clients import Device, Devices, MeetingInfo, create_meeting, join
from tests.support.server import ServerProcess
from tijdlijn.domain.commands import COMMANDS as ALL_COMMANDS
from tijdlijn.domain.commands_method import METHOD_COMMANDS

# The method's commands (intake, new information, ...): tests/test_hub_method.py.
COMMANDS = {name: kind for name, kind in ALL_COMMANDS.items() if name not in METHOD_COMMANDS}

# What a participant may send at all (ownership still applies); everything else is refused.
PARTICIPANT_MAY = {
    "interpretation.add",
    "interpretation.update",
    "interpretation.remove",
    "theme.flag",
    "agreement.status",
}
# Writes per connection stay under the hub's burst; the rate limit is tested elsewhere.
WRITES_PER_CONNECTION = 12

Ids = dict[str, str]


@dataclass
class Sender:
    """One role's writes, spread over fresh connections so the rate limit never interferes."""

    devices: Devices
    token: str
    label: str
    current: Device | None = None
    sent: int = 0
    used: list[Device] = field(default_factory=list)

    async def write(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        if self.current is None or self.sent % WRITES_PER_CONNECTION == 0:
            if self.current is not None:
                await self.current.disconnect()
            self.current = await self.devices.connect(self.token, f"{self.label}-{self.sent}")
        self.sent += 1
        return await self.current.write(event, **payload)


# Each write with a payload valid for the meeting as it stands at that point; the facilitator
# then sends the same payload and it must succeed, so a refusal can only be about the role.
STEPS: list[tuple[str, Callable[[Ids], dict[str, Any]], str | None]] = [
    ("meeting.update", lambda i: {"title": "Andere titel"}, None),
    ("meeting.phase", lambda i: {"phase": "timeline"}, None),
    ("party.add", lambda i: {"name": "Derde partij", "colour": "#000000"}, "party3"),
    ("party.update", lambda i: {"id": i["party2"], "name": "Tweede partij"}, None),
    ("moment.add", lambda i: {"text": "Ingevoegd moment", "position": 0}, "moment3"),
    ("moment.update", lambda i: {"id": i["draft"], "text": "Aangepaste tekst"}, None),
    ("moment.move", lambda i: {"id": i["draft"], "position": 0}, None),
    ("moment.reveal", lambda i: {"id": i["draft"]}, None),
    ("moment.focus", lambda i: {"id": i["shown"]}, None),
    ("moment.unreveal", lambda i: {}, None),
    (
        "interpretation.add",
        lambda i: {"moment_id": i["shown"], "text": "Namens twee", "party_id": i["party2"]},
        "interp2",
    ),
    ("interpretation.update", lambda i: {"id": i["interp"], "text": "Bijgewerkt"}, None),
    ("interpretation.move", lambda i: {"id": i["interp"], "moment_id": i["shown"]}, None),
    ("theme.flag", lambda i: {"label": "Nieuw thema", "target": "moment", "id": i["shown"]}, None),
    (
        "theme.unflag",
        lambda i: {"theme_id": i["theme_a"], "target": "moment", "id": i["shown"]},
        None,
    ),
    ("theme.rename", lambda i: {"id": i["theme_b"], "label": "Thema B2"}, None),
    ("theme.merge", lambda i: {"id": i["theme_b"], "into": i["theme_a"]}, None),
    ("theme.remove", lambda i: {"id": i["theme_a"]}, None),
    ("thread.add", lambda i: {"text": "Nog een rode draad", "level": "content"}, None),
    ("thread.update", lambda i: {"id": i["thread"], "text": "Anders verwoord"}, None),
    ("thread.remove", lambda i: {"id": i["thread"]}, None),
    ("lesson.add", lambda i: {"text": "Nog een les"}, None),
    ("lesson.update", lambda i: {"id": i["lesson"], "text": "Les, bijgewerkt"}, None),
    ("lesson.remove", lambda i: {"id": i["lesson"]}, None),
    ("agreement.add", lambda i: {"text": "Nog een afspraak"}, None),
    ("agreement.update", lambda i: {"id": i["agreement"], "text": "Afspraak, bijgewerkt"}, None),
    ("agreement.status", lambda i: {"id": i["agreement"], "status": "in_progress"}, None),
    ("agreement.remove", lambda i: {"id": i["agreement"]}, None),
    ("interpretation.remove", lambda i: {"id": i["interp"]}, None),
    ("moment.remove", lambda i: {"id": i["moment3"]}, None),
    ("party.remove", lambda i: {"id": i["party3"]}, None),
    ("meeting.end", lambda i: {"confirm": True}, None),
]


async def prepare(fac: Sender, m: MeetingInfo) -> Ids:
    """A meeting with one of everything; party 1 is the participant's, party 2 owns it all."""
    ids: Ids = {"party1": m.party_ids[0], "party2": m.party_ids[1]}

    async def ok(event: str, **payload: Any) -> str:
        ack = await fac.write(event, payload)
        assert ack["ok"] is True, (event, ack)
        return str(ack.get("id", ""))

    ids["shown"] = await ok("moment.add", text="Eerste moment", reveal=True)
    ids["draft"] = await ok("moment.add", text="Tweede moment (concept)")
    ids["interp"] = await ok(
        "interpretation.add", moment_id=ids["shown"], text="Duiding", party_id=ids["party2"]
    )
    ids["theme_a"] = await ok("theme.flag", label="Thema A", target="moment", id=ids["shown"])
    ids["theme_b"] = await ok("theme.flag", label="Thema B", target="moment", id=ids["shown"])
    ids["thread"] = await ok("thread.add", text="Rode draad")
    ids["lesson"] = await ok("lesson.add", text="Les")
    ids["agreement"] = await ok("agreement.add", text="Afspraak", owner_party_id=ids["party2"])
    return ids


async def test_every_write_checks_the_role(live_server: ServerProcess) -> None:
    assert {name for name, _, _ in STEPS} == set(COMMANDS), "every write event is covered"
    assert len(STEPS) == len(COMMANDS)
    assert set(COMMANDS) >= PARTICIPANT_MAY
    url = live_server.url
    m = await create_meeting(url, parties=2)
    joined = await join(url, m.join_code, m.party_ids[0])
    async with Devices(url) as ds:
        fac = Sender(ds, m.facilitator_token, "facilitator")
        wall = Sender(ds, m.wall_token, "wall")
        participant = Sender(ds, joined["token"], "participant")
        watcher = await ds.connect(m.cofacilitator_token, "watcher")
        ids = await prepare(fac, m)
        for event, build, keep in STEPS:
            payload = build(ids)
            before = (await watcher.sync())["snapshot"]
            refused = {"wall": await wall.write(event, payload)}
            if event != "theme.flag":
                # Facilitator-only writes, and the others aimed at party 2's items.
                refused["participant"] = await participant.write(event, payload)
            for role, ack in refused.items():
                assert ack["ok"] is False, f"{role} may not send {event}: {ack}"
                assert ack["error"]["code"] == "forbidden", f"{role}, {event}: {ack}"
                assert ack["error"]["message"], "a message a person can read"
            after = (await watcher.sync())["snapshot"]
            assert after["seq"] == before["seq"], f"{event}: a refused write changed the seq"
            assert after["meeting"] == before["meeting"], f"{event}: a refused write changed state"
            if event == "meeting.end":
                # Ending with other devices present is the whole-meeting test's business.
                for other in (wall.current, participant.current, watcher):
                    if other is not None:
                        await other.disconnect()
            done = await fac.write(event, payload)
            assert done["ok"] is True, f"the facilitator's {event} must succeed: {done}"
            if keep:
                ids[keep] = done["id"]
        assert done["receipt"]["verified_empty"] is True


async def test_a_participant_may_edit_only_its_own(live_server: ServerProcess) -> None:
    url = live_server.url
    m = await create_meeting(url, parties=2)
    a, b = [await join(url, m.join_code, m.party_ids[0]) for _ in range(2)]
    async with Devices(url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        pa = await ds.connect(a["token"], "a")
        pb = await ds.connect(b["token"], "b")
        shown = await fac.ok("moment.add", text="Moment", reveal=True)
        draft = await fac.ok("moment.add", text="Concept")
        mine = await pa.ok("interpretation.add", moment_id=shown["id"], text="Van a")
        assert pa.you is not None
        await pa.wait_seq(mine["seq"])
        assert pa.meeting["interpretations"][mine["id"]]["party_id"] == m.party_ids[0]
        # Someone else in the same party may not touch it; its author may.
        for event, extra in (
            ("interpretation.update", {"text": "Van b"}),
            ("interpretation.remove", {}),
        ):
            ack = await pb.write(event, id=mine["id"], **extra)
            assert ack["error"]["code"] == "forbidden", ack
        await pa.ok("interpretation.update", id=mine["id"], text="Van a, bijgewerkt")
        # Not on behalf of another party, not on a draft (which does not exist for them).
        other_party = await pa.write(
            "interpretation.add", moment_id=shown["id"], text="x", party_id=m.party_ids[1]
        )
        assert other_party["error"]["code"] == "forbidden"
        on_draft = await pa.write("interpretation.add", moment_id=draft["id"], text="x")
        assert on_draft["error"]["code"] == "not_found"
        flag_draft = await pa.write("theme.flag", label="Thema", target="moment", id=draft["id"])
        assert flag_draft["error"]["code"] == "not_found"
        # The status of an agreement: only its owner party.
        ours = await fac.ok("agreement.add", text="Onze afspraak", owner_party_id=m.party_ids[0])
        theirs = await fac.ok("agreement.add", text="Hun afspraak", owner_party_id=m.party_ids[1])
        await pb.ok("agreement.status", id=ours["id"], status="done")
        refused = await pb.write("agreement.status", id=theirs["id"], status="done")
        assert refused["error"]["code"] == "forbidden"
        removed = await pa.ok("interpretation.remove", id=mine["id"])
        await fac.wait_seq(removed["seq"])
        assert mine["id"] not in fac.meeting["interpretations"]


async def test_participants_cannot_write_once_the_meeting_is_closed(
    live_server: ServerProcess,
) -> None:
    url = live_server.url
    m = await create_meeting(url, parties=1)
    joined = await join(url, m.join_code, m.party_ids[0])
    async with Devices(url) as ds:
        fac = await ds.connect(m.facilitator_token, "facilitator")
        p = await ds.connect(joined["token"], "participant")
        shown = await fac.ok("moment.add", text="Moment", reveal=True)
        closed = await fac.ok("meeting.phase", phase="closed")
        await p.wait_seq(closed["seq"])
        assert p.meeting["phase"] == "closed"
        for event, payload in (
            ("interpretation.add", {"moment_id": shown["id"], "text": "Te laat"}),
            ("theme.flag", {"label": "Thema", "target": "moment", "id": shown["id"]}),
        ):
            ack = await p.write(event, **payload)
            assert ack["error"]["code"] == "meeting_closed", ack
        assert (await p.sync())["snapshot"]["seq"] == closed["seq"]
        # The facilitator can still reopen it.
        await fac.ok("meeting.phase", phase="agreements")
        await p.ok("interpretation.add", moment_id=shown["id"], text="Toch nog")
