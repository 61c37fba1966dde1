"""Export and import of a prepared meeting as versioned JSON.

A facilitator prepares the draft timeline (about ten moments and the interpretations collected
from 3-4 parties) before the day; the export lets that preparation live in a file instead of on
the server. An import is checked completely before anything is built, with the same limits as live
edits, so a malformed or hostile file gets one clear error naming the field and nothing of it is
half-imported. Party references inside the file use the file's own ids; the meeting gets new ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Final, Literal, TypedDict, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from . import access
from .domain import commands as c
from .domain.decide import Building
from .domain.limits import LIMITS
from .domain.meeting import Meeting, new_meeting, ordered_moments
from .domain.wording import validated
from .errors import Invalid
from .meetings import PartyIn

SCHEMA: Final = "tijdlijn.prepared-meeting"
M = TypeVar("M", bound=BaseModel)
AgendaPart = Literal["introduction", "timeline", "reflection", "agreements"]


def validate(model: type[M], data: object, what: str, schema: str | None = None) -> M:
    """``data`` as ``model``, or :class:`Invalid` saying what is wrong with which field."""
    if not isinstance(data, dict):
        raise Invalid(f"{what} is geen JSON-object.")
    if schema is not None and data.get("schema") != schema:
        raise Invalid(f"{what} is geen bestand van de soort {schema} (veld schema).")
    if schema is not None and data.get("version") != 1:
        raise Invalid(f"{what} heeft een versie die deze Tijdlijn niet kent (veld version).")
    return validated(model, data, what)


class PreparedParty(TypedDict):
    id: str
    name: str
    colour: str


class PreparedInterpretation(TypedDict):
    party_id: str
    text: str


class PreparedMoment(TypedDict):
    position: int
    text: str
    when: str
    source_party_id: str | None
    interpretations: list[PreparedInterpretation]


class PreparedMeeting(TypedDict):
    schema: Literal["tijdlijn.prepared-meeting"]
    version: Literal[1]
    title: str
    initials: str
    agenda: dict[str, int]
    ground_rules: list[str]
    parties: list[PreparedParty]
    moments: list[PreparedMoment]


def export_prepared(meeting: Meeting) -> PreparedMeeting:
    """Parties, ground rules, agenda and every moment with its interpretations (no authors)."""
    parties = sorted(meeting["parties"].values(), key=lambda p: p["position"])
    ref = {p["id"]: f"p{n}" for n, p in enumerate(parties, start=1)}
    # A stable sort: imported interpretations share one created_at and keep the file's order.
    interps = sorted(meeting["interpretations"].values(), key=lambda i: i["created_at"])
    moments: list[PreparedMoment] = [
        {
            "position": position,
            "text": m["text"],
            "when": m["when"],
            "source_party_id": ref.get(m["source_party_id"] or ""),
            "interpretations": [
                {"party_id": ref[i["party_id"]], "text": i["text"]}
                for i in interps
                if i["moment_id"] == m["id"] and i["party_id"] in ref
            ],
        }
        for position, m in enumerate(ordered_moments(meeting))
    ]
    return {
        "schema": SCHEMA,
        "version": 1,
        "title": meeting["title"],
        "initials": meeting["initials"],
        "agenda": dict(meeting["agenda"]),
        "ground_rules": list(meeting["ground_rules"]),
        "parties": [
            {"id": ref[p["id"]], "name": p["name"], "colour": p["colour"]} for p in parties
        ],
        "moments": moments,
    }


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Party(PartyIn):
    # The file's own id, for the references inside the file; the meeting gets new ones.
    id: c.Id


class _Interpretation(_Model):
    party_id: c.Id
    text: c.INTERPRETATION_TEXT


class _Moment(_Model):
    position: Annotated[int, Field(ge=0, le=1000)] | None = None
    text: c.MOMENT_TEXT
    when: c.When = ""
    source_party_id: c.Id | None = None
    interpretations: Annotated[
        list[_Interpretation], Field(max_length=LIMITS["interpretations"])
    ] = []


class _Prepared(_Model):
    schema_: Literal["tijdlijn.prepared-meeting"] = Field(alias="schema")
    version: Literal[1]
    title: c.TITLE
    initials: c.Initials
    agenda: dict[AgendaPart, Annotated[int, Field(ge=0, le=300)]] = {}
    # Absent: the handbook's example rules, as for a meeting made from scratch.
    ground_rules: Annotated[list[c.RULE], Field(max_length=LIMITS["ground_rules"])] | None = None
    parties: Annotated[list[_Party], Field(max_length=LIMITS["parties"])] = []
    moments: Annotated[list[_Moment], Field(max_length=LIMITS["moments"])] = []

    @model_validator(mode="after")
    def _references(self) -> _Prepared:
        ids = [p.id for p in self.parties]
        if len(set(ids)) != len(ids):
            raise ValueError("parties: twee partijen met hetzelfde id")
        names = [p.name.casefold() for p in self.parties]
        if len(set(names)) != len(names):
            raise ValueError("parties: twee partijen met dezelfde naam")
        known = set(ids)
        total = 0
        for m_index, moment in enumerate(self.moments):
            if moment.source_party_id is not None and moment.source_party_id not in known:
                raise ValueError(f"moments.{m_index}.source_party_id: onbekende partij")
            for i_index, interp in enumerate(moment.interpretations):
                if interp.party_id not in known:
                    raise ValueError(
                        f"moments.{m_index}.interpretations.{i_index}.party_id: onbekende partij"
                    )
            total += len(moment.interpretations)
        if total > LIMITS["interpretations"]:
            raise ValueError(f"moments: meer dan {LIMITS['interpretations']} duidingen in totaal")
        return self


def meeting_from_prepared(
    data: object,
    meeting_id: str,
    now: float,
    new_id: Callable[[], str] = access.new_item_id,
) -> Meeting:
    """A fresh meeting in preparation, every moment a draft; or :class:`Invalid`."""
    file = validate(_Prepared, data, "Dit bestand", schema=SCHEMA)
    building = Building(new_meeting(meeting_id, file.title, file.initials, now), now, new_id)
    if file.agenda or file.ground_rules is not None:
        update = c.MeetingUpdate(
            op_id="import-meeting", agenda=file.agenda or None, ground_rules=file.ground_rules
        )
        building.run("meeting.update", update)
    party_ids = {
        party.id: building.run(
            "party.add", c.PartyAdd(op_id="import", name=party.name, colour=party.colour)
        )
        for party in file.parties
    }
    order = sorted(
        enumerate(file.moments),
        key=lambda pair: (pair[1].position if pair[1].position is not None else pair[0], pair[0]),
    )
    for _index, moment in order:
        source = party_ids.get(moment.source_party_id or "")
        add = c.MomentAdd(
            op_id="import", text=moment.text, when=moment.when, source_party_id=source
        )
        mid = building.run("moment.add", add)
        for interp in moment.interpretations:
            party_id = party_ids[interp.party_id]
            interpret = c.InterpretationAdd(
                op_id="import", moment_id=mid, text=interp.text, party_id=party_id
            )
            building.run("interpretation.add", interpret)
    return building.state
