"""The meeting as data: what the wall shows, what the report summarises, what the store keeps.

State is plain JSON-compatible dicts described by TypedDicts, so the same shape travels unchanged
through the store (Redis or memory), over Socket.IO and into the browser. Collections are dicts
keyed by id, which makes every change a ``put`` or ``del`` of one item (see ``evolve``).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict, cast

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
# "intake": whoever opens a party's intake link (uitvraag) in preparation; sees only that party.
Role = Literal["facilitator", "participant", "wall", "intake"]
Collection = Literal[
    "parties",
    "moments",
    "interpretations",
    "themes",
    "threads",
    "lessons",
    "agreements",
    "intakes",
    "intake_entries",
    "new_information",
]
COLLECTIONS: tuple[Collection, ...] = (
    "parties",
    "moments",
    "interpretations",
    "themes",
    "threads",
    "lessons",
    "agreements",
    "intakes",
    "intake_entries",
    "new_information",
)
# Preparation only: never part of what participants or the wall see (visibility.py).
PREPARATION_COLLECTIONS: tuple[Collection, ...] = ("intakes", "intake_entries", "new_information")

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
    "intakes": 12,
    "intake_entries": 160,
    "intake_entries_per_party": 40,
    "new_information": 30,
}

# The handbook's preconditions (fase 1, stap 1, and "spanningen in de samenwerking"): checked by
# the facilitator in preparation, kept with the meeting, never blocking.
PRECONDITIONS: tuple[str, ...] = ("case_calm", "most_involved", "light_tensions")


class Party(TypedDict):
    id: str
    name: str
    colour: str
    position: int
    # Cannot attend: its prepared interpretations are shown as "vooraf aangeleverd".
    absent: NotRequired[bool]


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


IntakeStatus = Literal["open", "closed"]


class Intake(TypedDict):
    """A party's intake link (uitvraag). The link's token is known only to the browsers."""

    id: str
    party_id: str
    token_hash: str
    status: IntakeStatus
    opened_at: float


class IntakeEntry(TypedDict):
    """A defining moment as one party sent it in, with how that party experienced it."""

    id: str
    party_id: str
    when: str
    text: str
    experience: str
    created_at: float
    updated_at: float
    pii: bool
    # The draft moment the facilitator made of it; then the party can no longer edit it.
    moment_id: str | None


class NewInformation(TypedDict):
    """A note that information surfaced others did not know; never the information itself."""

    id: str
    created_at: float
    moment_id: str | None
    # How the parties agreed to handle it; the meeting cannot close while this is None.
    agreement: str | None
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
    intakes: dict[str, Intake]
    intake_entries: dict[str, IntakeEntry]
    new_information: dict[str, NewInformation]
    # True / False / None (not yet considered) per name in PRECONDITIONS.
    preconditions: dict[str, bool | None]
    # Raised on every change of the ground rules: phones show changed rules to accept again.
    ground_rules_version: int
    # participant id -> True for the current version. Facilitators get only the count
    # (``ground_rules_accepted``); nobody gets the ids.
    rule_acceptances: dict[str, bool]


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
    "preconditions",
    "ground_rules_version",
    "rule_acceptances",
    # Only in the facilitators' view: how many devices accepted the current ground rules.
    "ground_rules_accepted",
)
# Fields a view adds that the stored meeting does not have.
VIEW_FIELDS: tuple[str, ...] = ("ground_rules_accepted",)


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
        "intakes": {},
        "intake_entries": {},
        "new_information": {},
        "preconditions": {name: None for name in PRECONDITIONS},
        "ground_rules_version": 1,
        "rule_acceptances": {},
    }


def upgraded(state: Meeting) -> Meeting:
    """``state`` with the fields added since it was stored (a meeting live across an upgrade)."""
    if state.keys() >= _LATEST_FIELDS:
        return state  # the usual case, checked on every decision: keep it cheap
    missing = {
        key: value
        for key, value in new_meeting("", "", "", 0.0).items()
        if key not in state and key not in ("id", "title", "initials", "created_at")
    }
    if not missing:
        return state
    return cast(Meeting, {**state, **missing})


def ordered_moments(meeting: Meeting) -> list[Moment]:
    return sorted(meeting["moments"].values(), key=lambda m: (m["position"], m["id"]))


_LATEST_FIELDS = frozenset(new_meeting("", "", "", 0.0))
