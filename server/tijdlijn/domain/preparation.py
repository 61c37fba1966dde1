"""The preparation (fase 1) as data: each party's intake (uitvraag) and its entries, the notes
of new information, and the handbook's preconditions.

All of it stays with the facilitators (visibility.py); an intake link sees only its own party.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from .items import PartyRef, holds_personal_data

# The handbook's preconditions (fase 1, stap 1, and "spanningen in de samenwerking"): checked by
# the facilitator in preparation, kept with the meeting, never blocking.
PRECONDITIONS: tuple[str, ...] = ("case_calm", "most_involved", "light_tensions")


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


class IntakeSeen(TypedDict):
    """An intake as facilitators see it: without its token's hash."""

    id: str
    party_id: str
    status: IntakeStatus
    opened_at: float


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
