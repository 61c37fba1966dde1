"""Socket.IO: who is connected, what they may send, and what they receive.

Data flows one way (docs/architecture.md): a command comes in, the hub checks the sender, the pure
domain decides, the store appends atomically and numbers the event, and the hub broadcasts it to
the rooms allowed to see it: ``fac:<meeting>`` gets the truth minus authors, ``pub:<meeting>``
(participants and the wall) the public view. Each broadcast is encoded once per room.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import time
from dataclasses import dataclass
from typing import Any, cast

import socketio

from . import access
from .domain import commands
from .domain.decide import Actor, authorise, decide
from .domain.evolve import Event, WireEvent
from .domain.model import COLLECTIONS, Meeting
from .domain.visibility import strip_authors, view_for
from .errors import Conflict, MeetingGone, RateLimited, TijdlijnError, Unauthorized, UnknownEvent
from .metrics import Metrics
from .settings import Settings
from .store.base import Appended, Duplicate, Gone, Stale, Store, Stored

log = logging.getLogger("tijdlijn.hub")

MAX_ATTEMPTS = 25


@dataclass(slots=True)
class Connection:
    """The little a connection needs: few long-lived objects per connection (see SHAPE.md)."""

    meeting_id: str
    actor: Actor
    tokens: float
    refilled: float

    def allow(self, now: float, rate: float, burst: int) -> bool:
        self.tokens = min(burst, self.tokens + (now - self.refilled) * rate)
        self.refilled = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


def meeting_ref(meeting_id: str) -> str:
    """A short hash for logs: enough to correlate lines, nothing about the case."""
    return hashlib.sha256(meeting_id.encode()).hexdigest()[:10]


def wire(event: Event, public: bool) -> WireEvent:
    changes = event["public"] if public else strip_authors(event["changes"])
    return {"seq": event["seq"], "type": event["type"], "at": event["at"], "changes": changes}


class Hub:
    def __init__(
        self, settings: Settings, store: Store, sio: socketio.AsyncServer, metrics: Metrics
    ) -> None:
        self.metrics = metrics
        self.settings = settings
        self.store = store
        self.sio = sio
        self.connections: dict[str, Connection] = {}
        # The latest state per meeting this process has seen; with Redis it may be stale, which
        # the store's seq check catches (Stale -> reload).
        self.cache: dict[str, Stored] = {}
        # One write at a time per meeting in this process: they would only race for the same
        # seq. Across processes the store's seq check settles it.
        self.locks: dict[str, asyncio.Lock] = {}
        sio.on("connect", self.on_connect)
        sio.on("disconnect", self.on_disconnect)
        sio.on("sync", self.on_sync)
        sio.on("*", self.on_unknown)
        for name in commands.COMMANDS:
            sio.on(name, self._writer(name))

    # connections
    async def on_connect(self, sid: str, environ: Any = None, auth: Any = None) -> Any:
        if self.sio.manager.is_connected(sid, "/"):
            # A client emitting "connect" as an ordinary event: a real connect is still pending.
            return {"ok": False, "error": UnknownEvent().as_error()}
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            meeting_id, record = await access.authenticate(self.store, token)
        except TijdlijnError as exc:
            # Two arguments: the message, and the data a client reads as {code, message}.
            raise socketio.exceptions.ConnectionRefusedError(exc.message, exc.as_error()) from None
        actor = Actor(record["role"], record["participant_id"], record["party_id"])
        self.connections[sid] = Connection(
            meeting_id, actor, float(self.settings.rate_burst), time.monotonic()
        )
        room = "fac" if actor.role == "facilitator" else "pub"
        await self.sio.enter_room(sid, f"{room}:{meeting_id}")
        since = auth.get("since") if isinstance(auth, dict) else None
        self.sio.start_background_task(self._welcome, sid, since)
        log.debug("connect meeting=%s role=%s", meeting_ref(meeting_id), actor.role)
        return None

    async def _welcome(self, sid: str, since: Any) -> None:
        # The snapshot must follow the CONNECT packet, which python-socketio sends after the
        # connect handler returns; yielding (not sleeping) until then keeps the order.
        for _ in range(1000):
            if self.sio.manager.is_connected(sid, "/"):
                break
            await asyncio.sleep(0)
        conn = self.connections.get(sid)
        if conn is None:
            return
        try:
            name, payload = await self._sync_payload(conn, since)
            await self.sio.emit(name, payload, to=sid)
            await self._presence(conn.meeting_id, sid, self._label(conn.actor))
        except MeetingGone as exc:
            await self.sio.emit("meeting.deleted", exc.as_error(), to=sid)
        except TijdlijnError as exc:
            # The store is unreachable: drop the connection so the device retries, rather
            # than leave it connected without a state.
            log.warning("welcome failed meeting=%s code=%s", meeting_ref(conn.meeting_id), exc.code)
            await self.sio.disconnect(sid)

    async def on_disconnect(self, sid: str, reason: Any = None) -> Any:
        if self.sio.manager.is_connected(sid, "/"):
            # A client emitting "disconnect" as an ordinary event; a real one is pending.
            return {"ok": False, "error": UnknownEvent().as_error()}
        conn = self.connections.pop(sid, None)
        if conn is None:
            return None
        if not any(c.meeting_id == conn.meeting_id for c in self.connections.values()):
            self.cache.pop(conn.meeting_id, None)
            self.locks.pop(conn.meeting_id, None)
        # The meeting may be gone or the store down: then there is nothing to count.
        with contextlib.suppress(TijdlijnError):
            await self._presence(conn.meeting_id, sid, None)
        return None

    @staticmethod
    def _label(actor: Actor) -> str:
        return actor.party_id or actor.role if actor.role == "participant" else actor.role

    async def _presence(self, meeting_id: str, sid: str, label: str | None) -> None:
        await self.store.set_presence(meeting_id, sid, label, self.settings.ttl_seconds)
        counts: dict[str, int] = {}
        for value in (await self.store.presence(meeting_id)).values():
            counts[value] = counts.get(value, 0) + 1
        await self.sio.emit("presence", {"counts": counts}, room=f"fac:{meeting_id}")

    # reads
    async def on_sync(self, sid: str, data: Any = None) -> dict[str, Any]:
        conn = self.connections.get(sid)
        if conn is None:
            return {"ok": False, "error": Unauthorized().as_error()}
        since = data.get("since") if isinstance(data, dict) else None
        try:
            name, payload = await self._sync_payload(conn, since)
        except TijdlijnError as exc:
            return {"ok": False, "error": exc.as_error()}
        return {"ok": True, name: payload}

    async def _sync_payload(self, conn: Connection, since: Any) -> tuple[str, dict[str, Any]]:
        public = conn.actor.role != "facilitator"
        if isinstance(since, int) and not isinstance(since, bool) and since >= 0:
            events = await self.store.since(conn.meeting_id, since)
            if events is not None:
                seq = events[-1]["seq"] if events else since
                shown = [wire(e, public) for e in events if not public or e["public"]]
                return "catchup", {"seq": seq, "events": shown}
        stored = await self._load(conn.meeting_id)
        return "snapshot", await self._snapshot(conn, stored)

    async def _snapshot(self, conn: Connection, stored: Stored) -> dict[str, Any]:
        state, actor = stored.state, conn.actor
        view = view_for(state, actor.role)
        own = [
            i["id"]
            for i in state["interpretations"].values()
            if actor.participant_id
            and i.get("author") == actor.participant_id
            and i["id"] in view["interpretations"]
        ]
        payload: dict[str, Any] = {
            "seq": stored.seq,
            "meeting": view,
            "you": {
                "role": actor.role,
                "party_id": actor.party_id,
                "participant_id": actor.participant_id,
                "own": own,
            },
        }
        if actor.role != "participant":
            share = await self.store.share(conn.meeting_id) or {}
            if actor.role == "wall":
                share = {k: v for k, v in share.items() if k in ("join_code", "join_url")}
            payload["share"] = share
        return payload

    async def _load(self, meeting_id: str) -> Stored:
        stored = await self.store.load(meeting_id)
        if stored is None:
            self.cache.pop(meeting_id, None)
            raise MeetingGone()
        self.cache[meeting_id] = stored
        return stored

    # writes
    def _writer(self, name: str) -> Any:
        async def handler(sid: str, data: Any = None) -> dict[str, Any]:
            return await self.metrics.timed_write(name, self.on_write(name, sid, data))

        handler.__name__ = f"on_{name.replace('.', '_')}"
        return handler

    async def on_unknown(self, event: str, sid: str, *args: Any) -> dict[str, Any]:
        return {"ok": False, "error": UnknownEvent().as_error()}

    async def on_write(self, name: str, sid: str, data: Any) -> dict[str, Any]:
        """The one boundary where errors become error acks."""
        conn = self.connections.get(sid)
        try:
            if conn is None:
                raise Unauthorized()
            if not conn.allow(
                time.monotonic(), self.settings.rate_per_second, self.settings.rate_burst
            ):
                raise RateLimited()
            command = commands.parse(name, data)
            if isinstance(command, commands.MeetingEnd):
                return await self._end(conn, command)
            return await self._apply(conn, name, command)
        except TijdlijnError as exc:
            if conn is not None:
                log.info(
                    "refused %s meeting=%s code=%s",
                    name if name in commands.COMMANDS else "?",
                    meeting_ref(conn.meeting_id),
                    exc.code,
                )
            return {"ok": False, "error": exc.as_error()}

    async def _apply(
        self, conn: Connection, name: str, command: commands.Command
    ) -> dict[str, Any]:
        lock = self.locks.setdefault(conn.meeting_id, asyncio.Lock())
        async with lock:
            return await self._apply_locked(conn, name, command)

    async def _apply_locked(
        self, conn: Connection, name: str, command: commands.Command
    ) -> dict[str, Any]:
        mid = conn.meeting_id
        for attempt in range(MAX_ATTEMPTS):
            stored = self.cache.get(mid) or await self._load(mid)
            try:
                outcome = decide(
                    stored.state, name, command, conn.actor, time.time(), access.new_item_id
                )
            except TijdlijnError:
                # A retry of an op that already succeeded answers as it did then; and with
                # several processes our copy may be behind: refuse only on the latest state.
                prior = await self.store.recall(mid, command.op_id)
                if prior is not None:
                    return prior
                fresh = await self._load(mid)
                if fresh.seq != stored.seq:
                    continue
                raise
            seq = stored.seq + 1
            event: Event = {
                "seq": seq,
                "type": outcome.type,
                "at": time.time(),
                "changes": outcome.changes,
                "public": outcome.public,
            }
            result = {"ok": True, "seq": seq, **outcome.result}
            appended = await self.store.append(
                mid, event, outcome.state, command.op_id, result, self.settings.ttl_seconds
            )
            if isinstance(appended, Appended):
                self.cache[mid] = Stored(seq, outcome.state)
                await self._broadcast(mid, event)
                log.debug("applied %s meeting=%s seq=%d", outcome.type, meeting_ref(mid), seq)
                return result
            if isinstance(appended, Duplicate):
                return appended.result
            self.cache.pop(mid, None)
            if isinstance(appended, Gone):
                raise MeetingGone()
            assert isinstance(appended, Stale)
            # Another process wrote first. Back off a little, at random, so two processes
            # writing to one meeting do not keep colliding.
            await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))
        raise Conflict("Het is nu erg druk; probeer het opnieuw.")

    async def _broadcast(self, meeting_id: str, event: Event) -> None:
        with self.metrics.fanout():
            await self.sio.emit("event", wire(event, public=False), room=f"fac:{meeting_id}")
            if event["public"]:
                await self.sio.emit("event", wire(event, public=True), room=f"pub:{meeting_id}")

    # end and delete
    async def _end(self, conn: Connection, command: commands.MeetingEnd) -> dict[str, Any]:
        mid = conn.meeting_id
        stored = await self._load(mid)
        authorise(stored.state, command, conn.actor)
        sids = list((await self.store.presence(mid)).keys())
        deletion = await self.store.delete(mid)
        self.cache.pop(mid, None)
        receipt = deletion_receipt(mid, stored.state, deletion.removed, deletion.remaining)
        notice = {"code": MeetingGone.code, "message": MeetingGone.default_message}
        sender = next(sid for sid, c in self.connections.items() if c is conn)
        # The sender learns it from its ack (with the receipt); everyone else from this notice.
        for room in ("fac", "pub"):
            await self.sio.emit("meeting.deleted", notice, room=f"{room}:{mid}", skip_sid=sender)
        current = [sid for sid, c in self.connections.items() if c.meeting_id == mid]
        for sid in (set(sids) | set(current)) - {sender}:
            await self.sio.disconnect(sid)
        # Scheduled last: it runs only after this handler's ack has been queued for the sender.
        self.sio.start_background_task(self.sio.disconnect, sender)
        log.info("deleted meeting=%s keys=%d", meeting_ref(mid), deletion.removed)
        return {"ok": True, "receipt": receipt}


def deletion_receipt(meeting_id: str, state: Meeting, keys: int, remaining: int) -> dict[str, Any]:
    """Proof of deletion for a privacy officer: counts and hashes, no case content."""
    raw = cast(dict[str, Any], state)
    items = {kind: len(raw[kind]) for kind in COLLECTIONS}
    return {
        "meeting_hash": hashlib.sha256(meeting_id.encode()).hexdigest(),
        "deleted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "items_removed": items,
        "items_removed_total": sum(items.values()),
        "keys_removed": keys,
        "keys_remaining": remaining,
        "verified_empty": remaining == 0,
    }
