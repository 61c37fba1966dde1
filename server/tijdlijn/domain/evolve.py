"""Events as state changes: apply them, and derive them.

An event carries a list of changes, each a ``put`` or ``del`` of one item in one collection, or a
``set`` of meeting fields. Applying them is the same code everywhere (server, resync, replay, and
the browsers' ``apply`` in web/shared/state.js), so a client that applied events 1..N holds the
same state as the server at N.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from itertools import compress, repeat
from operator import is_not
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
    return _copied(state, dict)


def _copied(state: Meeting, make: Callable[[Mapping[str, Any]], dict[str, Any]]) -> Meeting:
    """``state`` with each collection copied by ``make`` (a plain or a tracking dict)."""
    state = upgraded(state)
    copied = state.copy()
    copied["parties"] = make(state["parties"])
    copied["moments"] = make(state["moments"])
    copied["interpretations"] = make(state["interpretations"])
    copied["themes"] = make(state["themes"])
    copied["threads"] = make(state["threads"])
    copied["lessons"] = make(state["lessons"])
    copied["agreements"] = make(state["agreements"])
    copied["intakes"] = make(state["intakes"])
    copied["intake_entries"] = make(state["intake_entries"])
    copied["new_information"] = make(state["new_information"])
    return copied


_ABSENT = object()


def moved_fields(
    before: Mapping[str, object], after: Mapping[str, object], keys: tuple[str, ...]
) -> list[str]:
    """Those of ``keys`` whose value in ``after`` is not the very object it was in ``before``:
    the only ones that can differ (a handler replaces a field, never edits it). The loop runs
    in C (``map``, ``compress``): on every write, over every field."""
    now = map(after.get, keys, repeat(_ABSENT))
    return list(compress(keys, map(is_not, now, map(before.get, keys))))


# Which ids of each collection a handler put or deleted, in the order it touched them.
Touched = dict[Collection, dict[str, None]]


class _Tracked(dict[str, Any]):
    """A collection while a command is decided: it remembers every id a handler sets or deletes,
    so the changes come from what the command did instead of from comparing every item (the
    cost of a write must not grow with the meeting). Never leaves ``decide``: ``settled`` turns
    it back into a plain dict.

    Made by dict's own constructor, its record set by ``tracked`` (no ``__init__`` here: a
    Python-level one cost more than the copy, and ten of these are made per write)."""

    __slots__ = ("touched",)
    touched: dict[str, None]

    def __setitem__(self, key: str, value: Any) -> None:
        self.touched[key] = None
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.touched[key] = None
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        self.touched[key] = None
        return super().pop(key, *default)

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        # Handlers put and delete one item at a time; anything else would go unrecorded.
        raise TypeError("collections are changed item by item while a command is decided")

    update = setdefault = popitem = clear = __ior__ = _refuse


def tracked(state: Meeting) -> Meeting:
    """A copy to decide on (like :func:`clone`) whose collections record what is touched."""
    state = upgraded(state)
    copied = state.copy()
    fields = cast(dict[str, Any], copied)
    for kind in COLLECTIONS:
        collection = fields[kind] = _Tracked(state[kind])
        collection.touched = {}
    return copied


def settled(state: Meeting, before: Meeting) -> Touched:
    """What the handler touched in ``state``, made by :func:`tracked` from ``before`` (then plain
    dicts again: a tracking dict never leaves ``decide``).

    A collection the handler did not touch holds what ``before``'s does, so ``state`` takes
    that very dict instead of a copy: collections, like items, are never changed in place once
    decided (``clone`` copies them first), so two states can share them."""
    touched: Touched = {}
    fields = cast(dict[str, Any], state)
    for kind in COLLECTIONS:
        collection = state[kind]
        if isinstance(collection, _Tracked):
            ids = collection.touched
            if ids:
                touched[kind] = ids
                fields[kind] = dict(collection)
            else:
                fields[kind] = before[kind]
    return touched


def changes_of(
    old_state: Mapping[str, Any], new_state: Mapping[str, Any], touched: Touched
) -> list[Change]:
    """:func:`diff` of two states looking only at the fields and at what the command touched
    (``settled``): the same changes, at a cost that does not grow with the meeting."""
    changes: list[Change] = []
    fields = {
        key: new_state[key]
        for key in moved_fields(old_state, new_state, MEETING_FIELDS)
        if key in new_state and old_state.get(key) != new_state[key]
    }
    if fields:
        changes.append({"op": "set", "fields": fields})
    for kind in COLLECTIONS:
        ids = touched.get(kind)
        if not ids:
            continue
        old: Mapping[str, Any] = old_state.get(kind, {})
        new: Mapping[str, Any] = new_state[kind]
        for item_id in ids:
            item, previous = new.get(item_id), old.get(item_id)
            if item is None:
                if previous is not None:
                    changes.append({"op": "del", "kind": kind, "id": item_id})
            elif previous is not item and previous != item:
                changes.append({"op": "put", "kind": kind, "item": item})
    return changes
