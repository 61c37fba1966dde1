"""Command payloads for the method around the live meeting.

The intake (uitvraag) per party, the absent party, new information that surfaced, the handbook's
preconditions and accepting changed ground rules. Kept apart from ``commands`` to keep modules
small; ``commands.COMMANDS`` includes these.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from .commands import COMMANDS, LONG_TEXT, MOMENT_TEXT, Command, Id, Visible, When

# A SHA-256 of the intake token, made in the facilitator's browser: the server never sees the
# token itself until someone opens the link (docs/protocol.md, "Intake").
TokenHash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
# Becomes a prepared interpretation: the same limit as INTERPRETATION_TEXT, but may be empty.
EXPERIENCE = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), Visible]


class Preconditions(Command):
    case_calm: bool | None = None
    most_involved: bool | None = None
    light_tensions: bool | None = None


class GroundRulesAccept(Command):
    # The version the phone showed: accepting an older text accepts nothing.
    version: Annotated[int, Field(ge=1)]


class IntakeOpen(Command):
    party_id: Id
    token_hash: TokenHash


class IntakeClose(Command):
    party_id: Id


class IntakeAdd(Command):
    text: MOMENT_TEXT
    when: When = ""
    experience: EXPERIENCE = ""
    # Only a facilitator names the party (input gathered by phone); an intake link has its own.
    party_id: Id | None = None


class IntakeUpdate(Command):
    id: Id
    text: MOMENT_TEXT | None = None
    when: When | None = None
    experience: EXPERIENCE | None = None


class IntakeRemove(Command):
    id: Id


class IntakeTake(Command):
    """Make one draft moment of one or more intake entries (several: they describe one event)."""

    entry_ids: list[Id] = Field(min_length=1, max_length=12)
    # The neutral phrasing; without it, the first entry's text.
    text: MOMENT_TEXT | None = None
    when: When | None = None
    # Add to this existing moment instead of making a new one.
    moment_id: Id | None = None
    position: Annotated[int, Field(ge=0, le=1000)] | None = None


class NewInformationAdd(Command):
    pass


class NewInformationAgree(Command):
    id: Id
    agreement: LONG_TEXT


class NewInformationRemove(Command):
    id: Id


METHOD_COMMANDS: dict[str, type[Command]] = {
    "meeting.preconditions": Preconditions,
    "ground_rules.accept": GroundRulesAccept,
    "intake.open": IntakeOpen,
    "intake.close": IntakeClose,
    "intake.add": IntakeAdd,
    "intake.update": IntakeUpdate,
    "intake.remove": IntakeRemove,
    "intake.take": IntakeTake,
    "new_information.add": NewInformationAdd,
    "new_information.agree": NewInformationAgree,
    "new_information.remove": NewInformationRemove,
}

COMMANDS.update(METHOD_COMMANDS)
