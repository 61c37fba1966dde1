"""Test clients for the hub: a `Device` is one browser tab, as the protocol sees it.

A Device wraps python-socketio's AsyncClient, records every message it receives (parsed and raw),
and keeps a local copy of the meeting the way a browser does: the snapshot, then every event
with a higher seq applied with the server's own ``evolve``. Tests wait for conditions with
``wait_for`` (woken on every message, bounded by a deadline), never with sleeps.

Not a pytest plugin: import what you need (``from tests.support.clients import ...``).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
import socketio

from tijdlijn.domain.evolve import Change, evolve
from tijdlijn.domain.items import PALETTE
from tijdlijn.domain.meeting import Meeting

DEADLINE = 10.0
WELCOMES = ("snapshot", "catchup")


class Refused(Exception):
    """The server refused the connection; ``data`` is what came with connect_error."""

    def __init__(self, data: Any) -> None:
        super().__init__(f"connection refused: {data!r}")
        self.data = data


def op_id() -> str:
    return f"op-{uuid.uuid4().hex}"


def refusal(data: Any) -> Any:
    """What a browser sees as ``err.data`` of a connect_error (socket.io-client puts the
    packet's ``data`` field there and its ``message`` in ``err.message``)."""
    return data.get("data") if isinstance(data, dict) else None


class _RecordingClient(socketio.AsyncClient):  # type: ignore[misc]
    """An AsyncClient that also keeps every raw Engine.IO message, acks included."""

    def __init__(self, raw: list[str], **kwargs: Any) -> None:
        self._raw_sink = raw
        super().__init__(**kwargs)

    async def _handle_eio_message(self, data: Any) -> None:
        self._raw_sink.append(data if isinstance(data, str) else repr(data))
        await super()._handle_eio_message(data)


class Device:
    """One connection's view of a meeting; reconnects keep the local state (like a tab)."""

    def __init__(
        self, url: str, token: str, *, label: str = "device", headers: dict[str, str] | None = None
    ) -> None:
        self.url = url
        self.token = token
        self.label = label
        self.headers = headers or {}
        self.client: _RecordingClient | None = None
        # Everything received, in order, across reconnects.
        self.received: list[tuple[str, Any]] = []
        self.raw: list[str] = []
        self.state: Meeting | None = None
        self.seq = -1
        # The seq of the last snapshot: everything at or below it is in the state already.
        self.base = -1
        self.you: dict[str, Any] | None = None
        self.share: dict[str, Any] | None = None
        self.presence: dict[str, int] | None = None
        self.deleted: Any = None
        self.refused: Any = None
        self.connected = False
        self.disconnects = 0
        # Seqs applied (never twice) and seqs that arrived but were already applied.
        self.applied: list[int] = []
        self.skipped: list[int] = []
        # Seqs that arrived with a ``prev`` this device had not reached: a missed event, which
        # led to a ``sync {since}``.
        self.gaps: list[int] = []
        self.lost: Any = None
        self.expired: Any = None
        self._refreshing: asyncio.Future[None] | None = None
        self.welcomed = False
        self._buffer: list[dict[str, Any]] = []
        self._changed = asyncio.Event()

    # connection
    def _new_client(self) -> _RecordingClient:
        client = _RecordingClient(self.raw, reconnection=False)
        client.on("connect", self._on_connect)
        client.on("disconnect", self._on_disconnect)
        client.on("connect_error", self._on_connect_error)
        client.on("snapshot", self._on_snapshot)
        client.on("catchup", self._on_catchup)
        client.on("event", self._on_event)
        client.on("presence", self._on_presence)
        client.on("meeting.deleted", self._on_deleted)
        client.on("meeting.lost", self._on_lost)
        client.on("meeting.expired", self._on_expired)
        client.on("heads", self._on_heads)
        client.on("restored", self._on_restored)
        client.on("*", self._on_other)
        return client

    async def connect(self, since: int | None = None, *, welcome: bool = True) -> Device:
        """Connect (auth ``since`` if given); wait for the snapshot or catchup unless told not."""
        if self.client is not None and self.client.connected:
            raise RuntimeError(f"{self.label} is already connected")
        await self._release()
        self.welcomed = False
        self._buffer = []
        self.refused = None
        auth: dict[str, Any] = {"token": self.token}
        if since is not None:
            auth["since"] = since
        self.client = self._new_client()
        try:
            await self.client.connect(
                self.url,
                auth=auth,
                headers=self.headers,
                transports=["websocket"],
                wait_timeout=DEADLINE,
            )
        except socketio.exceptions.ConnectionError as exc:
            await self._release()
            raise Refused(self.refused if self.refused is not None else str(exc)) from None
        if welcome:
            await self.wait_for(lambda: self.welcomed, what="a snapshot or catchup")
        return self

    async def disconnect(self) -> None:
        """Leave (idempotent); waits until the client has seen itself disconnected."""
        if self.client is None:
            return
        if self.client.connected:
            await self.client.disconnect()
        await self._release()
        self.connected = False
        self._notify()

    async def _release(self) -> None:
        # Engine.IO's disconnect also closes the aiohttp session when the server closed first.
        if self.client is None:
            return
        eio = self.client.eio
        await eio.disconnect(abort=True)
        # A disconnect the server started is finished by the client's read loop; let it end
        # here, and close the session whatever path it took, so that an unclosed session is
        # never left for the garbage collector to report in some later test.
        if eio.read_loop_task is not None and not eio.read_loop_task.done():
            await asyncio.wait({eio.read_loop_task}, timeout=DEADLINE)
        if eio.http is not None and not eio.http.closed:
            await eio.http.close()

    # writes and reads
    async def call(self, name: str, data: Any = None, within: float = DEADLINE) -> Any:
        """Emit ``name`` with ``data`` as-is and return the ack."""
        if self.client is None:
            raise RuntimeError(f"{self.label} is not connected")
        try:
            return await self.client.call(name, data, timeout=within)
        except socketio.exceptions.TimeoutError:
            raise AssertionError(f"{self.label}: no ack for {name} within {within}s") from None

    async def write(
        self, event: str, /, *, op: str | None = None, **payload: Any
    ) -> dict[str, Any]:
        """A well-formed write: ``payload`` plus a fresh (or the given) op_id."""
        ack = await self.call(event, {"op_id": op or op_id(), **payload})
        assert isinstance(ack, dict), f"{self.label}: ack of {event} is not an object: {ack!r}"
        return ack

    async def ok(self, event: str, /, *, op: str | None = None, **payload: Any) -> dict[str, Any]:
        """A write that must succeed."""
        ack = await self.write(event, op=op, **payload)
        assert ack.get("ok") is True, f"{self.label}: {event} failed: {ack!r}"
        return ack

    async def sync(self, since: int | None = None) -> dict[str, Any]:
        ack = await self.call("sync", {} if since is None else {"since": since})
        assert isinstance(ack, dict)
        return ack

    # waiting
    async def wait_for(
        self, predicate: Callable[[], object], within: float = DEADLINE, what: str = "condition"
    ) -> None:
        """Until ``predicate()`` holds, re-checked on every message; fails after ``within`` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"{self.label}: timed out after {within}s waiting for {what}")
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def wait_seq(self, seq: int, within: float = DEADLINE) -> None:
        await self.wait_for(lambda: self.seq >= seq, within, what=f"seq {seq}")

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # what arrived
    def events(self, type_: str | None = None) -> list[dict[str, Any]]:
        return [
            d for n, d in self.received if n == "event" and (type_ is None or d["type"] == type_)
        ]

    def names(self) -> list[str]:
        return [n for n, _ in self.received]

    def saw(self, text: str) -> bool:
        """Whether ``text`` occurs anywhere in what this device received, raw (either JSON form)."""
        escaped = json.dumps(text)[1:-1]
        return any(text in raw or escaped in raw for raw in self.raw)

    @property
    def meeting(self) -> Meeting:
        assert self.state is not None, f"{self.label} has no state yet"
        return self.state

    # handlers: record synchronously, then wake waiters (handlers run in arrival order)
    async def _on_connect(self) -> None:
        self.connected = True
        self._notify()

    async def _on_disconnect(self, reason: Any = None) -> None:
        self.connected = False
        self.disconnects += 1
        self._notify()

    async def _on_connect_error(self, data: Any = None) -> None:
        self.refused = data
        self.received.append(("connect_error", data))
        self._notify()

    async def _on_snapshot(self, data: dict[str, Any]) -> None:
        self.received.append(("snapshot", data))
        self.state = cast(Meeting, copy.deepcopy(data["meeting"]))
        self.seq = data["seq"]
        self.applied = []
        self.base = data["seq"]
        self.you = data["you"]
        self.share = data.get("share")
        self._welcome()

    async def _on_catchup(self, data: dict[str, Any]) -> None:
        self.received.append(("catchup", data))
        if self.state is None:
            raise AssertionError(f"{self.label}: catchup without a state to apply it to")
        for event in data["events"]:
            self._apply(event)
        self.seq = max(self.seq, data["seq"])
        self._welcome()

    def _welcome(self) -> None:
        self.welcomed = True
        buffered, self._buffer = self._buffer, []
        for event in sorted(buffered, key=lambda e: int(e["seq"])):
            self._apply(event)
        self._notify()

    async def _on_event(self, data: dict[str, Any]) -> None:
        self.received.append(("event", data))
        if self.welcomed:
            self._apply(data)
        else:
            self._buffer.append(data)
        self._notify()

    def _apply(self, event: dict[str, Any]) -> None:
        # The same rule as web/shared/connection.js: at or below what this device has reached:
        # already in its state, skip; ``prev`` above it: an event in between was missed, so
        # ask for everything after what it has (``sync {since}``) instead of applying this one.
        if event["seq"] <= self.seq:
            self.skipped.append(event["seq"])
            return
        if event["prev"] > self.seq:
            self.gaps.append(event["seq"])
            self._buffer.append(event)
            self._resync()
            return
        evolve(self.meeting, cast(list[Change], event["changes"]))
        self.seq = event["seq"]
        self.applied.append(event["seq"])

    def _resync(self) -> None:
        if self.welcomed and self.client is not None:
            self.welcomed = False  # hold new events until the catch-up, as on connect
            self._refreshing = asyncio.ensure_future(self._refresh())

    async def _refresh(self) -> None:
        assert self.client is not None
        try:
            ack = await self.client.call("sync", {"since": self.seq}, timeout=DEADLINE)
        except socketio.exceptions.SocketIOError:
            # No answer: the connection went, or the server is stuck on its store. Connected:
            # try again (the held events show the gap again); else the next connect welcomes.
            ack = None
            if not self.connected:
                return
        if isinstance(ack, dict) and ack.get("ok") and "snapshot" in ack:
            await self._on_snapshot(ack["snapshot"])
        elif isinstance(ack, dict) and ack.get("ok") and "catchup" in ack:
            await self._on_catchup(ack["catchup"])
        else:
            self._welcome()

    async def _on_heads(self, data: dict[str, Any]) -> None:
        self.received.append(("heads", data))
        if data["seq"] > self.seq:
            self._resync()
        self._notify()

    async def _on_restored(self, data: dict[str, Any]) -> None:
        # As web/shared/connection.js: the meeting came back from a copy; take it afresh.
        self.received.append(("restored", data))
        self._resync()
        self._notify()

    async def _on_lost(self, data: Any = None) -> None:
        self.received.append(("meeting.lost", data))
        self.lost = data if data is not None else {}
        self._notify()

    async def _on_expired(self, data: Any = None) -> None:
        self.received.append(("meeting.expired", data))
        self.expired = data if data is not None else {}
        self._notify()

    async def _on_presence(self, data: dict[str, Any]) -> None:
        self.received.append(("presence", data))
        self.presence = data["counts"]
        self._notify()

    async def _on_deleted(self, data: Any = None) -> None:
        self.received.append(("meeting.deleted", data))
        self.deleted = data if data is not None else {}
        self._notify()

    async def _on_other(self, event: str, *args: Any) -> None:
        self.received.append((event, args[0] if len(args) == 1 else list(args)))
        self._notify()


async def wait_all(
    devices: Iterable[Device],
    predicate: Callable[[Device], object],
    within: float = DEADLINE,
    what: str = "condition",
) -> None:
    await asyncio.gather(
        *(d.wait_for(functools.partial(predicate, d), within, what) for d in devices)
    )


class Devices:
    """Every device a test opens, disconnected at the end: ``async with Devices(url) as ds``."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.all: list[Device] = []

    async def __aenter__(self) -> Devices:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(*(d.disconnect() for d in self.all), return_exceptions=True)

    def device(
        self, token: str, label: str = "device", headers: dict[str, str] | None = None
    ) -> Device:
        device = Device(self.url, token, label=label, headers=headers)
        self.all.append(device)
        return device

    async def connect(
        self, token: str, label: str = "device", *, since: int | None = None
    ) -> Device:
        return await self.device(token, label).connect(since)


# HTTP helpers
@dataclass
class MeetingInfo:
    meeting_id: str
    join_code: str
    facilitator_token: str
    cofacilitator_token: str
    wall_token: str
    links: dict[str, str]
    parties: list[dict[str, Any]] = field(default_factory=list)

    @property
    def party_ids(self) -> list[str]:
        return [p["id"] for p in self.parties]


async def create_meeting(
    url: str, parties: int = 4, *, title: str = "Casus testbijeenkomst", initials: str = "J.K."
) -> MeetingInfo:
    body = {
        "title": title,
        "initials": initials,
        "parties": [{"name": f"Partij {i + 1}", "colour": PALETTE[i]} for i in range(parties)],
    }
    async with httpx.AsyncClient(base_url=url, timeout=DEADLINE) as http:
        created = await http.post("/api/meetings", json=body)
        assert created.status_code == 201, created.text
        data = created.json()
        lookup = await http.get(f"/api/join/{data['join_code']}")
        assert lookup.status_code == 200, lookup.text
    return MeetingInfo(
        meeting_id=data["meeting_id"],
        join_code=data["join_code"],
        facilitator_token=data["facilitator_token"],
        cofacilitator_token=data["cofacilitator_token"],
        wall_token=data["wall_token"],
        links=data["links"],
        parties=lookup.json()["parties"],
    )


async def join(url: str, code: str, party_id: str) -> dict[str, Any]:
    """Join as a participant: ``{token, meeting_id, participant_id, party_id}``."""
    async with httpx.AsyncClient(base_url=url, timeout=DEADLINE) as http:
        answer = await http.post("/api/join", json={"code": code, "party_id": party_id})
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


@dataclass
class Revealed:
    """A meeting with its facilitator and participants connected and one moment revealed."""

    m: MeetingInfo
    fac: Device
    phones: list[Device]
    # The reveal's ack: the moment's ``id`` and the ``seq`` every phone has reached.
    shown: dict[str, Any]
    # What POST /api/join answered for each phone (token, participant_id, party_id).
    joined: list[dict[str, Any]]


async def revealed_meeting(
    url: str,
    ds: Devices,
    *,
    parties: int = 1,
    phones: Sequence[str] = ("participant",),
    party_of: Callable[[int], int] = lambda index: 0,
) -> Revealed:
    """The opening most hub tests share: create, join, connect, reveal one moment.

    ``phones`` labels the participants to join and connect (party ``party_of(index)``) before
    the reveal; each has seen the reveal when this returns.
    """
    m = await create_meeting(url, parties=parties)
    joined = [await join(url, m.join_code, m.party_ids[party_of(i)]) for i in range(len(phones))]
    fac = await ds.connect(m.facilitator_token, "facilitator")
    devices = [await ds.connect(j["token"], label) for j, label in zip(joined, phones, strict=True)]
    shown = await fac.ok("moment.add", text="Moment", reveal=True)
    for device in devices:
        await device.wait_seq(shown["seq"])
    return Revealed(m, fac, devices, shown, joined)


async def refused_with(url: str, token: str, *, since: int | None = None) -> Any:
    """Connect and expect a refusal; the connect_error data as the browser sees it."""
    device = Device(url, token, label="refused")
    try:
        await device.connect(since)
    except Refused as exc:
        return refusal(exc.data)
    await device.disconnect()
    raise AssertionError("the connection was accepted")
