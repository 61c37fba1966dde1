"""Deciding the method's commands: the intake per party, taking its moments into the draft
timeline, new information, the preconditions and accepting changed ground rules.

The intake (uitvraag) follows the handbook (fase 1, stap 3, punt 3): 3-4 parties each send their
defining moments with how they experienced them; the facilitator selects about ten, phrases them
neutrally, and carries each party's experience onto the moment as that party's prepared
interpretation. Everything here is preparation: visibility.py keeps it from participants and the
wall, and an intake link sees only its own party.
"""

from __future__ import annotations

import hmac

from ..errors import Conflict, Forbidden, Invalid, LimitReached, NotFound
from . import commands_method as cm
from . import items, preparation
from .context import Ctx, Result
from .items import holds_personal_data
from .limits import LIMITS
from .meeting import Meeting, upgraded
from .preparation import PRECONDITIONS, Intake, IntakeEntry

INTAKE_CLOSED = "Deze uitvraag is gesloten. Neem contact op met de gespreksbegeleider."


def close_intakes(x: Ctx) -> None:
    """The meeting starts: every intake link stops working."""
    for iid, intake in list(x.s["intakes"].items()):
        if intake["status"] == "open":
            x.s["intakes"][iid] = {**intake, "status": "closed"}


def forget_party(x: Ctx, party_id: str) -> None:
    """A party is removed: its intake link stops working and what it sent in goes with it."""
    for intake_id, intake in list(x.s["intakes"].items()):
        if intake["party_id"] == party_id:
            del x.s["intakes"][intake_id]
    for entry_id, entry in list(x.s["intake_entries"].items()):
        if entry["party_id"] == party_id:
            del x.s["intake_entries"][entry_id]


def release_entries(x: Ctx, moment_id: str) -> None:
    """A moment made from intake entries is removed: they can be taken (and edited) again."""
    for eid, entry in list(x.s["intake_entries"].items()):
        if entry["moment_id"] == moment_id:
            x.s["intake_entries"][eid] = {**entry, "moment_id": None}


def preconditions(x: Ctx, cmd: cm.Preconditions) -> Result:
    values = x.s["preconditions"].copy()
    for name in PRECONDITIONS:
        value = getattr(cmd, name)
        if value is not None:
            values[name] = value
    x.s["preconditions"] = values
    return "meeting.preconditions_changed", {}


def rules_accept(x: Ctx, cmd: cm.GroundRulesAccept) -> Result:
    if x.actor.role != "participant" or not x.actor.participant_id:
        raise Forbidden("Alleen deelnemers accepteren de spelregels.")
    if cmd.version != x.s["ground_rules_version"]:
        raise Conflict("De spelregels zijn intussen gewijzigd; lees ze opnieuw.")
    if not x.s["rule_acceptances"].get(x.actor.participant_id):
        x.s["rule_acceptances"] = {**x.s["rule_acceptances"], x.actor.participant_id: True}
    return "ground_rules.accepted", {}


# intake: the facilitator's side
def _intake_of(x: Ctx, party_id: str) -> Intake | None:
    found = [i for i in x.s["intakes"].values() if i["party_id"] == party_id]
    return found[0] if found else None


def intake_open(x: Ctx, cmd: cm.IntakeOpen) -> Result:
    if x.s["phase"] != "preparation":
        raise Conflict("De uitvraag hoort bij de voorbereiding; de bijeenkomst is al begonnen.")
    x.get("parties", cmd.party_id, "Deze partij")
    old = _intake_of(x, cmd.party_id)
    if old is None:
        x.room("intakes")
    else:
        # A new link replaces the old one: a device still holding the old link is shut out.
        del x.s["intakes"][old["id"]]
    iid = x.new_id()
    x.s["intakes"][iid] = preparation.intake(iid, cmd.party_id, cmd.token_hash, x.now)
    return "intake.opened", {"id": iid}


def intake_close(x: Ctx, cmd: cm.IntakeClose) -> Result:
    intake = _intake_of(x, cmd.party_id)
    if intake is None:
        raise NotFound("Deze partij heeft geen uitvraag.")
    x.s["intakes"][intake["id"]] = {**intake, "status": "closed"}
    return "intake.closed", {}


# intake: entries, from the link (own party) or the facilitator (any party)
def _writer_party(x: Ctx, party_id: str | None) -> str:
    """The party an entry is for; for an intake link only while its intake is open."""
    if x.actor.role == "facilitator":
        if party_id is None:
            raise Invalid("Kies voor welke partij dit moment is.")
        x.get("parties", party_id, "Deze partij")
        return party_id
    intake = x.s["intakes"].get(x.actor.participant_id or "")
    if intake is None or intake["status"] != "open" or x.s["phase"] != "preparation":
        raise Forbidden(INTAKE_CLOSED)
    if party_id is not None and party_id != intake["party_id"]:
        raise Forbidden("Je kunt alleen voor je eigen partij momenten aanleveren.")
    return intake["party_id"]


def _own_entry(x: Ctx, entry_id: str) -> IntakeEntry:
    entry = x.get("intake_entries", entry_id, "Dit moment")
    if x.actor.role != "facilitator":
        party = _writer_party(x, None)
        if entry["party_id"] != party:
            # Another party's entry does not exist for this link.
            raise NotFound("Dit moment bestaat niet (meer).")
        if entry["moment_id"] is not None:
            raise Conflict("De gespreksbegeleider heeft dit moment al overgenomen.")
    return entry


def intake_add(x: Ctx, cmd: cm.IntakeAdd) -> Result:
    party = _writer_party(x, cmd.party_id)
    x.room("intake_entries")
    mine = sum(1 for e in x.s["intake_entries"].values() if e["party_id"] == party)
    if mine >= LIMITS["intake_entries_per_party"]:
        raise LimitReached(f"Maximaal {LIMITS['intake_entries_per_party']} momenten per partij.")
    eid = x.new_id()
    x.s["intake_entries"][eid] = preparation.intake_entry(
        eid, party, cmd.when, cmd.text, cmd.experience, x.now
    )
    return "intake.added", {"id": eid}


def intake_update(x: Ctx, cmd: cm.IntakeUpdate) -> Result:
    entry = _own_entry(x, cmd.id).copy()
    if cmd.text is not None:
        entry["text"] = cmd.text
    if cmd.when is not None:
        entry["when"] = cmd.when
    if cmd.experience is not None:
        entry["experience"] = cmd.experience
    entry["updated_at"] = x.now
    entry["pii"] = preparation.intake_entry_pii(entry["text"], entry["experience"])
    x.s["intake_entries"][cmd.id] = entry
    return "intake.updated", {}


def intake_remove(x: Ctx, cmd: cm.IntakeRemove) -> Result:
    _own_entry(x, cmd.id)
    del x.s["intake_entries"][cmd.id]
    return "intake.removed", {}


def intake_take(x: Ctx, cmd: cm.IntakeTake) -> Result:
    ids = list(dict.fromkeys(cmd.entry_ids))
    entries = [x.get("intake_entries", eid, "Dit moment uit de uitvraag") for eid in ids]
    if any(e["moment_id"] is not None for e in entries):
        raise Conflict("Een van deze momenten is al overgenomen in de tijdlijn.")
    new = [e for e in entries if e["experience"]]
    if len(x.s["interpretations"]) + len(new) > LIMITS["interpretations"]:
        raise LimitReached(f"Maximaal {LIMITS['interpretations']} toegestaan.")
    parties = list(dict.fromkeys(e["party_id"] for e in entries))
    if cmd.moment_id is not None:
        moment = x.get("moments", cmd.moment_id, "Dit moment")
        event = "intake.merged"
    else:
        x.room("moments")
        text = cmd.text or entries[0]["text"]
        mid = x.new_id()
        moment = items.moment(
            mid,
            text,
            entries[0]["when"] if cmd.when is None else cmd.when,
            x.position_at(cmd.position),
            # One party's moment keeps its colour; a merged one belongs to no one party.
            parties[0] if len(parties) == 1 else None,
        )
        x.s["moments"][mid] = moment
        event = "intake.taken"
    for entry in entries:
        x.s["intake_entries"][entry["id"]] = {**entry, "moment_id": moment["id"]}
        if not entry["experience"]:
            continue
        iid = x.new_id()
        x.s["interpretations"][iid] = items.interpretation(
            iid, moment["id"], entry["party_id"], entry["experience"], x.now, prepared=True
        )
    return event, {"id": moment["id"]}


# new information
def new_information_add(x: Ctx, cmd: cm.NewInformationAdd) -> Result:
    if x.s["phase"] in ("preparation", "closed"):
        raise Conflict("Nieuwe informatie noteer je tijdens de bijeenkomst.")
    x.room("new_information")
    nid = x.new_id()
    x.s["new_information"][nid] = preparation.new_information(nid, x.now, x.s["current_moment_id"])
    return "new_information.added", {"id": nid}


def new_information_agree(x: Ctx, cmd: cm.NewInformationAgree) -> Result:
    note = x.get("new_information", cmd.id, "Deze melding")
    x.s["new_information"][cmd.id] = {
        **note,
        "agreement": cmd.agreement,
        "pii": holds_personal_data(cmd.agreement),
    }
    return "new_information.agreed", {}


def new_information_remove(x: Ctx, cmd: cm.NewInformationRemove) -> Result:
    x.get("new_information", cmd.id, "Deze melding")
    del x.s["new_information"][cmd.id]
    return "new_information.removed", {}


def intake_for_token(state: Meeting, token_hash: str) -> Intake | None:
    """The intake a token hash belongs to (open or closed); access.py decides what it grants."""
    for intake in upgraded(state)["intakes"].values():
        if hmac.compare_digest(intake["token_hash"], token_hash):
            return intake
    return None
