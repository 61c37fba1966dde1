"""Role enforcement for every write command of the live meeting: facilitator, participant, wall.

The method's commands (intake, new information, ...) have their own table in
test_domain_method_roles.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.domain import CORE_WRITES as COMMANDS
from tests.support.domain import FACILITATOR, WALL, Session, build
from tijdlijn.domain.decide import MEETING_ENDED
from tijdlijn.domain.items import PALETTE
from tijdlijn.domain.meeting import MeetingKind
from tijdlijn.errors import Forbidden, MeetingClosed

# What a participant may send; everything else is the facilitator's.
PARTICIPANT_MAY = {
    "interpretation.add",
    "interpretation.update",
    "interpretation.remove",
    "theme.flag",
    "theme.unflag",  # only a flag of their own (tests/test_domain_themes.py)
    "agreement.status",
}


@dataclass
class Fixture:
    session: Session
    interpretation: str
    theme: str
    other_theme: str
    thread: str
    lesson: str
    agreement: str


def fixture(kind: MeetingKind = "reconstruction") -> Fixture:
    """Two of three moments revealed, and one of everything, made by party 0's participant."""
    s = build(moments=3, revealed=2, kind=kind)
    m = s.moments
    interpretation = s.interpret(m[0], s.member(0))
    theme = s.add("theme.flag", {"label": "Regie", "target": "moment", "id": m[0]}, s.member(0))
    other = s.add(
        "theme.flag", {"label": "Macht", "target": "interpretation", "id": interpretation}
    )
    thread = s.add("thread.add", {"text": "Niemand had regie.", "moment_ids": [m[0]]})
    lesson = s.add("lesson.add", {"text": "Eerder samen om tafel."})
    agreement = s.add(
        "agreement.add", {"text": "Casusoverleg.", "owner_party_id": s.parties[0], "due": None}
    )
    return Fixture(s, interpretation, theme, other, thread, lesson, agreement)


def payloads(f: Fixture) -> dict[str, dict[str, Any]]:
    """One valid payload per command name, against :func:`fixture`."""
    s = f.session
    m, p = s.moments, s.parties
    return {
        "meeting.update": {"title": "Nieuwe titel"},
        "meeting.phase": {"phase": "reflection"},
        "meeting.end": {"confirm": True},
        "party.add": {"name": "Huisarts", "colour": PALETTE[5]},
        "party.update": {"id": p[1], "name": "Onderwijs"},
        "party.remove": {"id": p[3]},
        "moment.add": {"text": "Nieuw moment"},
        "moment.update": {"id": m[2], "text": "Anders verwoord"},
        "moment.move": {"id": m[2], "position": 0},
        "moment.remove": {"id": m[2]},
        "moment.reveal": {},
        "moment.unreveal": {},
        "moment.focus": {"id": m[0]},
        "interpretation.add": {"moment_id": m[0], "text": "Wij zagen het anders."},
        "interpretation.update": {"id": f.interpretation, "text": "Bijgesteld."},
        "interpretation.move": {"id": f.interpretation, "moment_id": m[1]},
        "interpretation.remove": {"id": f.interpretation},
        "theme.flag": {"label": "Communicatie", "target": "moment", "id": m[1]},
        "theme.unflag": {"theme_id": f.theme, "target": "moment", "id": m[0]},
        "theme.rename": {"id": f.theme, "label": "Eigenaarschap"},
        "theme.merge": {"id": f.other_theme, "into": f.theme},
        "theme.remove": {"id": f.other_theme},
        "thread.add": {"text": "Wachten op elkaar.", "level": "relations"},
        "thread.update": {"id": f.thread, "level": "content"},
        "thread.remove": {"id": f.thread},
        "lesson.add": {"text": "Vraag door."},
        "lesson.update": {"id": f.lesson, "text": "Vraag altijd door."},
        "lesson.remove": {"id": f.lesson},
        "agreement.add": {"text": "Bellen binnen een week.", "due": "2025-06-01"},
        "agreement.update": {"id": f.agreement, "text": "Maandelijks casusoverleg."},
        "agreement.remove": {"id": f.agreement},
        "agreement.status": {"id": f.agreement, "status": "in_progress"},
    }


def test_payload_table_covers_every_command() -> None:
    assert set(payloads(fixture())) == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_wall_may_never_write(name: str) -> None:
    f = fixture()
    error = f.session.refuse(name, payloads(f)[name], WALL, Forbidden)
    assert error.code == "forbidden"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_wall_may_not_write_in_a_follow_up_either(name: str) -> None:
    f = fixture(kind="follow_up")
    f.session.refuse(name, payloads(f)[name], WALL, Forbidden)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_facilitator_may_send_everything(name: str) -> None:
    f = fixture()
    payload = payloads(f)[name]
    if name == "interpretation.add":
        payload = {**payload, "party_id": f.session.parties[1]}
    if name == "meeting.end":
        # Decided like any write; it changes nothing here: the service deletes the meeting.
        ended = f.session.run(name, payload, FACILITATOR)
        assert ended.type == MEETING_ENDED and not ended.changes and not ended.public
        return
    outcome = f.session.run(name, payload, FACILITATOR)
    assert outcome.changes, f"{name} changed nothing"


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - PARTICIPANT_MAY))
def test_participant_refused_facilitator_commands(name: str) -> None:
    f = fixture()
    f.session.refuse(name, payloads(f)[name], f.session.member(0), Forbidden)


@pytest.mark.parametrize("name", sorted(PARTICIPANT_MAY))
def test_participant_may_send_its_own_commands(name: str) -> None:
    f = fixture()
    # member(0) wrote the interpretation and its party owns the agreement.
    outcome = f.session.run(name, payloads(f)[name], f.session.member(0))
    assert outcome.changes


def test_lesson_add_by_participant_only_in_follow_up() -> None:
    f = fixture(kind="reconstruction")
    f.session.refuse("lesson.add", {"text": "Vraag door."}, f.session.member(1), Forbidden)
    g = fixture(kind="follow_up")
    lid = g.session.add("lesson.add", {"text": "Vraag door."}, g.session.member(1))
    assert g.session.state["lessons"][lid]["text"] == "Vraag door."
    # Adding is all: editing and removing lessons stays with the facilitator.
    g.session.refuse("lesson.update", {"id": lid, "text": "x"}, g.session.member(1), Forbidden)
    g.session.refuse("lesson.remove", {"id": lid}, g.session.member(1), Forbidden)


@pytest.mark.parametrize("name", sorted(PARTICIPANT_MAY | {"lesson.add"}))
def test_closed_meeting_refuses_participant_writes(name: str) -> None:
    f = fixture(kind="follow_up")
    f.session.run("meeting.phase", {"phase": "closed"})
    error = f.session.refuse(name, payloads(f)[name], f.session.member(0), MeetingClosed)
    assert error.code == "meeting_closed"


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - PARTICIPANT_MAY - {"lesson.add"}))
def test_closed_meeting_still_says_forbidden_for_facilitator_commands(name: str) -> None:
    f = fixture()
    f.session.run("meeting.phase", {"phase": "closed"})
    f.session.refuse(name, payloads(f)[name], f.session.member(0), Forbidden)


def test_closed_meeting_wall_still_forbidden() -> None:
    f = fixture()
    f.session.run("meeting.phase", {"phase": "closed"})
    f.session.refuse("interpretation.add", payloads(f)["interpretation.add"], WALL, Forbidden)


def test_phase_change_records_start_times() -> None:
    s = build(moments=0, phase=None)
    assert s.state["phase"] == "preparation"
    s.run("meeting.phase", {"phase": "introduction"})
    started = s.state["phase_started_at"]
    assert s.state["part_started_at"] == {"introduction": started}
    s.run("meeting.phase", {"phase": "timeline"})
    s.run("meeting.phase", {"phase": "introduction"})
    # Going back keeps the first start of a part (the timer counts from the first time).
    assert s.state["part_started_at"]["introduction"] == started
    assert s.state["phase_started_at"] == s.now
    same = s.run("meeting.phase", {"phase": "introduction"})
    assert same.changes == []


def test_meeting_update_fields() -> None:
    s = build(moments=0)
    s.run(
        "meeting.update",
        {
            "title": " Casus Noord ",
            "initials": "J.v.D.",
            "ground_rules": ["Luister."],
            "agenda": {"timeline": 90},
            "follow_up_date": "2025-09-01",
        },
    )
    st = s.state
    assert (st["title"], st["initials"], st["ground_rules"]) == (
        "Casus Noord",
        "J.v.D.",
        ["Luister."],
    )
    assert st["agenda"] == {"introduction": 15, "timeline": 90, "reflection": 30, "agreements": 30}
    assert st["follow_up_date"] == "2025-09-01"


def test_new_meeting_has_handbook_ground_rules() -> None:
    s = build(moments=0)
    rules = s.state["ground_rules"]
    assert len(rules) >= 4
    assert any("Chatham House" in rule for rule in rules)
