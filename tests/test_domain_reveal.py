"""Reveal pacing: next in order, a chosen one, undo, insert, move, remove."""

from __future__ import annotations

from tests.support.domain import FACILITATOR, Session, build
from tijdlijn.domain.meeting import ordered_moments
from tijdlijn.domain.visibility import public_view
from tijdlijn.errors import Conflict, NotFound


def order(s: Session) -> list[str]:
    return [m["id"] for m in ordered_moments(s.state)]


def states(s: Session) -> list[str]:
    return [m["state"] for m in ordered_moments(s.state)]


def test_new_moments_start_as_drafts_in_order() -> None:
    s = build(moments=3)
    assert order(s) == s.moments
    assert states(s) == ["draft"] * 3
    assert s.state["current_moment_id"] is None
    assert all(s.state["moments"][m]["revealed_at"] is None for m in s.moments)


def test_reveal_next_follows_prepared_order() -> None:
    s = build(moments=3)
    first = s.run("moment.reveal")
    assert first.type == "moment.revealed"
    assert first.result == {"id": s.moments[0]}
    assert s.state["current_moment_id"] == s.moments[0]
    assert s.state["moments"][s.moments[0]]["revealed_at"] == s.now
    assert s.reveal() == s.moments[1]
    assert s.reveal() == s.moments[2]
    assert states(s) == ["revealed"] * 3
    assert s.state["current_moment_id"] == s.moments[2]


def test_reveal_next_when_nothing_left_is_a_conflict() -> None:
    s = build(moments=2, revealed=2)
    s.refuse("moment.reveal", {}, FACILITATOR, Conflict)
    empty = build(moments=0)
    empty.refuse("moment.reveal", {}, FACILITATOR, Conflict)


def test_reveal_a_chosen_moment_then_next_skips_it() -> None:
    s = build(moments=3)
    assert s.reveal(s.moments[2]) == s.moments[2]
    assert s.state["current_moment_id"] == s.moments[2]
    assert states(s) == ["draft", "draft", "revealed"]
    assert s.reveal() == s.moments[0]
    assert s.reveal() == s.moments[1]
    s.refuse("moment.reveal", {}, FACILITATOR, Conflict)


def test_reveal_chosen_twice_or_unknown() -> None:
    s = build(moments=2, revealed=1)
    s.refuse("moment.reveal", {"id": s.moments[0]}, FACILITATOR, Conflict)
    s.refuse("moment.reveal", {"id": "nope"}, FACILITATOR, NotFound)


def test_undo_last_reveal_moves_current_back() -> None:
    s = build(moments=3, revealed=3)
    undo = s.run("moment.unreveal")
    assert undo.type == "moment.unrevealed"
    assert undo.result == {"id": s.moments[2]}
    assert states(s) == ["revealed", "revealed", "draft"]
    assert s.state["moments"][s.moments[2]]["revealed_at"] is None
    assert s.state["current_moment_id"] == s.moments[1]
    s.run("moment.unreveal")
    s.run("moment.unreveal")
    assert s.state["current_moment_id"] is None
    s.refuse("moment.unreveal", {}, FACILITATOR, Conflict)
    # Undone moments come back in prepared order.
    assert s.reveal() == s.moments[0]


def test_undo_follows_reveal_time_not_position() -> None:
    s = build(moments=3)
    s.reveal(s.moments[2])
    s.reveal(s.moments[0])
    assert s.run("moment.unreveal").result == {"id": s.moments[0]}
    assert s.state["current_moment_id"] == s.moments[2]


def test_focus_moves_current_to_a_revealed_moment_only() -> None:
    s = build(moments=3, revealed=2)
    focus = s.run("moment.focus", {"id": s.moments[0]})
    assert focus.type == "moment.focused"
    assert s.state["current_moment_id"] == s.moments[0]
    s.refuse("moment.focus", {"id": s.moments[2]}, FACILITATOR, Conflict)
    s.refuse("moment.focus", {"id": "nope"}, FACILITATOR, NotFound)


def test_insert_at_position_kept_as_draft() -> None:
    s = build(moments=3, revealed=1)
    new = s.add("moment.add", {"text": "Tussendoor", "position": 1})
    assert order(s) == [s.moments[0], new, s.moments[1], s.moments[2]]
    assert s.state["moments"][new]["state"] == "draft"
    assert s.state["current_moment_id"] == s.moments[0]
    # The inserted draft is next in prepared order.
    assert s.reveal() == new


def test_insert_at_position_revealed_at_once() -> None:
    s = build(moments=3, revealed=1)
    outcome = s.run("moment.add", {"text": "Nu pas bekend", "position": 0, "reveal": True})
    new = outcome.result["id"]
    assert outcome.type == "moment.revealed"
    assert order(s)[0] == new
    assert s.state["moments"][new]["state"] == "revealed"
    assert s.state["current_moment_id"] == new
    assert new in public_view(s.state)["moments"]


def test_insert_positions_start_end_and_beyond() -> None:
    s = build(moments=2)
    end = s.add("moment.add", {"text": "Eind"})
    far = s.add("moment.add", {"text": "Ver weg", "position": 1000})
    start = s.add("moment.add", {"text": "Begin", "position": 0})
    assert order(s) == [start, *s.moments, end, far]


def test_insert_into_empty_timeline() -> None:
    s = build(moments=0)
    only = s.add("moment.add", {"text": "Eerste", "position": 5})
    assert order(s) == [only]


def test_many_inserts_at_one_spot_keep_a_strict_order() -> None:
    s = build(moments=2)
    inserted = [s.add("moment.add", {"text": f"Tussen {i}", "position": 1}) for i in range(38)]
    assert order(s) == [s.moments[0], *reversed(inserted), s.moments[1]]
    positions = [m["position"] for m in ordered_moments(s.state)]
    assert positions == sorted(set(positions))


def test_moment_fields_and_source_party() -> None:
    s = build(moments=0)
    mid = s.add(
        "moment.add",
        {"text": " Melding  ", "when": " maart 2024 ", "source_party_id": s.parties[1]},
    )
    moment = s.state["moments"][mid]
    assert (moment["text"], moment["when"], moment["source_party_id"]) == (
        "Melding",
        "maart 2024",
        s.parties[1],
    )
    s.refuse("moment.add", {"text": "x", "source_party_id": "nope"}, FACILITATOR, NotFound)


def test_update_moment() -> None:
    s = build(moments=1)
    mid = s.moments[0]
    s.run(
        "moment.update",
        {"id": mid, "text": "Nieuw", "when": "april", "source_party_id": s.parties[0]},
    )
    moment = s.state["moments"][mid]
    assert (moment["text"], moment["when"], moment["source_party_id"]) == (
        "Nieuw",
        "april",
        s.parties[0],
    )
    s.run("moment.update", {"id": mid, "clear_source_party": True})
    assert s.state["moments"][mid]["source_party_id"] is None
    assert s.state["moments"][mid]["text"] == "Nieuw"
    s.refuse("moment.update", {"id": mid, "source_party_id": "nope"}, FACILITATOR, NotFound)
    s.refuse("moment.update", {"id": "nope", "text": "x"}, FACILITATOR, NotFound)


def test_move_reorders_drafts() -> None:
    s = build(moments=4)
    a, b, c, d = s.moments
    move = s.run("moment.move", {"id": d, "position": 0})
    assert move.type == "moment.moved"
    assert order(s) == [d, a, b, c]
    s.run("moment.move", {"id": d, "position": 2})
    assert order(s) == [a, b, d, c]
    s.run("moment.move", {"id": a, "position": 99})
    assert order(s) == [b, d, c, a]
    assert s.reveal() == b
    s.refuse("moment.move", {"id": "nope", "position": 0}, FACILITATOR, NotFound)


def test_move_changes_only_the_moved_moment() -> None:
    s = build(moments=4)
    outcome = s.run("moment.move", {"id": s.moments[3], "position": 1})
    assert [(ch["op"], ch.get("kind")) for ch in outcome.changes] == [("put", "moments")]


def test_remove_cascades() -> None:
    s = build(moments=3, revealed=2)
    gone, kept = s.moments[1], s.moments[0]
    on_gone = s.interpret(gone, s.member(0))
    on_kept = s.interpret(kept, s.member(1))
    only_gone = s.add("theme.flag", {"label": "Regie", "target": "moment", "id": gone})
    s.run("theme.flag", {"theme_id": only_gone, "target": "moment", "id": kept})
    via_interp = s.add("theme.flag", {"label": "Macht", "target": "interpretation", "id": on_gone})
    thread = s.add("thread.add", {"text": "Draad", "moment_ids": [gone, kept]})
    assert s.state["current_moment_id"] == gone

    removed = s.run("moment.remove", {"id": gone})
    assert removed.type == "moment.removed"
    st = s.state
    assert gone not in st["moments"]
    assert set(st["interpretations"]) == {on_kept}
    assert st["themes"][only_gone]["flags"] == [{"target": "moment", "id": kept}]
    # The theme stays (its label is the facilitator's to remove), with no flags left.
    assert st["themes"][via_interp]["flags"] == []
    assert st["threads"][thread]["moment_ids"] == [kept]
    assert st["current_moment_id"] == kept
    s.refuse("moment.remove", {"id": gone}, FACILITATOR, NotFound)


def test_remove_a_draft_keeps_current() -> None:
    s = build(moments=3, revealed=1)
    s.run("moment.remove", {"id": s.moments[2]})
    assert s.state["current_moment_id"] == s.moments[0]
    assert order(s) == s.moments[:2]


def test_remove_last_revealed_clears_current() -> None:
    s = build(moments=1, revealed=1)
    s.run("moment.remove", {"id": s.moments[0]})
    assert s.state["current_moment_id"] is None
    assert s.state["moments"] == {}
