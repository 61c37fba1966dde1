"""Events as state changes: apply them, and derive them.

An event carries a list of changes, each a ``put`` or ``del`` of one item in one collection, or a
``set`` of meeting fields. Applying them is the same code everywhere (server, resync, replay, and
the browsers' ``apply`` in web/shared/state.js), so a client that applied events 1..N holds the
same state as the server at N.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict, cast

from .model import COLLECTIONS, MEETING_FIELDS, Collection, Meeting


class PutChange(TypedDict):
    op: Literal["put"]
    kind: Collection
    item: dict[str, Any]


class DelChange(TypedDict):
    op: Literal["del"]
    kind: Collection
    id: str


class SetChange(TypedDict):
    op: Literal["set"]
    fields: dict[str, Any]


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


def evolve(state: Meeting, changes: list[Change]) -> Meeting:
    """Apply changes to ``state`` in place and return it."""
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
    """The changes that turn ``before`` into ``after`` (both meeting-shaped mappings)."""
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
    """A copy whose containers can change freely; items are shared and replaced, never edited."""
    copied = cast(dict[str, Any], dict(state))
    for kind in COLLECTIONS:
        copied[kind] = dict(copied.get(kind) or {})
    return cast(Meeting, copied)
