"""Typed command payloads and their validation.

Each Socket.IO write event has one model of its own here (the method's in ``commands_method``);
``writes.WRITES`` pairs each with its handler and who may send it. Validation happens at the
edge (``writes.parse``), so ``decide`` only ever sees well-formed commands. Unknown fields are
refused: a client that sends more than we expect has a bug worth hearing about.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from .items import PALETTE, AgreementStatus, TriangleLevel
from .meeting import Phase

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
OpId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
Colour = Literal[
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"
]
# A case is known by its initials only: "J.K.", "JK", "J.v.D." — never a name.
INITIALS_PATTERN = r"^[A-Z]\.?(?:(?:[a-z]{1,3}\.)?[A-Z]\.?){0,3}$"
Initials = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=INITIALS_PATTERN, max_length=12)
]
_INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def _visible(value: str) -> str:
    """Refuse text that shows nothing: only control, format (zero-width) or space characters.

    Such text passes a length check yet renders as an empty card, and NUL bytes break some
    clients and exports (docs/security.md, text rule).
    """
    if value and not any(unicodedata.category(ch) not in _INVISIBLE for ch in value):
        raise ValueError("text without visible characters")
    return value


Visible = AfterValidator(_visible)

# "maart 2024", "week 12", "2023-11-02", "voorjaar": free, but short.
When = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=0, max_length=40), Visible
]


def _calendar_day(value: str) -> str:
    # "2025-02-30" fits the pattern but is no day; the report and calendar export need real ones.
    date.fromisoformat(value)
    return value


DateStr = Annotated[
    str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(_calendar_day)
]

TITLE = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), Visible
]
NAME = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), Visible
]
MOMENT_TEXT = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), Visible
]
INTERPRETATION_TEXT = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), Visible
]
LABEL = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), Visible
]
RULE = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), Visible
]
LONG_TEXT = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000), Visible
]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    op_id: OpId
    # The last seq the device had when it first sent this op (the same on every retry): lets
    # the server tell a retry it can still recognise from one too old to (service.py).
    seen: int | None = Field(default=None, ge=0, le=2**53)


# meeting
class MeetingUpdate(Command):
    title: TITLE | None = None
    initials: Initials | None = None
    ground_rules: list[RULE] | None = Field(default=None, max_length=15)
    agenda: (
        dict[
            Literal["introduction", "timeline", "reflection", "agreements"],
            Annotated[int, Field(ge=0, le=300)],
        ]
        | None
    ) = None
    follow_up_date: DateStr | None = None
    planned_date: DateStr | None = None


class MeetingPhase(Command):
    phase: Phase


class MeetingEnd(Command):
    confirm: Literal[True]


# parties
class PartyAdd(Command):
    name: NAME
    colour: Colour


class PartyUpdate(Command):
    id: Id
    name: NAME | None = None
    colour: Colour | None = None
    absent: bool | None = None


class PartyRemove(Command):
    id: Id


# moments
class MomentAdd(Command):
    text: MOMENT_TEXT
    when: When = ""
    source_party_id: Id | None = None
    # Index among all moments in timeline order; None appends at the end.
    position: Annotated[int, Field(ge=0, le=1000)] | None = None
    reveal: bool = False


class MomentUpdate(Command):
    id: Id
    text: MOMENT_TEXT | None = None
    when: When | None = None
    source_party_id: Id | None = None
    clear_source_party: bool = False


class MomentMove(Command):
    id: Id
    position: Annotated[int, Field(ge=0, le=1000)]


class MomentRemove(Command):
    id: Id


class MomentFocus(Command):
    id: Id


class MomentReveal(Command):
    # None reveals the next draft in prepared order.
    id: Id | None = None


class MomentUnreveal(Command):
    pass


# interpretations
class InterpretationAdd(Command):
    moment_id: Id
    text: INTERPRETATION_TEXT
    # Required for a facilitator (on behalf of a party); a participant's own party otherwise.
    party_id: Id | None = None


class InterpretationUpdate(Command):
    id: Id
    text: INTERPRETATION_TEXT


class InterpretationMove(Command):
    id: Id
    moment_id: Id


class InterpretationRemove(Command):
    id: Id


# themes
class ThemeFlag(Command):
    theme_id: Id | None = None
    label: LABEL | None = None
    target: Literal["moment", "interpretation"]
    id: Id


class ThemeUnflag(Command):
    theme_id: Id
    target: Literal["moment", "interpretation"]
    id: Id


class ThemeRename(Command):
    id: Id
    label: LABEL


class ThemeMerge(Command):
    id: Id
    into: Id


class ThemeRemove(Command):
    id: Id


# common threads
class ThreadAdd(Command):
    text: LONG_TEXT
    level: TriangleLevel | None = None
    moment_ids: list[Id] = Field(default_factory=list, max_length=40)
    theme_ids: list[Id] = Field(default_factory=list, max_length=60)


class ThreadUpdate(Command):
    id: Id
    text: LONG_TEXT | None = None
    level: TriangleLevel | None = None
    clear_level: bool = False
    moment_ids: list[Id] | None = Field(default=None, max_length=40)
    theme_ids: list[Id] | None = Field(default=None, max_length=60)


class ThreadRemove(Command):
    id: Id


# lessons and working agreements
class LessonAdd(Command):
    text: LONG_TEXT


class LessonUpdate(Command):
    id: Id
    text: LONG_TEXT


class LessonRemove(Command):
    id: Id


class AgreementAdd(Command):
    text: LONG_TEXT
    owner_party_id: Id | None = None
    due: DateStr | None = None


class AgreementUpdate(Command):
    id: Id
    text: LONG_TEXT | None = None
    owner_party_id: Id | None = None
    clear_owner: bool = False
    due: DateStr | None = None
    clear_due: bool = False


class AgreementRemove(Command):
    id: Id


class AgreementStatusSet(Command):
    id: Id
    status: AgreementStatus


assert set(get_args(Colour)) == set(PALETTE), "Colour must list exactly the palette"
