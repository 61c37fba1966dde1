"""What the server answers: the Socket.IO acks and the JSON bodies of the HTTP answers.

docs/protocol.md describes these shapes for clients; here they are typed, so the hub, the
service and the HTTP handlers build and pass on one shape each. TypedDicts, not classes: they are
the JSON on the wire, serialised as they are (key order included).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NotRequired, TypedDict

from .domain.evolve import WireEvent
from .domain.items import PartyRef
from .domain.meeting import Collection, MeetingKind, Phase, Role
from .domain.visibility import View
from .errors import ErrorBody


class Refused(TypedDict):
    """Any message the server does not carry out: a coded error, never the content sent."""

    ok: Literal[False]
    error: ErrorBody


class Written(TypedDict):
    """A write carried out (or one that changed nothing): the seq it is at, and the id of what
    it created, if it created something."""

    ok: Literal[True]
    seq: int
    id: NotRequired[str]


def written(seq: int, result: Mapping[str, str]) -> Written:
    """The ack of a write at ``seq``; ``result`` is its handler's (``{}`` or ``{"id": ...}``)."""
    ack: Written = {"ok": True, "seq": seq}
    if "id" in result:
        ack["id"] = result["id"]
    return ack


class DeletionReceipt(TypedDict):
    """Proof of deletion for a privacy officer: counts and hashes, no case content."""

    meeting_hash: str
    deleted_at: str
    items_removed: dict[Collection, int]
    items_removed_total: int
    keys_removed: int
    keys_remaining: int
    verified_empty: bool


class Ended(TypedDict):
    """``meeting.end`` carried out: the meeting is deleted; the receipt goes to its facilitator."""

    ok: Literal[True]
    receipt: DeletionReceipt


# What a write is answered with.
WriteAck = Written | Ended | Refused


class You(TypedDict):
    """Who a device is in its meeting, and the interpretations it may still edit."""

    role: Role
    party_id: str | None
    participant_id: str | None
    own: list[str]


class Snapshot(TypedDict, total=False):
    seq: int
    meeting: View
    you: You
    share: dict[str, str]
    restored_at: int


class Catchup(TypedDict):
    """The events after a device's ``since`` that it may see, and the seq it is then level at."""

    seq: int
    events: list[WireEvent]


# What ``service.sync`` gives: the name of the packet and its payload, one of two pairs.
Synced = tuple[Literal["catchup"], Catchup] | tuple[Literal["snapshot"], Snapshot]


class CatchupAck(TypedDict):
    ok: Literal[True]
    catchup: Catchup


class SnapshotAck(TypedDict):
    ok: Literal[True]
    snapshot: Snapshot


SyncAck = CatchupAck | SnapshotAck | Refused


def sync_ack(synced: Synced) -> CatchupAck | SnapshotAck:
    if synced[0] == "catchup":
        return {"ok": True, "catchup": synced[1]}
    return {"ok": True, "snapshot": synced[1]}


class Capsule(TypedDict):
    """The meeting sealed for its facilitator's console (see reliability.md)."""

    capsule: str
    seq: int
    # When the meeting itself expires if nothing changes, and until when the capsule can bring
    # it back.
    expires_at: float
    capsule_expires_at: float


class CapsuleAck(Capsule):
    ok: Literal[True]


class Restored(TypedDict):
    """``POST /api/restore``: the lost meeting is back, with the join code it has now."""

    meeting_id: str
    seq: int
    join_code: str


class Lookup(TypedDict):
    """``GET /api/join/<code>``: what a phone shows before joining."""

    title: str
    phase: Phase
    kind: MeetingKind
    parties: list[PartyRef]


class Joined(TypedDict):
    """``POST /api/join``: a participant's own device token."""

    token: str
    meeting_id: str
    participant_id: str
    party_id: str
