"""Meetings: the write path and everything else a meeting does, with no transport in it.

The hub (Socket.IO) and the HTTP handlers are thin: they turn a connection or a request into a
:class:`Session` or a call here, and hand what comes back to the wire. Everything that makes the
delivery promise lives in this one place, so it is tested the same way in-process and end to end:

- a write is decided on the latest state, appended with the next seq in one atomic store call,
  and broadcast; whichever path answers ``ok`` (the first try, a retry after a lost answer, a
  retry arriving at another process) broadcasts the event, so nothing acknowledged goes unseen;
- an op id belongs to its sender: only the same device token gets the first answer back;
- every event names the previous event its audience could see (``prev``), so a device can tell
  a missed event from one it was never sent, and ask for exactly what it missed;
- a write that changes nothing gets ``ok`` with the current seq and makes no event.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from . import access, meetings
from .answers import (
    Catchup,
    DeletionReceipt,
    Ended,
    Snapshot,
    Synced,
    Written,
    written,
)
from .capsule import Sealer
from .domain import commands, writes
from .domain.decide import MEETING_ENDED, Actor, decide
from .domain.evolve import Event, WireEvent, clone, evolve
from .domain.meeting import COLLECTIONS, Meeting, Role, upgraded
from .domain.visibility import own_interpretations, strip_authors, view_for
from .errors import (
    Busy,
    MeetingExpired,
    MeetingGone,
    MeetingLost,
    StoreUnavailable,
    TijdlijnError,
    TooLate,
    Unauthorized,
)
from .keeping import Keeping
from .lifetime import ttl_for
from .logs import meeting_ref
from .settings import Settings
from .share import links_for
from .share import tokens as share_tokens
from .store.base import AccessRecord, Appended, Duplicate, Gone, Status, Store, Stored

log = logging.getLogger("tijdlijn.service")

MAX_ATTEMPTS = 25


@dataclass(frozen=True, slots=True)
class Session:
    """Who is on the other end: the meeting, the role, and the device token's own id (the
    first 16 hex digits of the token's hash), which owns the op ids it sends."""

    meeting_id: str
    actor: Actor
    sender: str
    # A facilitator's co-facilitator and wall links, rebuilt from its token (share.py).
    links: dict[str, str] | None = None


class Broadcaster(Protocol):
    """What the transport does for the service: deliver an event to the devices allowed to
    see it, encoded once per audience."""

    async def deliver(
        self, meeting_id: str, facilitators: WireEvent, public: WireEvent | None
    ) -> None: ...

    async def restored(self, meeting_id: str, seq: int) -> None:
        """Tell the devices still connected that their meeting came back at ``seq``."""


def wire(event: Event, public: bool) -> WireEvent:
    """One event as an audience receives it, with the seq of that audience's previous event."""
    if public:
        changes, prev = event["public"], event.get("pprev", 0)
    else:
        changes, prev = strip_authors(event["changes"]), event["seq"] - 1
    return {
        "seq": event["seq"],
        "prev": prev,
        "type": event["type"],
        "at": event["at"],
        "changes": changes,
    }


def gone_error(status: Status) -> MeetingGone:
    """The words for a meeting that is not there, by what became of it."""
    if status == "expired":
        return MeetingExpired()
    if status == "unknown":
        return MeetingLost()
    return MeetingGone()


class Meetings(Keeping):
    def __init__(
        self,
        settings: Settings,
        store: Store,
        sealer: Sealer,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.store = store
        self.sealer = sealer
        self.clock = clock
        self.broadcaster: Broadcaster | None = None
        # The latest state per meeting this process has seen; with Redis it may be stale, which
        # the store's seq check catches (Stale -> reload).
        self.cache: dict[str, Stored] = {}
        # One write at a time per meeting in this process: they would only race for the same
        # seq. Across processes the store's seq check settles it.
        self.locks: dict[str, asyncio.Lock] = {}
        # The latest seq another process is known to have written, per cached meeting: a write
        # catches up first instead of learning it from a refused append (one round trip less).
        self.ahead: dict[str, int] = {}

    # who
    async def session(self, token: object) -> Session:
        """The session a device token opens, or Unauthorized / the right kind of MeetingGone."""
        if not isinstance(token, str):
            raise Unauthorized()
        meeting_id = access.meeting_of(token)
        if meeting_id is None:
            raise Unauthorized()
        digest = access.token_hash(token)
        record = await self.store.access(meeting_id, digest)
        if record is None:
            status = await self.store.status(meeting_id)
            if status != "live":
                raise gone_error(status)
            # An intake link: its grant is the hash kept in the meeting (see access.py).
            record = access.intake_grant((await self.load(meeting_id)).state, digest)
        actor = Actor(record["role"], record["participant_id"], record["party_id"])
        links = await links_for(self.store, meeting_id, token, record)
        return Session(meeting_id, actor, digest[:16], links)

    async def gone(self, meeting_id: str) -> MeetingGone:
        self.forget(meeting_id)
        return gone_error(await self.store.status(meeting_id))

    def forget(self, meeting_id: str) -> None:
        """Drop what this process holds of a meeting (no devices here, or it is gone)."""
        self.cache.pop(meeting_id, None)
        self.locks.pop(meeting_id, None)
        self.ahead.pop(meeting_id, None)

    def heard(self, meeting_id: str, seq: int) -> None:
        """Another process broadcast event ``seq`` of a meeting (a hint; the store decides)."""
        stored = self.cache.get(meeting_id)
        if stored is not None and seq > max(stored.seq, self.ahead.get(meeting_id, 0)):
            self.ahead[meeting_id] = seq

    # reads
    async def load(self, meeting_id: str) -> Stored:
        stored = await self.store.load(meeting_id)
        if stored is None:
            raise await self.gone(meeting_id)
        self.cache[meeting_id] = stored
        return stored

    async def sync(self, session: Session, since: object) -> Synced:
        """``catchup`` (the events after ``since`` this device may see) or ``snapshot``."""
        public = session.actor.role != "facilitator"
        if session.actor.role == "intake":
            since = None  # events are never an intake link's view: always a snapshot
        if isinstance(since, int) and not isinstance(since, bool) and since >= 0:
            events = await self.store.since(session.meeting_id, since)
            if events is not None:
                seq = events[-1]["seq"] if events else since
                shown = [wire(e, public) for e in events if not public or e["public"]]
                catchup: Catchup = {"seq": seq, "events": shown}
                return "catchup", catchup
        stored = await self.load(session.meeting_id)
        return "snapshot", await self.snapshot(session, stored)

    async def snapshot(self, session: Session, stored: Stored) -> Snapshot:
        state, actor = stored.state, session.actor
        view = view_for(state, actor.role, actor.participant_id)
        participant = actor.participant_id if actor.role == "participant" else None
        own = own_interpretations(state, participant) if participant else []
        payload: Snapshot = {
            "seq": stored.seq,
            "meeting": view,
            "you": {
                "role": actor.role,
                "party_id": actor.party_id,
                "participant_id": actor.participant_id,
                "own": own,
            },
        }
        if stored.base >= 0:
            # Restored from a copy at this seq: a device that had more re-sends its own writes.
            payload["restored_at"] = stored.base
        if actor.role in ("facilitator", "wall"):
            share = {**(await self.store.share(session.meeting_id) or {}), **(session.links or {})}
            if actor.role == "wall":
                share = {k: v for k, v in share.items() if k in ("join_code", "join_url")}
            payload["share"] = share
        return payload

    async def heads(self, meeting_ids: list[str]) -> dict[str, tuple[int, int]]:
        """meeting id -> (seq, public seq) of each live meeting, for devices to check they are
        level after the cross-process link was down."""
        found: dict[str, tuple[int, int]] = {}
        for meeting_id in meeting_ids:
            stored = await self.store.load(meeting_id)
            if stored is not None:
                self.cache[meeting_id] = stored
                found[meeting_id] = (stored.seq, stored.public_seq)
        return found

    # writes
    async def write(self, session: Session, name: str, data: Any) -> Written | Ended:
        """Parse, authorise, decide, append and broadcast one write; the ack to send back."""
        command = writes.parse(name, data)
        lock = self.locks.get(session.meeting_id)
        if lock is None:  # not setdefault: that would make a lock on every write
            lock = self.locks[session.meeting_id] = asyncio.Lock()
        async with lock:
            return await self._apply(session, name, command)

    async def _apply(
        self, session: Session, name: str, command: commands.Command
    ) -> Written | Ended:
        mid = session.meeting_id
        op_key = f"{session.sender}:{command.op_id}"
        for attempt in range(MAX_ATTEMPTS):
            cached = self.cache.get(mid)
            if cached is not None and self.ahead.pop(mid, 0) > cached.seq:
                await self._catch_up(mid, cached)
                cached = self.cache.get(mid)
            stored = cached or await self.load(mid)
            if command.seen is not None and command.seen < stored.seq - self.store.ops_window:
                # Its answer would have left the window: it may have landed, or not.
                prior = await self._recall(mid, op_key)
                if prior is not None:
                    return prior
                raise TooLate()
            now = self.clock()
            try:
                outcome = decide(
                    stored.state, name, command, session.actor, now, access.new_item_id
                )
            except TijdlijnError:
                # A retry of an op that already succeeded answers as it did then; and with
                # several processes our copy may be behind: refuse only on the latest state.
                prior = await self._recall(mid, op_key)
                if prior is not None:
                    return prior
                fresh = await self.load(mid)
                if fresh.seq != stored.seq:
                    continue
                raise
            if outcome.type == MEETING_ENDED:
                return {"ok": True, "receipt": await self._delete(mid)}
            if not outcome.changes:
                prior = await self._recall(mid, op_key)
                return prior if prior is not None else written(stored.seq, outcome.result)
            seq = stored.seq + 1
            event: Event = {
                "seq": seq,
                "type": outcome.type,
                "at": now,
                "changes": outcome.changes,
                "public": outcome.public,
                "pprev": stored.public_seq,
            }
            result = written(seq, outcome.result)
            ttl = ttl_for(outcome.state, self.settings, now)
            appended = await self.store.append(mid, event, op_key, result, ttl)
            if isinstance(appended, Appended):
                public_seq = seq if outcome.public else stored.public_seq
                self.cache[mid] = Stored(seq, outcome.state, public_seq, stored.base)
                await self._broadcast(mid, event)
                if log.isEnabledFor(logging.DEBUG):  # the hash only when the line is written
                    log.debug("applied %s meeting=%s seq=%d", outcome.type, meeting_ref(mid), seq)
                return result
            if isinstance(appended, Duplicate):
                await self._rebroadcast(mid, appended.result)
                return appended.result
            if isinstance(appended, Gone):
                raise await self.gone(mid)
            await self._catch_up(mid, stored)
            # Stale: another process wrote first. Back off a little, at random, so two
            # processes writing to one meeting do not keep colliding.
            await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))
        raise Busy()

    async def _catch_up(self, meeting_id: str, stored: Stored) -> None:
        """Bring our copy level with the store after another process wrote first: apply the
        events we missed (what a device does) instead of reading the whole meeting again."""
        events = await self.store.since(meeting_id, stored.seq)
        if not events:
            self.cache.pop(meeting_id, None)  # the log does not reach back: load it whole
            return
        state, public_seq = clone(stored.state), stored.public_seq
        for event in events:
            evolve(state, event["changes"])
            if event["public"]:
                public_seq = event["seq"]
        self.cache[meeting_id] = Stored(events[-1]["seq"], state, public_seq, stored.base)

    async def _recall(self, meeting_id: str, op_key: str) -> Written | None:
        prior = await self.store.recall(meeting_id, op_key)
        if prior is not None:
            await self._rebroadcast(meeting_id, prior)
        return prior

    async def _rebroadcast(self, meeting_id: str, result: Written) -> None:
        """An op answered before may never have been delivered (the process that appended it
        died, or its answer was lost and this is a retry): deliver it again. Devices drop an
        event they already applied, so this is harmless when it did arrive."""
        seq = result.get("seq")
        if isinstance(seq, int):
            event = await self.store.event_at(meeting_id, seq)
            if event is not None:
                await self._broadcast(meeting_id, event)

    async def _broadcast(self, meeting_id: str, event: Event) -> None:
        if self.broadcaster is not None:
            public = wire(event, public=True) if event["public"] else None
            await self.broadcaster.deliver(meeting_id, wire(event, public=False), public)

    # presence
    async def set_presence(self, meeting_id: str, entries: dict[str, str | None]) -> None:
        stored = self.cache.get(meeting_id) or await self.load(meeting_id)
        now = self.clock()
        # Counts this long; each process renews its own well before (hub.renew_presence).
        until = int(now) + self.settings.presence_seconds
        await self.store.set_presence(
            meeting_id, entries, until, ttl_for(stored.state, self.settings, now)
        )

    async def presence_counts(self, meeting_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for label in (await self.store.presence(meeting_id, self.clock())).values():
            counts[label] = counts.get(label, 0) + 1
        return counts

    # create, end, restore
    async def create(self, meeting: Meeting, base_url: str) -> meetings.Created:
        """Store ``meeting`` with fresh tokens and a join code unique among live meetings."""
        mid = meeting["id"]
        fac = access.new_token(mid)
        # Derived, so the store need not keep them: the console gets them back (share.py).
        cofac, wall = share_tokens(fac)
        roles: tuple[tuple[str, Role], ...] = (
            (fac, "facilitator"),
            (cofac, "facilitator"),
            (wall, "wall"),
        )
        grants: dict[str, AccessRecord] = {
            access.token_hash(token): {"role": role, "participant_id": None, "party_id": None}
            for token, role in roles
        }
        ttl = ttl_for(meeting, self.settings, self.clock())
        for _ in range(20):
            code = access.new_join_code()
            urls = meetings.links(base_url, code, fac, cofac, wall)
            if await self.store.create(meeting, code, grants, meetings.share_of(urls, code), ttl):
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

    async def _delete(self, mid: str) -> DeletionReceipt:
        """A decided ``meeting.end``: delete everything of the meeting now; the receipt for the
        facilitator (the hub then tells every other device)."""
        stored = await self.load(mid)
        deletion = await self.store.delete(mid)
        self.forget(mid)
        log.info("deleted meeting=%s keys=%d", meeting_ref(mid), deletion.removed)
        return deletion_receipt(mid, stored.state, deletion.removed, deletion.remaining)


def deletion_receipt(meeting_id: str, state: Meeting, keys: int, remaining: int) -> DeletionReceipt:
    """Proof of deletion for a privacy officer: counts and hashes, no case content."""
    kept = upgraded(state)  # a meeting stored before a collection existed has none of it
    items = {kind: len(kept[kind]) for kind in COLLECTIONS}
    return {
        "meeting_hash": hashlib.sha256(meeting_id.encode()).hexdigest(),
        "deleted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "items_removed": items,
        "items_removed_total": sum(items.values()),
        "keys_removed": keys,
        "keys_remaining": remaining,
        "verified_empty": remaining == 0,
    }
