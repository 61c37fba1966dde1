"""Shared helpers for the pure domain tests: a deterministic session around ``decide``.

Every command goes the way the hub sends it (parse, decide, evolve), and each step also checks
that applying the outcome's changes to a copy of the old state gives the new state: every test
that runs a command thereby checks that events really describe what happened.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest

from tijdlijn.domain.decide import Actor, Outcome, decide
from tijdlijn.domain.evolve import clone, evolve
from tijdlijn.domain.items import PALETTE
from tijdlijn.domain.meeting import Meeting, MeetingKind, new_meeting
from tijdlijn.domain.writes import WRITES, parse
from tijdlijn.errors import TijdlijnError

E = TypeVar("E", bound=TijdlijnError)

# The method's writes (intake, new information, preconditions, ground rules) and the others.
METHOD_WRITES = frozenset(
    name for name, write in WRITES.items() if write.model.__module__.endswith("commands_method")
)
CORE_WRITES = frozenset(WRITES) - METHOD_WRITES

FACILITATOR = Actor("facilitator")
WALL = Actor("wall")
START = 1_700_000_000.0


def participant(party_id: str, participant_id: str = "pt-1") -> Actor:
    return Actor("participant", participant_id=participant_id, party_id=party_id)


class Ids:
    """Deterministic ids: ``id-0001``, ``id-0002``, ... (valid for the command ``Id`` pattern)."""

    def __init__(self, prefix: str = "id") -> None:
        self.prefix = prefix
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return f"{self.prefix}-{self.count:04d}"


def run(
    state: Meeting,
    name: str,
    payload: dict[str, Any],
    actor: Actor = FACILITATOR,
    *,
    now: float = START,
    new_id: Ids | None = None,
) -> Outcome:
    """Parse, decide and evolve one command; the returned outcome's state is the evolved copy."""
    before = copy.deepcopy(state)
    command = parse(name, {"op_id": "op-1", **payload})
    outcome = decide(state, name, command, actor, now, new_id or Ids("x"))
    assert state == before, "decide must not change the state it was given"
    evolved = evolve(clone(state), outcome.changes)
    assert evolved == outcome.state, "evolve(changes) must reproduce the decided state"
    outcome.state = evolved
    return outcome


@dataclass
class Session:
    """A meeting, a clock that ticks one second per command, and a deterministic id source."""

    state: Meeting
    ids: Ids = field(default_factory=Ids)
    now: float = START
    parties: list[str] = field(default_factory=list)
    moments: list[str] = field(default_factory=list)
    ops: int = 0

    def run(
        self, name: str, payload: dict[str, Any] | None = None, actor: Actor = FACILITATOR
    ) -> Outcome:
        """Run a command; on success the session moves on to the new state."""
        self.now += 1.0
        self.ops += 1
        body = {"op_id": f"op-{self.ops}", **(payload or {})}
        outcome = run(self.state, name, body, actor, now=self.now, new_id=self.ids)
        self.state = outcome.state
        return outcome

    def refuse(
        self,
        name: str,
        payload: dict[str, Any] | None,
        actor: Actor,
        error: type[E],
    ) -> E:
        """Run a command that must be refused with ``error``, and check nothing changed."""
        before = copy.deepcopy(self.state)
        with pytest.raises(error) as caught:
            self.run(name, payload, actor)
        assert self.state == before
        assert caught.value.code == error.code
        return caught.value

    def add(self, name: str, payload: dict[str, Any], actor: Actor = FACILITATOR) -> str:
        """Run a command that creates something and return the new id."""
        created: str = self.run(name, payload, actor).result["id"]
        return created

    def reveal(self, moment_id: str | None = None) -> str:
        payload = {} if moment_id is None else {"id": moment_id}
        revealed: str = self.run("moment.reveal", payload).result["id"]
        return revealed

    def interpret(self, moment_id: str, actor: Actor, text: str = "Een duiding.") -> str:
        payload: dict[str, Any] = {"moment_id": moment_id, "text": text}
        if actor.role == "facilitator":
            payload["party_id"] = self.parties[0]
        return self.add("interpretation.add", payload, actor)

    def member(self, index: int = 0, participant_id: str | None = None) -> Actor:
        """A participant of party ``index``."""
        return participant(self.parties[index], participant_id or f"pt-{index}")


PARTY_NAMES = ("Wijkteam", "School", "GGZ", "Politie")


def build(
    parties: Sequence[str] = PARTY_NAMES,
    moments: int = 3,
    revealed: int = 0,
    kind: MeetingKind = "reconstruction",
    phase: str | None = "timeline",
) -> Session:
    """A meeting with parties and draft moments (the first ``revealed`` of them revealed)."""
    session = Session(new_meeting("m-1", "Casus", "J.K.", START, kind=kind))
    for index, name in enumerate(parties):
        colour = PALETTE[index % len(PALETTE)]
        session.parties.append(session.add("party.add", {"name": name, "colour": colour}))
    for index in range(moments):
        text = f"Moment {index + 1}"
        session.moments.append(session.add("moment.add", {"text": text, "when": f"week {index}"}))
    for _ in range(revealed):
        session.reveal()
    if phase is not None:
        session.run("meeting.phase", {"phase": phase})
    return session
