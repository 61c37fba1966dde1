"""The role-by-event matrix (docs/security.md; ASVS 8.2.1, 8.2.2, 8.3.1, 8.4.1).

For every write event and every role: allowed, or refused with ``forbidden`` (``not_found`` for
another meeting's ids, a refused connection without a token) -- and when refused, the meeting's
state is unchanged and nothing is broadcast to anyone in it.

Payloads and the meeting they act on come from tests/test_hub_roles.py (each step is valid for a
facilitator at that point, so a refusal can only be about the role). The method's commands
(intake, new information, preconditions, ground rules) have a matrix of their own below.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.clients import Device, Devices, create_meeting, join, refused_with
from tests.support.raw import RawSocket
from tests.support.server import ServerProcess
from tests.test_hub_roles import COMMANDS, STEPS, Sender, prepare
from tijdlijn.domain.commands_method import METHOD_COMMANDS

ROLES = (
    "facilitator",
    "co-facilitator",
    "participant, same party",
    "participant, other party",
    "wall",
    "no token",
    "other meeting",
)
# The items in the steps belong to party 2 and were written by the facilitator; the "same
# party" participant is in party 2, the "other party" one in party 1.
PARTICIPANT_SAME = {"interpretation.add", "theme.flag", "agreement.status"}
PARTICIPANT_OTHER = {"theme.flag"}
# Events that point at an item by id: from another meeting that id does not exist.
NO_IDS = {"meeting.update", "meeting.phase", "party.add", "moment.add", "moment.unreveal"}
NO_IDS |= {"thread.add", "lesson.add", "agreement.add", "meeting.end"}


def expected(role: str, event: str) -> str:
    if role in ("facilitator", "co-facilitator"):
        return "ok"
    if role == "participant, same party":
        return "ok" if event in PARTICIPANT_SAME else "forbidden"
    if role == "participant, other party":
        return "ok" if event in PARTICIPANT_OTHER else "forbidden"
    if role == "wall":
        return "forbidden"
    if role == "no token":
        return "closed"
    # Another meeting's facilitator acts on its own meeting only: our ids are unknown there.
    return "own meeting" if event in NO_IDS else "not_found"


def outcome(ack: dict[str, Any]) -> str:
    return "ok" if ack.get("ok") else str(ack["error"]["code"])


async def unauthenticated(url: str, event: str, payload: dict[str, Any]) -> str:
    """An event sent without connecting: the server closes (there is no one to answer)."""
    async with RawSocket(url) as raw:
        await raw.send("421" + json.dumps([event, {"op_id": "op-raw", **payload}]))
        answer = await raw.answer()
        if answer.startswith('42["protocol_error"'):
            answer = await raw.answer()
        return "closed" if answer in ("1", "closed") else answer


@pytest.mark.parametrize("writer", ["facilitator", "co-facilitator"])
async def test_the_matrix(live_server: ServerProcess, writer: str) -> None:
    assert {name for name, _, _ in STEPS} == set(COMMANDS)
    url = live_server.url
    m = await create_meeting(url, parties=2)
    other = await create_meeting(url, parties=1)
    same = await join(url, m.join_code, m.party_ids[1])
    different = await join(url, m.join_code, m.party_ids[0])
    watching = await join(url, m.join_code, m.party_ids[0])
    got: dict[tuple[str, str], str] = {}
    async with Devices(url) as ds:
        token = m.facilitator_token if writer == "facilitator" else m.cofacilitator_token
        observer_token = m.cofacilitator_token if writer == "facilitator" else m.facilitator_token
        senders = {
            writer: Sender(ds, token, writer),
            "participant, same party": Sender(ds, same["token"], "same"),
            "participant, other party": Sender(ds, different["token"], "other"),
            "wall": Sender(ds, m.wall_token, "wall"),
            "other meeting": Sender(ds, other.facilitator_token, "other meeting"),
        }
        # Observers never write: everything they receive must come from an accepted write.
        observers: list[Device] = [
            await ds.connect(observer_token, "observer (facilitators)"),
            await ds.connect(watching["token"], "observer (public)"),
        ]
        ids = await prepare(senders[writer], m)
        prepared = (await observers[0].sync())["snapshot"]["seq"]
        accepted: set[int] = set(range(1, prepared + 1))
        for event, build, keep in STEPS:
            payload = build(ids)
            before = (await observers[0].sync())["snapshot"]
            for role, sender in senders.items():
                if role == writer or expected(role, event) == "ok":
                    continue  # allowed cells are written below / in the next test
                got[(role, event)] = outcome(await sender.write(event, payload))
                if role == "other meeting" and event in NO_IDS:
                    # It acted on (or was refused by) its own meeting; ours is checked below.
                    got[(role, event)] = "own meeting"
            got[("no token", event)] = await unauthenticated(url, event, payload)
            after = (await observers[0].sync())["snapshot"]
            assert after == before, f"{event}: a refused write changed the meeting"
            if event == "meeting.end":
                for device in (*observers, *(s.current for s in senders.values() if s.current)):
                    if device is not senders[writer].current:
                        await device.disconnect()
            done = await senders[writer].write(event, payload)
            got[(writer, event)] = outcome(done)
            if done.get("ok") and "seq" in done:
                accepted.add(done["seq"])
            if keep and done.get("ok"):
                ids[keep] = done["id"]
            if event != "meeting.end":
                for device in observers:
                    seen = {e["seq"] for e in device.events()}
                    assert seen <= accepted, f"{device.label} got an event nobody wrote: {seen}"
    table = {cell: expected(*cell) for cell in got}
    wrong = {cell: (got[cell], want) for cell, want in table.items() if got[cell] != want}
    assert not wrong, f"(role, event): (got, expected) -- {wrong}"
    roles = {role for role, _ in got}
    assert roles == set(ROLES) - {"facilitator", "co-facilitator"} | {writer}


@pytest.mark.parametrize(
    ("role", "event"),
    sorted(
        [("participant, same party", e) for e in PARTICIPANT_SAME]
        + [("participant, other party", e) for e in PARTICIPANT_OTHER]
    ),
)
async def test_the_cells_participants_may_do(
    live_server: ServerProcess, role: str, event: str
) -> None:
    url = live_server.url
    m = await create_meeting(url, parties=2)
    party = m.party_ids[1] if role == "participant, same party" else m.party_ids[0]
    joined = await join(url, m.join_code, party)
    async with Devices(url) as ds:
        fac = Sender(ds, m.facilitator_token, "facilitator")
        ids = await prepare(fac, m)
        payload = next(build(ids) for name, build, _ in STEPS if name == event)
        participant = await ds.connect(joined["token"], role)
        ack = await participant.write(event, **payload)
        assert outcome(ack) == expected(role, event) == "ok", ack
        watcher = await ds.connect(m.facilitator_token, "watcher")
        await watcher.wait_seq(ack["seq"])


async def test_no_token_and_a_bad_token_are_refused_at_connect(live_server: ServerProcess) -> None:
    for token, code in (
        ("", "unauthorized"),
        ("abc.def", "unauthorized"),
        ("x" * 40 + "." + "y" * 22, "meeting_lost"),  # well-formed, for no meeting
    ):
        refused = await refused_with(live_server.url, token)
        assert refused["code"] == code, refused


# The method's commands: facilitator-only, except accepting the ground rules (participants only).
METHOD_STEPS: dict[str, Any] = {
    "meeting.preconditions": lambda i: {"case_calm": True},
    "ground_rules.accept": lambda i: {"version": 1},
    "intake.open": lambda i: {"party_id": i["party2"], "token_hash": "0" * 64},
    "intake.close": lambda i: {"party_id": i["party2"]},
    "intake.add": lambda i: {"text": "Uit de uitvraag", "party_id": i["party2"]},
    "intake.update": lambda i: {"id": "onbekend", "text": "Anders"},
    "intake.remove": lambda i: {"id": "onbekend"},
    "intake.take": lambda i: {"entry_ids": ["onbekend"]},
    "new_information.add": lambda i: {},
    "new_information.agree": lambda i: {"id": "onbekend", "agreement": "Afspraak"},
    "new_information.remove": lambda i: {"id": "onbekend"},
}


def method_expected(role: str, event: str) -> str:
    """ "allowed" means the role may send it (the state may still say no: not found, conflict)."""
    participant = role.startswith("participant")
    if role in ("facilitator", "co-facilitator"):
        return "forbidden" if event == "ground_rules.accept" else "allowed"
    if participant:
        return "allowed" if event == "ground_rules.accept" else "forbidden"
    if role == "wall":
        return "forbidden"
    if role == "no token":
        return "closed"
    return "own meeting"


async def test_the_method_matrix(live_server: ServerProcess) -> None:
    assert set(METHOD_STEPS) == set(METHOD_COMMANDS)
    url = live_server.url
    m = await create_meeting(url, parties=2)
    other = await create_meeting(url, parties=1)
    same = await join(url, m.join_code, m.party_ids[1])
    different = await join(url, m.join_code, m.party_ids[0])
    got: dict[tuple[str, str], str] = {}
    async with Devices(url) as ds:
        senders = {
            "facilitator": Sender(ds, m.facilitator_token, "facilitator"),
            "co-facilitator": Sender(ds, m.cofacilitator_token, "co-facilitator"),
            "participant, same party": Sender(ds, same["token"], "same"),
            "participant, other party": Sender(ds, different["token"], "other"),
            "wall": Sender(ds, m.wall_token, "wall"),
            "other meeting": Sender(ds, other.facilitator_token, "other meeting"),
        }
        observer = await ds.connect(m.facilitator_token, "observer")
        ids = {"party1": m.party_ids[0], "party2": m.party_ids[1]}
        for event, build in METHOD_STEPS.items():
            payload = build(ids)
            # The refused cells first, all against one state; then the allowed ones.
            before = (await observer.sync())["snapshot"]
            seen = len(observer.events())
            allowed = []
            for role, sender in senders.items():
                if method_expected(role, event) == "allowed":
                    allowed.append((role, sender))
                    continue
                ack = await sender.write(event, payload)
                got[(role, event)] = "own meeting" if role == "other meeting" else outcome(ack)
            got[("no token", event)] = await unauthenticated(url, event, payload)
            after = (await observer.sync())["snapshot"]
            assert after == before, f"{event}: a refused write changed the meeting"
            assert len(observer.events()) == seen, f"{event}: something was broadcast"
            for role, sender in allowed:
                ack = await sender.write(event, payload)
                got[(role, event)] = "forbidden" if outcome(ack) == "forbidden" else "allowed"
    wrong = {
        cell: (got[cell], method_expected(*cell))
        for cell in got
        if got[cell] != method_expected(*cell)
    }
    assert not wrong, f"(role, event): (got, expected) -- {wrong}"
