"""Role enforcement for the method's commands: intake, new information, preconditions, ground
rules. The facilitator may send each (but accepting rules), a participant only accepts rules, an
intake link only writes its own party's intake, the wall nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests import test_domain_roles as roles
from tests.domain_helpers import FACILITATOR, WALL, Session, build
from tijdlijn.domain.commands import COMMANDS
from tijdlijn.domain.commands_method import METHOD_COMMANDS
from tijdlijn.domain.decide import Actor
from tijdlijn.errors import Forbidden

HASH = "ab" * 32
PARTICIPANT_MAY = {"ground_rules.accept"}
INTAKE_MAY = {"intake.add", "intake.update", "intake.remove"}


@dataclass
class Fixture:
    session: Session
    intake: str
    entry: str
    note: str


def intake_actor(s: Session, intake_id: str) -> Actor:
    return Actor(
        "intake", participant_id=intake_id, party_id=s.state["intakes"][intake_id]["party_id"]
    )


def fixture(phase: str = "preparation") -> Fixture:
    """A note of new information (made during the meeting), then an open intake with one entry."""
    s = build(moments=2, phase="timeline")
    s.reveal()
    note = s.add("new_information.add", {})
    s.run("meeting.phase", {"phase": "preparation"})
    intake = s.add("intake.open", {"party_id": s.parties[0], "token_hash": HASH})
    entry = s.add(
        "intake.add",
        {"when": "maart", "text": "Eerste huisbezoek", "experience": "Spannend."},
        intake_actor(s, intake),
    )
    if phase != "preparation":
        s.run("meeting.phase", {"phase": phase})
    return Fixture(s, intake, entry, note)


def payloads(f: Fixture) -> dict[str, dict[str, Any]]:
    s = f.session
    return {
        "meeting.preconditions": {"case_calm": True},
        "ground_rules.accept": {"version": s.state["ground_rules_version"]},
        "intake.open": {"party_id": s.parties[1], "token_hash": "cd" * 32},
        "intake.close": {"party_id": s.parties[0]},
        "intake.add": {"text": "Overleg", "party_id": s.parties[0]},
        "intake.update": {"id": f.entry, "experience": "Heel spannend."},
        "intake.remove": {"id": f.entry},
        "intake.take": {"entry_ids": [f.entry], "text": "Huisbezoek"},
        "new_information.add": {},
        "new_information.agree": {"id": f.note, "agreement": "Alleen lessen meenemen."},
        "new_information.remove": {"id": f.note},
    }


def test_the_table_covers_every_method_command() -> None:
    assert set(payloads(fixture())) == set(METHOD_COMMANDS)
    assert set(METHOD_COMMANDS) <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(METHOD_COMMANDS))
def test_wall_may_never_write(name: str) -> None:
    f = fixture()
    f.session.refuse(name, payloads(f)[name], WALL, Forbidden)


@pytest.mark.parametrize("name", sorted(set(METHOD_COMMANDS) - PARTICIPANT_MAY))
def test_facilitator_may_send(name: str) -> None:
    f = fixture("timeline" if name == "new_information.add" else "preparation")
    assert f.session.run(name, payloads(f)[name], FACILITATOR).changes


def test_only_participants_accept_ground_rules() -> None:
    f = fixture()
    f.session.refuse(
        "ground_rules.accept", payloads(f)["ground_rules.accept"], FACILITATOR, Forbidden
    )
    out = f.session.run(
        "ground_rules.accept", payloads(f)["ground_rules.accept"], f.session.member(1)
    )
    assert out.changes


@pytest.mark.parametrize("name", sorted(set(METHOD_COMMANDS) - PARTICIPANT_MAY))
def test_participant_refused(name: str) -> None:
    f = fixture("timeline" if name == "new_information.add" else "preparation")
    f.session.refuse(name, payloads(f)[name], f.session.member(0), Forbidden)


@pytest.mark.parametrize("name", sorted(set(METHOD_COMMANDS) - INTAKE_MAY))
def test_intake_link_refused_the_other_method_commands(name: str) -> None:
    f = fixture()
    error = f.session.refuse(name, payloads(f)[name], intake_actor(f.session, f.intake), Forbidden)
    assert "uitvraag" in error.message


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - set(METHOD_COMMANDS)))
def test_intake_link_refused_every_meeting_command(name: str) -> None:
    f = roles.fixture()
    s = f.session
    link = Actor("intake", participant_id="some-intake", party_id=s.parties[0])
    s.refuse(name, roles.payloads(f)[name], link, Forbidden)


@pytest.mark.parametrize("name", sorted(INTAKE_MAY))
def test_intake_link_may_write_its_own_intake(name: str) -> None:
    f = fixture()
    payload = {k: v for k, v in payloads(f)[name].items() if k != "party_id"}
    assert f.session.run(name, payload, intake_actor(f.session, f.intake)).changes
