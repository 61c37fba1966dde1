"""The embedded store: every meeting in this process's memory, for a single-process server.

Everything a meeting holds is kept as JSON text, not as live dicts: the state as one text per
field and per item (base.state_parts), so a write re-encodes only what it changed. That gives the
same isolation as Redis (a caller mutating a state it loaded or passed in cannot change what is
stored, and a state that is not JSON fails here as it would there) and it keeps the cyclic
garbage collector out of it: strings and dicts of only strings are not tracked, so a meeting
costs a handful of tracked objects however long its log grows.

Nothing here awaits between checking and writing, so on one event loop every method is atomic.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from ..answers import Written
from ..domain.evolve import Event
from ..domain.meeting import Meeting
from .base import (
    OPS_WINDOW,
    TOMBSTONE_SECONDS,
    AccessRecord,
    Appended,
    AppendResult,
    Deletion,
    Duplicate,
    Gone,
    Stale,
    Status,
    Stored,
    decoded,
    joined,
    split_presence,
    state_parts,
    tombstone_key,
)
from .encoding import dump, encoded_event

_dump = dump


@dataclass(slots=True, eq=False)
class _Entry:
    """One meeting: its current state and seq, its recent log, and what hangs on it."""

    code: str
    seq: int
    public_seq: int
    # The seq a restored meeting was restored at (its log starts there); -1 when never restored.
    base: int
    # base.state_parts: part name -> JSON, in the meeting's order.
    state: dict[str, str]
    log: deque[str]
    share: str
    expires_at: float
    ops: dict[str, str] = field(default_factory=dict)
    # (seq, op id) oldest first: which answers fall out of the window (base.OPS_WINDOW).
    op_seqs: deque[tuple[int, str]] = field(default_factory=deque)
    access: dict[str, str] = field(default_factory=dict)
    presence: dict[str, str] = field(default_factory=dict)


class MemoryStore:
    kind: Literal["memory", "redis"] = "memory"

    def __init__(
        self,
        log_max: int = 5000,
        clock: Callable[[], float] = time.monotonic,
        sweep_interval: float = 60.0,
        ops_window: int = OPS_WINDOW,
    ) -> None:
        self._log_max = log_max
        self.ops_window = ops_window
        self._clock = clock
        self._sweep_interval = sweep_interval
        self._meetings: dict[str, _Entry] = {}
        self._codes: dict[str, str] = {}
        # tombstone key -> (status word, forget at): what became of meetings that are gone.
        self._tombstones: dict[str, tuple[Status, float]] = {}
        self._sweeper: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        """Meetings held, including expired ones not yet swept (for tests and metrics)."""
        return len(self._meetings)

    async def open(self) -> None:
        if self._sweeper is None:
            self._sweeper = asyncio.create_task(self._sweep_forever(), name="tijdlijn-sweep")

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None

    async def ping(self) -> None:
        return None

    async def _sweep_forever(self) -> None:
        # Lazy expiry alone would keep a meeting nobody asks about again for ever.
        while True:
            await asyncio.sleep(self._sweep_interval)
            self.sweep()

    def sweep(self) -> int:
        """Drop every expired meeting now; returns how many."""
        now = self._clock()
        expired = [mid for mid, entry in self._meetings.items() if entry.expires_at <= now]
        for meeting_id in expired:
            self._drop(meeting_id, "expired")
        for key in [k for k, (_, until) in self._tombstones.items() if until <= now]:
            del self._tombstones[key]
        return len(expired)

    def _drop(self, meeting_id: str, why: Status) -> int:
        entry = self._meetings.pop(meeting_id, None)
        if entry is None:
            return 0
        self._tombstones[tombstone_key(meeting_id)] = (why, self._clock() + TOMBSTONE_SECONDS)
        removed = 1 + len(entry.log) + len(entry.ops) + len(entry.access) + len(entry.presence)
        if self._codes.get(entry.code) == meeting_id:
            del self._codes[entry.code]
            removed += 1
        return removed

    def _live(self, meeting_id: str) -> _Entry | None:
        entry = self._meetings.get(meeting_id)
        if entry is not None and entry.expires_at <= self._clock():
            self._drop(meeting_id, "expired")
            return None
        return entry

    def _touch(self, entry: _Entry, ttl: int) -> None:
        entry.expires_at = self._clock() + ttl

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
        meeting_id = meeting["id"]
        holder = self._codes.get(code)
        if holder is not None and self._live(holder) is not None:
            return False
        if self._live(meeting_id) is not None:
            return False
        answers = sorted((ops or {}).items(), key=lambda pair: int(pair[1].get("seq", 0)))
        self._meetings[meeting_id] = _Entry(
            code=code,
            seq=seq,
            public_seq=public_seq,
            base=-1 if ops is None else seq,
            state=dict(state_parts(meeting)),
            log=deque(maxlen=self._log_max),
            share=_dump(share),
            expires_at=self._clock() + ttl,
            access={token: _dump(record) for token, record in access.items()},
            ops={key: _dump(result) for key, result in answers},
            op_seqs=deque((int(result.get("seq", 0)), key) for key, result in answers),
        )
        self._codes[code] = meeting_id
        self._tombstones.pop(tombstone_key(meeting_id), None)
        return True

    async def share(self, meeting_id: str) -> dict[str, str] | None:
        entry = self._live(meeting_id)
        return None if entry is None else decoded(entry.share, dict[str, str])

    async def meeting_for_code(self, code: str) -> str | None:
        meeting_id = self._codes.get(code)
        if meeting_id is None or self._live(meeting_id) is None:
            return None
        return meeting_id

    async def access(self, meeting_id: str, token_hash: str) -> AccessRecord | None:
        entry = self._live(meeting_id)
        raw = None if entry is None else entry.access.get(token_hash)
        return None if raw is None else decoded(raw, AccessRecord)

    async def grants(self, meeting_id: str) -> dict[str, AccessRecord]:
        entry = self._live(meeting_id)
        if entry is None:
            return {}
        return {key: decoded(raw, AccessRecord) for key, raw in entry.access.items()}

    async def grant(self, meeting_id: str, token_hash: str, record: AccessRecord, ttl: int) -> bool:
        entry = self._live(meeting_id)
        if entry is None:
            return False
        entry.access[token_hash] = _dump(record)
        self._touch(entry, ttl)
        return True

    async def load(self, meeting_id: str) -> Stored | None:
        entry = self._live(meeting_id)
        if entry is None:
            return None
        return Stored(
            seq=entry.seq,
            state=joined(list(entry.state.items())),
            public_seq=entry.public_seq,
            base=entry.base,
        )

    async def append(
        self,
        meeting_id: str,
        event: Event,
        op_id: str | None,
        result: Written,
        ttl: int,
    ) -> AppendResult:
        entry = self._live(meeting_id)
        if entry is None:
            return Gone()
        if op_id is not None and op_id in entry.ops:
            return Duplicate(result=decoded(entry.ops[op_id], Written))
        if event["seq"] != entry.seq + 1:
            return Stale(seq=entry.seq)
        # Encode everything before changing anything, so a value that is not JSON leaves the
        # meeting as it was.
        encoded, parts = encoded_event(event)
        encoded_result = dump(result)
        seq = entry.seq = event["seq"]
        if event["public"]:
            entry.public_seq = seq
        for name, text in parts:
            if text:
                entry.state[name] = text
            else:
                entry.state.pop(name, None)
        entry.log.append(encoded)
        if op_id is not None:
            entry.ops[op_id] = encoded_result
            entry.op_seqs.append((seq, op_id))
        while entry.op_seqs and entry.op_seqs[0][0] <= seq - self.ops_window:
            entry.ops.pop(entry.op_seqs.popleft()[1], None)
        self._touch(entry, ttl)
        return Appended(seq=entry.seq)

    async def recall(self, meeting_id: str, op_id: str) -> Written | None:
        entry = self._live(meeting_id)
        raw = None if entry is None else entry.ops.get(op_id)
        return None if raw is None else decoded(raw, Written)

    async def since(self, meeting_id: str, seq: int) -> list[Event] | None:
        entry = self._live(meeting_id)
        if entry is None:
            return None
        wanted = entry.seq - seq
        # Ahead of the meeting, further back than the log reaches, or past the point a restored
        # meeting was restored at: only a snapshot helps.
        if wanted < 0 or wanted > len(entry.log) or 0 <= entry.base < seq:
            return None
        start = len(entry.log) - wanted
        return [decoded(raw, Event) for raw in itertools.islice(entry.log, start, None)]

    async def ops(self, meeting_id: str, after: int) -> dict[str, Written]:
        entry = self._live(meeting_id)
        if entry is None:
            return {}
        found = {key: decoded(raw, Written) for key, raw in entry.ops.items()}
        return {key: result for key, result in found.items() if result.get("seq", 0) > after}

    async def event_at(self, meeting_id: str, seq: int) -> Event | None:
        entry = self._live(meeting_id)
        if entry is None:
            return None
        index = len(entry.log) - (entry.seq - seq) - 1
        if not 0 <= index < len(entry.log):
            return None
        return decoded(entry.log[index], Event)

    async def status(self, meeting_id: str) -> Status:
        if self._live(meeting_id) is not None:
            return "live"
        found = self._tombstones.get(tombstone_key(meeting_id))
        return found[0] if found is not None and found[1] > self._clock() else "unknown"

    async def missing(self, meeting_ids: list[str]) -> set[str]:
        return {mid for mid in meeting_ids if self._live(mid) is None}

    async def set_presence(
        self, meeting_id: str, entries: dict[str, str | None], until: int, ttl: int
    ) -> None:
        entry = self._live(meeting_id)
        if entry is None:
            return
        for sid, label in entries.items():
            if label is None:
                entry.presence.pop(sid, None)
            else:
                entry.presence[sid] = f"{label} {until}"
        self._touch(entry, ttl)

    async def presence(self, meeting_id: str, now: float) -> dict[str, str]:
        entry = self._live(meeting_id)
        if entry is None:
            return {}
        current, stale = split_presence(entry.presence, now)
        for sid in stale:
            del entry.presence[sid]
        return current

    async def delete(self, meeting_id: str) -> Deletion:
        removed = self._drop(meeting_id, "ended")
        remaining = int(meeting_id in self._meetings) + sum(
            1 for holder in self._codes.values() if holder == meeting_id
        )
        return Deletion(removed=removed, remaining=remaining)
