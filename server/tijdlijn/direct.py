"""WebSocket frames written straight to the socket: no queue and writer task per device.

python-engineio 4.15 gives every connection an ``asyncio.Queue``, a writer task that empties it,
a task per received message (``wait_for`` on the read), and a sleeping task until the next
ping; python-socketio 5.18 sends a room broadcast as one task per recipient, each putting the
packet in that queue, and every writer encodes it again. Measured (bench/README.md), that is
five tasks and about 200 objects the cyclic collector tracks per connection, and most of the
CPU of a delivery. Here, once a connection speaks WebSocket:

- a frame is encoded once per broadcast and handed to each socket's ASGI ``send`` at once,
  in the caller's task (:func:`start`): uvicorn writes it to the transport without waiting
  when the socket is writable, which is nearly always;
- a socket whose transport is full (a slow or stalled client) keeps later frames, in order, in
  a backlog written by one task; past :data:`BACKLOG_LIMIT` characters it is closed instead of
  growing: the device reconnects and asks for what it missed (``since``), as after any drop;
- the reader waits on the socket itself (no task per read); silent clients are found by one
  sweep over all sockets every few seconds, and the next ping is a timer, not a task.

Long-polling (and a socket still upgrading) keeps python-engineio's own queue and writer. Every
frame of one socket goes through :meth:`DirectSocket.send`, so per-socket order holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Coroutine, Generator
from typing import Any, Protocol, runtime_checkable

import engineio
from engineio import exceptions, packet
from engineio.async_socket import AsyncSocket
from socketio import packet as sio_packet

from . import acyclic
from .rooms import IndexedRooms

# A backlog this large (characters of frames a client has not taken) closes the socket. A
# meeting's events are a few hundred bytes each; a client this far behind resyncs cheaper.
BACKLOG_LIMIT = 1_000_000
# Engine.IO's ping and pong frames (packet types 2 and 3, no data).
PING, PONG = str(packet.PING), str(packet.PONG)


@runtime_checkable
class TextWriter(Protocol):
    """What a socket's ASGI ``send`` may also offer (sio_server._Frames): a text message
    written at once, or False when it must take ``send``."""

    def write_text(self, text: str) -> bool: ...


@runtime_checkable
class FrameReader(Protocol):
    """What a socket's ASGI ``receive`` may also offer (sio_server._Frames): the next text
    frame now, or a future to await until one comes, without a coroutine per frame."""

    def ready_text(self) -> str | None: ...

    def arrival(self) -> asyncio.Future[None] | None: ...


def start(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any] | None:
    """Run ``coro`` until it first has to wait; ``None`` when it finished without waiting.

    Python 3.12's eager tasks, for one coroutine: an ASGI ``send`` to a writable socket completes
    without suspending, so no task is made; otherwise a task carries it on from where it waits.
    Exceptions of the synchronous part are raised here."""
    try:
        waiting = coro.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_carry_on(coro, waiting))


async def _carry_on(coro: Coroutine[Any, Any, Any], waiting: Any) -> Any:
    # What asyncio.Task does with a coroutine that yielded: the task running this waits on the
    # future the coroutine yielded (handed on as it is, so no extra future or callback), then
    # resumes the coroutine, or throws into it what the wait raised (a cancellation).
    while True:
        try:
            await _Handed(waiting)
        except BaseException as exc:
            try:
                waiting = coro.throw(exc)
            except StopIteration as done:
                return done.value
            continue
        try:
            waiting = coro.send(None)
        except StopIteration as done:
            return done.value


class _Handed:
    """Yields what a coroutine run by :func:`start` yielded to the task carrying it on."""

    __slots__ = ("waiting",)

    def __init__(self, waiting: Any) -> None:
        self.waiting = waiting

    def __await__(self) -> Generator[Any, None, None]:
        yield self.waiting


class DirectSocket(AsyncSocket):  # type: ignore[misc]
    """An Engine.IO socket that writes WebSocket frames itself (see the module docstring)."""

    # python-engineio's (untyped) attributes this class uses.
    server: Any
    sid: str
    queue: Any
    last_ping: float | None
    connected: bool
    upgraded: bool
    upgrading: bool
    closing: bool
    closed: bool
    # Set once the WebSocket handshake (and any upgrade) is done.
    asgi_send: Any = None
    # The object behind asgi_send when it can write a frame without an ASGI message.
    raw: TextWriter | None = None
    # The object behind the WebSocket's receive when it can hand over frames itself.
    reader: FrameReader | None = None
    backlog: deque[str | None] | None = None
    backlog_size = 0
    ended = False
    ping_timer: asyncio.TimerHandle | None = None

    async def send(self, pkt: Any) -> None:
        if self.asgi_send is None:
            await super().send(pkt)
        elif await self.check_ping_timeout():
            self.write(pkt.encode())

    def fresh(self) -> bool:
        """Whether a frame may be written now without the ping-timeout check awaiting a close."""
        last = self.last_ping
        return not (self.closed or (last and time.time() - last > self.server.ping_timeout))

    def write(self, frame: str | None) -> None:
        """Hand one encoded frame (``None``: the WebSocket close) to the socket, in order,
        without ever waiting for it."""
        if self.ended or (self.closed and frame is not None):
            return
        if frame is None:
            self.ended = True
        if self.backlog is not None:
            self.backlog.append(frame)
            self.backlog_size += len(frame) if frame is not None else 0
            if self.backlog_size > BACKLOG_LIMIT:
                self.overflow()
            return
        raw = self.raw
        try:
            if frame is not None and raw is not None and raw.write_text(frame):
                return
            pending = start(self.asgi_send(_message(frame)))
        except Exception:  # the client is gone; the reader notices and closes
            return
        if pending is not None:
            self.backlog = deque()
            self.server.start_background_task(self._drain, pending)

    async def _drain(self, first: asyncio.Task[Any]) -> None:
        try:
            await first
            while self.backlog:
                frame = self.backlog.popleft()
                self.backlog_size -= len(frame) if frame is not None else 0
                await self.asgi_send(_message(frame))
        except Exception:
            # Gone: the reader ends the connection; nothing more is kept for it meanwhile.
            self.ended = True
            if self.backlog is not None:
                self.backlog.clear()
            self.backlog_size = 0
        finally:
            if self.backlog is not None and not self.backlog:
                self.backlog, self.backlog_size = None, 0

    def overflow(self) -> None:
        """A client that takes nothing: drop what it was sent and close it (it resyncs)."""
        self.server.logger.warning("%s: send backlog over %d, closing", self.sid, BACKLOG_LIMIT)
        if self.backlog is not None:
            self.backlog.clear()
            self.backlog.append(None)
        self.backlog_size = 0
        self.ended = True
        self.server.start_background_task(
            self.close, wait=False, abort=True, reason=self.server.reason.TRANSPORT_ERROR
        )

    async def close(self, wait: bool = True, abort: bool = False, reason: Any = None) -> None:
        if self.ping_timer is not None:
            self.ping_timer.cancel()
            self.ping_timer = None
        await super().close(wait=wait and self.asgi_send is None, abort=abort, reason=reason)
        if self.asgi_send is not None:
            # After the CLOSE packet, the WebSocket itself: the reader has no deadline of its
            # own, so a server-side close (or a ping timeout) must end it.
            self.write(None)

    # pings: a timer per socket instead of a sleeping task
    def schedule_ping(self) -> None:
        if self.last_ping:
            self.last_ping = None
            loop = asyncio.get_running_loop()
            self.ping_timer = loop.call_later(self.server.ping_interval, self._ping)

    def _ping(self) -> None:
        self.ping_timer = None
        if not self.closing and not self.closed:
            self.last_ping = time.time()
            if self.asgi_send is not None:
                self.write(PING)
            else:
                self.server.start_background_task(self.send, packet.Packet(packet.PING))

    async def _websocket_handler(self, ws: Any) -> None:
        """python-engineio's handler, with the writer task and the task per read left out."""

        async def wait() -> Any:
            data = await ws.wait()
            if data and len(data) > self.server.max_http_buffer_size:
                raise ValueError("packet is too large")
            return data

        if self.connected:
            # An upgrade from long-polling: the probe, as python-engineio does it.
            self.upgrading = True
            try:
                pkt = packet.Packet(encoded_packet=await wait())
                if pkt.packet_type != packet.PING or pkt.data != "probe":
                    self.upgrading = False
                    return
                await ws.send(packet.Packet(packet.PONG, data="probe").encode())
                await self.queue.put(packet.Packet(packet.NOOP))  # ends the pending poll
                pkt = packet.Packet(encoded_packet=await wait())
            except (OSError, ValueError):
                self.upgrading = False
                return
            if pkt.packet_type != packet.UPGRADE:
                self.upgraded = False
                self.upgrading = False
                return
            self.upgraded = True
            self.upgrading = False
        else:
            self.connected = True
            self.upgraded = True
        # What was queued before (the OPEN packet, a CONNECT answer), in order, then direct.
        queued = []
        while not self.queue.empty():
            queued.append(self.queue.get_nowait())
            self.queue.task_done()
        self.asgi_send = ws.asgi_send
        owner = getattr(ws.asgi_send, "__self__", None)
        self.raw = owner if isinstance(owner, TextWriter) else None
        source = getattr(ws.asgi_receive, "__self__", None)
        self.reader = source if isinstance(source, FrameReader) else None
        # Unused from here on (send() writes directly; close() does not wait for it).
        self.queue = None
        for pkt in queued:
            if pkt is not None:
                self.write(pkt.encode())
        await self._read(wait)
        self.write(None)
        await self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)

    async def _read(self, wait: Any) -> None:
        """Packets until the client goes. No deadline per read: a client silent past the ping
        timeout is closed by DirectEngine's sweep, which ends the WebSocket too."""
        on_message = self.server.handlers.get("message")
        reader, limit = self.reader, self.server.max_http_buffer_size
        try:
            while True:
                # A frame already received is taken as it is, else its arrival awaited: one
                # future per frame, no chain of coroutines (FrameReader). Anything else (a
                # close, junk, binary, the end) takes the general path, wait().
                data = reader.ready_text() if reader is not None else None
                if data is None:
                    arrival = reader.arrival() if reader is not None else None
                    if arrival is not None:
                        await arrival
                        continue
                    if (data := await wait()) is None:
                        return
                elif len(data) > limit:
                    return  # as wait() refuses it
                try:
                    # A Socket.IO packet in an Engine.IO MESSAGE: straight to Socket.IO, as
                    # receive() would hand it on (the same string, without a packet object).
                    if isinstance(data, str) and data[:1] == "4" and data[1:2].isdigit():
                        await self._message(on_message, data[1:])
                        continue
                    if data == PONG:  # all receive() does with it
                        self.schedule_ping()
                        continue
                    await self.receive(packet.Packet(encoded_packet=data))
                except exceptions.UnknownPacketError:
                    pass
                except exceptions.SocketIsClosedError:
                    return
                except Exception:
                    self.server.logger.exception("Unknown receive error")
        except (Exception, asyncio.CancelledError):
            return  # gone, or a packet too large: python-engineio closes then too

    async def _message(self, handler: Any, data: str) -> None:
        if handler is None:
            return
        try:
            await handler(self.sid, data)
        except Exception:  # as python-engineio's _trigger_event: logged, the socket stays
            self.server.logger.exception("message async handler error")


def _message(frame: str | None) -> dict[str, Any]:
    if frame is None:
        return {"type": "websocket.close", "code": 1000}
    return {"type": "websocket.send", "text": frame}


class DirectEngine(engineio.AsyncServer):  # type: ignore[misc]
    """python-engineio's server with :class:`DirectSocket` and a cheaper ping-timeout sweep."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.async_mode == "asgi":
            acyclic.install(self)  # no class made per request (acyclic.py)

    async def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
        if event == "connect":
            # python-engineio makes the socket by class name; it gets ours before any use.
            socket = self.sockets.get(args[0])
            if type(socket) is AsyncSocket:
                socket.__class__ = DirectSocket
        return await super()._trigger_event(event, *args, **kwargs)

    async def _service_task(self) -> None:
        """Sockets silent past the ping timeout are closed: one pass every few seconds, not a
        ``wait_for`` per socket (python-engineio spreads one pass over the ping timeout)."""
        self.service_task_event = self.create_event()
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.service_task_event.wait(), self.ping_timeout / 4)
                return
            now = time.time()
            for sid, s in list(self.sockets.items()):
                if s.closed:
                    self.sockets.pop(sid, None)
                elif not s.closing and s.last_ping and now - s.last_ping > self.ping_timeout:
                    with contextlib.suppress(Exception):
                        await s.check_ping_timeout()


class DirectManager(IndexedRooms):
    """A broadcast without an ack encoded once and written to each WebSocket at once."""

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        room = to or room
        # As python-socketio: a tuple is several arguments, anything else one.
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        frame = (
            None
            if callback is not None or namespace not in self.rooms
            else encoded(
                self.server.packet_class, sio_packet.EVENT, namespace, None, [event, *args]
            )
        )
        if frame is None:
            await super().emit(event, data, namespace, room, skip_sid, callback, **kwargs)
            return
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        sockets = self.server.eio.sockets
        # The ping-timeout check of every socket, against one clock reading per broadcast.
        now, timeout = time.time(), self.server.eio.ping_timeout
        slow = []
        for sid, eio_sid in self.get_participants(namespace, room):
            if sid in skip:
                continue
            socket = sockets.get(eio_sid)
            if (
                isinstance(socket, DirectSocket)
                and socket.asgi_send is not None
                and not socket.closed
                and not ((last := socket.last_ping) and now - last > timeout)
            ):
                socket.write(frame)
            else:  # long-polling, upgrading, or due a ping-timeout close: the queue path
                pkt = packet.Packet(packet.MESSAGE, frame[1:])
                slow.append(asyncio.ensure_future(self.server._send_eio_packet(eio_sid, pkt)))
        if slow:
            await asyncio.wait(slow)


def encoded(
    packet_class: Any, kind: int, namespace: str, ack_id: int | None, data: list[Any]
) -> str | None:
    """The Engine.IO frame of a Socket.IO event or ack, as python-socketio encodes it (``42``
    and the JSON of ``[event, *args]``; ``43<id>`` and the JSON of the answer), made without
    python-socketio's walk over the data for binary parts. ``None`` when the data is not plain
    JSON (bytes): then python-socketio encodes it, as a binary packet."""
    try:
        body = packet_class.json.dumps(data, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    where = "" if namespace == "/" else namespace + ","
    number = "" if ack_id is None else str(ack_id)
    return f"{packet.MESSAGE}{kind}{where}{number}{body}"


def direct_ack(
    socket: Any, packet_class: Any, namespace: str, ack_id: int, data: list[Any]
) -> bool:
    """An ack written straight to a WebSocket, in order with its other frames; False when it
    must take python-socketio's path (long-polling, upgrading, due a ping-timeout close)."""
    if not (isinstance(socket, DirectSocket) and socket.asgi_send is not None and socket.fresh()):
        return False
    frame = encoded(packet_class, sio_packet.ACK, namespace, ack_id, data)
    if frame is None:
        return False
    socket.write(frame)
    return True
