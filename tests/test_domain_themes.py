"""Recurring themes: flag by label or id, counts, rename, merge, remove, unflag."""

from __future__ import annotations

from tests.domain_helpers import FACILITATOR, Session, build
from tijdlijn.domain.decide import Actor
from tijdlijn.domain.visibility import facilitator_view, public_view, strip_authors
from tijdlijn.errors import Conflict, Forbidden, Invalid, NotFound


def count(s: Session, theme_id: str) -> int:
    return len(s.state["themes"][theme_id]["flags"])


def flag(s: Session, label: str, moment: int, actor: Actor = FACILITATOR) -> str:
    return s.add("theme.flag", {"label": label, "target": "moment", "id": s.moments[moment]}, actor)


def test_flag_by_label_creates_a_theme_once() -> None:
    s = build(moments=3, revealed=3)
    outcome = s.run(
        "theme.flag", {"label": " Regie ", "target": "moment", "id": s.moments[0]}, s.member(0)
    )
    assert outcome.type == "theme.flagged"
    theme = outcome.result["id"]
    assert s.state["themes"][theme] == {
        "id": theme,
        "label": "Regie",
        "flags": [{"target": "moment", "id": s.moments[0], "author": "pt-0"}],
    }
    # Same label in another case: the same theme, one more flag.
    assert flag(s, "REGIE", 1, s.member(1)) == theme
    assert flag(s, "regie", 2) == theme
    assert list(s.state["themes"]) == [theme]
    assert count(s, theme) == 3
    assert s.state["themes"][theme]["label"] == "Regie"


def test_flag_by_theme_id_and_on_an_interpretation() -> None:
    s = build(moments=2, revealed=2)
    me = s.member(0)
    theme = flag(s, "Communicatie", 0, me)
    iid = s.interpret(s.moments[1], s.member(1))
    again = s.run("theme.flag", {"theme_id": theme, "target": "interpretation", "id": iid}, me)
    assert again.result == {"id": theme}
    assert s.state["themes"][theme]["flags"] == [
        {"target": "moment", "id": s.moments[0], "author": "pt-0"},
        {"target": "interpretation", "id": iid, "author": "pt-0"},
    ]
    other = flag(s, "Macht", 1, me)
    assert other != theme
    assert count(s, theme) == 2 and count(s, other) == 1


def test_flag_theme_id_wins_over_label() -> None:
    s = build(moments=2, revealed=2)
    theme = flag(s, "Regie", 0)
    s.run(
        "theme.flag", {"theme_id": theme, "label": "Anders", "target": "moment", "id": s.moments[1]}
    )
    assert list(s.state["themes"]) == [theme]
    assert s.state["themes"][theme]["label"] == "Regie"


def test_flag_needs_a_theme_or_label() -> None:
    s = build(moments=1, revealed=1)
    s.refuse("theme.flag", {"target": "moment", "id": s.moments[0]}, s.member(0), Invalid)


def test_flag_targets_must_exist_and_be_visible() -> None:
    s = build(moments=2, revealed=1)
    me = s.member(0)
    draft = s.moments[1]
    s.refuse("theme.flag", {"label": "X", "target": "moment", "id": "nope"}, me, NotFound)
    s.refuse("theme.flag", {"label": "X", "target": "interpretation", "id": "nope"}, me, NotFound)
    s.refuse(
        "theme.flag", {"theme_id": "nope", "target": "moment", "id": s.moments[0]}, me, NotFound
    )
    # A draft does not exist for a participant; for the facilitator it is not ready for themes.
    s.refuse("theme.flag", {"label": "X", "target": "moment", "id": draft}, me, NotFound)
    s.refuse("theme.flag", {"label": "X", "target": "moment", "id": draft}, FACILITATOR, Conflict)
    on_draft = s.add(
        "interpretation.add", {"moment_id": draft, "text": "x", "party_id": s.parties[0]}
    )
    s.refuse("theme.flag", {"label": "X", "target": "interpretation", "id": on_draft}, me, NotFound)
    s.refuse(
        "theme.flag",
        {"label": "X", "target": "interpretation", "id": on_draft},
        FACILITATOR,
        Conflict,
    )
    assert s.state["themes"] == {}


def test_unflag() -> None:
    s = build(moments=2, revealed=2)
    theme = flag(s, "Regie", 0)
    flag(s, "Regie", 1)
    out = s.run("theme.unflag", {"theme_id": theme, "target": "moment", "id": s.moments[0]})
    assert out.type == "theme.unflagged"
    assert s.state["themes"][theme]["flags"] == [{"target": "moment", "id": s.moments[1]}]
    s.refuse(
        "theme.unflag",
        {"theme_id": theme, "target": "moment", "id": s.moments[0]},
        FACILITATOR,
        NotFound,
    )
    s.refuse(
        "theme.unflag",
        {"theme_id": theme, "target": "interpretation", "id": s.moments[1]},
        FACILITATOR,
        NotFound,
    )
    s.refuse(
        "theme.unflag",
        {"theme_id": "nope", "target": "moment", "id": s.moments[1]},
        FACILITATOR,
        NotFound,
    )


def test_participant_takes_back_only_their_own_flag() -> None:
    s = build(moments=2, revealed=2)
    mine, other = s.member(0, "pt-a"), s.member(1, "pt-b")
    theme = flag(s, "Regie", 0, mine)
    flag(s, "Regie", 0, other)
    flag(s, "Regie", 0)  # the facilitator's own
    assert count(s, theme) == 3
    unflag = {"theme_id": theme, "target": "moment", "id": s.moments[0]}
    out = s.run("theme.unflag", unflag, mine)
    assert out.type == "theme.unflagged" and count(s, theme) == 2
    # Taken back once: what is left is someone else's.
    error = s.refuse("theme.unflag", unflag, mine, Forbidden)
    assert "zelf" in error.message
    s.refuse("theme.unflag", {**unflag, "id": s.moments[1]}, mine, NotFound)
    # The facilitator may take back any flag, the other participant still their own.
    s.run("theme.unflag", unflag, other)
    s.run("theme.unflag", unflag, FACILITATOR)
    assert count(s, theme) == 0


def test_flag_authors_never_leave_the_domain() -> None:
    s = build(moments=1, revealed=1)
    out = s.run(
        "theme.flag", {"label": "Regie", "target": "moment", "id": s.moments[0]}, s.member(0)
    )
    stored = s.state["themes"][out.result["id"]]["flags"]
    assert stored[0].get("author") == "pt-0"
    for view in (facilitator_view(s.state), public_view(s.state)):
        assert all("author" not in f for th in view["themes"].values() for f in th["flags"])
    for change in [*strip_authors(out.changes), *out.public]:
        assert "pt-0" not in repr(change)


def test_rename() -> None:
    s = build(moments=2, revealed=2)
    regie = flag(s, "Regie", 0)
    macht = flag(s, "Macht", 1)
    out = s.run("theme.rename", {"id": regie, "label": "Eigenaarschap"})
    assert out.type == "theme.renamed"
    assert s.state["themes"][regie]["label"] == "Eigenaarschap"
    assert count(s, regie) == 1
    # Changing only the case of its own label is fine; taking another's label is not.
    s.run("theme.rename", {"id": regie, "label": "EIGENAARSCHAP"})
    assert s.state["themes"][regie]["label"] == "EIGENAARSCHAP"
    s.refuse("theme.rename", {"id": regie, "label": "macht"}, FACILITATOR, Conflict)
    s.refuse("theme.rename", {"id": "nope", "label": "Iets"}, FACILITATOR, NotFound)
    # Flagging by the new label finds the renamed theme.
    assert flag(s, "eigenaarschap", 1) == regie
    assert s.state["themes"][macht]["label"] == "Macht"


def test_merge_combines_flags_and_retargets_threads() -> None:
    s = build(moments=3, revealed=3)
    regie = flag(s, "Regie", 0)
    flag(s, "Regie", 1)
    wie = flag(s, "Wie is aan zet", 2)
    macht = flag(s, "Macht", 2)
    both = s.add("thread.add", {"text": "Draad 1", "theme_ids": [regie, wie]})
    only_source = s.add("thread.add", {"text": "Draad 2", "theme_ids": [wie, macht]})

    out = s.run("theme.merge", {"id": wie, "into": regie})
    assert out.type == "theme.merged"
    st = s.state
    assert wie not in st["themes"]
    assert st["themes"][regie]["label"] == "Regie"
    assert st["themes"][regie]["flags"] == [
        {"target": "moment", "id": s.moments[0]},
        {"target": "moment", "id": s.moments[1]},
        {"target": "moment", "id": s.moments[2]},
    ]
    assert count(s, regie) == 3
    assert st["threads"][both]["theme_ids"] == [regie]
    assert st["threads"][only_source]["theme_ids"] == [macht, regie]
    # The merged label now lands on the target.
    assert flag(s, "Regie", 2) == regie


def test_merge_refusals() -> None:
    s = build(moments=1, revealed=1)
    regie = flag(s, "Regie", 0)
    s.refuse("theme.merge", {"id": regie, "into": regie}, FACILITATOR, Invalid)
    s.refuse("theme.merge", {"id": regie, "into": "nope"}, FACILITATOR, NotFound)
    s.refuse("theme.merge", {"id": "nope", "into": regie}, FACILITATOR, NotFound)


def test_remove_theme_unlinks_threads() -> None:
    s = build(moments=1, revealed=1)
    regie = flag(s, "Regie", 0)
    macht = flag(s, "Macht", 0)
    thread = s.add("thread.add", {"text": "Draad", "theme_ids": [regie, macht]})
    out = s.run("theme.remove", {"id": regie})
    assert out.type == "theme.removed"
    assert list(s.state["themes"]) == [macht]
    assert s.state["threads"][thread]["theme_ids"] == [macht]
    s.refuse("theme.remove", {"id": regie}, FACILITATOR, NotFound)
    # The label is free again: flagging it makes a new theme.
    assert flag(s, "Regie", 0) not in (regie, macht)
