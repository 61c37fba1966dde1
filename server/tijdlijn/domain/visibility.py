"""What each role may see.

Facilitators see everything but who wrote what (Chatham House: statements belong to a party,
never to a person). Participants and the wall see only what has been revealed: a draft moment,
and everything attached to it, does not exist for them. Events are filtered by diffing the two
projections of the state before and after, so no event type can forget a rule.

Preparation stays with the facilitators: the intakes (uitvraag), the notes of new information and
the preconditions never reach participants or the wall; an intake's experience reaches them only
as a prepared interpretation on a revealed moment. An intake link sees its own party's entries and
nothing else of the meeting. Nobody receives an intake's token hash, or which devices accepted the
ground rules (facilitators get the count).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

from .evolve import Change, Touched, diff, moved_fields
from .items import Flag, Interpretation, Moment, Theme, Thread
from .meeting import (
    MEETING_FIELDS,
    Collection,
    FacilitatorView,
    Item,
    Meeting,
    PublicView,
    Role,
    new_meeting,
    upgraded,
)
from .preparation import Intake, IntakeLinkView, IntakeSeen

View = FacilitatorView | PublicView | IntakeLinkView


def _without_author(item: Interpretation) -> Interpretation:
    if "author" not in item:
        return item
    copy = item.copy()
    del copy["author"]
    return copy


def _flag_seen(flag: Flag) -> Flag:
    return {"target": flag["target"], "id": flag["id"]}


def _theme_seen(theme: Theme, flags: list[Flag]) -> Theme:
    """``theme`` with ``flags``, minus who flagged them (that stays with the domain)."""
    if flags is theme["flags"] and not any("author" in f for f in flags):
        return theme
    return {**theme, "flags": [_flag_seen(f) for f in flags]}


def _without_hash(item: Intake) -> IntakeSeen:
    return {
        "id": item["id"],
        "party_id": item["party_id"],
        "status": item["status"],
        "opened_at": item["opened_at"],
    }


def _shared(state: Meeting) -> PublicView:
    """The fields everyone sees, as they are in ``state``: an allow-list, so a field added to
    the meeting reaches nobody until it is added here."""
    return {
        "id": state["id"],
        "kind": state["kind"],
        "title": state["title"],
        "initials": state["initials"],
        "created_at": state["created_at"],
        "phase": state["phase"],
        "phase_started_at": state["phase_started_at"],
        "agenda": state["agenda"],
        "part_started_at": state["part_started_at"],
        "ground_rules": state["ground_rules"],
        "current_moment_id": state["current_moment_id"],
        "follow_up_date": state["follow_up_date"],
        "planned_date": state["planned_date"],
        "parties": state["parties"],
        "moments": state["moments"],
        "interpretations": state["interpretations"],
        "themes": state["themes"],
        "threads": state["threads"],
        "lessons": state["lessons"],
        "agreements": state["agreements"],
        "ground_rules_version": state["ground_rules_version"],
    }


def facilitator_view(state: Meeting) -> FacilitatorView:
    state = upgraded(state)
    return {
        **_shared(state),
        "interpretations": {
            key: _without_author(item) for key, item in state["interpretations"].items()
        },
        "themes": {key: _theme_seen(t, t["flags"]) for key, t in state["themes"].items()},
        "intake_entries": state["intake_entries"],
        "new_information": state["new_information"],
        "preconditions": state["preconditions"],
        "intakes": {key: _without_hash(item) for key, item in state["intakes"].items()},
        "ground_rules_accepted": len(state["rule_acceptances"]),
    }


def intake_view(state: Meeting, intake_id: str | None) -> IntakeLinkView:
    """What an intake link sees: its meeting's title, its own party and its own entries."""
    state = upgraded(state)
    intake = state["intakes"].get(intake_id or "")
    party = state["parties"].get(intake["party_id"]) if intake else None
    working = bool(intake and party and intake["status"] == "open")
    working = working and state["phase"] == "preparation"
    return {
        "id": state["id"],
        "title": state["title"],
        "status": "open" if working else "closed",
        "party": (
            {"id": party["id"], "name": party["name"], "colour": party["colour"]} if party else None
        ),
        "entries": {
            key: {
                "id": entry["id"],
                "party_id": entry["party_id"],
                "when": entry["when"],
                "text": entry["text"],
                "experience": entry["experience"],
                "created_at": entry["created_at"],
                "updated_at": entry["updated_at"],
                "pii": entry["pii"],
                "taken": entry["moment_id"] is not None,
            }
            for key, entry in state["intake_entries"].items()
            if working and party is not None and entry["party_id"] == party["id"]
        },
    }


def public_view(state: Meeting) -> PublicView:
    """The meeting as participants and the wall may see it."""
    state = upgraded(state)
    moments = {key: m for key, m in state["moments"].items() if m["state"] == "revealed"}
    # Run twice per write over every interpretation: the check is inline, not a call.
    interpretations = {
        key: i if "author" not in i else _without_author(i)
        for key, i in state["interpretations"].items()
        if i["moment_id"] in moments
    }

    def visible(flag: Flag) -> bool:
        pool = moments if flag["target"] == "moment" else interpretations
        return flag["id"] in pool

    themes: dict[str, Theme] = {}
    for key, theme in state["themes"].items():
        flags = [f for f in theme["flags"] if visible(f)]
        # A theme flagged only on hidden things would leak a draft through its label.
        if theme["flags"] and not flags:
            continue
        themes[key] = _theme_seen(theme, flags)
    # A link to a hidden theme would leave devices holding an id they cannot resolve.
    threads: dict[str, Thread] = {
        key: {
            **t,
            "moment_ids": [m for m in t["moment_ids"] if m in moments],
            "theme_ids": [th for th in t["theme_ids"] if th in themes],
        }
        for key, t in state["threads"].items()
    }
    current = state["current_moment_id"]
    return {
        **_shared(state),
        "moments": moments,
        "interpretations": interpretations,
        "themes": themes,
        "threads": threads,
        "current_moment_id": current if current in moments else None,
    }


def view_for(state: Meeting, role: Role, intake_id: str | None = None) -> View:
    if role == "intake":
        return intake_view(state, intake_id)
    return facilitator_view(state) if role == "facilitator" else public_view(state)


def own_interpretations(state: Meeting, participant_id: str) -> list[str]:
    """The ids of a participant's own interpretations that it may see (on revealed moments)."""
    moments = state["moments"]
    return [
        i["id"]
        for i in state["interpretations"].values()
        if i.get("author") == participant_id
        and (moment := moments.get(i["moment_id"])) is not None
        and moment["state"] == "revealed"
    ]


def public_changes(before: Meeting, after: Meeting, touched: Touched | None = None) -> list[Change]:
    """What participants and the wall receive of one decision.

    Without ``touched`` the two public views are compared whole. With it (what the command
    put or deleted, from ``decide``) only those items are projected, plus what their
    visibility drags along: revealing or hiding a moment shows or hides its interpretations,
    the themes flagged on them and the threads' links. Both give the same changes (checked over
    random command sequences in tests/test_domain_evolve.py); the second costs the same however
    large the meeting is, except for a reveal or an unreveal, which looks through the meeting
    once for what hangs on the moment.
    """
    if touched is None:
        return diff(public_view(before), public_view(after))
    before = upgraded(before)
    changes: list[Change] = []
    fields = {}
    # Only a field that is another object can differ; what the current moment shows depends on
    # the moments too, so it is always looked at.
    for key in [*moved_fields(before, after, _PLAIN_PUBLIC_FIELDS), "current_moment_id"]:
        new = _public_field(after, key)
        if _public_field(before, key) != new:
            fields[key] = new
    if fields:
        changes.append({"op": "set", "fields": fields})

    moments = touched.get("moments", {})
    flipped = {m for m in moments if _revealed(before, m) != _revealed(after, m)}
    interpretations = dict(touched.get("interpretations", {}))
    if flipped:
        # Once when the command left the interpretations alone (then both states share them).
        old_pool, new_pool = before["interpretations"], after["interpretations"]
        for pool in (old_pool,) if old_pool is new_pool else (old_pool, new_pool):
            hanging = [key for key, item in pool.items() if item["moment_id"] in flipped]
            interpretations.update(dict.fromkeys(hanging))
    shown = flipped or any(
        _interpretation_seen(before, i) != _interpretation_seen(after, i) for i in interpretations
    )
    themes = dict(touched.get("themes", {}))
    if shown:
        themes.update(dict.fromkeys(before["themes"]))
        themes.update(dict.fromkeys(after["themes"]))
    threads = dict(touched.get("threads", {}))
    if shown or any(
        (_theme_projection(before, t) is None) != (_theme_projection(after, t) is None)
        for t in themes
    ):
        threads.update(dict.fromkeys(before["threads"]))
        threads.update(dict.fromkeys(after["threads"]))

    candidates: dict[Collection, dict[str, None]] = {
        "parties": touched.get("parties", {}),
        "moments": moments,
        "interpretations": interpretations,
        "themes": themes,
        "threads": threads,
        "lessons": touched.get("lessons", {}),
        "agreements": touched.get("agreements", {}),
    }
    for kind, ids in candidates.items():
        project = _PROJECTIONS[kind]
        for item_id in ids:
            old, new_item = project(before, item_id), project(after, item_id)
            if new_item is None:
                if old is not None:
                    changes.append({"op": "del", "kind": kind, "id": item_id})
            elif old is not new_item and old != new_item:
                changes.append({"op": "put", "kind": kind, "item": new_item})
    return changes


# One item as participants and the wall see it (None: they do not see it), for
# ``public_changes``; public_view does the same for the whole meeting at once.
def _revealed(state: Meeting, moment_id: str) -> bool:
    moment = state["moments"].get(moment_id)
    return moment is not None and moment["state"] == "revealed"


def _public_field(state: Meeting, key: str) -> object:
    if key == "current_moment_id":
        current = state["current_moment_id"]
        return current if current is not None and _revealed(state, current) else None
    fields: Mapping[str, object] = state
    return fields[key]


def _moment_seen(state: Meeting, item_id: str) -> Moment | None:
    moment = state["moments"].get(item_id)
    return moment if moment is not None and moment["state"] == "revealed" else None


def _interpretation_seen(state: Meeting, item_id: str) -> bool:
    item = state["interpretations"].get(item_id)
    return item is not None and _revealed(state, item["moment_id"])


def _interpretation_projection(state: Meeting, item_id: str) -> Interpretation | None:
    item = state["interpretations"].get(item_id)
    if item is None or not _revealed(state, item["moment_id"]):
        return None
    return _without_author(item)


def _theme_projection(state: Meeting, item_id: str) -> Theme | None:
    theme = state["themes"].get(item_id)
    if theme is None:
        return None
    flags = [
        f
        for f in theme["flags"]
        if (
            _revealed(state, f["id"])
            if f["target"] == "moment"
            else _interpretation_seen(state, f["id"])
        )
    ]
    if theme["flags"] and not flags:
        return None
    return _theme_seen(theme, flags)


def _thread_projection(state: Meeting, item_id: str) -> Thread | None:
    thread = state["threads"].get(item_id)
    if thread is None:
        return None
    return {
        **thread,
        "moment_ids": [m for m in thread["moment_ids"] if _revealed(state, m)],
        "theme_ids": [t for t in thread["theme_ids"] if _theme_projection(state, t) is not None],
    }


def _as_is(
    kind: Literal["parties", "lessons", "agreements"],
) -> Callable[[Meeting, str], Item | None]:
    def project(state: Meeting, item_id: str) -> Item | None:
        return state[kind].get(item_id)

    return project


_PROJECTIONS: dict[Collection, Callable[[Meeting, str], Item | None]] = {
    "parties": _as_is("parties"),
    "moments": _moment_seen,
    "interpretations": _interpretation_projection,
    "themes": _theme_projection,
    "threads": _thread_projection,
    "lessons": _as_is("lessons"),
    "agreements": _as_is("agreements"),
}
# The meeting fields participants see: those of the allow-list in ``_shared``.
_PUBLIC_FIELDS = tuple(
    key for key in MEETING_FIELDS if key in _shared(new_meeting("", "", "", 0.0))
)
_PLAIN_PUBLIC_FIELDS = tuple(key for key in _PUBLIC_FIELDS if key != "current_moment_id")


def strip_authors(changes: list[Change]) -> list[Change]:
    """The facilitators' copy of an event: the truth minus who wrote what, minus intake token
    hashes, and with the count of devices that accepted the ground rules instead of their ids."""
    out: list[Change] = []
    for change in changes:
        if change["op"] == "put" and "author" in change["item"]:
            item = {k: v for k, v in change["item"].items() if k != "author"}
            out.append({**change, "item": item})
        elif change["op"] == "put" and change["kind"] == "themes":
            theme = change["item"]
            flags = theme.get("flags")
            if isinstance(flags, list) and any("author" in f for f in flags):
                seen = [{"target": f["target"], "id": f["id"]} for f in flags]
                theme = {**theme, "flags": seen}
            out.append({**change, "item": theme})
        elif change["op"] == "put" and "token_hash" in change["item"]:
            item = {k: v for k, v in change["item"].items() if k != "token_hash"}
            out.append({**change, "item": item})
        elif change["op"] == "set" and "rule_acceptances" in change["fields"]:
            fields = dict(change["fields"])
            accepted = fields.pop("rule_acceptances")
            fields["ground_rules_accepted"] = len(accepted) if isinstance(accepted, dict) else 0
            out.append({"op": "set", "fields": fields})
        else:
            out.append(change)
    return out


def touches_intake(changes: list[Change]) -> bool:
    """Whether intake links should fetch their view again (their intake or the phase changed)."""
    for change in changes:
        if change["op"] == "set":
            if "phase" in change["fields"]:
                return True
        elif change["kind"] in ("intakes", "intake_entries", "parties"):
            return True
    return False
