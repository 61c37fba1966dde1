"""Common threads, lessons, working agreements and parties."""

from __future__ import annotations

from tests.domain_helpers import FACILITATOR, build
from tijdlijn.errors import Conflict, Forbidden, NotFound


# common threads
def test_thread_with_level_and_links() -> None:
    s = build(moments=3, revealed=2)
    theme = s.add("theme.flag", {"label": "Regie", "target": "moment", "id": s.moments[0]})
    out = s.run(
        "thread.add",
        {
            "text": " Niemand voelde zich eigenaar. ",
            "level": "playing_field",
            # Duplicates collapse; a draft may be linked (the facilitator prepares).
            "moment_ids": [s.moments[1], s.moments[0], s.moments[1], s.moments[2]],
            "theme_ids": [theme, theme],
        },
    )
    assert out.type == "thread.added"
    tid = out.result["id"]
    assert s.state["threads"][tid] == {
        "id": tid,
        "text": "Niemand voelde zich eigenaar.",
        "level": "playing_field",
        "moment_ids": [s.moments[1], s.moments[0], s.moments[2]],
        "theme_ids": [theme],
        "position": 0,
    }
    second = s.add("thread.add", {"text": "Tweede"})
    assert s.state["threads"][second]["position"] == 1
    assert s.state["threads"][second]["level"] is None
    assert s.state["threads"][second]["moment_ids"] == []


def test_thread_unknown_links_are_not_found() -> None:
    s = build(moments=1)
    s.refuse("thread.add", {"text": "x", "moment_ids": ["nope"]}, FACILITATOR, NotFound)
    s.refuse("thread.add", {"text": "x", "theme_ids": ["nope"]}, FACILITATOR, NotFound)
    tid = s.add("thread.add", {"text": "x", "moment_ids": [s.moments[0]]})
    s.refuse("thread.update", {"id": tid, "moment_ids": ["nope"]}, FACILITATOR, NotFound)
    s.refuse("thread.update", {"id": tid, "theme_ids": ["nope"]}, FACILITATOR, NotFound)
    s.refuse("thread.update", {"id": "nope", "text": "y"}, FACILITATOR, NotFound)


def test_thread_update() -> None:
    s = build(moments=2, revealed=2)
    theme = s.add("theme.flag", {"label": "Regie", "target": "moment", "id": s.moments[0]})
    tid = s.add("thread.add", {"text": "x", "level": "relations", "moment_ids": [s.moments[0]]})
    s.run("thread.update", {"id": tid, "text": "y", "level": "content"})
    thread = s.state["threads"][tid]
    assert (thread["text"], thread["level"], thread["moment_ids"]) == (
        "y",
        "content",
        [s.moments[0]],
    )
    s.run("thread.update", {"id": tid, "moment_ids": [s.moments[1]], "theme_ids": [theme]})
    thread = s.state["threads"][tid]
    assert (thread["moment_ids"], thread["theme_ids"], thread["level"]) == (
        [s.moments[1]],
        [theme],
        "content",
    )
    s.run("thread.update", {"id": tid, "clear_level": True, "moment_ids": []})
    thread = s.state["threads"][tid]
    assert thread["level"] is None and thread["moment_ids"] == [] and thread["text"] == "y"


def test_thread_remove() -> None:
    s = build(moments=0)
    tid = s.add("thread.add", {"text": "x"})
    assert s.run("thread.remove", {"id": tid}).type == "thread.removed"
    assert s.state["threads"] == {}
    s.refuse("thread.remove", {"id": tid}, FACILITATOR, NotFound)


# lessons
def test_lessons() -> None:
    s = build(moments=0)
    first = s.add("lesson.add", {"text": "Eerder bellen."})
    second = s.add("lesson.add", {"text": "Mail naar a@b.nl"})
    lessons = s.state["lessons"]
    assert lessons[first] == {"id": first, "text": "Eerder bellen.", "position": 0, "pii": False}
    assert lessons[second]["position"] == 1 and lessons[second]["pii"] is True
    assert s.run("lesson.update", {"id": second, "text": "Geen adres."}).type == "lesson.updated"
    assert s.state["lessons"][second]["pii"] is False
    assert s.run("lesson.remove", {"id": first}).type == "lesson.removed"
    assert list(s.state["lessons"]) == [second]
    third = s.add("lesson.add", {"text": "Nog een."})
    assert s.state["lessons"][third]["position"] == 2
    s.refuse("lesson.update", {"id": first, "text": "x"}, FACILITATOR, NotFound)
    s.refuse("lesson.remove", {"id": first}, FACILITATOR, NotFound)


# working agreements
def test_agreement_with_owner_and_due_date() -> None:
    s = build(moments=0)
    out = s.run(
        "agreement.add",
        {"text": "Maandelijks overleg.", "owner_party_id": s.parties[1], "due": "2025-06-01"},
    )
    assert out.type == "agreement.added"
    aid = out.result["id"]
    assert s.state["agreements"][aid] == {
        "id": aid,
        "text": "Maandelijks overleg.",
        "owner_party_id": s.parties[1],
        "due": "2025-06-01",
        "status": "not_started",
        "position": 0,
        "pii": False,
    }
    s.refuse("agreement.add", {"text": "x", "owner_party_id": "nope"}, FACILITATOR, NotFound)


def test_agreement_update_and_clear() -> None:
    s = build(moments=0)
    aid = s.add("agreement.add", {"text": "x"})
    assert s.state["agreements"][aid]["owner_party_id"] is None
    assert s.state["agreements"][aid]["due"] is None
    s.run("agreement.update", {"id": aid, "owner_party_id": s.parties[0], "due": "2025-01-31"})
    a = s.state["agreements"][aid]
    assert (a["owner_party_id"], a["due"], a["text"]) == (s.parties[0], "2025-01-31", "x")
    s.run("agreement.update", {"id": aid, "text": "y", "clear_owner": True, "clear_due": True})
    a = s.state["agreements"][aid]
    assert (a["owner_party_id"], a["due"], a["text"]) == (None, None, "y")
    s.refuse("agreement.update", {"id": aid, "owner_party_id": "nope"}, FACILITATOR, NotFound)
    s.refuse("agreement.update", {"id": "nope", "text": "z"}, FACILITATOR, NotFound)
    assert s.run("agreement.remove", {"id": aid}).type == "agreement.removed"
    s.refuse("agreement.remove", {"id": aid}, FACILITATOR, NotFound)


def test_agreement_status_by_owner_party_only() -> None:
    s = build(moments=0)
    aid = s.add("agreement.add", {"text": "x", "owner_party_id": s.parties[1]})
    unowned = s.add("agreement.add", {"text": "y"})
    # Anyone of the owner party, not just one person.
    out = s.run("agreement.status", {"id": aid, "status": "in_progress"}, s.member(1, "pt-a"))
    assert out.type == "agreement.status_changed"
    s.run("agreement.status", {"id": aid, "status": "done"}, s.member(1, "pt-b"))
    assert s.state["agreements"][aid]["status"] == "done"
    s.refuse("agreement.status", {"id": aid, "status": "not_started"}, s.member(0), Forbidden)
    s.refuse("agreement.status", {"id": unowned, "status": "done"}, s.member(0), Forbidden)
    s.refuse("agreement.status", {"id": "nope", "status": "done"}, s.member(0), NotFound)
    s.run("agreement.status", {"id": unowned, "status": "done"})
    assert s.state["agreements"][unowned]["status"] == "done"


# parties
def test_parties() -> None:
    s = build(parties=("Wijkteam",), moments=0)
    assert s.state["parties"][s.parties[0]] == {
        "id": s.parties[0],
        "name": "Wijkteam",
        "colour": "#E69F00",
        "position": 0,
        "absent": False,
    }
    school = s.add("party.add", {"name": "School", "colour": "#56B4E9"})
    assert s.state["parties"][school]["position"] == 1
    s.refuse("party.add", {"name": "wijkteam", "colour": "#009E73"}, FACILITATOR, Conflict)
    s.run("party.update", {"id": school, "name": "Onderwijs", "colour": "#000000"})
    assert s.state["parties"][school]["name"] == "Onderwijs"
    assert s.state["parties"][school]["colour"] == "#000000"
    s.refuse("party.update", {"id": "nope", "name": "x"}, FACILITATOR, NotFound)
    # Renaming onto another party's name is refused like adding it; a case change is fine.
    s.refuse("party.update", {"id": school, "name": "WIJKTEAM"}, FACILITATOR, Conflict)
    s.run("party.update", {"id": school, "name": "ONDERWIJS"})
    assert s.state["parties"][school]["name"] == "ONDERWIJS"


def test_party_remove_refused_with_interpretations_and_cascades_otherwise() -> None:
    s = build(moments=2, revealed=1)
    busy, idle = s.parties[0], s.parties[1]
    s.interpret(s.moments[0], s.member(0))
    s.refuse("party.remove", {"id": busy}, FACILITATOR, Conflict)
    s.run("moment.update", {"id": s.moments[1], "source_party_id": idle})
    aid = s.add("agreement.add", {"text": "x", "owner_party_id": idle})
    out = s.run("party.remove", {"id": idle})
    assert out.type == "party.removed"
    assert idle not in s.state["parties"]
    assert s.state["moments"][s.moments[1]]["source_party_id"] is None
    assert s.state["agreements"][aid]["owner_party_id"] is None
    s.refuse("party.remove", {"id": idle}, FACILITATOR, NotFound)
