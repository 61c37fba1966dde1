"""What participants, the wall and facilitators may see of a state and of each change."""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.support.domain import FACILITATOR, Session, build
from tijdlijn.domain.evolve import Change, clone, evolve
from tijdlijn.domain.meeting import Meeting
from tijdlijn.domain.visibility import (
    facilitator_view,
    public_view,
    strip_authors,
    view_for,
)

SECRET = "GEHEIM-CANARY"


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def scene() -> tuple[Session, dict[str, str]]:
    """Two revealed moments and one draft, each with interpretations, themes and threads."""
    s = build(moments=2, revealed=2)
    shown, other = s.moments
    draft = s.add("moment.add", {"text": f"{SECRET} moment", "when": SECRET})
    me = s.member(0, "pt-secret-author")
    ids = {"shown": shown, "other": other, "draft": draft}
    ids["mine"] = s.interpret(shown, me, "Zichtbaar.")
    ids["prepared"] = s.add(
        "interpretation.add",
        {"moment_id": draft, "text": f"{SECRET} duiding", "party_id": s.parties[1]},
    )
    ids["public_theme"] = s.add("theme.flag", {"label": "Regie", "target": "moment", "id": shown})
    ids["hidden_theme"] = s.add(
        "theme.flag", {"label": f"{SECRET} thema", "target": "moment", "id": other}
    )
    s.run(
        "theme.flag",
        {"theme_id": ids["public_theme"], "target": "interpretation", "id": ids["mine"]},
    )
    s.run("theme.flag", {"theme_id": ids["public_theme"], "target": "moment", "id": other})
    ids["thread"] = s.add(
        "thread.add",
        {
            "text": "Draad",
            "moment_ids": [shown, draft, other],
            "theme_ids": [ids["public_theme"], ids["hidden_theme"]],
        },
    )
    # Undo the reveal of ``other``: it and everything only on it is hidden again.
    s.run("moment.focus", {"id": other})
    s.run("moment.unreveal")
    return s, ids


def test_public_view_hides_drafts_and_what_hangs_on_them() -> None:
    s, ids = scene()
    view = public_view(s.state)
    assert set(view["moments"]) == {ids["shown"]}
    assert set(view["interpretations"]) == {ids["mine"]}
    assert set(view["themes"]) == {ids["public_theme"]}
    assert view["themes"][ids["public_theme"]]["flags"] == [
        {"target": "moment", "id": ids["shown"]},
        {"target": "interpretation", "id": ids["mine"]},
    ]
    thread = view["threads"][ids["thread"]]
    assert thread["moment_ids"] == [ids["shown"]]
    assert thread["theme_ids"] == [ids["public_theme"]]
    assert view["current_moment_id"] == ids["shown"]
    assert SECRET not in dumps(view)


def test_public_view_never_names_an_author() -> None:
    s, _ = scene()
    assert "pt-secret-author" in dumps(s.state)  # the truth keeps it, for editing rights
    assert "author" not in dumps(public_view(s.state))
    assert "pt-secret-author" not in dumps(public_view(s.state))


def test_facilitator_view_shows_drafts_but_no_authors() -> None:
    s, ids = scene()
    before = copy.deepcopy(s.state)
    view = facilitator_view(s.state)
    assert set(view["moments"]) == {ids["shown"], ids["other"], ids["draft"]}
    assert set(view["interpretations"]) == {ids["mine"], ids["prepared"]}
    assert "author" not in dumps(view)
    assert view["themes"] == s.state["themes"]
    assert s.state == before, "a view must not change the state"
    assert view_for(s.state, "facilitator") == view
    assert view_for(s.state, "participant") == public_view(s.state)
    assert view_for(s.state, "wall") == public_view(s.state)


def test_public_view_hides_a_draft_current_moment() -> None:
    s = build(moments=1)
    state: Meeting = clone(s.state)
    state["current_moment_id"] = s.moments[0]
    assert public_view(state)["current_moment_id"] is None


def test_theme_without_flags_stays_visible() -> None:
    s = build(moments=1, revealed=1)
    theme = s.add("theme.flag", {"label": "Regie", "target": "moment", "id": s.moments[0]})
    s.run("theme.unflag", {"theme_id": theme, "target": "moment", "id": s.moments[0]})
    assert public_view(s.state)["themes"][theme]["flags"] == []


def apply_public(s: Session, name: str, payload: dict[str, Any]) -> list[Change]:
    """Run a command and check the public changes turn the old public view into the new one."""
    before = public_view(s.state)
    outcome = s.run(name, payload)
    assert evolve(copy.deepcopy(before), outcome.public) == public_view(s.state)
    return outcome.public


def test_unreveal_deletes_the_moment_and_its_interpretations_for_participants() -> None:
    s = build(moments=2, revealed=2)
    last = s.moments[1]
    on_last = s.interpret(last, s.member(0))
    on_first = s.interpret(s.moments[0], s.member(1))
    only_last = s.add("theme.flag", {"label": "Regie", "target": "moment", "id": last})
    public = apply_public(s, "moment.unreveal", {})
    dels = {(ch["kind"], ch["id"]) for ch in public if ch["op"] == "del"}
    assert dels == {("moments", last), ("interpretations", on_last), ("themes", only_last)}
    sets = [ch for ch in public if ch["op"] == "set"]
    assert sets == [{"op": "set", "fields": {"current_moment_id": s.moments[0]}}]
    assert not [ch for ch in public if ch["op"] == "put"]
    # The truth keeps them, to come back on the next reveal.
    assert on_last in s.state["interpretations"] and only_last in s.state["themes"]
    assert on_first in public_view(s.state)["interpretations"]


def test_reveal_brings_prepared_interpretations_along() -> None:
    s = build(moments=1)
    prepared = s.add(
        "interpretation.add", {"moment_id": s.moments[0], "text": "x", "party_id": s.parties[0]}
    )
    public = apply_public(s, "moment.reveal", {})
    puts = {(ch["kind"], ch["item"]["id"]) for ch in public if ch["op"] == "put"}
    assert puts == {("moments", s.moments[0]), ("interpretations", prepared)}


def test_changes_to_drafts_are_not_public() -> None:
    s = build(moments=2, revealed=1)
    draft = s.moments[1]
    assert apply_public(s, "moment.add", {"text": SECRET}) == []
    assert apply_public(s, "moment.update", {"id": draft, "text": SECRET}) == []
    assert apply_public(s, "moment.move", {"id": draft, "position": 0}) == []
    payload = {"moment_id": draft, "text": SECRET, "party_id": s.parties[0]}
    assert apply_public(s, "interpretation.add", payload) == []
    assert apply_public(s, "thread.add", {"text": "Draad", "moment_ids": [draft]}) != []
    # The thread only loses a link nobody outside could see.
    assert apply_public(s, "moment.remove", {"id": draft}) == []


def test_moving_an_interpretation_to_a_draft_hides_it() -> None:
    s = build(moments=2, revealed=1)
    iid = s.interpret(s.moments[0], s.member(0))
    public = apply_public(s, "interpretation.move", {"id": iid, "moment_id": s.moments[1]})
    assert public == [{"op": "del", "kind": "interpretations", "id": iid}]


def test_no_public_change_carries_a_secret_or_an_author() -> None:
    s = build(moments=3, revealed=1)
    draft = s.moments[2]
    me = s.member(0, "pt-secret-author")
    steps: list[tuple[str, dict[str, Any], Any]] = [
        ("moment.update", {"id": draft, "text": SECRET}, FACILITATOR),
        ("interpretation.add", {"moment_id": s.moments[0], "text": "Open."}, me),
        (
            "interpretation.add",
            {"moment_id": draft, "text": SECRET, "party_id": s.parties[0]},
            FACILITATOR,
        ),
        ("theme.flag", {"label": "Open", "target": "moment", "id": s.moments[0]}, me),
        ("thread.add", {"text": "Draad", "moment_ids": [draft, s.moments[0]]}, FACILITATOR),
        ("moment.reveal", {}, FACILITATOR),
        ("moment.move", {"id": draft, "position": 1}, FACILITATOR),
    ]
    for name, payload, actor in steps:
        outcome = s.run(name, payload, actor)
        assert SECRET not in dumps(outcome.public), name
        assert "pt-secret-author" not in dumps(outcome.public), name
        assert "pt-secret-author" not in dumps(strip_authors(outcome.changes)), name


def test_strip_authors_keeps_everything_else() -> None:
    s = build(moments=1, revealed=1)
    before = facilitator_view(s.state)
    outcome = s.run("interpretation.add", {"moment_id": s.moments[0], "text": "x"}, s.member(0))
    assert "author" in outcome.changes[0]["item"]  # type: ignore[typeddict-item]
    stripped = strip_authors(outcome.changes)
    assert "author" not in dumps(stripped)
    assert "author" in outcome.changes[0]["item"], "strip_authors must not change its input"  # type: ignore[typeddict-item]
    assert evolve(copy.deepcopy(before), stripped) == facilitator_view(s.state)
