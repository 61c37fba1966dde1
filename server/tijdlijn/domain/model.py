"""The meeting as data: what the wall shows, what the report summarises, what the store keeps.

State is plain JSON-compatible dicts described by TypedDicts, so the same shape travels unchanged
through the store (Redis or memory), over Socket.IO and into the browser. Collections are dicts
keyed by id, which makes every change a ``put`` or ``del`` of one item (see ``evolve``).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

Phase = Literal["preparation", "introduction", "timeline", "reflection", "agreements", "closed"]
PHASES: tuple[Phase, ...] = (
    "preparation",
    "introduction",
    "timeline",
    "reflection",
    "agreements",
    "closed",
)
# Phases with a planned duration on the agenda (the handbook's four parts, plus closing).
AGENDA_PARTS: tuple[Phase, ...] = ("introduction", "timeline", "reflection", "agreements")
# About 150 minutes in all: the handbook plans a meeting of 2 to 2.5 hours.
DEFAULT_AGENDA: dict[str, int] = {
    "introduction": 15,
    "timeline": 75,
    "reflection": 30,
    "agreements": 30,
}

MeetingKind = Literal["reconstruction", "follow_up"]
MomentState = Literal["draft", "revealed"]
# The collaboration triangle, top to bottom: content and goal; roles, responsibilities and
# procedures (the playing field); the relation network. Trouble at the top trickles down.
TriangleLevel = Literal["content", "playing_field", "relations"]
AgreementStatus = Literal["not_started", "in_progress", "done"]
Role = Literal["facilitator", "participant", "wall"]
Collection = Literal[
    "parties", "moments", "interpretations", "themes", "threads", "lessons", "agreements"
]
COLLECTIONS: tuple[Collection, ...] = (
    "parties",
    "moments",
    "interpretations",
    "themes",
    "threads",
    "lessons",
    "agreements",
)

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

# The handbook's example ground rules (Platform Sociaal Domein, "casusreconstructie", deel 1).
DEFAULT_GROUND_RULES: tuple[str, ...] = (
    "In de bijeenkomst doen we niet aan waarheidsvinding.",
    "We zitten hier met vele verschillende perspectieven. Wees nieuwsgierig en stel vragen aan "
    "elkaar.",
    "Spreek enkel vanuit je eigen ervaring. Vul niet in voor de ander.",
    "Geef elkaar de ruimte in het gesprek.",
    "Chatham House Rule: alles wat vandaag wordt besproken mag gedeeld worden, echter niet tot "
    "op de persoon herleidbaar. Tenzij anders aangegeven.",
)

# Caps per meeting: generous for a 2.5 hour meeting of 12 people, small enough that one
# meeting's state stays a few hundred kilobytes at most.
LIMITS: dict[Collection | str, int] = {
    "parties": 12,
    "moments": 40,
    "interpretations": 600,
    "themes": 60,
    "threads": 12,
    "lessons": 60,
    "agreements": 60,
    "ground_rules": 15,
    "flags_per_theme": 200,
}


class Party(TypedDict):
    id: str
    name: str
    colour: str
    position: int


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


class Flag(TypedDict):
    target: Literal["moment", "interpretation"]
    id: str


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


class Meeting(TypedDict):
    id: str
    kind: MeetingKind
    title: str
    initials: str
    created_at: float
    phase: Phase
    phase_started_at: float | None
    # Minutes planned per agenda part, and when each part started (for the facilitator's timer).
    agenda: dict[str, int]
    part_started_at: dict[str, float]
    ground_rules: list[str]
    current_moment_id: str | None
    follow_up_date: str | None
    # The day the meeting is planned (YYYY-MM-DD): a preparation is kept until the day after.
    planned_date: str | None
    parties: dict[str, Party]
    moments: dict[str, Moment]
    interpretations: dict[str, Interpretation]
    themes: dict[str, Theme]
    threads: dict[str, Thread]
    lessons: dict[str, Lesson]
    agreements: dict[str, Agreement]


# The scalar fields of a meeting, changed with a ``set`` change.
MEETING_FIELDS: tuple[str, ...] = (
    "id",
    "kind",
    "title",
    "initials",
    "created_at",
    "phase",
    "phase_started_at",
    "agenda",
    "part_started_at",
    "ground_rules",
    "current_moment_id",
    "follow_up_date",
    "planned_date",
)


def new_meeting(
    meeting_id: str,
    title: str,
    initials: str,
    now: float,
    kind: MeetingKind = "reconstruction",
) -> Meeting:
    return {
        "id": meeting_id,
        "kind": kind,
        "title": title,
        "initials": initials,
        "created_at": now,
        "phase": "preparation",
        "phase_started_at": now,
        "agenda": dict(DEFAULT_AGENDA),
        "part_started_at": {},
        "ground_rules": list(DEFAULT_GROUND_RULES),
        "current_moment_id": None,
        "follow_up_date": None,
        "planned_date": None,
        "parties": {},
        "moments": {},
        "interpretations": {},
        "themes": {},
        "threads": {},
        "lessons": {},
        "agreements": {},
    }


def ordered_moments(meeting: Meeting) -> list[Moment]:
    return sorted(meeting["moments"].values(), key=lambda m: (m["position"], m["id"]))
