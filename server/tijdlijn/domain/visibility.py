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

from typing import Any, cast

from .evolve import Change, diff
from .model import PREPARATION_COLLECTIONS, Meeting, Role, upgraded

# Meeting fields only facilitators see.
_FACILITATOR_FIELDS = ("preconditions", "rule_acceptances", "ground_rules_accepted")


def _without_author(item: Any) -> dict[str, Any]:
    if "author" not in item:
        return item  # type: ignore[no-any-return]
    return {key: value for key, value in item.items() if key != "author"}


def _theme_without_authors(theme: Any) -> dict[str, Any]:
    if not any("author" in f for f in theme["flags"]):
        return theme  # type: ignore[no-any-return]
    return {**theme, "flags": [_without_author(f) for f in theme["flags"]]}


def _without_hash(item: Any) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key != "token_hash"}


def facilitator_view(state: Meeting) -> Meeting:
    state = upgraded(state)
    view = cast(dict[str, Any], dict(state))
    view["interpretations"] = {
        key: _without_author(item) for key, item in state["interpretations"].items()
    }
    view["themes"] = {key: _theme_without_authors(t) for key, t in state["themes"].items()}
    view["intakes"] = {key: _without_hash(item) for key, item in state["intakes"].items()}
    view["ground_rules_accepted"] = len(view.pop("rule_acceptances"))
    return cast(Meeting, view)


def intake_view(state: Meeting, intake_id: str | None) -> dict[str, Any]:
    """What an intake link sees: its meeting's title, its own party and its own entries."""
    state = upgraded(state)
    intake = state["intakes"].get(intake_id or "")
    party = state["parties"].get(intake["party_id"]) if intake else None
    working = bool(intake and party and intake["status"] == "open")
    working = working and state["phase"] == "preparation"
    entries = {
        key: {k: v for k, v in entry.items() if k != "moment_id"}
        | {"taken": entry["moment_id"] is not None}
        for key, entry in state["intake_entries"].items()
        if party is not None and entry["party_id"] == party["id"]
    }
    return {
        "id": state["id"],
        "title": state["title"],
        "status": "open" if working else "closed",
        "party": (
            {"id": party["id"], "name": party["name"], "colour": party["colour"]} if party else None
        ),
        "entries": entries if working else {},
    }


def public_view(state: Meeting) -> Meeting:
    """The meeting as participants and the wall may see it."""
    state = upgraded(state)
    moments = {key: m for key, m in state["moments"].items() if m["state"] == "revealed"}
    interpretations = {
        key: _without_author(i)
        for key, i in state["interpretations"].items()
        if i["moment_id"] in moments
    }

    def visible(flag: Any) -> bool:
        pool = moments if flag["target"] == "moment" else interpretations
        return flag["id"] in pool

    themes: dict[str, Any] = {}
    for key, theme in state["themes"].items():
        flags = [f for f in theme["flags"] if visible(f)]
        # A theme flagged only on hidden things would leak a draft through its label.
        if theme["flags"] and not flags:
            continue
        themes[key] = {**theme, "flags": [_without_author(f) for f in flags]}
    # A link to a hidden theme would leave devices holding an id they cannot resolve.
    threads = {
        key: {
            **t,
            "moment_ids": [m for m in t["moment_ids"] if m in moments],
            "theme_ids": [th for th in t["theme_ids"] if th in themes],
        }
        for key, t in state["threads"].items()
    }
    view = cast(dict[str, Any], dict(state))
    view.update(
        moments=moments,
        interpretations=interpretations,
        themes=themes,
        threads=threads,
    )
    for key in (*PREPARATION_COLLECTIONS, *_FACILITATOR_FIELDS):
        view.pop(key, None)
    if view.get("current_moment_id") not in moments:
        view["current_moment_id"] = None
    return cast(Meeting, view)


def view_for(state: Meeting, role: Role, intake_id: str | None = None) -> Meeting:
    if role == "intake":
        return cast(Meeting, intake_view(state, intake_id))
    return facilitator_view(state) if role == "facilitator" else public_view(state)


def public_changes(before: Meeting, after: Meeting) -> list[Change]:
    """What participants and the wall receive of one decision."""
    return diff(cast(Any, public_view(before)), cast(Any, public_view(after)))


def strip_authors(changes: list[Change]) -> list[Change]:
    """The facilitators' copy of an event: the truth minus who wrote what, minus intake token
    hashes, and with the count of devices that accepted the ground rules instead of their ids."""
    out: list[Change] = []
    for change in changes:
        if change["op"] == "put" and "author" in change["item"]:
            out.append({**change, "item": _without_author(change["item"])})
        elif change["op"] == "put" and change.get("kind") == "themes":
            out.append({**change, "item": _theme_without_authors(change["item"])})
        elif change["op"] == "put" and "token_hash" in change["item"]:
            out.append({**change, "item": _without_hash(change["item"])})
        elif change["op"] == "set" and "rule_acceptances" in change["fields"]:
            fields = dict(change["fields"])
            fields["ground_rules_accepted"] = len(fields.pop("rule_acceptances"))
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
