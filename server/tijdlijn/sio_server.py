"""python-socketio's AsyncServer with every incoming packet checked before it is dispatched.

python-socketio decodes a packet and hands it on; a packet it cannot decode, or an event it can
decode but not dispatch (``[]``, ``{}``, two payloads), raises inside Engine.IO's handler, which
logs a traceback and answers nothing (50,000 of them were 86 MB of log in 5 s). Here every
packet from a client gets an answer or a clean close (docs/protocol.md, "Malformed packets"):

- a ``CONNECT`` whose ``auth`` is over :data:`AUTH_LIMIT` bytes (or a message over the message
  limit): ``connect_error`` with ``{code: "too_large"}``;
- an event with an ack id that is malformed (not ``[name, payload?]`` with a string name,
  nested deeper than body.MAX_DEPTH) or too large: an error ack, ``invalid`` (``unknown_event``
  for an unknown name) or ``too_large``; the connection stays;
- anything else that is wrong (undecodable, binary, an ack or ``CONNECT_ERROR`` from a client,
  an unknown namespace, a malformed event without an ack id): the event ``protocol_error``
  ``{code, message}``, then the connection is closed.

Refusals are counted, not logged one by one: :class:`JunkLog` writes one summary line a minute.
Engine.IO connections (authenticated or not) are capped per client address here too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from typing import Any

import socketio
from socketio import packet as sp

from . import proxy
from .answers import Refused
from .body import MAX_DEPTH, depth
from .direct import DirectEngine, DirectManager, direct_ack, start
from .errors import ErrorBody, UnknownEvent
from .settings import Settings
from .wsprotocol import LeanWebSocketProtocol, text_frame

log = logging.getLogger("tijdlijn.socketio")

AUTH_LIMIT = 4096
_ID = re.compile(r"^(\d)(?:/[^,]{0,100},)?(\d{1,12})(?!\d)")
REPORT_EVERY = 60.0


def transport_limit(settings: Settings) -> int:
    """What the transport accepts; up to here the server reads a message and answers it,
    larger ones uvicorn closes with 1009 (message too big)."""
    return 4 * settings.max_message_bytes


class JunkLog:
    """Counts refused packets by reason; at most one log line per ``REPORT_EVERY`` seconds."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.total = 0
        self.last = float("-inf")

    def count(self, reason: str) -> None:
        self.counts[reason] = self.counts.get(reason, 0) + 1
        self.total += 1
        now = time.monotonic()
        if now - self.last >= REPORT_EVERY:
            summary = ", ".join(f"{k}={v}" for k, v in sorted(self.counts.items()))
            log.warning("refused Socket.IO packets since last report: %s", summary)
            self.counts.clear()
            self.last = now


class Bucket:
    """A token bucket per address, bounded: when full of addresses, the full buckets (those
    that have not been used up) are forgotten first; they are the harmless ones."""

    def __init__(self, burst: float, rate: float, capacity: int = 50_000) -> None:
        self.burst = burst
        self.rate = rate
        self.capacity = capacity
        self.buckets: dict[str, tuple[float, float]] = {}

    def allow(self, address: str) -> bool:
        now = time.monotonic()
        tokens, at = self.buckets.get(address, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens < 1.0:
            self.buckets[address] = (tokens, now)
            return False
        if address not in self.buckets and len(self.buckets) >= self.capacity:
            self.buckets = {
                a: (t, s)
                for a, (t, s) in self.buckets.items()
                if t + (now - s) * self.rate < self.burst
            }
            while len(self.buckets) >= self.capacity:
                self.buckets.pop(next(iter(self.buckets)))
        self.buckets[address] = (tokens - 1.0, now)
        return True


def _error(code: str, message: str) -> ErrorBody:
    return {"code": code, "message": message}


TOO_LARGE = _error("too_large", "Dit bericht is te groot.")
MALFORMED = _error("invalid", "Dit bericht heeft niet de vorm [naam, gegevens].")
UNKNOWN = UnknownEvent().as_error()
CONNECTS = _error("rate_limited", "Te veel verbindingen achter elkaar. Probeer het zo opnieuw.")
CONNECTS_PER_SECOND = 2.0
CONNECTS_BURST_MIN = 20
KEPT_ENVIRON = ("REQUEST_METHOD", "PATH_INFO", "REMOTE_ADDR", "asgi.scope")
PROTOCOL = "Dit bericht volgt het protocol niet; de verbinding wordt gesloten."


class TijdlijnServer(socketio.AsyncServer):  # type: ignore[misc]
    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        # Our own loggers, not python-socketio's defaults: those get a handler of their own,
        # which would bypass the rate limit on every handler (logs.py).
        kwargs["logger"] = logging.getLogger("tijdlijn.socketio.server")
        kwargs["engineio_logger"] = logging.getLogger("tijdlijn.socketio.engine")
        for name in ("tijdlijn.socketio.server", "tijdlijn.socketio.engine"):
            logging.getLogger(name).setLevel(logging.WARNING)
        # Frames written straight to each WebSocket, not through a queue and task (direct.py).
        if kwargs.get("client_manager") is None:
            kwargs["client_manager"] = DirectManager()
        super().__init__(max_http_buffer_size=transport_limit(settings), **kwargs)
        self.max_message = settings.max_message_bytes
        self.per_address = settings.max_connections_per_address
        self.addresses: dict[str, str] = {}
        self.per_address_count: dict[str, int] = {}
        # A burst as large as the connections an address may hold, then two a second.
        burst = float(max(CONNECTS_BURST_MIN, settings.max_connections_per_address))
        self.connects = Bucket(burst, CONNECTS_PER_SECOND)
        self.junk = JunkLog()
        self.handling: set[asyncio.Task[Any]] = set()

    def _engineio_server_class(self) -> type[DirectEngine]:
        return DirectEngine

    # Engine.IO connections, capped per address
    async def _handle_eio_connect(self, eio_sid: str, environ: Any) -> Any:
        address = proxy.address_key(proxy.peer(environ.get("asgi.scope", {})))
        if self.per_address_count.get(address, 0) >= self.per_address:
            self.junk.count("connections_per_address")
            return False
        self.addresses[eio_sid] = address
        self.per_address_count[address] = self.per_address_count.get(address, 0) + 1
        return await super()._handle_eio_connect(eio_sid, environ)

    async def _handle_eio_disconnect(self, eio_sid: str, reason: Any) -> None:
        address = self.addresses.pop(eio_sid, None)
        if address is not None:
            left = self.per_address_count.get(address, 1) - 1
            if left > 0:
                self.per_address_count[address] = left
            else:
                self.per_address_count.pop(address, None)
        await super()._handle_eio_disconnect(eio_sid, reason)

    async def _handle_connect(self, eio_sid: str, namespace: Any, data: Any) -> None:
        await super()._handle_connect(eio_sid, namespace, data)
        # python-socketio keeps the connect request's environ for the connection's lifetime
        # (about 5 KB of headers each); past the connect handler Tijdlijn reads none of it.
        environ = self.environ.get(eio_sid)
        if environ is not None and len(environ) > len(KEPT_ENVIRON):
            kept = {k: environ[k] for k in KEPT_ENVIRON if k in environ}
            environ.clear()
            environ.update(kept)

    # packets
    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        try:
            await self._checked(eio_sid, data)
        except Exception:  # the last line: never a traceback per packet
            await self._close(eio_sid, "error")

    async def _checked(self, eio_sid: str, data: Any) -> None:
        if not isinstance(data, str) or eio_sid in self._binary_packet:
            # Tijdlijn neither sends nor accepts binary data.
            self._binary_packet.pop(eio_sid, None)
            await self._close(eio_sid, "binary")
            return
        if len(data) > self.max_message:
            await self._too_large(eio_sid, data)
            return
        try:
            pkt = self.packet_class(encoded_packet=data)
        except (ValueError, TypeError, IndexError, RecursionError, OverflowError):
            if not await self._answer_by_id(eio_sid, data, MALFORMED, "undecodable"):
                await self._close(eio_sid, "undecodable")
            return
        if pkt.namespace not in (None, "/") and pkt.packet_type != sp.CONNECT:
            await self._close(eio_sid, "namespace")
            return
        kind = pkt.packet_type
        if kind == sp.CONNECT:
            if pkt.data is not None and len(data) > AUTH_LIMIT:
                await self._connect_refused(eio_sid, pkt.namespace)
                return
            if not self.connects.allow(self.addresses.get(eio_sid, "?")):
                # Each connect costs a token lookup and a snapshot: reconnecting in a loop must
                # not get around the sync budget.
                self.junk.count("connects_per_address")
                await self._connect_refused(eio_sid, pkt.namespace, CONNECTS)
                return
            await self._handle_connect(eio_sid, pkt.namespace, pkt.data)
        elif kind == sp.DISCONNECT:
            await self._handle_disconnect(eio_sid, pkt.namespace, self.reason.CLIENT_DISCONNECT)
        elif kind == sp.EVENT:
            await self._event(eio_sid, pkt, data)
        else:
            # ACK (we never ask clients for one), BINARY_*, CONNECT_ERROR, unknown types.
            await self._close(eio_sid, f"type{kind}" if isinstance(kind, int) else "type")

    async def _event(self, eio_sid: str, pkt: Any, data: str) -> None:
        args = pkt.data
        # Every level of nesting opens with a bracket or brace: with few of them in the text
        # (the usual write) the decoded value cannot nest too deeply, and is not walked.
        shallow = data.count("[") + data.count("{") <= MAX_DEPTH
        well_formed = (
            isinstance(args, list)
            and len(args) >= 1
            and isinstance(args[0], str)
            and (shallow or depth(args) <= MAX_DEPTH)
        )
        connected = self.manager.sid_from_eio_sid(eio_sid, "/") is not None
        if well_formed and len(args) <= 2 and connected:
            await self._handle_event(eio_sid, pkt.namespace, pkt.id, args)
        elif pkt.id is not None and connected:
            self.junk.count("malformed_event")
            # Two payloads: invalid for an event we know; any other name is simply unknown.
            known = (
                well_formed
                and args[0] in self.handlers.get("/", {})
                and args[0]
                not in (
                    "connect",
                    "disconnect",
                )
            )
            await self._ack_error(
                eio_sid, pkt.id, MALFORMED if known or not well_formed else UNKNOWN
            )
        else:
            await self._close(eio_sid, "malformed_event" if connected else "not_connected")

    async def _handle_event(self, eio_sid: str, namespace: Any, id: Any, data: Any) -> None:
        """python-socketio's, with the handler run at once until it first waits (direct.start)
        instead of in a new task: with the embedded store a write never waits, so no task is
        made per event; one that waits carries on as a task, so handlers still overlap."""
        namespace = namespace or "/"
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
        if not self.manager.is_connected(sid, namespace):
            return
        try:
            pending = start(self._handle_event_internal(self, sid, eio_sid, data, namespace, id))
        except Exception:  # what a task's handler would have raised: logged, the socket stays
            log.exception("event handler error")
            return
        if pending is not None:
            # The loop keeps only a weak reference to a task.
            self.handling.add(pending)
            pending.add_done_callback(self.handling.discard)

    async def _handle_event_internal(
        self, server: Any, sid: str, eio_sid: str, data: Any, namespace: str, id: Any
    ) -> None:
        """python-socketio's, with the ack of a handler written straight to its WebSocket
        (encoded once, no Engine.IO packet and send chain); anything else as python-socketio."""
        r = await server._trigger_event(data[0], namespace, sid, *data[1:])
        if r is self.not_handled or id is None:
            return
        args = [] if r is None else list(r) if isinstance(r, tuple) else [r]
        if not direct_ack(self.eio.sockets.get(eio_sid), self.packet_class, namespace, id, args):
            await server._send_packet(
                eio_sid, self.packet_class(sp.ACK, namespace=namespace, id=id, data=args)
            )

    async def _too_large(self, eio_sid: str, data: str) -> None:
        if data[:1] == str(sp.CONNECT):
            await self._connect_refused(eio_sid, "/")
        elif not await self._answer_by_id(eio_sid, data, TOO_LARGE, "too_large"):
            await self._close(eio_sid, "too_large")

    async def _answer_by_id(self, eio_sid: str, data: str, error: ErrorBody, reason: str) -> bool:
        """An error ack for an event we could not (or would not) decode, if it has an ack id
        and the client is connected; False when there is nobody to answer."""
        match = _ID.match(data)
        connected = self.manager.sid_from_eio_sid(eio_sid, "/") is not None
        if not (match and match.group(1) == str(sp.EVENT) and connected):
            return False
        self.junk.count(reason)
        await self._ack_error(eio_sid, int(match.group(2)), error)
        return True

    async def _connect_refused(
        self, eio_sid: str, namespace: str | None, why: ErrorBody | None = None
    ) -> None:
        why = why or TOO_LARGE
        self.junk.count(why["code"])
        error = {"message": why["message"], "data": why}
        await self._send_packet(
            eio_sid, self.packet_class(sp.CONNECT_ERROR, data=error, namespace=namespace or "/")
        )

    async def _ack_error(self, eio_sid: str, ack_id: int, error: ErrorBody) -> None:
        answer: list[Refused] = [{"ok": False, "error": error}]
        await self._send_packet(
            eio_sid, self.packet_class(sp.ACK, namespace="/", id=ack_id, data=answer)
        )

    async def _close(self, eio_sid: str, reason: str) -> None:
        """Say why (``protocol_error``), then close the Engine.IO connection."""
        self.junk.count(reason)
        notice = ["protocol_error", {"code": "protocol_error", "message": PROTOCOL}]
        try:
            await self._send_packet(
                eio_sid, self.packet_class(sp.EVENT, namespace="/", data=notice)
            )
        except Exception:  # already gone: nothing to tell
            return
        # Closed after this handler returns, so the notice is queued first.
        self.start_background_task(self._disconnect_eio, eio_sid)

    async def _disconnect_eio(self, eio_sid: str) -> None:
        await asyncio.sleep(0)
        with contextlib.suppress(Exception):  # a socket closing twice is not worth a log line
            await self.eio.disconnect(eio_sid)


class EngineFrames:
    """ASGI middleware for the WebSocket transport: Engine.IO frames checked before Engine.IO.

    Engine.IO decodes a frame outside its error handling: an empty text frame or an unknown
    packet type ends in "Exception in ASGI application" and a dropped connection (1006), and a
    client's own close packet (``1``) left the socket open. Here a text frame must start with a
    packet type (0-6); anything else gets ``protocol_error`` and a close (1008, "protocol_error"),
    ``1`` a normal close (1000). Engine.IO then sees the disconnect and cleans up.
    """

    def __init__(self, app: Any, server: TijdlijnServer) -> None:
        self.app = app
        self.server = server

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        frames = _Frames(self.server, receive, send)
        path = scope["path"] if scope["path"].endswith("/") else scope["path"] + "/"
        if path.startswith(self.app.engineio_path):
            # Straight to Engine.IO, as python-socketio's ASGIApp would pass it on, minus two
            # frames kept for the connection's lifetime.
            await self.server.eio.handle_request(scope, frames.receive, frames.send)
        else:
            await self.app(scope, frames.receive, frames.send)


# Engine.IO packet types a text frame may start with (0-6); 1, a close, is handled here.
PASSED = "023456"


class _Frames:
    """One WebSocket's checked receive and guarded send: one small object per connection
    rather than three closures and their cells (memory per connection, bench/README.md)."""

    __slots__ = ("closed", "inner_receive", "inner_send", "lean", "reading", "server")

    def __init__(self, server: TijdlijnServer, receive: Any, send: Any) -> None:
        self.server = server
        self.inner_receive = receive
        self.inner_send = send
        self.closed = False
        # uvicorn's protocol itself when it is ours: a broadcast frame goes straight to it.
        owner = getattr(send, "__self__", None)
        self.lean: LeanWebSocketProtocol | None = (
            owner if isinstance(owner, LeanWebSocketProtocol) else None
        )
        # And what it received, when receive is its own: read without a coroutine (direct.py).
        self.reading: LeanWebSocketProtocol | None = (
            self.lean if getattr(receive, "__self__", None) is self.lean else None
        )

    def ready_text(self) -> str | None:
        """The next text frame when one is waiting that :meth:`receive` would pass on as it
        is (an Engine.IO packet other than close); None otherwise: then ``arrival`` or
        ``receive``."""
        lean = self.reading
        return None if lean is None or self.closed else lean.next_text(PASSED)

    def arrival(self) -> asyncio.Future[None] | None:
        """A future done when a frame comes, when nothing is waiting; None when :meth:`receive`
        must be awaited instead (something is waiting that only it handles, or not ours)."""
        lean = self.reading
        if lean is None or self.closed or lean.queue.items:
            return None
        return lean.queue.arrival()

    def write_text(self, text: str) -> bool:
        """A text message written now, without an ASGI message or a coroutine (direct.py);
        False when it must go through :meth:`send` (not our protocol, not writable, closing)."""
        lean = self.lean
        if lean is None or self.closed:
            return False
        wire = lean.wire  # LeanWebSocketProtocol.write_text, without a call more per device
        if wire is None:
            return False
        wire(text_frame(text))
        return True

    async def close(self, code: int, reason: str) -> dict[str, str | int]:
        if not self.closed:
            self.closed = True
            with contextlib.suppress(Exception):
                await self.inner_send({"type": "websocket.close", "code": code, "reason": reason})
        return {"type": "websocket.disconnect", "code": code}

    async def receive(self) -> Any:
        message = await self.inner_receive()
        if message["type"] != "websocket.receive" or self.closed:
            return message
        text = message.get("text")
        if text is None:
            return message  # binary: an Engine.IO message, checked in _handle_eio_message
        if text[:1] == "1":  # Engine.IO close, with or without trailing data
            return await self.close(1000, "")
        if not text or text[0] not in PASSED:
            self.server.junk.count("engineio_frame")
            notice = ["protocol_error", {"code": "protocol_error", "message": PROTOCOL}]
            with contextlib.suppress(Exception):
                await self.inner_send({"type": "websocket.send", "text": "42" + json.dumps(notice)})
            return await self.close(1008, "protocol_error")
        return message

    async def send(self, message: Any) -> None:
        if not self.closed:
            await self.inner_send(message)
