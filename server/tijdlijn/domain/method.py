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
from typing import Any, cast

from ..errors import Conflict, Forbidden, Invalid, LimitReached, NotFound
from . import commands_method as cm
from .decide import _HANDLERS, Result, _Ctx, _pii, _position_at
from .model import LIMITS, PRECONDITIONS, Interpretation, Meeting, Moment

# What an intake link may send (authorise() refuses everything else).
INTAKE_WRITES: frozenset[type[Any]] = frozenset({cm.IntakeAdd, cm.IntakeUpdate, cm.IntakeRemove})
# Participants may send none of the method's commands but accepting the ground rules.
METHOD_FACILITATOR_ONLY: frozenset[type[Any]] = frozenset(
    kind for kind in cm.METHOD_COMMANDS.values() if kind is not cm.GroundRulesAccept
)

INTAKE_CLOSED = "Deze uitvraag is gesloten. Neem contact op met de gespreksbegeleider."


def close_intakes(x: _Ctx) -> None:
    """The meeting starts: every intake link stops working."""
    for iid, intake in list(x.s["intakes"].items()):
        if intake["status"] == "open":
            x.s["intakes"][iid] = {**intake, "status": "closed"}


def forget_party(x: _Ctx, party_id: str) -> None:
    """A party is removed: its intake link stops working and what it sent in goes with it."""
    for kind in ("intakes", "intake_entries"):
        for item_id, item in list(x.s[kind].items()):
            if item["party_id"] == party_id:
                del x.s[kind][item_id]


def release_entries(x: _Ctx, moment_id: str) -> None:
    """A moment made from intake entries is removed: they can be taken (and edited) again."""
    for eid, entry in list(x.s["intake_entries"].items()):
        if entry["moment_id"] == moment_id:
            x.s["intake_entries"][eid] = {**entry, "moment_id": None}


def _preconditions(x: _Ctx, cmd: cm.Preconditions) -> Result:
    values = dict(x.s["preconditions"])
    for name in PRECONDITIONS:
        value = getattr(cmd, name)
        if value is not None:
            values[name] = value
    x.s["preconditions"] = values
    return "meeting.preconditions_changed", {}


def _rules_accept(x: _Ctx, cmd: cm.GroundRulesAccept) -> Result:
    if x.actor.role != "participant" or not x.actor.participant_id:
        raise Forbidden("Alleen deelnemers accepteren de spelregels.")
    if cmd.version != x.s["ground_rules_version"]:
        raise Conflict("De spelregels zijn intussen gewijzigd; lees ze opnieuw.")
    if not x.s["rule_acceptances"].get(x.actor.participant_id):
        x.s["rule_acceptances"] = {**x.s["rule_acceptances"], x.actor.participant_id: True}
    return "ground_rules.accepted", {}


# intake: the facilitator's side
def _intake_of(x: _Ctx, party_id: str) -> dict[str, Any] | None:
    found = [i for i in x.s["intakes"].values() if i["party_id"] == party_id]
    return found[0] if found else None


def _intake_open(x: _Ctx, cmd: cm.IntakeOpen) -> Result:
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
    x.s["intakes"][iid] = {
        "id": iid,
        "party_id": cmd.party_id,
        "token_hash": cmd.token_hash,
        "status": "open",
        "opened_at": x.now,
    }
    return "intake.opened", {"id": iid}


def _intake_close(x: _Ctx, cmd: cm.IntakeClose) -> Result:
    intake = _intake_of(x, cmd.party_id)
    if intake is None:
        raise NotFound("Deze partij heeft geen uitvraag.")
    x.s["intakes"][intake["id"]] = {**intake, "status": "closed"}
    return "intake.closed", {}


# intake: entries, from the link (own party) or the facilitator (any party)
def _writer_party(x: _Ctx, party_id: str | None) -> str:
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
    own: str = intake["party_id"]
    return own


def _own_entry(x: _Ctx, entry_id: str) -> dict[str, Any]:
    entry: dict[str, Any] = x.get("intake_entries", entry_id, "Dit moment")
    if x.actor.role != "facilitator":
        party = _writer_party(x, None)
        if entry["party_id"] != party:
            # Another party's entry does not exist for this link.
            raise NotFound("Dit moment bestaat niet (meer).")
        if entry["moment_id"] is not None:
            raise Conflict("De gespreksbegeleider heeft dit moment al overgenomen.")
    return entry


def _intake_add(x: _Ctx, cmd: cm.IntakeAdd) -> Result:
    party = _writer_party(x, cmd.party_id)
    x.room("intake_entries")
    mine = sum(1 for e in x.s["intake_entries"].values() if e["party_id"] == party)
    if mine >= LIMITS["intake_entries_per_party"]:
        raise LimitReached(f"Maximaal {LIMITS['intake_entries_per_party']} momenten per partij.")
    eid = x.new_id()
    x.s["intake_entries"][eid] = {
        "id": eid,
        "party_id": party,
        "when": cmd.when,
        "text": cmd.text,
        "experience": cmd.experience,
        "created_at": x.now,
        "updated_at": x.now,
        "pii": _pii(f"{cmd.text}\n{cmd.experience}"),
        "moment_id": None,
    }
    return "intake.added", {"id": eid}


def _intake_update(x: _Ctx, cmd: cm.IntakeUpdate) -> Result:
    entry = dict(_own_entry(x, cmd.id))
    for name in ("text", "when", "experience"):
        value = getattr(cmd, name)
        if value is not None:
            entry[name] = value
    entry["updated_at"] = x.now
    entry["pii"] = _pii(f"{entry['text']}\n{entry['experience']}")
    x.s["intake_entries"][cmd.id] = entry
    return "intake.updated", {}


def _intake_remove(x: _Ctx, cmd: cm.IntakeRemove) -> Result:
    _own_entry(x, cmd.id)
    del x.s["intake_entries"][cmd.id]
    return "intake.removed", {}


def _intake_take(x: _Ctx, cmd: cm.IntakeTake) -> Result:
    ids = list(dict.fromkeys(cmd.entry_ids))
    entries = [x.get("intake_entries", eid, "Dit moment uit de uitvraag") for eid in ids]
    if any(e["moment_id"] is not None for e in entries):
        raise Conflict("Een van deze momenten is al overgenomen in de tijdlijn.")
    new = [e for e in entries if e["experience"]]
    if len(x.s["interpretations"]) + len(new) > LIMITS["interpretations"]:
        raise LimitReached(f"Maximaal {LIMITS['interpretations']} toegestaan.")
    parties = list(dict.fromkeys(e["party_id"] for e in entries))
    if cmd.moment_id is not None:
        moment: Moment = x.get("moments", cmd.moment_id, "Dit moment")
        event = "intake.merged"
    else:
        x.room("moments")
        text = cmd.text or entries[0]["text"]
        mid = x.new_id()
        moment = {
            "id": mid,
            "text": text,
            "when": entries[0]["when"] if cmd.when is None else cmd.when,
            "position": _position_at(x, cmd.position),
            # One party's moment keeps its colour; a merged one belongs to no one party.
            "source_party_id": parties[0] if len(parties) == 1 else None,
            "state": "draft",
            "revealed_at": None,
            "pii": _pii(text),
        }
        x.s["moments"][mid] = moment
        event = "intake.taken"
    for entry in entries:
        x.s["intake_entries"][entry["id"]] = {**entry, "moment_id": moment["id"]}
        if not entry["experience"]:
            continue
        iid = x.new_id()
        item: Interpretation = {
            "id": iid,
            "moment_id": moment["id"],
            "party_id": entry["party_id"],
            "text": entry["experience"],
            "created_at": x.now,
            "updated_at": x.now,
            "pii": _pii(entry["experience"]),
            "prepared": True,
        }
        x.s["interpretations"][iid] = item
    return event, {"id": moment["id"]}


# new information
def _new_information_add(x: _Ctx, cmd: cm.NewInformationAdd) -> Result:
    if x.s["phase"] in ("preparation", "closed"):
        raise Conflict("Nieuwe informatie noteer je tijdens de bijeenkomst.")
    x.room("new_information")
    nid = x.new_id()
    x.s["new_information"][nid] = {
        "id": nid,
        "created_at": x.now,
        "moment_id": x.s["current_moment_id"],
        "agreement": None,
        "pii": False,
    }
    return "new_information.added", {"id": nid}


def _new_information_agree(x: _Ctx, cmd: cm.NewInformationAgree) -> Result:
    note = x.get("new_information", cmd.id, "Deze melding")
    x.s["new_information"][cmd.id] = {
        **note,
        "agreement": cmd.agreement,
        "pii": _pii(cmd.agreement),
    }
    return "new_information.agreed", {}


def _new_information_remove(x: _Ctx, cmd: cm.NewInformationRemove) -> Result:
    x.get("new_information", cmd.id, "Deze melding")
    del x.s["new_information"][cmd.id]
    return "new_information.removed", {}


HANDLERS: dict[type[Any], Any] = {
    cm.Preconditions: _preconditions,
    cm.GroundRulesAccept: _rules_accept,
    cm.IntakeOpen: _intake_open,
    cm.IntakeClose: _intake_close,
    cm.IntakeAdd: _intake_add,
    cm.IntakeUpdate: _intake_update,
    cm.IntakeRemove: _intake_remove,
    cm.IntakeTake: _intake_take,
    cm.NewInformationAdd: _new_information_add,
    cm.NewInformationAgree: _new_information_agree,
    cm.NewInformationRemove: _new_information_remove,
}
_HANDLERS.update(HANDLERS)


def intake_for_token(state: Meeting, token_hash: str) -> dict[str, Any] | None:
    """The intake a token hash belongs to (open or closed); access.py decides what it grants."""
    for intake in cast(dict[str, Any], state).get("intakes", {}).values():
        if hmac.compare_digest(intake["token_hash"], token_hash):
            return cast(dict[str, Any], intake)
    return None
