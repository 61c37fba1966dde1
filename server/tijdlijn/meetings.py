"""Creating a meeting: its state, its tokens, its join code, its links.

Shared by the HTTP endpoints that start a meeting (new, imported, follow-up), so every meeting
gets its access the same way.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, TypedDict

from pydantic import BaseModel, ConfigDict, Field

from . import access
from .domain import commands as c
from .domain.decide import Actor, decide
from .domain.model import Meeting, new_meeting
from .errors import StoreUnavailable
from .settings import Settings
from .share import tokens as share_tokens
from .store.base import AccessRecord, Store

FACILITATOR = Actor("facilitator")


class PartyIn(BaseModel):
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
    for name, command in commands:
        state = decide(state, name, command, FACILITATOR, now, access.new_item_id).state
    return state


def links(base_url: str, join_code: str, fac: str, cofac: str, wall: str) -> Links:
    base = base_url.rstrip("/")
    return {
        "facilitator": f"{base}/facilitator#{fac}",
        "cofacilitator": f"{base}/facilitator#{cofac}",
        "wall": f"{base}/wall#{wall}",
        "join": f"{base}/join#{join_code}",
    }


async def create_meeting(
    store: Store, settings: Settings, meeting: Meeting, base_url: str
) -> Created:
    """Store ``meeting`` with fresh tokens and a join code unique among live meetings."""
    mid = meeting["id"]
    fac = access.new_token(mid)
    # Derived, so the store need not keep them: the console gets them back (share.py).
    cofac, wall = share_tokens(fac)
    grants: dict[str, AccessRecord] = {
        access.token_hash(fac): {"role": "facilitator", "participant_id": None, "party_id": None},
        access.token_hash(cofac): {
            "role": "facilitator",
            "participant_id": None,
            "party_id": None,
        },
        access.token_hash(wall): {"role": "wall", "participant_id": None, "party_id": None},
    }
    for _ in range(20):
        code = access.new_join_code()
        urls = links(base_url, code, fac, cofac, wall)
        # Nothing here opens the meeting beyond joining as a participant: no token, no link
        # with one (docs/privacy.md).
        share = {"join_code": code, "join_url": urls["join"]}
        if await store.create(meeting, code, grants, share, settings.ttl_seconds):
            return {
                "meeting_id": mid,
                "join_code": code,
                "facilitator_token": fac,
                "cofacilitator_token": cofac,
                "wall_token": wall,
                "links": urls,
            }
    # 25^6 codes: twenty collisions in a row means something is wrong with the store.
    raise StoreUnavailable("Kon geen vrije deelnamecode vinden.")


def now() -> float:
    return time.time()


def public_parties(state: Meeting) -> list[dict[str, Any]]:
    parties = sorted(state["parties"].values(), key=lambda p: p["position"])
    return [{"id": p["id"], "name": p["name"], "colour": p["colour"]} for p in parties]
