"""The follow-up review (terugkijkmoment): its calendar invitation and the follow-up pack.

The handbook has the parties look back 3 to 6 months after the meeting. The server keeps nothing
that long (a meeting lives hours), so what the parties need travels with them: an invitation
without case content, and a pack with only the lessons and working agreements. Importing the
pack starts a follow-up meeting in which owners set the status of their agreements.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections.abc import Callable
from typing import Annotated, Final, Literal, TypedDict

from icalendar import Calendar, Event
from pydantic import BaseModel, ConfigDict, Field, model_validator

from . import access
from .domain import commands as c
from .domain.decide import Building
from .domain.items import AgreementStatus
from .domain.limits import LIMITS
from .domain.meeting import Meeting, new_meeting
from .meetings import PartyIn
from .portability import validate

PACK_SCHEMA: Final = "tijdlijn.followup-pack"
DEFAULT_TITLE = "Terugkijkmoment casusreconstructie"
DESCRIPTION = (
    "Terugkijken op de lessen en werkafspraken van de casusreconstructie: wat heeft het ons "
    "gebracht, doen we nu dingen anders? Neem het vervolgpakket (JSON) mee."
)


def suggest_follow_up_date(today: dt.date) -> dt.date:
    """Three months out (the method says 3 to 6), on the last day of a shorter month if needed."""
    month = today.month + 3
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def invitation_ics(
    day: dt.date,
    now: dt.datetime,
    title: str | None = None,
    uid: str | None = None,
) -> bytes:
    """An RFC 5545 all-day event; its summary is the facilitator's title and nothing else."""
    summary = " ".join((title or "").split()) or DEFAULT_TITLE
    cal = Calendar()
    cal.add("prodid", "-//Tijdlijn//casusreconstructie//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid or f"{uuid.uuid4()}@tijdlijn")
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary[:120])
    event.add("description", DESCRIPTION)
    event.add("transp", "TRANSPARENT")
    cal.add_component(event)
    ics: bytes = cal.to_ical()
    return ics


class PackParty(TypedDict):
    name: str
    colour: str


class PackLesson(TypedDict):
    text: str


class PackAgreement(TypedDict):
    text: str
    owner: PackParty | None
    due: str | None
    status: AgreementStatus


class FollowUpPack(TypedDict):
    schema: Literal["tijdlijn.followup-pack"]
    version: Literal[1]
    title: str
    parties: list[PackParty]
    lessons: list[PackLesson]
    agreements: list[PackAgreement]


def follow_up_pack(meeting: Meeting) -> FollowUpPack:
    """Only what the follow-up needs: no moments, no interpretations, no initials."""
    parties = sorted(meeting["parties"].values(), key=lambda p: p["position"])
    by_id = {p["id"]: PackParty(name=p["name"], colour=p["colour"]) for p in parties}
    return {
        "schema": PACK_SCHEMA,
        "version": 1,
        "title": meeting["title"],
        "parties": [by_id[p["id"]] for p in parties],
        "lessons": [
            {"text": lesson["text"]}
            for lesson in sorted(meeting["lessons"].values(), key=lambda x: x["position"])
        ],
        "agreements": [
            {
                "text": a["text"],
                "owner": by_id.get(a["owner_party_id"] or ""),
                "due": a["due"],
                "status": a["status"],
            }
            for a in sorted(meeting["agreements"].values(), key=lambda x: x["position"])
        ],
    }


class _Lesson(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: c.LONG_TEXT


class _Agreement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: c.LONG_TEXT
    owner: PartyIn | None = None
    due: c.DateStr | None = None
    status: AgreementStatus = "not_started"


class _Pack(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schema_: Literal["tijdlijn.followup-pack"] = Field(alias="schema")
    version: Literal[1]
    title: c.TITLE
    parties: Annotated[list[PartyIn], Field(max_length=LIMITS["parties"])]
    lessons: Annotated[list[_Lesson], Field(max_length=LIMITS["lessons"])] = []
    agreements: Annotated[list[_Agreement], Field(max_length=LIMITS["agreements"])] = []

    @model_validator(mode="after")
    def _references(self) -> _Pack:
        names = [p.name.casefold() for p in self.parties]
        if len(set(names)) != len(names):
            raise ValueError("parties: twee partijen met dezelfde naam")
        known = {(p.name.casefold(), p.colour) for p in self.parties}
        for index, agreement in enumerate(self.agreements):
            owner = agreement.owner
            if owner is not None and (owner.name.casefold(), owner.colour) not in known:
                raise ValueError(f"agreements.{index}.owner: geen partij uit de lijst parties")
        return self


def meeting_from_pack(
    pack: object,
    meeting_id: str,
    now: float,
    new_id: Callable[[], str] = access.new_item_id,
) -> Meeting:
    """A follow-up meeting (phase "agreements") with the pack's parties, lessons, agreements.

    Raises :class:`tijdlijn.errors.Invalid` naming what is wrong; nothing is built then.
    """
    data = validate(_Pack, pack, "Dit vervolgpakket", schema=PACK_SCHEMA)
    state = new_meeting(meeting_id, data.title, "", now, kind="follow_up")
    building = Building(state, now, new_id)
    building.run("meeting.phase", c.MeetingPhase(op_id="follow-up", phase="agreements"))
    party_ids = {
        party.name.casefold(): building.run(
            "party.add", c.PartyAdd(op_id="follow-up", name=party.name, colour=party.colour)
        )
        for party in data.parties
    }
    for lesson in data.lessons:
        building.run("lesson.add", c.LessonAdd(op_id="follow-up", text=lesson.text))
    for agreement in data.agreements:
        owner = party_ids[agreement.owner.name.casefold()] if agreement.owner else None
        add = c.AgreementAdd(
            op_id="follow-up", text=agreement.text, owner_party_id=owner, due=agreement.due
        )
        aid = building.run("agreement.add", add)
        if agreement.status != "not_started":
            status = c.AgreementStatusSet(op_id="follow-up", id=aid, status=agreement.status)
            building.run("agreement.status", status)
    return building.state
