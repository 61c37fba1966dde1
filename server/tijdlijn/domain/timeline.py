"""Deciding the meeting itself, its parties, the moments of the timeline and their interpretations.

Pure: time and new ids come in with the context, so the same inputs always give the same outcome.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import Conflict, Forbidden, Invalid
from . import commands as c
from . import items, method
from .context import Ctx, Result
from .items import Flag, Moment, holds_personal_data
from .meeting import AGENDA_PARTS, TIMELINE_ORDER

# What a decided ``meeting.end`` is called: the service deletes the meeting when it sees it.
MEETING_ENDED = "meeting.ended"


# meeting
def meeting_update(x: Ctx, cmd: c.MeetingUpdate) -> Result:
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
        agenda = s["agenda"].copy()
        for part, minutes in cmd.agenda.items():
            agenda[part] = minutes
        s["agenda"] = agenda
    if cmd.follow_up_date is not None:
        s["follow_up_date"] = cmd.follow_up_date
    if cmd.planned_date is not None:
        s["planned_date"] = cmd.planned_date
    return "meeting.updated", {}


def meeting_phase(x: Ctx, cmd: c.MeetingPhase) -> Result:
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


def meeting_end(x: Ctx, cmd: c.MeetingEnd) -> Result:
    """Changes nothing here: deleting the whole meeting is the store's, done by the service."""
    return MEETING_ENDED, {}


# parties
def _name_taken(x: Ctx, name: str, other_than: str | None = None) -> bool:
    # Participants pick their party by name: two with one name would be a trap.
    return any(
        p["name"].casefold() == name.casefold() and p["id"] != other_than
        for p in x.s["parties"].values()
    )


def party_add(x: Ctx, cmd: c.PartyAdd) -> Result:
    x.room("parties")
    if _name_taken(x, cmd.name):
        raise Conflict("Er is al een partij met deze naam.")
    pid = x.new_id()
    x.s["parties"][pid] = items.party(pid, cmd.name, cmd.colour, x.next_position("parties"))
    return "party.added", {"id": pid}


def party_update(x: Ctx, cmd: c.PartyUpdate) -> Result:
    party = x.get("parties", cmd.id, "Deze partij").copy()
    if cmd.name is not None:
        if _name_taken(x, cmd.name, other_than=cmd.id):
            raise Conflict("Er is al een partij met deze naam.")
        party["name"] = cmd.name
    if cmd.colour is not None:
        party["colour"] = cmd.colour
    if cmd.absent is not None:
        party["absent"] = cmd.absent
    x.s["parties"][cmd.id] = party
    return "party.updated", {}


def party_remove(x: Ctx, cmd: c.PartyRemove) -> Result:
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
def moment_add(x: Ctx, cmd: c.MomentAdd) -> Result:
    x.room("moments")
    mid = x.new_id()
    moment = items.moment(
        mid, cmd.text, cmd.when, x.position_at(cmd.position), x.party(cmd.source_party_id)
    )
    x.s["moments"][mid] = moment
    if cmd.reveal:
        _reveal(x, moment)
        return "moment.revealed", {"id": mid}
    return "moment.added", {"id": mid}


def moment_update(x: Ctx, cmd: c.MomentUpdate) -> Result:
    moment = x.get("moments", cmd.id, "Dit moment").copy()
    if cmd.text is not None:
        moment["text"] = cmd.text
        moment["pii"] = holds_personal_data(cmd.text)
    if cmd.when is not None:
        moment["when"] = cmd.when
    if cmd.clear_source_party:
        moment["source_party_id"] = None
    elif cmd.source_party_id is not None:
        moment["source_party_id"] = x.party(cmd.source_party_id)
    x.s["moments"][cmd.id] = moment
    return "moment.updated", {}


def moment_move(x: Ctx, cmd: c.MomentMove) -> Result:
    moment = x.get("moments", cmd.id, "Dit moment")
    x.s["moments"][cmd.id] = {**moment, "position": x.position_at(cmd.position, skip=cmd.id)}
    return "moment.moved", {}


def moment_remove(x: Ctx, cmd: c.MomentRemove) -> Result:
    x.get("moments", cmd.id, "Dit moment")
    del x.s["moments"][cmd.id]
    gone = {i for i, it in x.s["interpretations"].items() if it["moment_id"] == cmd.id}
    for iid in gone:
        del x.s["interpretations"][iid]
    drop_flags(x, lambda f: (f["target"] == "moment" and f["id"] == cmd.id) or f["id"] in gone)
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


def _reveal(x: Ctx, moment: Moment) -> None:
    x.s["moments"][moment["id"]] = {**moment, "state": "revealed", "revealed_at": x.now}
    x.s["current_moment_id"] = moment["id"]


def _latest_revealed(x: Ctx) -> str | None:
    shown = [m for m in x.s["moments"].values() if m["state"] == "revealed"]
    if not shown:
        return None
    return max(shown, key=lambda m: (m["revealed_at"] or 0.0, m["position"]))["id"]


def moment_reveal(x: Ctx, cmd: c.MomentReveal) -> Result:
    if cmd.id is None:
        # The first draft in timeline order: no need to sort the whole timeline for it.
        drafts = [m for m in x.s["moments"].values() if m["state"] == "draft"]
        if not drafts:
            raise Conflict("Alle momenten zijn al getoond.")
        moment = min(drafts, key=TIMELINE_ORDER)
    else:
        moment = x.get("moments", cmd.id, "Dit moment")
        if moment["state"] == "revealed":
            raise Conflict("Dit moment is al getoond.")
    _reveal(x, moment)
    return "moment.revealed", {"id": moment["id"]}


def moment_unreveal(x: Ctx, cmd: c.MomentUnreveal) -> Result:
    last = _latest_revealed(x)
    if last is None:
        raise Conflict("Er is nog geen moment getoond.")
    x.s["moments"][last] = {**x.s["moments"][last], "state": "draft", "revealed_at": None}
    x.s["current_moment_id"] = _latest_revealed(x)
    return "moment.unrevealed", {"id": last}


def moment_focus(x: Ctx, cmd: c.MomentFocus) -> Result:
    moment = x.get("moments", cmd.id, "Dit moment")
    if moment["state"] != "revealed":
        raise Conflict("Toon dit moment eerst.")
    x.s["current_moment_id"] = cmd.id
    return "moment.focused", {}


# interpretations
def interpretation_add(x: Ctx, cmd: c.InterpretationAdd) -> Result:
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
    x.s["interpretations"][iid] = items.interpretation(
        iid,
        cmd.moment_id,
        party_id,
        cmd.text,
        x.now,
        # Added before the moment was shown: gathered in preparation.
        prepared=moment["state"] == "draft",
        author=x.actor.participant_id,
    )
    return "interpretation.added", {"id": iid}


def _own_interpretation(x: Ctx, iid: str) -> items.Interpretation:
    item = x.get("interpretations", iid, "Deze duiding")
    if x.actor.role != "facilitator":
        x.revealed_moment(item["moment_id"])
        if item.get("author") != x.actor.participant_id:
            raise Forbidden("Je kunt alleen je eigen duidingen aanpassen.")
    return item


def interpretation_update(x: Ctx, cmd: c.InterpretationUpdate) -> Result:
    item = _own_interpretation(x, cmd.id)
    x.s["interpretations"][cmd.id] = {
        **item,
        "text": cmd.text,
        "updated_at": x.now,
        "pii": holds_personal_data(cmd.text),
    }
    return "interpretation.updated", {}


def interpretation_move(x: Ctx, cmd: c.InterpretationMove) -> Result:
    item = x.get("interpretations", cmd.id, "Deze duiding")
    x.get("moments", cmd.moment_id, "Dit moment")
    x.s["interpretations"][cmd.id] = {**item, "moment_id": cmd.moment_id}
    return "interpretation.moved", {}


def interpretation_remove(x: Ctx, cmd: c.InterpretationRemove) -> Result:
    _own_interpretation(x, cmd.id)
    del x.s["interpretations"][cmd.id]
    drop_flags(x, lambda f: f["target"] == "interpretation" and f["id"] == cmd.id)
    return "interpretation.removed", {}


def drop_flags(x: Ctx, gone: Callable[[Flag], bool]) -> None:
    for tid, theme in list(x.s["themes"].items()):
        kept = [f for f in theme["flags"] if not gone(f)]
        if len(kept) != len(theme["flags"]):
            x.s["themes"][tid] = {**theme, "flags": kept}
