"""The Store protocol: the one contract both stores keep (tests/test_store_contract.py).

A meeting is a numbered log of events plus its current state. Writes are optimistic: the caller
decided on the state at ``expected_seq`` and the store appends only if nothing came in between,
in one atomic step (one Redis round trip). A write that carries an op id already seen returns the
first result instead, so a client's retry never applies twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypedDict, TypeVar, cast

from ..answers import Written
from ..domain.evolve import Change, Event
from ..domain.meeting import COLLECTIONS, MEETING_FIELDS, Meeting, Role
from .encoding import dump

T = TypeVar("T")

# How many seqs back an op id's answer is kept: a retry within this many writes is answered
# as the first try was; an older one that says which seq its device had seen (``seen``) is
# refused rather than risk applying it twice (service.py). Bounds what a meeting keeps.
OPS_WINDOW = 1000


def decoded(raw: str | bytes, as_type: type[T]) -> T:
    """JSON a store wrote itself (``json.dumps`` of an ``as_type``), read back as one.

    The stores' one cast, on purpose: what they keep comes only from the service, typed when it
    was written; checking every field again on each read would cost the hot path for nothing.
    """
    return cast(T, json.loads(raw))


_dump = dump


# A meeting is kept as one JSON text per meeting field (``f:<field>``) and per item
# (``i:<collection>:<id>``), so a write stores only what it changed, whatever the size of the
# meeting; an event's changes say exactly which parts those are.
def state_parts(meeting: Meeting) -> list[tuple[str, str]]:
    """Every part of ``meeting``, in its order."""
    parts: list[tuple[str, str]] = []
    fields: Mapping[str, Any] = meeting
    for key, value in fields.items():
        if key in COLLECTIONS:
            parts += [(f"i:{key}:{item_id}", _dump(item)) for item_id, item in value.items()]
        else:
            parts.append((f"f:{key}", _dump(value)))
    return parts


def change_parts(changes: list[Change]) -> list[tuple[str, str]]:
    """The parts an event's changes rewrite (``""``: the part is removed), as ``evolve``
    would apply them."""
    parts: list[tuple[str, str]] = []
    for change in changes:
        if change["op"] == "set":
            parts += [
                (f"f:{key}", _dump(value))
                for key, value in change["fields"].items()
                if key in MEETING_FIELDS
            ]
        elif change["op"] == "put":
            parts.append((f"i:{change['kind']}:{change['item']['id']}", _dump(change["item"])))
        else:
            parts.append((f"i:{change['kind']}:{change['id']}", ""))
    return parts


def joined(parts: list[tuple[str, str]]) -> Meeting:
    """The meeting that ``parts`` (in order) make up.

    The parts are JSON already: they are joined into one text and parsed once, which is several
    times faster than parsing each part (a device's snapshot reads the whole meeting)."""
    fields: list[str] = []
    collections: dict[str, list[str]] = {kind: [] for kind in COLLECTIONS}
    for name, text in parts:
        if name.startswith("f:"):
            fields.append(f"{_dump(name[2:])}:{text}")
        else:
            _, kind, item_id = name.split(":", 2)
            collections.setdefault(kind, []).append(f"{_dump(item_id)}:{text}")
    fields += [f"{_dump(kind)}:{{{','.join(items)}}}" for kind, items in collections.items()]
    return decoded("{" + ",".join(fields) + "}", Meeting)


class AccessRecord(TypedDict):
    """What a token grants. Stored under the hash of the token, never the token itself."""

    role: Role
    participant_id: str | None
    party_id: str | None


@dataclass(frozen=True, slots=True)
class Stored:
    """A meeting's state at ``seq``; ``public_seq`` is the last event participants could see."""

    seq: int
    state: Meeting
    public_seq: int = 0
    # The seq a restored meeting was restored at; -1 when it never was.
    base: int = -1


@dataclass(frozen=True, slots=True)
class Appended:
    seq: int


@dataclass(frozen=True, slots=True)
class Stale:
    """Another write came first: reload, decide again."""

    seq: int


@dataclass(frozen=True, slots=True)
class Duplicate:
    """This op id was applied before; here is what it answered then."""

    result: Written


@dataclass(frozen=True, slots=True)
class Gone:
    """The meeting does not exist (deleted or expired)."""


AppendResult = Appended | Stale | Duplicate | Gone

# What the store knows of a meeting id. ``live``: it is there. ``ended``: a facilitator ended it.
# ``expired``: its lifetime ran out. ``unknown``: never seen, or lost with the store's memory (an
# embedded server restarted, a Redis restarted empty): the one case a restore is for.
Status = Literal["live", "ended", "expired", "unknown"]
# How long the store remembers, after a meeting is gone, that it ended or expired: a bare word
# under a hash of the id, never content, so a device that comes back later is told the truth.
TOMBSTONE_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class Deletion:
    """What deleting a meeting removed, and what a scan found left afterwards (should be 0)."""

    removed: int
    remaining: int


def tombstone_key(meeting_id: str) -> str:
    """The name a gone meeting is remembered by: a hash, so nothing of the id is kept."""
    return hashlib.sha256(b"tombstone:" + meeting_id.encode()).hexdigest()[:32]


def split_presence(raw: dict[str, str], now: float) -> tuple[dict[str, str], list[str]]:
    """Stored presence entries (``"<label> <until>"``) into current labels and stale sids."""
    current: dict[str, str] = {}
    stale: list[str] = []
    for sid, value in raw.items():
        label, _, until = value.rpartition(" ")
        if until.isdigit() and int(until) > now:
            current[sid] = label
        else:
            stale.append(sid)
    return current, stale


class Store(Protocol):
    kind: Literal["memory", "redis"]
    # How many seqs back op answers are kept (OPS_WINDOW unless a test sets it).
    ops_window: int

    async def open(self) -> None:
        """Connect (Redis) or start the expiry sweep (memory)."""

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise :class:`tijdlijn.errors.StoreUnavailable` when the store cannot be reached."""

    async def create(
        self,
        meeting: Meeting,
        code: str,
        access: dict[str, AccessRecord],
        share: dict[str, str],
        ttl: int,
        *,
        seq: int = 0,
        public_seq: int = 0,
        ops: dict[str, Written] | None = None,
    ) -> bool:
        """Store a new meeting at ``seq`` (0, or a restored meeting's). False, and nothing
        stored, when ``code`` or the meeting id is in use.

        A meeting restored (``ops`` given: the answers of its recent op ids) starts an empty
        log at ``seq``, and :meth:`since` answers None for any later seq: a device that saw
        events after the copy was made saw ones the meeting no longer has, so it needs a
        snapshot, whatever seq it names.

        ``access`` maps token hashes to what they grant; ``share`` holds the links a facilitator
        hands out (wall, co-facilitator, join code), so a facilitator console can show them again.
        """

    async def share(self, meeting_id: str) -> dict[str, str] | None: ...

    async def meeting_for_code(self, code: str) -> str | None: ...

    async def access(self, meeting_id: str, token_hash: str) -> AccessRecord | None: ...

    async def grants(self, meeting_id: str) -> dict[str, AccessRecord]:
        """Every token hash of the meeting and what it grants (for its restore capsule)."""

    async def grant(self, meeting_id: str, token_hash: str, record: AccessRecord, ttl: int) -> bool:
        """Add a token to a live meeting (a participant joining). False when the meeting is gone."""

    async def load(self, meeting_id: str) -> Stored | None: ...

    async def append(
        self,
        meeting_id: str,
        event: Event,
        op_id: str | None,
        result: Written,
        ttl: int,
    ) -> AppendResult:
        """Append ``event`` (its ``seq`` is the expected new seq) and apply its changes to the
        stored state, atomically; only the parts it changes are written.

        Checks in order: the meeting exists (else Gone), ``op_id`` is new (else Duplicate with the
        stored result), the meeting's seq is ``event["seq"] - 1`` (else Stale with the current seq).
        On success every key of the meeting gets ``ttl`` seconds again, and when the event has
        public changes it becomes the meeting's ``public_seq``. Op answers older than
        :data:`OPS_WINDOW` seqs are dropped.
        """

    async def recall(self, meeting_id: str, op_id: str) -> Written | None:
        """The result an op id produced, if it was applied."""

    async def ops(self, meeting_id: str, after: int) -> dict[str, Written]:
        """Op id -> result of the ops answered with a seq above ``after`` (for a capsule)."""

    async def since(self, meeting_id: str, seq: int) -> list[Event] | None:
        """Events after ``seq`` in order; None when the log no longer reaches back that far."""

    async def event_at(self, meeting_id: str, seq: int) -> Event | None:
        """The event numbered ``seq``, while the log still holds it."""

    async def status(self, meeting_id: str) -> Status: ...

    async def missing(self, meeting_ids: list[str]) -> set[str]:
        """Those of ``meeting_ids`` that are no longer live (one round trip for all)."""

    async def set_presence(
        self, meeting_id: str, entries: dict[str, str | None], until: int, ttl: int
    ) -> None:
        """Record (label) or forget (None) connections; labels are a role or a party id.

        A recorded entry counts until ``until`` (Unix seconds): each process renews its own, so
        the entries of a process that died fade by themselves. A no-op for a meeting that is
        gone: presence must never bring a deleted meeting back.
        """

    async def presence(self, meeting_id: str, now: float) -> dict[str, str]:
        """sid -> label for every connection of the meeting, on every process, still current
        at ``now``; entries that ran out are dropped."""

    async def delete(self, meeting_id: str) -> Deletion:
        """Remove every key of the meeting and remember (without content) that it ended."""
