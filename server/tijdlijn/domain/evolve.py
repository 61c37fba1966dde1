"""Events as state changes: apply them, and derive them.

An event carries a list of changes, each a ``put`` or ``del`` of one item in one collection, or a
``set`` of meeting fields. Applying them is the same code everywhere (server, resync, replay, and
the browsers' ``apply`` in web/shared/state.js), so a client that applied events 1..N holds the
same state as the server at N.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict, TypeVar, cast

from .meeting import COLLECTIONS, MEETING_FIELDS, Collection, Meeting, PublicView, upgraded


# A change is wire format (the store keeps it, browsers apply it): its item and fields are JSON
# objects, typed where they are made (decide) and applied (evolve); in between, whoever reads
# one checks what it finds.
class PutChange(TypedDict):
    op: Literal["put"]
    kind: Collection
    item: Mapping[str, object]


class DelChange(TypedDict):
    op: Literal["del"]
    kind: Collection
    id: str


class SetChange(TypedDict):
    op: Literal["set"]
    fields: dict[str, object]


Change = PutChange | DelChange | SetChange


class Event(TypedDict):
    """One numbered entry in a meeting's log, as the store keeps it."""

    seq: int
    type: str
    at: float
    changes: list[Change]
    # The same event as participants and the wall see it (drafts and authors removed).
    public: list[Change]
    # The seq of the last event before this one with public changes: what a participant's or
    # the wall's previous event was, so a device can tell an event it missed from one it was
    # never meant to see.
    pprev: NotRequired[int]


class WireEvent(TypedDict):
    """One event as a device receives it: already filtered for its role. ``prev`` is the seq of
    the event before it that the same device could see (0: none)."""

    seq: int
    prev: int
    type: str
    at: float
    changes: list[Change]


V = TypeVar("V", bound=PublicView)


def evolve(state: V, changes: list[Change]) -> V:
    """Apply changes to ``state`` (the meeting, or a device's view of it) in place; return it."""
    # The one cast of the domain: a change names its field or collection at run time, which
    # a TypedDict cannot follow. decide made the changes from typed state, and diff and this
    # function are tested to be each other's inverse.
    raw = cast(dict[str, Any], state)
    for change in changes:
        if change["op"] == "set":
            for key, value in change["fields"].items():
                if key in MEETING_FIELDS:
                    raw[key] = copy.deepcopy(value)
        elif change["op"] == "put":
            item = change["item"]
            raw[change["kind"]][item["id"]] = copy.deepcopy(item)
        else:
            raw[change["kind"]].pop(change["id"], None)
    return state


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """The changes that turn ``before`` into ``after``: the stored meeting or any view of it
    (each has some of the collections, so they are read as plain mappings here)."""
    changes: list[Change] = []
    fields = {
        key: after[key] for key in MEETING_FIELDS if key in after and before.get(key) != after[key]
    }
    if fields:
        changes.append({"op": "set", "fields": fields})
    for kind in COLLECTIONS:
        old: Mapping[str, Any] = before.get(kind, {})
        new: Mapping[str, Any] = after.get(kind, {})
        for item_id, item in new.items():
            previous = old.get(item_id)
            if previous is not item and previous != item:
                changes.append({"op": "put", "kind": kind, "item": item})
        for item_id in old:
            if item_id not in new:
                changes.append({"op": "del", "kind": kind, "id": item_id})
    return changes


def clone(state: Meeting) -> Meeting:
    """A copy whose containers can change freely; items are shared and replaced, never edited.

    A meeting stored before a field existed gets it (``upgraded``)."""
    state = upgraded(state)
    copied = state.copy()
    copied["parties"] = dict(state["parties"])
    copied["moments"] = dict(state["moments"])
    copied["interpretations"] = dict(state["interpretations"])
    copied["themes"] = dict(state["themes"])
    copied["threads"] = dict(state["threads"])
    copied["lessons"] = dict(state["lessons"])
    copied["agreements"] = dict(state["agreements"])
    copied["intakes"] = dict(state["intakes"])
    copied["intake_entries"] = dict(state["intake_entries"])
    copied["new_information"] = dict(state["new_information"])
    return copied
