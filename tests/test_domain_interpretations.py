"""Interpretations: attributed to a party, owned by their author, any for the facilitator."""

from __future__ import annotations

from tests.domain_helpers import FACILITATOR, build, participant
from tijdlijn.errors import Forbidden, Invalid, NotFound


def test_participant_adds_for_its_own_party() -> None:
    s = build(moments=2, revealed=1)
    me = s.member(1, "pt-a")
    outcome = s.run(
        "interpretation.add", {"moment_id": s.moments[0], "text": " Wij wisten het niet. "}, me
    )
    assert outcome.type == "interpretation.added"
    item = s.state["interpretations"][outcome.result["id"]]
    assert item["party_id"] == s.parties[1]
    assert item["moment_id"] == s.moments[0]
    assert item["text"] == "Wij wisten het niet."
    assert item["created_at"] == item["updated_at"] == s.now
    assert item["author"] == "pt-a"
    assert item["pii"] is False


def test_participant_may_name_its_own_party_but_no_other() -> None:
    s = build(moments=1, revealed=1)
    me = s.member(1)
    own = s.add(
        "interpretation.add", {"moment_id": s.moments[0], "text": "x", "party_id": s.parties[1]}, me
    )
    assert s.state["interpretations"][own]["party_id"] == s.parties[1]
    s.refuse(
        "interpretation.add",
        {"moment_id": s.moments[0], "text": "x", "party_id": s.parties[2]},
        me,
        Forbidden,
    )


def test_participant_of_a_removed_party_cannot_add() -> None:
    s = build(moments=1, revealed=1)
    ghost = participant("gone-party")
    s.refuse("interpretation.add", {"moment_id": s.moments[0], "text": "x"}, ghost, NotFound)


def test_facilitator_must_pick_an_existing_party() -> None:
    s = build(moments=1, revealed=1)
    payload = {"moment_id": s.moments[0], "text": "Namens de school."}
    error = s.refuse("interpretation.add", payload, FACILITATOR, Invalid)
    assert "partij" in error.message
    s.refuse("interpretation.add", {**payload, "party_id": "nope"}, FACILITATOR, NotFound)
    iid = s.add("interpretation.add", {**payload, "party_id": s.parties[2]})
    item = s.state["interpretations"][iid]
    assert item["party_id"] == s.parties[2]
    assert "author" not in item


def test_interpretation_on_a_draft_does_not_exist_for_participants() -> None:
    s = build(moments=2, revealed=1)
    draft = s.moments[1]
    s.refuse("interpretation.add", {"moment_id": draft, "text": "x"}, s.member(0), NotFound)
    s.refuse("interpretation.add", {"moment_id": "nope", "text": "x"}, s.member(0), NotFound)
    # The facilitator may prepare one on a draft.
    iid = s.add("interpretation.add", {"moment_id": draft, "text": "x", "party_id": s.parties[0]})
    assert s.state["interpretations"][iid]["moment_id"] == draft


def test_own_interpretation_on_an_undone_reveal_is_out_of_reach() -> None:
    s = build(moments=1, revealed=1)
    me = s.member(0)
    iid = s.interpret(s.moments[0], me)
    s.run("moment.unreveal")
    s.refuse("interpretation.update", {"id": iid, "text": "y"}, me, NotFound)
    s.refuse("interpretation.remove", {"id": iid}, me, NotFound)
    s.reveal()
    s.run("interpretation.update", {"id": iid, "text": "y"}, me)
    assert s.state["interpretations"][iid]["text"] == "y"


def test_participant_edits_and_deletes_own_only() -> None:
    s = build(moments=1, revealed=1)
    author = s.member(0, "pt-author")
    colleague = s.member(0, "pt-colleague")  # same party, another person
    iid = s.interpret(s.moments[0], author, "Eerste versie.")
    created = s.state["interpretations"][iid]["created_at"]

    s.refuse("interpretation.update", {"id": iid, "text": "Van mij nu."}, colleague, Forbidden)
    s.refuse("interpretation.remove", {"id": iid}, colleague, Forbidden)
    s.refuse("interpretation.update", {"id": iid, "text": "x"}, s.member(1), Forbidden)

    update = s.run("interpretation.update", {"id": iid, "text": "Tweede versie."}, author)
    assert update.type == "interpretation.updated"
    item = s.state["interpretations"][iid]
    assert item["text"] == "Tweede versie."
    assert item["created_at"] == created < item["updated_at"] == s.now
    assert item["author"] == "pt-author"

    removed = s.run("interpretation.remove", {"id": iid}, author)
    assert removed.type == "interpretation.removed"
    assert iid not in s.state["interpretations"]
    s.refuse("interpretation.remove", {"id": iid}, author, NotFound)


def test_participant_cannot_edit_a_facilitator_interpretation() -> None:
    s = build(moments=1, revealed=1)
    iid = s.interpret(s.moments[0], FACILITATOR)
    s.refuse("interpretation.update", {"id": iid, "text": "x"}, s.member(0), Forbidden)
    s.refuse("interpretation.remove", {"id": iid}, s.member(0), Forbidden)


def test_facilitator_edits_moves_and_deletes_any() -> None:
    s = build(moments=3, revealed=2)
    iid = s.interpret(s.moments[0], s.member(2, "pt-x"))
    s.run("interpretation.update", {"id": iid, "text": "Ingekort."})
    item = s.state["interpretations"][iid]
    assert item["text"] == "Ingekort."
    assert item["author"] == "pt-x"  # the author may still edit it
    assert item["party_id"] == s.parties[2]

    moved = s.run("interpretation.move", {"id": iid, "moment_id": s.moments[1]})
    assert moved.type == "interpretation.moved"
    assert s.state["interpretations"][iid]["moment_id"] == s.moments[1]
    s.refuse("interpretation.move", {"id": iid, "moment_id": "nope"}, FACILITATOR, NotFound)
    s.refuse(
        "interpretation.move", {"id": "nope", "moment_id": s.moments[0]}, FACILITATOR, NotFound
    )

    s.run("interpretation.update", {"id": iid, "text": "Weer."}, s.member(2, "pt-x"))
    s.run("interpretation.remove", {"id": iid})
    assert s.state["interpretations"] == {}


def test_remove_drops_theme_flags_on_it() -> None:
    s = build(moments=1, revealed=1)
    me = s.member(0)
    iid = s.interpret(s.moments[0], me)
    theme = s.add("theme.flag", {"label": "Regie", "target": "interpretation", "id": iid}, me)
    s.run("theme.flag", {"theme_id": theme, "target": "moment", "id": s.moments[0]}, me)
    s.run("interpretation.remove", {"id": iid}, me)
    # The flag keeps its author (pt-0) so that participant can take it back later.
    assert s.state["themes"][theme]["flags"] == [
        {"target": "moment", "id": s.moments[0], "author": "pt-0"}
    ]


def test_personal_data_is_marked() -> None:
    s = build(moments=1, revealed=1)
    me = s.member(0)
    iid = s.interpret(s.moments[0], me, "Mail jan@example.org even.")
    assert s.state["interpretations"][iid]["pii"] is True
    s.run("interpretation.update", {"id": iid, "text": "Zonder adres."}, me)
    assert s.state["interpretations"][iid]["pii"] is False


def test_unknown_interpretation() -> None:
    s = build(moments=1, revealed=1)
    s.refuse("interpretation.update", {"id": "nope", "text": "x"}, FACILITATOR, NotFound)
    s.refuse("interpretation.update", {"id": "nope", "text": "x"}, s.member(0), NotFound)
