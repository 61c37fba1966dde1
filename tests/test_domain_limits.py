"""Caps per meeting (LIMITS): one past the cap is refused with limit_reached, nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.domain import FACILITATOR, Session, build
from tijdlijn.domain.items import PALETTE
from tijdlijn.domain.limits import LIMITS
from tijdlijn.domain.meeting import Collection
from tijdlijn.errors import LimitReached


def fill(s: Session, kind: Collection, template: dict[str, Any], upto: int) -> None:
    """Put copies of ``template`` straight into the state until ``kind`` holds ``upto`` items."""
    n = 0
    while len(s.state[kind]) < upto:
        n += 1
        item_id = f"fill-{kind}-{n}"
        s.state[kind][item_id] = {**template, "id": item_id}  # type: ignore[typeddict-item]


def test_a_full_meeting_of_twelve_people_fits_within_the_limits() -> None:
    """Generous: 4 parties, 20 moments and an interpretation from each of 12 people on every
    moment are all accepted, and every limit is bounded."""
    s = build(moments=20, revealed=20)
    assert len(s.state["parties"]) >= 4
    for moment_id in s.moments:
        for person in range(12):
            s.run(
                "interpretation.add",
                {"moment_id": moment_id, "text": "Een duiding."},
                s.member(person % 4, f"pt-{person}"),
            )
    assert len(s.state["interpretations"]) == 12 * 20
    assert all(0 < value <= 1000 for value in LIMITS.values())


def test_parties_limit() -> None:
    names = [f"Partij {i}" for i in range(LIMITS["parties"])]
    s = build(parties=names, moments=0)
    assert len(s.state["parties"]) == LIMITS["parties"]
    error = s.refuse(
        "party.add", {"name": "Eén te veel", "colour": PALETTE[0]}, FACILITATOR, LimitReached
    )
    assert error.code == "limit_reached"
    assert str(LIMITS["parties"]) in error.message


@pytest.mark.parametrize("reveal", [False, True])
def test_moments_limit(reveal: bool) -> None:
    s = build(moments=LIMITS["moments"])
    s.refuse("moment.add", {"text": "Eén te veel", "reveal": reveal}, FACILITATOR, LimitReached)
    s.run("moment.remove", {"id": s.moments[0]})
    s.add("moment.add", {"text": "Past weer"})


def test_interpretations_limit() -> None:
    s = build(moments=1, revealed=1)
    template = {
        "moment_id": s.moments[0],
        "party_id": s.parties[0],
        "text": "x",
        "created_at": 0.0,
        "updated_at": 0.0,
        "pii": False,
    }
    fill(s, "interpretations", template, LIMITS["interpretations"])
    payload = {"moment_id": s.moments[0], "text": "Eén te veel"}
    s.refuse("interpretation.add", payload, s.member(0), LimitReached)
    s.refuse("interpretation.add", {**payload, "party_id": s.parties[0]}, FACILITATOR, LimitReached)


def test_themes_limit_allows_flagging_existing_labels() -> None:
    s = build(moments=1, revealed=1)
    fill(s, "themes", {"label": "x", "flags": []}, LIMITS["themes"] - 1)
    regie = s.add("theme.flag", {"label": "Regie", "target": "moment", "id": s.moments[0]})
    assert len(s.state["themes"]) == LIMITS["themes"]
    me = s.member(0)
    s.refuse(
        "theme.flag", {"label": "Nieuw", "target": "moment", "id": s.moments[0]}, me, LimitReached
    )
    again = s.add("theme.flag", {"label": "regie", "target": "moment", "id": s.moments[0]}, me)
    assert again == regie


def test_flags_per_theme_limit() -> None:
    s = build(moments=1, revealed=1)
    regie = s.add("theme.flag", {"label": "Regie", "target": "moment", "id": s.moments[0]})
    flags = [{"target": "moment", "id": s.moments[0]}] * LIMITS["flags_per_theme"]
    s.state["themes"][regie]["flags"] = flags  # type: ignore[typeddict-item]
    me = s.member(0)
    s.refuse(
        "theme.flag", {"label": "Regie", "target": "moment", "id": s.moments[0]}, me, LimitReached
    )
    s.refuse(
        "theme.flag", {"theme_id": regie, "target": "moment", "id": s.moments[0]}, me, LimitReached
    )


@pytest.mark.parametrize(
    ("kind", "name", "payload", "template"),
    [
        (
            "threads",
            "thread.add",
            {"text": "x"},
            {"text": "x", "level": None, "moment_ids": [], "theme_ids": [], "position": 0},
        ),
        ("lessons", "lesson.add", {"text": "x"}, {"text": "x", "position": 0, "pii": False}),
        (
            "agreements",
            "agreement.add",
            {"text": "x"},
            {
                "text": "x",
                "owner_party_id": None,
                "due": None,
                "status": "not_started",
                "position": 0,
                "pii": False,
            },
        ),
    ],
)
def test_other_limits(
    kind: Collection, name: str, payload: dict[str, Any], template: dict[str, Any]
) -> None:
    s = build(moments=0, kind="follow_up")
    fill(s, kind, template, LIMITS[kind])
    s.refuse(name, payload, FACILITATOR, LimitReached)
    if name == "lesson.add":
        s.refuse(name, payload, s.member(0), LimitReached)
