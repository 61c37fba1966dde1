"""decide(state, command, actor) -> what happens, or a coded DomainError.

Pure: time and new ids come in as arguments, so the same inputs always give the same outcome.
``decide`` works on a copy and returns the changes as two lists: the truth (what the store keeps
and facilitators see, minus authors) and the public view (what participants and the wall see).
The handlers live in timeline.py, review.py and method.py; writes.py says which runs for what.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import Forbidden, MeetingClosed
from . import commands as c
from .context import Actor, Ctx
from .evolve import Change, changes_of, clone, settled, tracked
from .meeting import Meeting, upgraded
from .timeline import MEETING_ENDED
from .visibility import public_changes
from .writes import WRITES, Write

__all__ = ["MEETING_ENDED", "Actor", "Building", "Outcome", "authorise", "decide"]

FACILITATOR = Actor("facilitator")


@dataclass(slots=True)
class Outcome:
    type: str
    state: Meeting
    changes: list[Change]
    public: list[Change]
    # What the ack carries besides ``ok`` and ``seq`` (the id of what was made).
    result: dict[str, str] = field(default_factory=dict)


def decide(
    state: Meeting,
    name: str,
    command: c.Command,
    actor: Actor,
    now: float,
    new_id: Callable[[], str],
) -> Outcome:
    """Check ``actor`` may send ``command``, and work out its changes; ``state`` is untouched.

    A decided ``meeting.end`` (type :data:`MEETING_ENDED`) changes nothing: the service deletes
    the meeting.
    """
    # A meeting stored before a field existed gets it here; the changes carry it to the store.
    current = upgraded(state)
    write = WRITES[name]
    authorise(current, write, actor)
    after = tracked(current)
    event_type, result = write.handler(Ctx(after, actor, now, new_id), command)
    touched = settled(after, current)
    return Outcome(
        type=event_type,
        state=after,
        changes=changes_of(state, after, touched),
        public=public_changes(state, after, touched),
        result=result,
    )


def authorise(state: Meeting, write: Write[c.Command], actor: Actor) -> None:
    if actor.role == "wall":
        raise Forbidden("Het wandscherm kan alleen meekijken.")
    if actor.role == "facilitator":
        return
    if actor.role == "intake":
        # An intake link may only add to and edit its own party's intake (checked in method.py).
        if "intake" not in write.who:
            raise Forbidden("Met deze link kun je alleen momenten voor de uitvraag invullen.")
        return
    allowed = write.who | write.in_follow_up if state["kind"] == "follow_up" else write.who
    if actor.role not in allowed:
        raise Forbidden("Alleen de gespreksbegeleider kan dit doen.")
    if state["phase"] == "closed":
        raise MeetingClosed()


class Building:
    """A new meeting built command by command, as its facilitator would send them.

    Creating, importing and starting a follow-up all build their meeting here, by the same
    rules and with the same item constructors as live edits. No events are made: the meeting's
    log starts after it. A refused command raises, and the half-built state is dropped.
    """

    def __init__(self, state: Meeting, now: float, new_id: Callable[[], str]) -> None:
        self.state = clone(upgraded(state))
        self._ctx = Ctx(self.state, FACILITATOR, now, new_id)

    def run(self, name: str, command: c.Command) -> str:
        """Decide one command on the state; the id of what it made ("" if nothing new)."""
        write = WRITES[name]
        authorise(self.state, write, FACILITATOR)
        _, result = write.handler(self._ctx, command)
        return result.get("id", "")
