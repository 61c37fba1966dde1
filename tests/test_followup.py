"""The follow-up review: the suggested date, the .ics invitation, the follow-up pack."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
from typing import Any

import pytest
from icalendar import Calendar

from tests.support import after_meeting as sample
from tijdlijn.domain import writes
from tijdlijn.domain.decide import Actor, decide
from tijdlijn.errors import Invalid
from tijdlijn.followup import (
    DEFAULT_TITLE,
    follow_up_pack,
    invitation_ics,
    meeting_from_pack,
    suggest_follow_up_date,
)

NOW = dt.datetime(2024, 6, 3, 15, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("today", "suggested"),
    [
        (dt.date(2024, 6, 3), dt.date(2024, 9, 3)),
        (dt.date(2024, 10, 15), dt.date(2025, 1, 15)),
        (dt.date(2024, 11, 30), dt.date(2025, 2, 28)),
        (dt.date(2023, 11, 30), dt.date(2024, 2, 29)),
        (dt.date(2024, 12, 31), dt.date(2025, 3, 31)),
    ],
)
def test_suggested_date_is_three_months_out(today: dt.date, suggested: dt.date) -> None:
    assert suggest_follow_up_date(today) == suggested


def parse_event(ics: bytes) -> Any:
    calendar = Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert str(calendar["VERSION"]) == "2.0" and calendar.get("PRODID")
    return events[0]


def test_invitation_is_valid_icalendar_with_only_the_default_title() -> None:
    ics = invitation_ics(dt.date(2024, 9, 3), NOW, uid="vast-uid@tijdlijn")
    assert b"\r\n" in ics and all(len(line) <= 75 for line in ics.split(b"\r\n"))
    event = parse_event(ics)
    assert str(event["UID"]) == "vast-uid@tijdlijn"
    assert event.decoded("DTSTAMP") == NOW
    start = event.decoded("DTSTART")
    assert type(start) is dt.date and start == dt.date(2024, 9, 3)
    assert b"\r\nDTSTART;VALUE=DATE:20240903\r\n" in ics
    assert event.decoded("DTEND") == dt.date(2024, 9, 4)
    assert str(event["SUMMARY"]) == DEFAULT_TITLE


def test_invitation_carries_no_case_content_beyond_the_chosen_title() -> None:
    meeting, _ = sample.finished_meeting()
    ics = invitation_ics(dt.date(2024, 9, 3), NOW, title="  Terugkijken   team Noord ")
    assert str(parse_event(ics)["SUMMARY"]) == "Terugkijken team Noord"
    text = ics.decode()
    for content in (meeting["title"], meeting["initials"], *sample.REVEALED, sample.AGREEMENT):
        assert content not in text


def test_each_invitation_gets_its_own_uid() -> None:
    first = parse_event(invitation_ics(dt.date(2024, 9, 3), NOW))
    second = parse_event(invitation_ics(dt.date(2024, 9, 3), NOW))
    assert str(first["UID"]) != str(second["UID"])


def test_pack_holds_only_lessons_and_agreements() -> None:
    meeting, _ = sample.finished_meeting()
    pack = follow_up_pack(meeting)
    assert set(pack) == {"schema", "version", "title", "parties", "lessons", "agreements"}
    assert (pack["schema"], pack["version"]) == ("tijdlijn.followup-pack", 1)
    assert pack["lessons"] == [{"text": text} for text in sample.LESSONS]
    assert pack["agreements"][0] == {
        "text": sample.AGREEMENT,
        "owner": {"name": "Wijkteam", "colour": "#E69F00"},
        "due": "2024-09-01",
        "status": "in_progress",
    }
    assert pack["agreements"][1]["owner"] is None
    dumped = json.dumps(pack, ensure_ascii=False)
    for absent in (
        *sample.REVEALED,
        sample.DRAFT,
        sample.QUOTE,
        sample.OTHER_INTERPRETATION,
        sample.THEME,
        sample.THREAD,
        sample.INITIALS,
    ):
        assert absent not in dumped


def test_a_pack_starts_a_follow_up_meeting_that_owners_can_update() -> None:
    meeting, _ = sample.finished_meeting()
    pack = json.loads(json.dumps(follow_up_pack(meeting)))
    ids = (f"new{n}" for n in itertools.count())
    state = meeting_from_pack(pack, "follow-0123456789abcdef", 1000.0, lambda: next(ids))
    assert (state["kind"], state["phase"], state["id"]) == (
        "follow_up",
        "agreements",
        "follow-0123456789abcdef",
    )
    assert state["moments"] == {} and state["interpretations"] == {}
    parties = {p["name"]: p for p in state["parties"].values()}
    assert set(parties) == {"Wijkteam", "Politie", "School"}
    agreements = sorted(state["agreements"].values(), key=lambda a: a["position"])
    assert [a["text"] for a in agreements] == [sample.AGREEMENT, sample.AGREEMENT_2]
    assert agreements[0]["owner_party_id"] == parties["Wijkteam"]["id"]
    assert agreements[0]["status"] == "in_progress"
    assert sorted(lesson["text"] for lesson in state["lessons"].values()) == sorted(sample.LESSONS)

    # An owner sets the status from a phone, and anyone may add a new lesson.
    owner = Actor("participant", participant_id="p1", party_id=parties["Wijkteam"]["id"])
    done = decide(
        state,
        "agreement.status",
        writes.parse(
            "agreement.status", {"op_id": "s1", "id": agreements[0]["id"], "status": "done"}
        ),
        owner,
        1001.0,
        lambda: next(ids),
    )
    assert done.state["agreements"][agreements[0]["id"]]["status"] == "done"
    lesson = decide(
        done.state,
        "lesson.add",
        writes.parse("lesson.add", {"op_id": "l1", "text": "Nieuwe les"}),
        owner,
        1002.0,
        lambda: next(ids),
    )
    assert len(lesson.state["lessons"]) == len(sample.LESSONS) + 1


def good_pack() -> dict[str, Any]:
    meeting, _ = sample.finished_meeting()
    pack: dict[str, Any] = json.loads(json.dumps(follow_up_pack(meeting)))
    return pack


def broken(change: Any) -> dict[str, Any]:
    pack = copy.deepcopy(good_pack())
    change(pack)
    return pack


@pytest.mark.parametrize(
    ("pack", "named"),
    [
        ([1, 2], "geen JSON-object"),
        (broken(lambda p: p.update(schema="tijdlijn.prepared-meeting")), "schema"),
        (broken(lambda p: p.update(version=2)), "version"),
        (broken(lambda p: p.update(moments=[])), "moments: onbekend veld"),
        (broken(lambda p: p.pop("title")), "title: ontbreekt"),
        (broken(lambda p: p["parties"][1].update(colour="#123456")), "parties.1.colour"),
        (
            broken(lambda p: p["agreements"][0]["owner"].update(name="Rechtbank")),
            "agreements.0.owner",
        ),
        (broken(lambda p: p["agreements"][0].update(due="2024-02-30")), "agreements.0.due"),
        (broken(lambda p: p["agreements"][1].update(status="klaar")), "agreements.1.status"),
        (broken(lambda p: p["lessons"][0].update(text="x" * 1001)), "lessons.0.text: is te lang"),
        (broken(lambda p: p.update(lessons=[{"text": "les"}] * 61)), "lessons: heeft te veel"),
        (broken(lambda p: p["parties"].append(dict(p["parties"][0]))), "dezelfde naam"),
    ],
)
def test_a_bad_pack_is_refused_with_the_field_named(pack: Any, named: str) -> None:
    with pytest.raises(Invalid) as caught:
        meeting_from_pack(pack, "follow-0123456789abcdef", 1000.0)
    assert named in caught.value.message
    assert "Rechtbank" not in caught.value.message  # values are never echoed
