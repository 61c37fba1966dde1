"""The items of a meeting: its parties, the moments and interpretations of the timeline, and what
the meeting makes of them (themes, common threads, lessons, working agreements).

Every new item is made by its constructor here, so each kind has one shape wherever it is made.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from .personal_data import find_personal_data

MomentState = Literal["draft", "revealed"]
# The collaboration triangle, top to bottom: content and goal; roles, responsibilities and
# procedures (the playing field); the relation network. Trouble at the top trickles down.
TriangleLevel = Literal["content", "playing_field", "relations"]
AgreementStatus = Literal["not_started", "in_progress", "done"]

# Okabe & Ito, "Color Universal Design" (2008): eight colours that stay distinguishable for the
# common forms of colour blindness. The name of the party is always shown too, so colour is
# never the only cue.
PALETTE: tuple[str, ...] = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)


class Party(TypedDict):
    id: str
    name: str
    colour: str
    position: int
    # Cannot attend: its prepared interpretations are shown as "vooraf aangeleverd".
    absent: NotRequired[bool]


class PartyRef(TypedDict):
    """A party as anyone may see it: before joining, or from an intake link."""

    id: str
    name: str
    colour: str


class Moment(TypedDict):
    id: str
    text: str
    when: str
    position: float
    source_party_id: str | None
    state: MomentState
    revealed_at: float | None
    pii: bool


class Interpretation(TypedDict):
    id: str
    moment_id: str
    party_id: str
    text: str
    created_at: float
    updated_at: float
    # The participant (a random id, not a person) that may edit it; never sent to any device.
    author: NotRequired[str]
    pii: bool
    # Gathered before the meeting (added to a draft moment, or carried over from an intake).
    prepared: NotRequired[bool]


class Flag(TypedDict):
    target: Literal["moment", "interpretation"]
    id: str
    # The participant who flagged it, so they alone (and the facilitators) can take it back;
    # stripped from every view like an interpretation's author.
    author: NotRequired[str]


class Theme(TypedDict):
    id: str
    label: str
    flags: list[Flag]


class Thread(TypedDict):
    id: str
    text: str
    level: TriangleLevel | None
    moment_ids: list[str]
    theme_ids: list[str]
    position: int


class Lesson(TypedDict):
    id: str
    text: str
    position: int
    pii: bool


class Agreement(TypedDict):
    id: str
    text: str
    owner_party_id: str | None
    due: str | None
    status: AgreementStatus
    position: int
    pii: bool


def holds_personal_data(text: str) -> bool:
    """Whether an item's text gets ``pii: true`` (the one place that asks personal_data)."""
    return bool(find_personal_data(text))


# Constructors: every new item is made here, so each kind has one shape wherever it is made.
def party(party_id: str, name: str, colour: str, position: int) -> Party:
    return {"id": party_id, "name": name, "colour": colour, "position": position, "absent": False}


def moment(
    moment_id: str, text: str, when: str, position: float, source_party_id: str | None
) -> Moment:
    """A draft moment; ``reveal`` in decide shows it."""
    return {
        "id": moment_id,
        "text": text,
        "when": when,
        "position": position,
        "source_party_id": source_party_id,
        "state": "draft",
        "revealed_at": None,
        "pii": holds_personal_data(text),
    }


def interpretation(
    interpretation_id: str,
    moment_id: str,
    party_id: str,
    text: str,
    now: float,
    *,
    prepared: bool,
    author: str | None = None,
) -> Interpretation:
    item: Interpretation = {
        "id": interpretation_id,
        "moment_id": moment_id,
        "party_id": party_id,
        "text": text,
        "created_at": now,
        "updated_at": now,
        "pii": holds_personal_data(text),
        "prepared": prepared,
    }
    if author:
        item["author"] = author
    return item


def theme(theme_id: str, label: str) -> Theme:
    return {"id": theme_id, "label": label, "flags": []}


def thread(
    thread_id: str,
    text: str,
    level: TriangleLevel | None,
    moment_ids: list[str],
    theme_ids: list[str],
    position: int,
) -> Thread:
    return {
        "id": thread_id,
        "text": text,
        "level": level,
        "moment_ids": moment_ids,
        "theme_ids": theme_ids,
        "position": position,
    }


def lesson(lesson_id: str, text: str, position: int) -> Lesson:
    return {"id": lesson_id, "text": text, "position": position, "pii": holds_personal_data(text)}


def agreement(
    agreement_id: str, text: str, owner_party_id: str | None, due: str | None, position: int
) -> Agreement:
    return {
        "id": agreement_id,
        "text": text,
        "owner_party_id": owner_party_id,
        "due": due,
        "status": "not_started",
        "position": position,
        "pii": holds_personal_data(text),
    }
