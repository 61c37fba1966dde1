"""A new meeting's state and the links to it.

The service (``Meetings.create``) stores it with its tokens and join code; the HTTP endpoints
that start a meeting (new, imported, follow-up) all go through there.
"""

from __future__ import annotations

import time
from typing import Annotated, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field

from . import access
from .domain import commands as c
from .domain.commands_method import Preconditions
from .domain.decide import Building
from .domain.items import PartyRef
from .domain.meeting import Meeting, new_meeting


class PartyIn(BaseModel):
    """A party as a new meeting, an imported one or a follow-up pack names it."""

    model_config = ConfigDict(extra="forbid")
    name: c.NAME
    colour: c.Colour


class NewMeeting(BaseModel):
    """The body of POST /api/meetings."""

    model_config = ConfigDict(extra="forbid")
    title: c.TITLE
    initials: c.Initials
    parties: Annotated[list[PartyIn], Field(max_length=12)] = []
    ground_rules: Annotated[list[c.RULE], Field(max_length=15)] | None = None
    # The handbook's checklist as ticked on the new-meeting form.
    preconditions: dict[Literal["case_calm", "most_involved", "light_tensions"], bool] = {}


class Links(TypedDict):
    facilitator: str
    cofacilitator: str
    wall: str
    join: str


class Created(TypedDict):
    meeting_id: str
    join_code: str
    facilitator_token: str
    cofacilitator_token: str
    wall_token: str
    links: Links


def build(body: NewMeeting, now: float) -> Meeting:
    """A new meeting's state, its parties added through the same rules as live edits."""
    state = new_meeting(access.new_meeting_id(), body.title, body.initials, now)
    commands: list[tuple[str, c.Command]] = [
        ("party.add", c.PartyAdd(op_id=f"create-{i}", name=p.name, colour=p.colour))
        for i, p in enumerate(body.parties)
    ]
    if body.ground_rules is not None:
        commands.append(
            (
                "meeting.update",
                c.MeetingUpdate(op_id="create-rules", ground_rules=body.ground_rules),
            )
        )
    if body.preconditions:
        commands.append(
            (
                "meeting.preconditions",
                Preconditions(op_id="create-preconditions", **body.preconditions),
            )
        )
    building = Building(state, now, access.new_item_id)
    for name, command in commands:
        building.run(name, command)
    return building.state


def links(base_url: str, join_code: str, fac: str, cofac: str, wall: str) -> Links:
    base = base_url.rstrip("/")
    return {
        "facilitator": f"{base}/facilitator#{fac}",
        "cofacilitator": f"{base}/facilitator#{cofac}",
        "wall": f"{base}/wall#{wall}",
        "join": f"{base}/join#{join_code}",
    }


def share_of(urls: Links, code: str) -> dict[str, str]:
    """What the store keeps so a facilitator console can show the code again: nothing that
    opens the meeting beyond joining (docs/privacy.md). The co-facilitator and wall links are
    rebuilt from the facilitator's own token when it connects (share.py)."""
    return {"join_code": code, "join_url": urls["join"]}


def with_code(share: dict[str, str], code: str) -> dict[str, str]:
    """``share`` with another join code (a restored meeting whose code was taken meanwhile)."""
    base, _, _ = share.get("join_url", "").rpartition("#")
    return {**share, "join_code": code, "join_url": f"{base}#{code}"}


def now() -> float:
    return time.time()


def public_parties(state: Meeting) -> list[PartyRef]:
    parties = sorted(state["parties"].values(), key=lambda p: p["position"])
    return [{"id": p["id"], "name": p["name"], "colour": p["colour"]} for p in parties]
