"""What each role may see.

Facilitators see everything but who wrote what (Chatham House: statements belong to a party,
never to a person). Participants and the wall see only what has been revealed: a draft moment,
and everything attached to it, does not exist for them. Events are filtered by diffing the two
projections of the state before and after, so no event type can forget a rule.
"""

from __future__ import annotations

from typing import Any, cast

from .evolve import Change, diff
from .model import Meeting, Role


def _without_author(item: Any) -> dict[str, Any]:
    if "author" not in item:
        return item  # type: ignore[no-any-return]
    return {key: value for key, value in item.items() if key != "author"}


def _theme_without_authors(theme: Any) -> dict[str, Any]:
    if not any("author" in f for f in theme["flags"]):
        return theme  # type: ignore[no-any-return]
    return {**theme, "flags": [_without_author(f) for f in theme["flags"]]}


def facilitator_view(state: Meeting) -> Meeting:
    view = cast(dict[str, Any], dict(state))
    view["interpretations"] = {
        key: _without_author(item) for key, item in state["interpretations"].items()
    }
    view["themes"] = {key: _theme_without_authors(t) for key, t in state["themes"].items()}
    return cast(Meeting, view)


def public_view(state: Meeting) -> Meeting:
    """The meeting as participants and the wall may see it."""
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
    if view.get("current_moment_id") not in moments:
        view["current_moment_id"] = None
    return cast(Meeting, view)


def view_for(state: Meeting, role: Role) -> Meeting:
    return facilitator_view(state) if role == "facilitator" else public_view(state)


def public_changes(before: Meeting, after: Meeting) -> list[Change]:
    """What participants and the wall receive of one decision."""
    return diff(cast(Any, public_view(before)), cast(Any, public_view(after)))


def strip_authors(changes: list[Change]) -> list[Change]:
    """The truth minus who wrote what: the facilitators' copy of an event."""
    out: list[Change] = []
    for change in changes:
        if change["op"] == "put" and "author" in change["item"]:
            out.append({**change, "item": _without_author(change["item"])})
        elif change["op"] == "put" and change.get("kind") == "themes":
            out.append({**change, "item": _theme_without_authors(change["item"])})
        else:
            out.append(change)
    return out
