"""The Store protocol: the one contract both stores keep (tests/test_store_contract.py).

A meeting is a numbered log of events plus its current state. Writes are optimistic: the caller
decided on the state at ``expected_seq`` and the store appends only if nothing came in between,
in one atomic step (one Redis round trip). A write that carries an op id already seen returns the
first result instead, so a client's retry never applies twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypedDict

from ..domain.evolve import Event
from ..domain.model import Meeting, Role


class AccessRecord(TypedDict):
    """What a token grants. Stored under the hash of the token, never the token itself."""

    role: Role
    participant_id: str | None
    party_id: str | None


@dataclass(frozen=True, slots=True)
class Stored:
    seq: int
    state: Meeting


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

    result: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Gone:
    """The meeting does not exist (deleted or expired)."""


AppendResult = Appended | Stale | Duplicate | Gone


@dataclass(frozen=True, slots=True)
class Deletion:
    """What deleting a meeting removed, and what a scan found left afterwards (should be 0)."""

    removed: int
    remaining: int


class Store(Protocol):
    kind: Literal["memory", "redis"]

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
    ) -> bool:
        """Store a new meeting at seq 0. False, and nothing stored, when ``code`` is in use.

        ``access`` maps token hashes to what they grant; ``share`` holds the links a facilitator
        hands out (wall, co-facilitator, join code), so a facilitator console can show them again.
        """

    async def share(self, meeting_id: str) -> dict[str, str] | None: ...

    async def meeting_for_code(self, code: str) -> str | None: ...

    async def access(self, meeting_id: str, token_hash: str) -> AccessRecord | None: ...

    async def grant(self, meeting_id: str, token_hash: str, record: AccessRecord, ttl: int) -> bool:
        """Add a token to a live meeting (a participant joining). False when the meeting is gone."""

    async def load(self, meeting_id: str) -> Stored | None: ...

    async def append(
        self,
        meeting_id: str,
        event: Event,
        state: Meeting,
        op_id: str | None,
        result: dict[str, Any],
        ttl: int,
    ) -> AppendResult:
        """Append ``event`` (its ``seq`` is the expected new seq) and set ``state``, atomically.

        Checks in order: the meeting exists (else Gone), ``op_id`` is new (else Duplicate with the
        stored result), the meeting's seq is ``event["seq"] - 1`` (else Stale with the current seq).
        On success every key of the meeting gets ``ttl`` seconds again.
        """

    async def recall(self, meeting_id: str, op_id: str) -> dict[str, Any] | None:
        """The result an op id produced, if it was applied."""

    async def since(self, meeting_id: str, seq: int) -> list[Event] | None:
        """Events after ``seq`` in order; None when the log no longer reaches back that far."""

    async def set_presence(self, meeting_id: str, sid: str, label: str | None, ttl: int) -> None:
        """Record (label) or forget (None) one connection; labels are a role or a party id.

        A no-op for a meeting that is gone: presence must never bring a deleted meeting back.
        """

    async def presence(self, meeting_id: str) -> dict[str, str]:
        """sid -> label for every connection of the meeting, on every process."""

    async def delete(self, meeting_id: str) -> Deletion: ...
