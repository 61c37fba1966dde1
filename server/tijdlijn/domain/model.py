"""The meeting as data: what the wall shows, what the report summarises, what the store keeps.

State is plain JSON-compatible dicts described by TypedDicts, so the same shape travels unchanged
through the store (Redis or memory), over Socket.IO and into the browser. Collections are dicts
keyed by id, which makes every change a ``put`` or ``del`` of one item (see ``evolve``).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from .personal_data import find_personal_data

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


class IntakeSeen(TypedDict):
    """An intake as facilitators see it: without its token's hash."""

    id: str
    party_id: str
    status: IntakeStatus
    opened_at: float


class FacilitatorView(_Preparation):
    intakes: dict[str, IntakeSeen]
    # How many devices accepted the current ground rules.
    ground_rules_accepted: int


class PartyRef(TypedDict):
    id: str
    name: str
    colour: str


class IntakeEntrySeen(TypedDict):
    """An intake entry as its link sees it: whether it was taken, not into which moment."""

    id: str
    party_id: str
    when: str
    text: str
    experience: str
    created_at: float
    updated_at: float
    pii: bool
    taken: bool


class IntakeLinkView(TypedDict):
    """What an intake link sees: its meeting's title, its own party and its own entries."""

    id: str
    title: str
    status: IntakeStatus
    party: PartyRef | None
    entries: dict[str, IntakeEntrySeen]


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


def intake(intake_id: str, party_id: str, token_hash: str, now: float) -> Intake:
    return {
        "id": intake_id,
        "party_id": party_id,
        "token_hash": token_hash,
        "status": "open",
        "opened_at": now,
    }


def intake_entry_pii(text: str, experience: str) -> bool:
    return holds_personal_data(f"{text}\n{experience}")


def intake_entry(
    entry_id: str, party_id: str, when: str, text: str, experience: str, now: float
) -> IntakeEntry:
    return {
        "id": entry_id,
        "party_id": party_id,
        "when": when,
        "text": text,
        "experience": experience,
        "created_at": now,
        "updated_at": now,
        "pii": intake_entry_pii(text, experience),
        "moment_id": None,
    }


def new_information(note_id: str, now: float, moment_id: str | None) -> NewInformation:
    return {
        "id": note_id,
        "created_at": now,
        "moment_id": moment_id,
        "agreement": None,
        "pii": False,
    }


def ordered_moments(meeting: PublicView) -> list[Moment]:
    return sorted(meeting["moments"].values(), key=lambda m: (m["position"], m["id"]))


_LATEST_FIELDS = frozenset(new_meeting("", "", "", 0.0))
