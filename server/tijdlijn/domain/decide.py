"""decide(state, command, actor) -> what happens, or a coded DomainError.

Handlers never change an item in place: they put a new dict in its place. That lets ``clone`` copy
only the containers and ``diff`` skip every item that is still the same object.

Pure: time and new ids come in as arguments, so the same inputs always give the same outcome.
``decide`` works on a copy and returns the changes as two lists: the truth (what the store keeps
and facilitators see, minus authors) and the public view (what participants and the wall see).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from ..errors import Conflict, Forbidden, Invalid, LimitReached, MeetingClosed, NotFound
from . import commands as c
from .evolve import Change, clone, diff
from .model import (
    AGENDA_PARTS,
    LIMITS,
    Collection,
    Interpretation,
    Meeting,
    Moment,
    Role,
    ordered_moments,
    upgraded,
)
from .personal_data import find_personal_data
from .visibility import public_changes

FACILITATOR_ONLY: frozenset[type[c.Command]] = frozenset(
    {
        c.MeetingUpdate,
        c.MeetingPhase,
        c.MeetingEnd,
        c.PartyAdd,
        c.PartyUpdate,
        c.PartyRemove,
        c.MomentAdd,
        c.MomentUpdate,
        c.MomentMove,
        c.MomentRef,
        c.MomentReveal,
        c.MomentUnreveal,
        c.InterpretationMove,
        c.ThemeRename,
        c.ThemeMerge,
        c.ThemeRemove,
        c.ThreadAdd,
        c.ThreadUpdate,
        c.ItemRemove,
        c.LessonUpdate,
        c.AgreementAdd,
        c.AgreementUpdate,
    }
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who sent a command: a role, and for a participant its random id and chosen party."""

    role: Role
    participant_id: str | None = None
    party_id: str | None = None


@dataclass(slots=True)
class Outcome:
    type: str
    state: Meeting
    changes: list[Change]
    public: list[Change]
    result: dict[str, Any] = field(default_factory=dict)


def decide(
    state: Meeting,
    name: str,
    command: c.Command,
    actor: Actor,
    now: float,
    new_id: Callable[[], str],
) -> Outcome:
    """Check ``actor`` may send ``command``, and work out its changes; ``state`` is untouched."""
    # A meeting stored before a field existed gets it here; the changes carry it to the store.
    current = upgraded(state)
    authorise(current, command, actor)
    after = clone(current)
    handler = _BY_NAME.get(name) or _HANDLERS[type(command)]
    event_type, result = handler(_Ctx(cast(dict[str, Any], after), actor, now, new_id), command)
    return Outcome(
        type=event_type or name,
        state=after,
        changes=diff(cast(Any, state), cast(Any, after)),
        public=public_changes(state, after),
        result=result,
    )


def authorise(state: Meeting, command: c.Command, actor: Actor) -> None:
    if actor.role == "wall":
        raise Forbidden("Het wandscherm kan alleen meekijken.")
    if actor.role == "facilitator":
        return
    kind = type(command)
    if actor.role == "intake":
        # An intake link may only add to and edit its own party's intake (checked in method.py).
        if kind not in method.INTAKE_WRITES:
            raise Forbidden("Met deze link kun je alleen momenten voor de uitvraag invullen.")
        return
    if kind in method.METHOD_FACILITATOR_ONLY:
        raise Forbidden("Alleen de gespreksbegeleider kan dit doen.")
    if kind is c.LessonAdd and state["kind"] == "follow_up":
        pass  # in a follow-up meeting everyone may add a lesson
    elif kind in FACILITATOR_ONLY or kind is c.LessonAdd:
        raise Forbidden("Alleen de gespreksbegeleider kan dit doen.")
    if state["phase"] == "closed":
        raise MeetingClosed()


@dataclass(slots=True)
class _Ctx:
    # The copy being changed, as plain dicts: handlers build items field by field, and the
    # TypedDicts of model.py describe the result rather than every step towards it.
    s: dict[str, Any]
    actor: Actor
    now: float
    new_id: Callable[[], str]

    def get(self, kind: Collection, item_id: str | None, what: str) -> Any:
        item = self.s[kind].get(item_id or "")
        if item is None:
            raise NotFound(f"{what} bestaat niet (meer).")
        return item

    def room(self, kind: Collection) -> None:
        if len(self.s[kind]) >= LIMITS[kind]:
            raise LimitReached(f"Maximaal {LIMITS[kind]} toegestaan.")

    def revealed_moment(self, moment_id: str) -> Moment:
        moment: Moment = self.get("moments", moment_id, "Dit moment")
        if moment["state"] != "revealed" and self.actor.role != "facilitator":
            raise NotFound("Dit moment bestaat niet (meer).")
        return moment

    def party(self, party_id: str | None) -> str | None:
        if party_id is not None:
            self.get("parties", party_id, "Deze partij")
        return party_id

    def next_position(self, kind: Collection) -> int:
        items = self.s[kind].values()
        return max((int(i["position"]) for i in items), default=-1) + 1


Result = tuple[str | None, dict[str, Any]]


# meeting
def _meeting_update(x: _Ctx, cmd: c.MeetingUpdate) -> Result:
    s = x.s
    if cmd.title is not None:
        s["title"] = cmd.title
    if cmd.initials is not None:
        s["initials"] = cmd.initials
    if cmd.ground_rules is not None:
        rules = [r for r in cmd.ground_rules if r]
        if rules != s["ground_rules"]:
            # Changed rules are shown on every phone again, to be accepted again.
            s["ground_rules"] = rules
            s["ground_rules_version"] = s["ground_rules_version"] + 1
            s["rule_acceptances"] = {}
    if cmd.agenda is not None:
        s["agenda"] = {**s["agenda"], **cmd.agenda}
    if cmd.follow_up_date is not None:
        s["follow_up_date"] = cmd.follow_up_date
    if cmd.planned_date is not None:
        s["planned_date"] = cmd.planned_date
    return "meeting.updated", {}


def _meeting_phase(x: _Ctx, cmd: c.MeetingPhase) -> Result:
    s = x.s
    if cmd.phase == "closed" and s["phase"] != "closed":
        open_notes = sum(1 for n in s["new_information"].values() if n["agreement"] is None)
        if open_notes:
            raise Conflict(
                f"Er is nog {open_notes} melding van nieuwe informatie zonder afspraak over hoe "
                "ermee om te gaan. Leg die afspraak eerst vast."
            )
    if s["phase"] != cmd.phase:
        if s["phase"] == "preparation":
            method.close_intakes(x)
        s["phase"] = cmd.phase
        s["phase_started_at"] = x.now
        if cmd.phase in AGENDA_PARTS and cmd.phase not in s["part_started_at"]:
            s["part_started_at"] = {**s["part_started_at"], cmd.phase: x.now}
    return "meeting.phase_changed", {}


def _meeting_end(x: _Ctx, cmd: c.MeetingEnd) -> Result:
    # Deleting is the store's job; the hub handles it before decide. Here it is only authorised.
    raise Conflict("Beëindigen gaat via de hub.")


# parties
def _party_add(x: _Ctx, cmd: c.PartyAdd) -> Result:
    x.room("parties")
    if any(p["name"].casefold() == cmd.name.casefold() for p in x.s["parties"].values()):
        raise Conflict("Er is al een partij met deze naam.")
    pid = x.new_id()
    x.s["parties"][pid] = {
        "id": pid,
        "name": cmd.name,
        "colour": cmd.colour,
        "position": x.next_position("parties"),
        "absent": False,
    }
    return "party.added", {"id": pid}


def _party_update(x: _Ctx, cmd: c.PartyUpdate) -> Result:
    party = dict(x.get("parties", cmd.id, "Deze partij"))
    if cmd.name is not None:
        # Participants pick their party by name: two with one name would be a trap, as on add.
        if any(
            p["name"].casefold() == cmd.name.casefold() and p["id"] != cmd.id
            for p in x.s["parties"].values()
        ):
            raise Conflict("Er is al een partij met deze naam.")
        party["name"] = cmd.name
    if cmd.colour is not None:
        party["colour"] = cmd.colour
    if cmd.absent is not None:
        party["absent"] = cmd.absent
    x.s["parties"][cmd.id] = party
    return "party.updated", {}


def _party_remove(x: _Ctx, cmd: c.PartyRemove) -> Result:
    x.get("parties", cmd.id, "Deze partij")
    if any(i["party_id"] == cmd.id for i in x.s["interpretations"].values()):
        raise Conflict("Deze partij heeft al duidingen; verwijder of verplaats die eerst.")
    del x.s["parties"][cmd.id]
    for mid, moment in list(x.s["moments"].items()):
        if moment["source_party_id"] == cmd.id:
            x.s["moments"][mid] = {**moment, "source_party_id": None}
    for aid, agreement in list(x.s["agreements"].items()):
        if agreement["owner_party_id"] == cmd.id:
            x.s["agreements"][aid] = {**agreement, "owner_party_id": None}
    method.forget_party(x, cmd.id)
    return "party.removed", {}


# moments
def _position_at(x: _Ctx, index: int | None, skip: str | None = None) -> float:
    """A position that puts a moment at ``index`` in timeline order, without renumbering."""
    order = [m["position"] for m in ordered_moments(cast(Meeting, x.s)) if m["id"] != skip]
    if index is None or index >= len(order):
        return (order[-1] + 1.0) if order else 1.0
    if index <= 0:
        return order[0] - 1.0
    return (order[index - 1] + order[index]) / 2.0


def _pii(text: str) -> bool:
    return bool(find_personal_data(text))


def _moment_add(x: _Ctx, cmd: c.MomentAdd) -> Result:
    x.room("moments")
    mid = x.new_id()
    moment: Moment = {
        "id": mid,
        "text": cmd.text,
        "when": cmd.when,
        "position": _position_at(x, cmd.position),
        "source_party_id": x.party(cmd.source_party_id),
        "state": "draft",
        "revealed_at": None,
        "pii": _pii(cmd.text),
    }
    x.s["moments"][mid] = moment
    if cmd.reveal:
        _reveal(x, moment)
        return "moment.revealed", {"id": mid}
    return "moment.added", {"id": mid}


def _moment_update(x: _Ctx, cmd: c.MomentUpdate) -> Result:
    moment = dict(x.get("moments", cmd.id, "Dit moment"))
    if cmd.text is not None:
        moment["text"] = cmd.text
        moment["pii"] = _pii(cmd.text)
    if cmd.when is not None:
        moment["when"] = cmd.when
    if cmd.clear_source_party:
        moment["source_party_id"] = None
    elif cmd.source_party_id is not None:
        moment["source_party_id"] = x.party(cmd.source_party_id)
    x.s["moments"][cmd.id] = moment
    return "moment.updated", {}


def _moment_move(x: _Ctx, cmd: c.MomentMove) -> Result:
    moment = x.get("moments", cmd.id, "Dit moment")
    x.s["moments"][cmd.id] = {**moment, "position": _position_at(x, cmd.position, skip=cmd.id)}
    return "moment.moved", {}


def _moment_remove(x: _Ctx, cmd: c.MomentRef) -> Result:
    x.get("moments", cmd.id, "Dit moment")
    del x.s["moments"][cmd.id]
    gone = {i for i, it in x.s["interpretations"].items() if it["moment_id"] == cmd.id}
    for iid in gone:
        del x.s["interpretations"][iid]
    _drop_flags(x, lambda f: (f["target"] == "moment" and f["id"] == cmd.id) or f["id"] in gone)
    for tid, thread in list(x.s["threads"].items()):
        if cmd.id in thread["moment_ids"]:
            x.s["threads"][tid] = {
                **thread,
                "moment_ids": [m for m in thread["moment_ids"] if m != cmd.id],
            }
    if x.s["current_moment_id"] == cmd.id:
        x.s["current_moment_id"] = _latest_revealed(x)
    method.release_entries(x, cmd.id)
    return "moment.removed", {}


def _reveal(x: _Ctx, moment: Moment) -> None:
    x.s["moments"][moment["id"]] = {**moment, "state": "revealed", "revealed_at": x.now}
    x.s["current_moment_id"] = moment["id"]


def _latest_revealed(x: _Ctx) -> str | None:
    shown = [m for m in x.s["moments"].values() if m["state"] == "revealed"]
    if not shown:
        return None
    latest: str = max(shown, key=lambda m: (m["revealed_at"] or 0.0, m["position"]))["id"]
    return latest


def _moment_reveal(x: _Ctx, cmd: c.MomentReveal) -> Result:
    if cmd.id is None:
        drafts = [m for m in ordered_moments(cast(Meeting, x.s)) if m["state"] == "draft"]
        if not drafts:
            raise Conflict("Alle momenten zijn al getoond.")
        moment = drafts[0]
    else:
        moment = x.get("moments", cmd.id, "Dit moment")
        if moment["state"] == "revealed":
            raise Conflict("Dit moment is al getoond.")
    _reveal(x, moment)
    return "moment.revealed", {"id": moment["id"]}


def _moment_unreveal(x: _Ctx, cmd: c.MomentUnreveal) -> Result:
    last = _latest_revealed(x)
    if last is None:
        raise Conflict("Er is nog geen moment getoond.")
    x.s["moments"][last] = {**x.s["moments"][last], "state": "draft", "revealed_at": None}
    x.s["current_moment_id"] = _latest_revealed(x)
    return "moment.unrevealed", {"id": last}


def _moment_focus(x: _Ctx, cmd: c.MomentRef) -> Result:
    moment = x.get("moments", cmd.id, "Dit moment")
    if moment["state"] != "revealed":
        raise Conflict("Toon dit moment eerst.")
    x.s["current_moment_id"] = cmd.id
    return "moment.focused", {}


# interpretations
def _interpretation_add(x: _Ctx, cmd: c.InterpretationAdd) -> Result:
    x.room("interpretations")
    moment = x.revealed_moment(cmd.moment_id)
    if x.actor.role == "facilitator":
        if cmd.party_id is None:
            raise Invalid("Kies namens welke partij deze duiding is.")
        party_id = cmd.party_id
    else:
        if cmd.party_id is not None and cmd.party_id != x.actor.party_id:
            raise Forbidden("Je kunt alleen namens je eigen partij een duiding geven.")
        party_id = x.actor.party_id or ""
    x.party(party_id)
    iid = x.new_id()
    item: Interpretation = {
        "id": iid,
        "moment_id": cmd.moment_id,
        "party_id": party_id,
        "text": cmd.text,
        "created_at": x.now,
        "updated_at": x.now,
        "pii": _pii(cmd.text),
        # Added before the moment was shown: gathered in preparation.
        "prepared": moment["state"] == "draft",
    }
    if x.actor.participant_id:
        item["author"] = x.actor.participant_id
    x.s["interpretations"][iid] = item
    return "interpretation.added", {"id": iid}


def _own_interpretation(x: _Ctx, iid: str) -> Interpretation:
    item: Interpretation = x.get("interpretations", iid, "Deze duiding")
    if x.actor.role != "facilitator":
        x.revealed_moment(item["moment_id"])
        if item.get("author") != x.actor.participant_id:
            raise Forbidden("Je kunt alleen je eigen duidingen aanpassen.")
    return item


def _interpretation_update(x: _Ctx, cmd: c.InterpretationUpdate) -> Result:
    item = dict(_own_interpretation(x, cmd.id))
    item.update(text=cmd.text, updated_at=x.now, pii=_pii(cmd.text))
    x.s["interpretations"][cmd.id] = item
    return "interpretation.updated", {}


def _interpretation_move(x: _Ctx, cmd: c.InterpretationMove) -> Result:
    item = x.get("interpretations", cmd.id, "Deze duiding")
    x.get("moments", cmd.moment_id, "Dit moment")
    x.s["interpretations"][cmd.id] = {**item, "moment_id": cmd.moment_id}
    return "interpretation.moved", {}


def _interpretation_remove(x: _Ctx, cmd: c.InterpretationRemove) -> Result:
    _own_interpretation(x, cmd.id)
    del x.s["interpretations"][cmd.id]
    _drop_flags(x, lambda f: f["target"] == "interpretation" and f["id"] == cmd.id)
    return "interpretation.removed", {}


# themes
def _drop_flags(x: _Ctx, gone: Callable[[Any], bool]) -> None:
    for tid, theme in list(x.s["themes"].items()):
        kept = [f for f in theme["flags"] if not gone(f)]
        if len(kept) != len(theme["flags"]):
            x.s["themes"][tid] = {**theme, "flags": kept}


def _theme_flag(x: _Ctx, cmd: c.ThemeFlag) -> Result:
    if cmd.target == "moment":
        moment = x.revealed_moment(cmd.id)
    else:
        interp: Interpretation = x.get("interpretations", cmd.id, "Deze duiding")
        moment = x.revealed_moment(interp["moment_id"])
    if moment["state"] != "revealed":
        raise Conflict("Thema's horen bij getoonde momenten.")
    if cmd.theme_id is not None:
        theme = dict(x.get("themes", cmd.theme_id, "Dit thema"))
    elif cmd.label is not None:
        existing = [
            t for t in x.s["themes"].values() if t["label"].casefold() == cmd.label.casefold()
        ]
        if existing:
            theme = dict(existing[0])
        else:
            x.room("themes")
            theme = {"id": x.new_id(), "label": cmd.label, "flags": []}
    else:
        raise Invalid("Kies een thema of geef een nieuw label.")
    if len(theme["flags"]) >= LIMITS["flags_per_theme"]:
        raise LimitReached()
    new_flag: dict[str, Any] = {"target": cmd.target, "id": cmd.id}
    if x.actor.participant_id:
        new_flag["author"] = x.actor.participant_id
    theme["flags"] = [*theme["flags"], new_flag]
    x.s["themes"][theme["id"]] = theme
    return "theme.flagged", {"id": theme["id"]}


def _theme_unflag(x: _Ctx, cmd: c.ThemeUnflag) -> Result:
    theme = x.get("themes", cmd.theme_id, "Dit thema")
    flags = list(theme["flags"])
    on_target = [f for f in flags if f["target"] == cmd.target and f["id"] == cmd.id]
    if not on_target:
        raise NotFound("Dit thema staat niet op dit onderdeel.")
    if x.actor.role == "facilitator":
        gone = on_target[0]
    else:
        # A participant takes back only a flag of their own (one made by mistake).
        x.revealed_moment(
            cmd.id
            if cmd.target == "moment"
            else x.get("interpretations", cmd.id, "Deze duiding")["moment_id"]
        )
        mine = [f for f in on_target if f.get("author") == x.actor.participant_id]
        if not mine:
            raise Forbidden("Je kunt alleen een thema terugnemen dat je zelf hebt toegevoegd.")
        gone = mine[0]
    flags.remove(gone)
    x.s["themes"][cmd.theme_id] = {**theme, "flags": flags}
    return "theme.unflagged", {}


def _theme_rename(x: _Ctx, cmd: c.ThemeRename) -> Result:
    theme = x.get("themes", cmd.id, "Dit thema")
    if any(
        t["label"].casefold() == cmd.label.casefold() and t["id"] != cmd.id
        for t in x.s["themes"].values()
    ):
        raise Conflict("Er is al een thema met dit label; voeg ze samen.")
    x.s["themes"][cmd.id] = {**theme, "label": cmd.label}
    return "theme.renamed", {}


def _theme_merge(x: _Ctx, cmd: c.ThemeMerge) -> Result:
    if cmd.id == cmd.into:
        raise Invalid("Een thema kan niet met zichzelf samengaan.")
    source = x.get("themes", cmd.id, "Dit thema")
    target = x.get("themes", cmd.into, "Dit thema")
    x.s["themes"][cmd.into] = {**target, "flags": [*target["flags"], *source["flags"]]}
    del x.s["themes"][cmd.id]
    _retarget_threads(x, cmd.id, cmd.into)
    return "theme.merged", {}


def _retarget_threads(x: _Ctx, old: str, new: str | None) -> None:
    for tid, thread in list(x.s["threads"].items()):
        if old in thread["theme_ids"]:
            ids = [t for t in thread["theme_ids"] if t != old]
            if new is not None and new not in ids:
                ids.append(new)
            x.s["threads"][tid] = {**thread, "theme_ids": ids}


def _theme_remove(x: _Ctx, cmd: c.ThemeRemove) -> Result:
    x.get("themes", cmd.id, "Dit thema")
    del x.s["themes"][cmd.id]
    _retarget_threads(x, cmd.id, None)
    return "theme.removed", {}


# common threads
def _links(x: _Ctx, moment_ids: list[str], theme_ids: list[str]) -> tuple[list[str], list[str]]:
    for mid in moment_ids:
        x.get("moments", mid, "Dit moment")
    for tid in theme_ids:
        x.get("themes", tid, "Dit thema")
    return list(dict.fromkeys(moment_ids)), list(dict.fromkeys(theme_ids))


def _thread_add(x: _Ctx, cmd: c.ThreadAdd) -> Result:
    x.room("threads")
    moments, themes = _links(x, cmd.moment_ids, cmd.theme_ids)
    tid = x.new_id()
    x.s["threads"][tid] = {
        "id": tid,
        "text": cmd.text,
        "level": cmd.level,
        "moment_ids": moments,
        "theme_ids": themes,
        "position": x.next_position("threads"),
    }
    return "thread.added", {"id": tid}


def _thread_update(x: _Ctx, cmd: c.ThreadUpdate) -> Result:
    thread = dict(x.get("threads", cmd.id, "Deze rode draad"))
    if cmd.text is not None:
        thread["text"] = cmd.text
    if cmd.clear_level:
        thread["level"] = None
    elif cmd.level is not None:
        thread["level"] = cmd.level
    moments, themes = _links(
        x,
        thread["moment_ids"] if cmd.moment_ids is None else cmd.moment_ids,
        thread["theme_ids"] if cmd.theme_ids is None else cmd.theme_ids,
    )
    thread["moment_ids"], thread["theme_ids"] = moments, themes
    x.s["threads"][cmd.id] = thread
    return "thread.updated", {}


# lessons and agreements
def _lesson_add(x: _Ctx, cmd: c.LessonAdd) -> Result:
    x.room("lessons")
    lid = x.new_id()
    x.s["lessons"][lid] = {
        "id": lid,
        "text": cmd.text,
        "position": x.next_position("lessons"),
        "pii": _pii(cmd.text),
    }
    return "lesson.added", {"id": lid}


def _lesson_update(x: _Ctx, cmd: c.LessonUpdate) -> Result:
    lesson = x.get("lessons", cmd.id, "Deze les")
    x.s["lessons"][cmd.id] = {**lesson, "text": cmd.text, "pii": _pii(cmd.text)}
    return "lesson.updated", {}


def _agreement_add(x: _Ctx, cmd: c.AgreementAdd) -> Result:
    x.room("agreements")
    aid = x.new_id()
    x.s["agreements"][aid] = {
        "id": aid,
        "text": cmd.text,
        "owner_party_id": x.party(cmd.owner_party_id),
        "due": cmd.due,
        "status": "not_started",
        "position": x.next_position("agreements"),
        "pii": _pii(cmd.text),
    }
    return "agreement.added", {"id": aid}


def _agreement_update(x: _Ctx, cmd: c.AgreementUpdate) -> Result:
    agreement = dict(x.get("agreements", cmd.id, "Deze werkafspraak"))
    if cmd.text is not None:
        agreement["text"] = cmd.text
        agreement["pii"] = _pii(cmd.text)
    if cmd.clear_owner:
        agreement["owner_party_id"] = None
    elif cmd.owner_party_id is not None:
        agreement["owner_party_id"] = x.party(cmd.owner_party_id)
    if cmd.clear_due:
        agreement["due"] = None
    elif cmd.due is not None:
        agreement["due"] = cmd.due
    x.s["agreements"][cmd.id] = agreement
    return "agreement.updated", {}


def _agreement_status(x: _Ctx, cmd: c.AgreementStatusSet) -> Result:
    agreement = x.get("agreements", cmd.id, "Deze werkafspraak")
    if x.actor.role != "facilitator" and agreement["owner_party_id"] != x.actor.party_id:
        raise Forbidden("Alleen de partij die eigenaar is kan de status zetten.")
    x.s["agreements"][cmd.id] = {**agreement, "status": cmd.status}
    return "agreement.status_changed", {}


_Handler = Callable[[_Ctx, Any], Result]

# Commands that share a payload model are told apart by their event name.
_BY_NAME: dict[str, _Handler] = {
    "moment.remove": _moment_remove,
    "moment.focus": _moment_focus,
    "thread.remove": lambda x, cmd: _remove(x, "threads", cmd.id, "Deze rode draad", "thread"),
    "lesson.remove": lambda x, cmd: _remove(x, "lessons", cmd.id, "Deze les", "lesson"),
    "agreement.remove": lambda x, cmd: _remove(
        x, "agreements", cmd.id, "Deze werkafspraak", "agreement"
    ),
}


def _remove(x: _Ctx, kind: Collection, item_id: str, what: str, noun: str) -> Result:
    x.get(kind, item_id, what)
    del x.s[kind][item_id]
    return f"{noun}.removed", {}


_HANDLERS: dict[type[c.Command], _Handler] = {
    c.MeetingUpdate: _meeting_update,
    c.MeetingPhase: _meeting_phase,
    c.MeetingEnd: _meeting_end,
    c.PartyAdd: _party_add,
    c.PartyUpdate: _party_update,
    c.PartyRemove: _party_remove,
    c.MomentAdd: _moment_add,
    c.MomentUpdate: _moment_update,
    c.MomentMove: _moment_move,
    c.MomentReveal: _moment_reveal,
    c.MomentUnreveal: _moment_unreveal,
    c.InterpretationAdd: _interpretation_add,
    c.InterpretationUpdate: _interpretation_update,
    c.InterpretationMove: _interpretation_move,
    c.InterpretationRemove: _interpretation_remove,
    c.ThemeFlag: _theme_flag,
    c.ThemeUnflag: _theme_unflag,
    c.ThemeRename: _theme_rename,
    c.ThemeMerge: _theme_merge,
    c.ThemeRemove: _theme_remove,
    c.ThreadAdd: _thread_add,
    c.ThreadUpdate: _thread_update,
    c.LessonAdd: _lesson_add,
    c.LessonUpdate: _lesson_update,
    c.AgreementAdd: _agreement_add,
    c.AgreementUpdate: _agreement_update,
    c.AgreementStatusSet: _agreement_status,
}

# The method's commands (intake, new information, preconditions, ground rules) live in method.py,
# which builds on the helpers above and adds its handlers to _HANDLERS when imported.
from . import method  # noqa: E402
