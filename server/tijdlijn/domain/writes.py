"""The one table of writes: per Socket.IO write event, its payload model, who may send it, and
the handler that decides it.

The hub registers one Socket.IO handler per entry, :func:`parse` validates with the entry's model,
``decide.authorise`` checks the entry's roles and ``decide`` runs its handler. docs/protocol.md's
table of writes is checked against this one (tests/test_protocol_doc.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..errors import Invalid, UnknownEvent
from . import commands as c
from . import commands_method as cm
from . import method, review, timeline
from .context import Ctx, Result
from .meeting import Role
from .wording import NAME_LIKE, validated

C = TypeVar("C", bound=c.Command)

F: frozenset[Role] = frozenset({"facilitator"})
FP: frozenset[Role] = frozenset({"facilitator", "participant"})
FI: frozenset[Role] = frozenset({"facilitator", "intake"})


@dataclass(frozen=True, slots=True)
class Write(Generic[C]):
    model: type[C]
    handler: Callable[[Ctx, C], Result]
    # Who may send it. The wall never may; a handler may narrow it further (a participant only
    # for its own party, an intake link only while its intake is open).
    who: frozenset[Role]
    # Who may also send it in a follow-up meeting (everyone adds lessons there).
    in_follow_up: frozenset[Role] = frozenset()


def _write(
    model: type[C],
    handler: Callable[[Ctx, C], Result],
    who: frozenset[Role] = F,
    in_follow_up: frozenset[Role] = frozenset(),
) -> Write[Any]:
    return Write(model, handler, who, in_follow_up)


t, r, m = timeline, review, method

WRITES: dict[str, Write[Any]] = {
    "meeting.update": _write(c.MeetingUpdate, t.meeting_update),
    "meeting.phase": _write(c.MeetingPhase, t.meeting_phase),
    "meeting.preconditions": _write(cm.Preconditions, m.preconditions),
    # A facilitator is let through to the handler, which says why only participants accept.
    "ground_rules.accept": _write(cm.GroundRulesAccept, m.rules_accept, frozenset({"participant"})),
    "meeting.end": _write(c.MeetingEnd, t.meeting_end),
    "party.add": _write(c.PartyAdd, t.party_add),
    "party.update": _write(c.PartyUpdate, t.party_update),
    "party.remove": _write(c.PartyRemove, t.party_remove),
    "moment.add": _write(c.MomentAdd, t.moment_add),
    "moment.update": _write(c.MomentUpdate, t.moment_update),
    "moment.move": _write(c.MomentMove, t.moment_move),
    "moment.remove": _write(c.MomentRemove, t.moment_remove),
    "moment.reveal": _write(c.MomentReveal, t.moment_reveal),
    "moment.unreveal": _write(c.MomentUnreveal, t.moment_unreveal),
    "moment.focus": _write(c.MomentFocus, t.moment_focus),
    "interpretation.add": _write(c.InterpretationAdd, t.interpretation_add, FP),
    "interpretation.update": _write(c.InterpretationUpdate, t.interpretation_update, FP),
    "interpretation.move": _write(c.InterpretationMove, t.interpretation_move),
    "interpretation.remove": _write(c.InterpretationRemove, t.interpretation_remove, FP),
    "theme.flag": _write(c.ThemeFlag, r.theme_flag, FP),
    "theme.unflag": _write(c.ThemeUnflag, r.theme_unflag, FP),
    "theme.rename": _write(c.ThemeRename, r.theme_rename),
    "theme.merge": _write(c.ThemeMerge, r.theme_merge),
    "theme.remove": _write(c.ThemeRemove, r.theme_remove),
    "thread.add": _write(c.ThreadAdd, r.thread_add),
    "thread.update": _write(c.ThreadUpdate, r.thread_update),
    "thread.remove": _write(c.ThreadRemove, r.thread_remove),
    "lesson.add": _write(c.LessonAdd, r.lesson_add, F, in_follow_up=FP),
    "lesson.update": _write(c.LessonUpdate, r.lesson_update),
    "lesson.remove": _write(c.LessonRemove, r.lesson_remove),
    "agreement.add": _write(c.AgreementAdd, r.agreement_add),
    "agreement.update": _write(c.AgreementUpdate, r.agreement_update),
    "agreement.remove": _write(c.AgreementRemove, r.agreement_remove),
    "agreement.status": _write(c.AgreementStatusSet, r.agreement_status, FP),
    "intake.open": _write(cm.IntakeOpen, m.intake_open),
    "intake.close": _write(cm.IntakeClose, m.intake_close),
    "intake.add": _write(cm.IntakeAdd, m.intake_add, FI),
    "intake.update": _write(cm.IntakeUpdate, m.intake_update, FI),
    "intake.remove": _write(cm.IntakeRemove, m.intake_remove, FI),
    "intake.take": _write(cm.IntakeTake, m.intake_take),
    "new_information.add": _write(cm.NewInformationAdd, m.new_information_add),
    "new_information.agree": _write(cm.NewInformationAgree, m.new_information_agree),
    "new_information.remove": _write(cm.NewInformationRemove, m.new_information_remove),
}


def parse(name: str, payload: Any) -> c.Command:
    """Validate one write event's payload, or raise :class:`Invalid` naming the fields at fault
    (never their values: they may be case content)."""
    write = WRITES.get(name)
    if write is None:
        shown = name if isinstance(name, str) and NAME_LIKE.match(name) else "?"
        raise UnknownEvent(f"Onbekend bericht: {shown}.")
    if not isinstance(payload, dict):
        raise Invalid("Het bericht moet een object zijn.")
    command: c.Command = validated(write.model, payload, "Het bericht")
    return command
