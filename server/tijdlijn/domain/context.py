"""What every handler gets: the meeting copy it changes, who sent the command, the time, new ids.

Handlers never change an item in place: they put a new item in its place. That lets ``clone``
copy only the containers and ``diff`` skip every item that is still the same object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, overload

from ..errors import LimitReached, NotFound
from .items import Agreement, Interpretation, Lesson, Moment, Party, Theme, Thread
from .limits import LIMITS
from .meeting import Collection, Item, Meeting, Role, ordered_moments
from .preparation import Intake, IntakeEntry, NewInformation


@dataclass(frozen=True, slots=True)
class Actor:
    """Who sent a command: a role, and for a participant its random id and chosen party."""

    role: Role
    participant_id: str | None = None
    party_id: str | None = None


# A handler's answer: the event type, and what the ack carries besides ``ok`` and ``seq``.
Result = tuple[str, dict[str, str]]


@dataclass(slots=True)
class Ctx:
    s: Meeting
    actor: Actor
    now: float
    new_id: Callable[[], str]

    @overload
    def get(self, kind: Literal["parties"], item_id: str | None, what: str) -> Party: ...
    @overload
    def get(self, kind: Literal["moments"], item_id: str | None, what: str) -> Moment: ...
    @overload
    def get(
        self, kind: Literal["interpretations"], item_id: str | None, what: str
    ) -> Interpretation: ...
    @overload
    def get(self, kind: Literal["themes"], item_id: str | None, what: str) -> Theme: ...
    @overload
    def get(self, kind: Literal["threads"], item_id: str | None, what: str) -> Thread: ...
    @overload
    def get(self, kind: Literal["lessons"], item_id: str | None, what: str) -> Lesson: ...
    @overload
    def get(self, kind: Literal["agreements"], item_id: str | None, what: str) -> Agreement: ...
    @overload
    def get(self, kind: Literal["intakes"], item_id: str | None, what: str) -> Intake: ...
    @overload
    def get(
        self, kind: Literal["intake_entries"], item_id: str | None, what: str
    ) -> IntakeEntry: ...
    @overload
    def get(
        self, kind: Literal["new_information"], item_id: str | None, what: str
    ) -> NewInformation: ...
    def get(self, kind: Collection, item_id: str | None, what: str) -> Item:
        item = self.s[kind].get(item_id or "")
        if item is None:
            raise NotFound(f"{what} bestaat niet (meer).")
        return item

    def room(self, kind: Collection) -> None:
        if len(self.s[kind]) >= LIMITS[kind]:
            raise LimitReached(f"Maximaal {LIMITS[kind]} toegestaan.")

    def revealed_moment(self, moment_id: str) -> Moment:
        moment = self.get("moments", moment_id, "Dit moment")
        if moment["state"] != "revealed" and self.actor.role != "facilitator":
            raise NotFound("Dit moment bestaat niet (meer).")
        return moment

    def party(self, party_id: str | None) -> str | None:
        if party_id is not None:
            self.get("parties", party_id, "Deze partij")
        return party_id

    def next_position(self, kind: Literal["parties", "threads", "lessons", "agreements"]) -> int:
        items = self.s[kind].values()
        return max((i["position"] for i in items), default=-1) + 1

    def position_at(self, index: int | None, skip: str | None = None) -> float:
        """A position that puts a moment at ``index`` in timeline order, without renumbering."""
        order = [m["position"] for m in ordered_moments(self.s) if m["id"] != skip]
        if index is None or index >= len(order):
            return (order[-1] + 1.0) if order else 1.0
        if index <= 0:
            return order[0] - 1.0
        return (order[index - 1] + order[index]) / 2.0
