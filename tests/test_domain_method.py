"""The method around the meeting, in the pure domain: the intake per party and taking its moments
into the draft timeline, absent parties, new information, preconditions and ground rules accepted
again. With what each role sees: intake content never reaches participants or the wall before its
moment is revealed, and an intake link sees only its own party."""

from __future__ import annotations

import json
from typing import Any

from tests.domain_helpers import FACILITATOR, Session, build
from tijdlijn.domain.decide import Actor
from tijdlijn.domain.evolve import clone, evolve
from tijdlijn.domain.visibility import (
    facilitator_view,
    intake_view,
    public_view,
    strip_authors,
    touches_intake,
)
from tijdlijn.errors import Conflict, Forbidden, Invalid, NotFound

CANARY = "INTAKE-CANARY"
HASH_A, HASH_B = "a1" * 32, "b2" * 32


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def link(s: Session, intake_id: str) -> Actor:
    party = s.state["intakes"][intake_id]["party_id"]
    return Actor("intake", participant_id=intake_id, party_id=party)


def two_intakes() -> tuple[Session, Actor, Actor]:
    s = build(moments=0, phase=None)
    a = s.add("intake.open", {"party_id": s.parties[0], "token_hash": HASH_A})
    b = s.add("intake.open", {"party_id": s.parties[1], "token_hash": HASH_B})
    return s, link(s, a), link(s, b)


def entry(s: Session, who: Actor, text: str, when: str = "", experience: str = "") -> str:
    payload = {"text": text, "when": when, "experience": experience}
    return s.add("intake.add", payload, who)


def test_an_intake_link_adds_and_edits_its_own_party_only() -> None:
    s, a, b = two_intakes()
    mine = entry(s, a, "Melding bij het wijkteam", "maart 2024", "We schrokken ervan.")
    theirs = entry(s, b, f"{CANARY} zorgmelding", "april 2024", f"{CANARY} beleving")
    stored = s.state["intake_entries"][mine]
    assert (stored["party_id"], stored["when"], stored["experience"]) == (
        s.parties[0],
        "maart 2024",
        "We schrokken ervan.",
    )
    s.run("intake.update", {"id": mine, "experience": "We schrokken er echt van."}, a)
    assert s.state["intake_entries"][mine]["experience"] == "We schrokken er echt van."
    # Another party's entry does not exist for this link, nor can it write for another party.
    s.refuse("intake.update", {"id": theirs, "text": "x"}, a, NotFound)
    s.refuse("intake.remove", {"id": theirs}, a, NotFound)
    s.refuse("intake.add", {"text": "x", "party_id": s.parties[1]}, a, Forbidden)
    # What the link sees: its own party's entries, nothing of the other intake or the meeting.
    view = intake_view(s.state, a.participant_id)
    assert set(view["entries"]) == {mine}
    assert view["party"]["id"] == s.parties[0] and view["status"] == "open"
    assert CANARY not in dumps(view)
    assert set(view) == {"id", "title", "status", "party", "entries"}
    s.run("intake.remove", {"id": mine}, a)
    assert mine not in s.state["intake_entries"]


def test_the_facilitator_adds_input_gathered_by_phone_for_a_named_party() -> None:
    s, _, _ = two_intakes()
    s.refuse("intake.add", {"text": "Gebeld"}, FACILITATOR, Invalid)
    eid = s.add("intake.add", {"text": "Gebeld", "party_id": s.parties[2]})
    assert s.state["intake_entries"][eid]["party_id"] == s.parties[2]


def test_closing_a_new_link_and_the_start_end_the_link() -> None:
    s, a, _ = two_intakes()
    eid = entry(s, a, "Eerste moment")
    s.run("intake.close", {"party_id": s.parties[0]})
    assert intake_view(s.state, a.participant_id) == {
        **intake_view(s.state, a.participant_id),
        "status": "closed",
        "entries": {},
    }
    s.refuse("intake.add", {"text": "Te laat"}, a, Forbidden)
    s.refuse("intake.update", {"id": eid, "text": "Te laat"}, a, Forbidden)
    # A new link for the party replaces the old one; the entries stay with the party.
    new = s.add("intake.open", {"party_id": s.parties[0], "token_hash": "c3" * 32})
    fresh = link(s, new)
    assert set(intake_view(s.state, new)["entries"]) == {eid}
    s.refuse("intake.add", {"text": "Oude link"}, a, Forbidden)
    entry(s, fresh, "Nieuwe link")
    # The meeting starts: every link closes, also after going back to preparation.
    s.run("meeting.phase", {"phase": "introduction"})
    assert all(i["status"] == "closed" for i in s.state["intakes"].values())
    s.refuse("intake.open", {"party_id": s.parties[0], "token_hash": HASH_A}, FACILITATOR, Conflict)
    s.run("meeting.phase", {"phase": "preparation"})
    s.refuse("intake.add", {"text": "Na de start"}, fresh, Forbidden)


def test_taking_merging_and_carrying_experiences() -> None:
    s, a, b = two_intakes()
    one = entry(s, a, "Wij belden de school", "maart", "We voelden ons niet gehoord.")
    same = entry(s, b, "Telefoontje van het wijkteam", "maart", "Dat kwam onverwacht.")
    alone = entry(s, b, "Overleg", "april")
    taken = s.run(
        "intake.take", {"entry_ids": [one, same], "text": "Telefoongesprek wijkteam en school"}
    )
    assert taken.type == "intake.taken"
    mid = taken.result["id"]
    moment = s.state["moments"][mid]
    assert (moment["text"], moment["when"], moment["state"]) == (
        "Telefoongesprek wijkteam en school",
        "maart",
        "draft",
    )
    assert moment["source_party_id"] is None  # merged from two parties: no one party's moment
    prepared = [i for i in s.state["interpretations"].values() if i["moment_id"] == mid]
    assert sorted((i["party_id"], i["text"], i["prepared"]) for i in prepared) == sorted(
        [
            (s.parties[0], "We voelden ons niet gehoord.", True),
            (s.parties[1], "Dat kwam onverwacht.", True),
        ]
    )
    # Taken entries are locked for their party and cannot be taken twice.
    s.refuse("intake.update", {"id": one, "text": "x"}, a, Conflict)
    s.refuse("intake.take", {"entry_ids": [one]}, FACILITATOR, Conflict)
    assert intake_view(s.state, a.participant_id)["entries"][one]["taken"] is True
    # One party's entry keeps that party as source; without a text it keeps the party's words.
    single = s.run("intake.take", {"entry_ids": [alone]}).result["id"]
    assert s.state["moments"][single]["source_party_id"] == s.parties[1]
    assert s.state["moments"][single]["text"] == "Overleg"
    assert not [i for i in s.state["interpretations"].values() if i["moment_id"] == single]
    # Merging later: add an entry to an existing moment.
    late = entry(s, a, "Nog een telefoontje", "maart", "Toen begrepen we het.")
    merged = s.run("intake.take", {"entry_ids": [late], "moment_id": mid})
    assert merged.type == "intake.merged" and merged.result["id"] == mid
    assert len([i for i in s.state["interpretations"].values() if i["moment_id"] == mid]) == 3
    # Removing the moment gives the entries back.
    s.run("moment.remove", {"id": mid})
    assert s.state["intake_entries"][one]["moment_id"] is None
    s.run("intake.update", {"id": one, "text": "Weer te bewerken"}, a)


def test_intake_content_never_reaches_participants_or_the_wall_before_the_reveal() -> None:
    s, a, b = two_intakes()
    first = entry(s, a, f"{CANARY} moment", "maart", f"{CANARY} beleving")
    entry(s, b, f"{CANARY} ander", "april", f"{CANARY} ander")
    publics = []
    mid = s.run("intake.take", {"entry_ids": [first]}).result["id"]
    s.run("party.update", {"id": s.parties[0], "absent": True})
    for name, payload in (
        ("meeting.phase", {"phase": "timeline"}),
        ("new_information.add", {}),
        ("meeting.preconditions", {"case_calm": True}),
    ):
        publics.append(s.run(name, payload).public)
    view = public_view(s.state)
    assert CANARY not in dumps(view) and CANARY not in dumps(publics)
    for hidden in ("intakes", "intake_entries", "new_information", "preconditions"):
        assert hidden not in view
    assert not any(i.get("prepared") for i in view["interpretations"].values())
    revealed = s.run("moment.reveal", {"id": mid})
    shown = public_view(s.state)
    prepared = [i for i in shown["interpretations"].values() if i["moment_id"] == mid]
    assert [(i["text"], i["prepared"]) for i in prepared] == [(f"{CANARY} beleving", True)]
    assert shown["parties"][s.parties[0]]["absent"] is True
    # Only the revealed moment and its interpretation: the other intake stays hidden.
    assert dumps(revealed.public).count(CANARY) == 2
    assert f"{CANARY} ander" not in dumps(shown)


def test_facilitators_never_get_token_hashes_or_who_accepted() -> None:
    s, _, _ = two_intakes()
    opened = s.run("intake.open", {"party_id": s.parties[2], "token_hash": "d4" * 32})
    assert "d4" * 32 in dumps(opened.changes)  # the stored truth keeps the hash ...
    assert "d4" * 32 not in dumps(strip_authors(opened.changes))  # ... devices never get it
    assert HASH_A not in dumps(facilitator_view(s.state))
    assert touches_intake(opened.changes)
    accepted = s.run("ground_rules.accept", {"version": 1}, s.member(0, "pt-secret"))
    assert "pt-secret" in dumps(accepted.changes)
    assert "pt-secret" not in dumps(strip_authors(accepted.changes) + accepted.public)
    assert facilitator_view(s.state)["ground_rules_accepted"] == 1  # type: ignore[typeddict-item]
    assert "pt-secret" not in dumps(facilitator_view(s.state)) + dumps(public_view(s.state))
    assert not touches_intake(accepted.changes)


def test_ground_rules_changed_after_acceptance_are_accepted_again() -> None:
    s = build(moments=0, phase="introduction")
    s.run("ground_rules.accept", {"version": 1}, s.member(0, "pt-a"))
    s.run("ground_rules.accept", {"version": 1}, s.member(0, "pt-a"))  # twice counts once
    s.run("ground_rules.accept", {"version": 1}, s.member(1, "pt-b"))
    assert facilitator_view(s.state)["ground_rules_accepted"] == 2  # type: ignore[typeddict-item]
    same = s.run("meeting.update", {"ground_rules": list(s.state["ground_rules"])})
    assert same.changes == []  # unchanged rules: nothing to accept again
    changed = s.run("meeting.update", {"ground_rules": ["Luister naar elkaar."]})
    assert changed.public == [
        {
            "op": "set",
            "fields": {"ground_rules": ["Luister naar elkaar."], "ground_rules_version": 2},
        }
    ]
    fac = evolve(facilitator_view(clone(s.state)), [])
    assert fac["ground_rules_accepted"] == 0  # type: ignore[typeddict-item]
    s.refuse("ground_rules.accept", {"version": 1}, s.member(0, "pt-a"), Conflict)
    s.run("ground_rules.accept", {"version": 2}, s.member(0, "pt-a"))
    assert facilitator_view(s.state)["ground_rules_accepted"] == 1  # type: ignore[typeddict-item]


def test_new_information_must_be_agreed_before_closing() -> None:
    s = build(moments=1, revealed=1)
    s.refuse("new_information.add", {}, s.member(0), Forbidden)
    first = s.add("new_information.add", {})
    second = s.add("new_information.add", {})
    note = s.state["new_information"][first]
    assert note["moment_id"] == s.moments[0] and note["agreement"] is None
    assert set(note) == {"id", "created_at", "moment_id", "agreement", "pii"}  # no information
    error = s.refuse("meeting.phase", {"phase": "closed"}, FACILITATOR, Conflict)
    assert "2" in error.message
    s.run("new_information.agree", {"id": first, "agreement": "De school meldt opnieuw aan."})
    s.refuse("meeting.phase", {"phase": "closed"}, FACILITATOR, Conflict)
    s.run("new_information.remove", {"id": second})  # noted by mistake
    s.run("meeting.phase", {"phase": "closed"})
    assert s.state["phase"] == "closed"
    s.refuse("new_information.add", {}, FACILITATOR, Conflict)
    assert "new_information" not in public_view(s.state)


def test_new_information_is_noted_during_the_meeting_only() -> None:
    s = build(moments=0, phase=None)
    s.refuse("new_information.add", {}, FACILITATOR, Conflict)


def test_preconditions_are_kept_and_never_block() -> None:
    s = build(moments=0, phase=None)
    assert s.state["preconditions"] == {
        "case_calm": None,
        "most_involved": None,
        "light_tensions": None,
    }
    s.run("meeting.preconditions", {"case_calm": True, "light_tensions": False})
    s.run("meeting.preconditions", {"most_involved": True})
    assert s.state["preconditions"] == {
        "case_calm": True,
        "most_involved": True,
        "light_tensions": False,
    }
    s.run("meeting.phase", {"phase": "introduction"})  # tensions too high: advice, not a block
    assert "preconditions" not in public_view(s.state)


def test_removing_a_party_ends_its_intake() -> None:
    s, a, _ = two_intakes()
    entry(s, a, "Moment", experience="Beleving")
    s.run("party.remove", {"id": s.parties[0]})
    assert not [e for e in s.state["intake_entries"].values() if e["party_id"] == s.parties[0]]
    assert a.participant_id not in s.state["intakes"]


def test_intake_entries_are_checked_for_personal_data() -> None:
    s, a, _ = two_intakes()
    eid = entry(s, a, "Gesprek met moeder", experience="Ze gaf haar nummer 06-12345678 door.")
    assert s.state["intake_entries"][eid]["pii"] is True
    mid = s.run("intake.take", {"entry_ids": [eid], "text": "Gesprek"}).result["id"]
    carried = [i for i in s.state["interpretations"].values() if i["moment_id"] == mid]
    assert carried[0]["pii"] is True


def test_an_absent_partys_interpretations_added_in_preparation_are_prepared() -> None:
    s = build(moments=2, revealed=1)
    draft = s.moments[1]
    before = s.add(
        "interpretation.add", {"moment_id": draft, "text": "Vooraf", "party_id": s.parties[1]}
    )
    live = s.add(
        "interpretation.add", {"moment_id": s.moments[0], "text": "Live", "party_id": s.parties[1]}
    )
    assert s.state["interpretations"][before]["prepared"] is True
    assert s.state["interpretations"][live]["prepared"] is False
    s.run("party.update", {"id": s.parties[1], "absent": True})
    assert s.state["parties"][s.parties[1]]["absent"] is True
    s.run("party.update", {"id": s.parties[1], "absent": False})
    assert s.state["parties"][s.parties[1]]["absent"] is False


def test_a_meeting_stored_before_the_method_fields_still_works() -> None:
    s = build(moments=1, revealed=1)
    old = dict(s.state)
    for key in (
        "intakes",
        "intake_entries",
        "new_information",
        "preconditions",
        "ground_rules_version",
        "rule_acceptances",
    ):
        old.pop(key)
    s.state = old  # type: ignore[assignment]
    assert public_view(s.state)["moments"]
    assert facilitator_view(s.state)["ground_rules_accepted"] == 0  # type: ignore[typeddict-item]
    s.add("new_information.add", {})
    assert len(s.state["new_information"]) == 1
    from tijdlijn.service import deletion_receipt

    assert deletion_receipt("m", old, 1, 0)["items_removed"]["intakes"] == 0  # type: ignore[arg-type]
