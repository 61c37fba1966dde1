"""Socket.IO glue: connections, the per-connection rate limit, rooms, and emitting.

What a meeting does is in service.py; this module only turns packets into service calls and
results into packets. Rooms: ``fac:<meeting>`` gets the truth minus authors, ``pub:<meeting>``
(participants and the wall) the public view; each broadcast is encoded once per room.

A watchdog keeps what devices see true when nothing is sent: it tells devices when their meeting
expired or was lost (a Redis restarted empty), renews this process's presence entries (so those
of a process that died fade within a minute), and after the cross-process link was down tells
every device the latest seq of its meeting, so a device that missed something asks for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import socketio

from . import guard
from .admission import Admission
from .answers import CapsuleAck, Refused, SyncAck, WriteAck, sync_ack
from .domain.evolve import WireEvent
from .domain.visibility import touches_intake
from .domain.writes import WRITES
from .errors import Busy, MeetingGone, RateLimited, TijdlijnError, Unauthorized, UnknownEvent
from .link import Link
from .logs import meeting_ref
from .metrics import Metrics
from .service import Meetings, Session, gone_error
from .settings import Settings

log = logging.getLogger("tijdlijn.hub")

# How often the watchdog looks for meetings that went away.
CHECK_SECONDS = 2.0
ROOMS = ("fac", "pub", "intake")
SYNC_COST = 0.25
NOTICES = {
    "meeting_gone": "meeting.deleted",
    "meeting_expired": "meeting.expired",
    "meeting_lost": "meeting.lost",
}


@dataclass(slots=True)
class Connection:
    """The little a connection needs: few long-lived objects per connection keep the cyclic
    garbage collector's pauses short with thousands of connections (bench/README.md)."""

    session: Session
    label: str
    tokens: float
    refilled: float
    # The op id of this connection's last write refused busy: sent again, it is a retry.
    refused_op: str | None = None

    def allow(self, now: float, rate: float, burst: int, cost: float = 1.0) -> bool:
        self.tokens = min(burst, self.tokens + (now - self.refilled) * rate)
        self.refilled = now
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True


def label_of(session: Session) -> str:
    actor = session.actor
    return actor.party_id or actor.role if actor.role == "participant" else actor.role


class Hub:
    def __init__(
        self, settings: Settings, service: Meetings, sio: socketio.AsyncServer, metrics: Metrics
    ) -> None:
        self.metrics = metrics
        self.settings = settings
        self.service = service
        self.sio = sio
        self.connections: dict[str, Connection] = {}
        # Connections per meeting in this process: connect, disconnect and the watchdog need
        # them, and counting over every connection each time is quadratic in a connect storm.
        self.per_meeting: dict[str, int] = {}
        self.counts: dict[str, dict[str, int]] = {}
        # Past capacity writes are answered busy at once (admission.py; sampler: app lifespan).
        self.admission = Admission(
            settings, lambda reason: metrics.overload_refusals.labels(reason).inc()
        )
        service.broadcaster = self
        manager = sio.manager
        self.link: Link | None = manager if isinstance(manager, Link) else None
        if self.link is not None:
            self.link.on_heal = self.heal
            self.link.on_room_closed = self._closed_elsewhere
            self.link.on_remote_emit = self._heard
        sio.on("connect", self.on_connect)
        sio.on("disconnect", self.on_disconnect)
        sio.on("sync", self.on_sync)
        sio.on("capsule", self.on_capsule)
        sio.on("*", self.on_unknown)
        for name in WRITES:
            sio.on(name, self._writer(name))

    # connections
    # Socket.IO hands handlers whatever JSON a client sent (``Any``): each reads only what it
    # checks first. What they return is typed (answers.py).
    async def on_connect(self, sid: str, environ: Any = None, auth: Any = None) -> Refused | None:
        if self.sio.manager.is_connected(sid, "/"):
            # A client emitting "connect" as an ordinary event: a real connect is still pending.
            return {"ok": False, "error": UnknownEvent().as_error()}
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            session = await self.service.session(token)
            # security: a cap on connections per meeting in this process (docs/security.md)
            guard.admit_to_meeting(self.per_meeting.get(session.meeting_id, 0), self.settings)
        except TijdlijnError as exc:
            # Two arguments: the message, and the data a client reads as {code, message}.
            raise socketio.exceptions.ConnectionRefusedError(exc.message, exc.as_error()) from None
        self.connections[sid] = Connection(
            session, label_of(session), float(self.settings.rate_burst), time.monotonic()
        )
        self.per_meeting[session.meeting_id] = self.per_meeting.get(session.meeting_id, 0) + 1
        # An intake link gets no meeting events, only a hint to fetch its own view again.
        room = {"facilitator": "fac", "intake": "intake"}.get(session.actor.role, "pub")
        await self.sio.enter_room(sid, f"{room}:{session.meeting_id}")
        since = auth.get("since") if isinstance(auth, dict) else None
        self.sio.start_background_task(self._welcome, sid, since)
        if log.isEnabledFor(logging.DEBUG):  # the hash only when the line is written
            log.debug(
                "connect meeting=%s role=%s", meeting_ref(session.meeting_id), session.actor.role
            )
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
        mid = conn.session.meeting_id
        try:
            name, payload = await self.service.sync(conn.session, since)
            await self.sio.emit(name, payload, to=sid)
            await self.service.set_presence(mid, {sid: conn.label})
            await self._presence(mid)
        except MeetingGone as exc:
            await self.sio.emit(NOTICES.get(exc.code, "meeting.deleted"), exc.as_error(), to=sid)
        except TijdlijnError as exc:
            # The store is unreachable: drop the connection so the device retries, rather
            # than leave it connected without a state.
            log.warning("welcome failed meeting=%s code=%s", meeting_ref(mid), exc.code)
            await self.sio.disconnect(sid)

    async def on_disconnect(self, sid: str, reason: Any = None) -> Refused | None:
        if self.sio.manager.is_connected(sid, "/"):
            # A client emitting "disconnect" as an ordinary event; a real one is pending.
            return {"ok": False, "error": UnknownEvent().as_error()}
        conn = self.connections.pop(sid, None)
        if conn is None:
            return None
        mid = conn.session.meeting_id
        left = self.per_meeting.get(mid, 1) - 1
        if left > 0:
            self.per_meeting[mid] = left
        else:
            self.per_meeting.pop(mid, None)
            self.service.forget(mid)
            self.counts.pop(mid, None)
        # The meeting may be gone or the store down: then there is nothing to count.
        with contextlib.suppress(TijdlijnError):
            await self.service.set_presence(mid, {sid: None})
            await self._presence(mid)
        return None

    async def _presence(self, meeting_id: str) -> None:
        counts = await self.service.presence_counts(meeting_id)
        self.counts[meeting_id] = counts
        await self.sio.emit("presence", {"counts": counts}, room=f"fac:{meeting_id}")

    # reads
    async def on_sync(self, sid: str, data: Any = None) -> SyncAck:
        conn = self.connections.get(sid)
        if conn is None:
            return {"ok": False, "error": Unauthorized().as_error()}
        # Syncs draw on the same budget as writes (a quarter each: a resync is legitimate, a
        # flood of them is not); 50,000 in 5 s once kept the server busy for 40 s.
        now = time.monotonic()
        if not conn.allow(now, self.settings.rate_per_second, self.settings.rate_burst, SYNC_COST):
            return {"ok": False, "error": RateLimited().as_error()}
        since = data.get("since") if isinstance(data, dict) else None
        try:
            return sync_ack(await self.service.sync(conn.session, since))
        except TijdlijnError as exc:
            return {"ok": False, "error": exc.as_error()}

    async def on_capsule(self, sid: str, data: Any = None) -> CapsuleAck | Refused:
        try:
            conn = self._admit(sid)
            return {"ok": True, **await self.service.capsule(conn.session)}
        except TijdlijnError as exc:
            return {"ok": False, "error": exc.as_error()}

    def _admit(self, sid: str) -> Connection:
        """The connection behind ``sid`` if it may send one more message now."""
        conn = self.connections.get(sid)
        if conn is None:
            raise Unauthorized()
        if not conn.allow(
            time.monotonic(), self.settings.rate_per_second, self.settings.rate_burst
        ):
            raise RateLimited()
        return conn

    # writes
    def _writer(self, name: str) -> Callable[[str, Any], Awaitable[WriteAck]]:
        async def handler(sid: str, data: Any = None) -> WriteAck:
            return await self.metrics.timed_write(name, self.on_write(name, sid, data))

        handler.__name__ = f"on_{name.replace('.', '_')}"
        return handler

    async def on_unknown(self, event: str, sid: str, *args: Any) -> Refused:
        return {"ok": False, "error": UnknownEvent().as_error()}

    async def on_write(self, name: str, sid: str, data: Any) -> WriteAck:
        """The one boundary where errors become error acks."""
        conn = self.connections.get(sid)
        op = data.get("op_id") if isinstance(data, dict) else None
        try:
            if conn is None:
                raise Unauthorized()
            # Busy before the rate limit: a write refused for load must not cost the device
            # a token, or its retries would end in rate_limited, which is final.
            with self.admission.hold(retry=op is not None and op == conn.refused_op):
                conn = self._admit(sid)
                ack = await self.service.write(conn.session, name, data)
                if "receipt" in ack:
                    # The meeting was ended (and deleted): tell every other device.
                    await self._ended(sid, conn)
            return ack
        except Busy as exc:
            # Not logged per write (an overload would flood the log): admission.py logs the
            # episode, metrics count each refusal.
            if conn is not None and isinstance(op, str):
                conn.refused_op = op
            return {"ok": False, "error": exc.as_error()}
        except MeetingGone as exc:
            if conn is not None:
                await self._close_meeting(conn.session.meeting_id, exc, skip=sid)
                # The sender too, after its answer (scheduled last, as in _ended): its room is
                # closed, so connected it would hear nothing more, not even a restore.
                self.sio.start_background_task(self.sio.disconnect, sid)
            return {"ok": False, "error": exc.as_error()}
        except TijdlijnError as exc:
            if conn is not None:
                log.info(
                    "refused %s meeting=%s code=%s",
                    name if name in WRITES else "?",
                    meeting_ref(conn.session.meeting_id),
                    exc.code,
                )
            return {"ok": False, "error": exc.as_error()}

    async def deliver(
        self, meeting_id: str, facilitators: WireEvent, public: WireEvent | None
    ) -> None:
        rooms: list[tuple[str, Any]] = [(f"fac:{meeting_id}", facilitators)]
        if public is not None:
            rooms.append((f"pub:{meeting_id}", public))
        started = time.perf_counter()
        try:
            if self.link is not None:
                await self.link.emit_each("event", rooms)
            else:
                for room, event in rooms:
                    await self.sio.emit("event", event, room=room)
        finally:
            self.metrics.fanned_out(started)
        if touches_intake(facilitators["changes"]):
            await self.sio.emit("intake.changed", {}, room=f"intake:{meeting_id}")

    async def restored(self, meeting_id: str, seq: int) -> None:
        for kind in ROOMS:
            await self.sio.emit("restored", {"seq": seq}, room=f"{kind}:{meeting_id}")

    def _heard(self, room: str, event: Any) -> None:
        """Another process wrote to a meeting: our copy of it is behind (see service.heard)."""
        kind, _, meeting_id = room.partition(":")
        seq = event.get("seq") if isinstance(event, dict) else None
        if kind == "fac" and isinstance(seq, int):
            self.service.heard(meeting_id, seq)

    # end, expiry, loss
    async def _ended(self, sid: str, conn: Connection) -> None:
        await self._close_meeting(conn.session.meeting_id, MeetingGone(), skip=sid)
        # Scheduled last: it runs only after this handler's ack has been queued for the sender.
        self.sio.start_background_task(self.sio.disconnect, sid)

    async def _close_meeting(self, meeting_id: str, why: MeetingGone, skip: str | None) -> None:
        """Tell every device of a meeting that is gone why, then let them go (every process)."""
        self.service.forget(meeting_id)
        notice = NOTICES.get(why.code, "meeting.deleted")
        for room in ROOMS:
            await self.sio.emit(notice, why.as_error(), room=f"{room}:{meeting_id}", skip_sid=skip)
        local = [
            sid
            for sid, c in self.connections.items()
            if c.session.meeting_id == meeting_id and sid != skip
        ]
        for room in ROOMS:
            await self.sio.close_room(f"{room}:{meeting_id}")
        for sid in local:
            await self.sio.disconnect(sid)

    async def _closed_elsewhere(self, room: str) -> None:
        """Another process closed a meeting's rooms and told its devices why: let this
        process's devices of it go too. They reconnect, and learn where the meeting stands
        (gone, or restored meanwhile)."""
        mid = room.partition(":")[2]
        self.service.forget(mid)
        local = [s for s, c in self.connections.items() if c.session.meeting_id == mid]
        if not local:
            return
        # That process's notice may not have come through (the link was down): say it again.
        why: MeetingGone | None = None
        with contextlib.suppress(TijdlijnError):
            status = await self.service.store.status(mid)
            why = gone_error(status) if status != "live" else None
        for sid in local:
            if why is not None:
                notice = NOTICES.get(why.code, "meeting.deleted")
                await self.sio.emit(notice, why.as_error(), to=sid, ignore_queue=True)
            await self.sio.disconnect(sid)

    def local_meetings(self) -> list[str]:
        return list(self.per_meeting)

    async def watch(self) -> None:
        """The watchdog loop (started by the app's lifespan)."""
        beat = 0
        # Renew presence every third of the time an entry counts (20 s of 60 by default).
        every = max(1, round(self.settings.presence_seconds / 3 / CHECK_SECONDS))
        while True:
            await asyncio.sleep(CHECK_SECONDS)
            beat += 1
            try:
                await self.check(renew=beat % every == 0)
            except TijdlijnError as exc:
                log.warning("watchdog: store unavailable (%s)", exc.code)

    async def check(self, renew: bool = False) -> None:
        """One round of the watchdog: gone meetings, dirty rooms, and (``renew``) presence."""
        local = self.local_meetings()
        for mid in await self.service.store.missing(local):
            why = gone_error(await self.service.store.status(mid))
            log.info("meeting=%s is gone (%s)", meeting_ref(mid), why.code)
            await self._close_meeting(mid, why, skip=None)
        if self.link is not None and self.link.dirty:
            rooms, self.link.dirty = self.link.dirty, set()
            await self._tell_heads({room.partition(":")[2] for room in rooms}, local_only=False)
        if renew:
            await self.renew_presence()

    async def renew_presence(self) -> None:
        by_meeting: dict[str, dict[str, str | None]] = {}
        for sid, conn in self.connections.items():
            by_meeting.setdefault(conn.session.meeting_id, {})[sid] = conn.label
        for mid, entries in by_meeting.items():
            # One meeting at a time with the loop free in between: with the embedded store
            # none of these awaits yields, and a thousand meetings would be one long stall.
            await asyncio.sleep(0)
            with contextlib.suppress(TijdlijnError):
                await self.service.set_presence(mid, entries)
                counts = await self.service.presence_counts(mid)
                if counts != self.counts.get(mid):
                    self.counts[mid] = counts
                    await self.sio.emit("presence", {"counts": counts}, room=f"fac:{mid}")

    async def heal(self) -> None:
        """After the link was down: tell this process's devices the latest seq they may see."""
        try:
            await self._tell_heads(set(self.local_meetings()), local_only=True)
        except TijdlijnError as exc:
            log.warning("heal: store unavailable (%s)", exc.code)

    async def _tell_heads(self, meeting_ids: set[str], local_only: bool) -> None:
        heads = await self.service.heads(sorted(meeting_ids))
        for mid, (seq, public_seq) in heads.items():
            for room, head in (("fac", seq), ("pub", public_seq)):
                await self.sio.emit(
                    "heads", {"seq": head}, room=f"{room}:{mid}", ignore_queue=local_only
                )
