"""The meeting as data: what the wall shows, what the report summarises, what the store keeps.

State is plain JSON-compatible dicts described by TypedDicts, so the same shape travels unchanged
through the store (Redis or memory), over Socket.IO and into the browser. Collections are dicts
keyed by id, which makes every change a ``put`` or ``del`` of one item (see ``evolve``). The items
themselves are in ``items`` (the timeline and what the meeting makes of it) and ``preparation``.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Literal, TypedDict

from .items import Agreement, Interpretation, Lesson, Moment, Party, Theme, Thread
from .preparation import (
    PRECONDITIONS,
    Intake,
    IntakeEntry,
    IntakeSeen,
    NewInformation,
)

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


class PublicView(TypedDict):
    """What everyone in the meeting sees: for participants and the wall, only what has been
    revealed (visibility.public_view); the stored meeting and the facilitators' view add to it."""

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
    # Raised on every change of the ground rules: phones show changed rules to accept again.
    ground_rules_version: int


class _Preparation(PublicView):
    """What only facilitators see besides: the preparation and the preconditions."""

    intake_entries: dict[str, IntakeEntry]
    new_information: dict[str, NewInformation]
    # True / False / None (not yet considered) per name in PRECONDITIONS.
    preconditions: dict[str, bool | None]


class Meeting(_Preparation):
    """The meeting as the store keeps it."""

    intakes: dict[str, Intake]
    # participant id -> True for the current version. Facilitators get only the count
    # (``ground_rules_accepted``); nobody gets the ids.
    rule_acceptances: dict[str, bool]


class FacilitatorView(_Preparation):
    intakes: dict[str, IntakeSeen]
    # How many devices accepted the current ground rules.
    ground_rules_accepted: int


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
    fresh = new_meeting("", "", "", 0.0)  # its id, title, initials and time come from state
    fresh.update(state)
    return fresh


# Any item of a collection: what a ``put`` change carries.
Item = (
    Party
    | Moment
    | Interpretation
    | Theme
    | Thread
    | Lesson
    | Agreement
    | Intake
    | IntakeEntry
    | NewInformation
)


def ordered_moments(meeting: PublicView) -> list[Moment]:
    return sorted(meeting["moments"].values(), key=TIMELINE_ORDER)


# A moment's place on the timeline (a C-level key: this sorts the moments on many writes).
TIMELINE_ORDER = itemgetter("position", "id")


_LATEST_FIELDS = frozenset(new_meeting("", "", "", 0.0))
