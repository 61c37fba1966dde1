"""What the fault tests and ``make faults`` share: a Redis to break, and a fleet of 14 devices.

A :class:`Fleet` is one meeting with 1 facilitator, 12 participants (4 parties) and 1 wall,
spread over the server processes it is given. Every device behaves as a browser does:

- when its connection drops it reconnects by itself, with its own token and the seq it has,
  to its own process or, when that one is down, to another (as a load balancer would);
- a writer retries an unacknowledged write with the same op id until it is answered;
- after a restore (a snapshot with ``restored_at``) a writer sends again, with the same op
  id, each of its writes acknowledged past the point the meeting was restored at.

Every write adds an interpretation with a unique text, so :meth:`Fleet.verdict` can check that
every acknowledged write is in the meeting exactly once and that every device's state equals a
fresh snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis

from tests.support.clients import (
    DEADLINE,
    Device,
    MeetingInfo,
    Refused,
    create_meeting,
    join,
    op_id,
    refusal,
    wait_all,
)
from tests.support.redis import start_redis, stop_redis

# The writers' pace: each device writes about three times a second (the server allows five),
# thirteen writers together about forty. A workload, not a wait for something to happen.
PACE_SECONDS = 0.3
# A write not answered within this is sent again (same op id), as a client would.
ACK_SECONDS = 3.0
# How long a writer keeps trying one write before it counts as never acknowledged.
WRITE_SECONDS = 90.0
# Between reconnection attempts a device waits this long, doubling up to RECONNECT_MOST (as
# socket.io-client does, a little quicker): all 14 come from one address, which the server
# lets connect only so often.
RECONNECT_SECONDS = 0.25
RECONNECT_MOST = 2.0
# Answers after which a client sends the same write again.
RETRYABLE = {"unavailable", "busy", "rate_limited", "meeting_lost", "unauthorized"}
PARTIES = 4
PER_PARTY = 3


class RedisServer:
    """A redis-server of one test, to pause, restart empty, or cut the pub/sub links of."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.process, self.url = start_redis(workdir)
        self.port = int(self.url.rsplit(":", 1)[1].split("/")[0])

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def restart_empty(self) -> None:
        """Killed (nothing saved) and started again on the same port: every key is gone."""
        self.process.kill()
        self.process.wait(timeout=10)
        self.process, self.url = start_redis(self.workdir, self.port)

    def kill_pubsub(self) -> int:
        """``CLIENT KILL TYPE pubsub``: drop every subscriber; how many there were."""
        client = redis.Redis.from_url(self.url)
        try:
            return int(client.client_kill_filter(_type="pubsub"))
        finally:
            client.close()

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.resume()
        if self.process.poll() is None:
            stop_redis(self.process)


def kill_hard(process: subprocess.Popen[bytes]) -> None:
    """``kill -9``: no goodbye to anyone."""
    process.kill()
    process.wait(timeout=10)


@dataclass(eq=False)
class Write:
    op: str
    text: str
    payload: dict[str, Any]
    acks: list[dict[str, Any]] = field(default_factory=list)


@dataclass(eq=False)
class Member:
    device: Device
    home: int
    # The party a facilitator writes for; None for a participant (its own) or the wall.
    for_party: str | None
    writes: list[Write] = field(default_factory=list)
    # Index into device.received up to which restores were looked for.
    looked: int = 0

    @property
    def acked(self) -> list[Write]:
        return [w for w in self.writes if w.acks]


@dataclass
class Verdict:
    acknowledged: int
    unacknowledged: int
    missing: list[str]
    duplicated: list[str]
    divergent: list[str]

    @property
    def clean(self) -> bool:
        return not (self.unacknowledged or self.missing or self.duplicated or self.divergent)


class Fleet:
    def __init__(self, urls: list[str], meeting: MeetingInfo) -> None:
        # Index -> the address of a process, or None while it is down.
        self.urls: list[str | None] = list(urls)
        self.meeting = meeting
        self.members: list[Member] = []
        self.moment_id = ""
        self.closing = False
        self.flowing = False
        self.reconnects = 0
        # Writes sent again because a restore brought the meeting back from before them.
        self.resent = 0
        self._supervisors: list[asyncio.Task[None]] = []
        self._writers: list[asyncio.Task[None]] = []
        self._resends: list[asyncio.Task[None]] = []
        self._progress = asyncio.Event()
        self.acknowledged = 0

    # setting up
    @classmethod
    async def open(cls, urls: list[str]) -> Fleet:
        meeting = await create_meeting(urls[0], parties=PARTIES)
        fleet = cls(urls, meeting)
        n = len(urls)
        fac = Member(Device(urls[0], meeting.facilitator_token, label="facilitator@0"), 0, None)
        fac.for_party = meeting.party_ids[0]
        fleet.members.append(fac)
        await fac.device.connect()
        shown = await fac.device.ok("moment.add", text="Het moment", reveal=True)
        fleet.moment_id = shown["id"]
        joined = [
            (i, await join(urls[i % n], meeting.join_code, pid))
            for i, pid in enumerate(meeting.party_ids * PER_PARTY)
        ]
        for i, j in joined:
            home = i % n
            device = Device(urls[home], j["token"], label=f"p{i}@{home}")
            fleet.members.append(Member(device, home, None))
        wall_home = 1 % n
        wall = Device(urls[wall_home], meeting.wall_token, label=f"wall@{wall_home}")
        fleet.members.append(Member(wall, wall_home, None))
        await asyncio.gather(*(m.device.connect() for m in fleet.members[1:]))
        fleet._supervisors = [
            asyncio.create_task(fleet._supervise(m), name=f"supervise {m.device.label}")
            for m in fleet.members
        ]
        return fleet

    @property
    def facilitator(self) -> Device:
        return self.members[0].device

    @property
    def writers(self) -> list[Member]:
        return [m for m in self.members if m.device.token != self.meeting.wall_token]

    @property
    def devices(self) -> list[Device]:
        return [m.device for m in self.members]

    def on(self, index: int) -> list[Device]:
        return [m.device for m in self.members if self.url_for(m) == self.urls[index]]

    # processes going and coming
    def down(self, index: int) -> None:
        self.urls[index] = None

    def up(self, index: int, url: str) -> None:
        self.urls[index] = url

    def url_for(self, member: Member) -> str:
        home = self.urls[member.home]
        if home is not None:
            return home
        return next(url for url in self.urls if url is not None)

    # a browser's reconnecting
    async def _supervise(self, member: Member) -> None:
        device = member.device
        while not self.closing:
            await device.wait_for(
                lambda: self.closing or not device.connected, within=3600, what="a disconnect"
            )
            if self.closing:
                return
            await self._reconnect(member)

    async def _reconnect(self, member: Member) -> None:
        device = member.device
        delay = RECONNECT_SECONDS
        while not self.closing:
            device.url = self.url_for(member)
            with contextlib.suppress(Refused, AssertionError, OSError, RuntimeError):
                await device.connect(since=device.seq if device.state else None, welcome=False)
                await device.wait_for(
                    lambda: device.welcomed or not device.connected, what="a welcome"
                )
                if device.connected and device.welcomed:
                    self.reconnects += 1
                    self._resend_after_restore(member)
                    return
            if not device.connected:
                # Between attempts, as socket.io-client does; not a wait for an outcome.
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MOST)

    def _resend_after_restore(self, member: Member) -> None:
        """A snapshot with ``restored_at``: the meeting came back from a copy at that seq, so
        this device's writes acknowledged after it are sent again (same op ids)."""
        received = member.device.received
        fresh, member.looked = received[member.looked :], len(received)
        restores = [d["restored_at"] for n, d in fresh if n == "snapshot" and "restored_at" in d]
        if not restores:
            return
        restored_at = restores[-1]
        for write in member.acked:
            if write.acks[-1]["seq"] > restored_at:
                self.resent += 1
                self._resends.append(asyncio.create_task(self._send(member, write)))

    def resend_after_restores(self) -> None:
        """What a device that stayed connected does once it took the restored meeting (the
        browser client does it in the same step): its writes after the copy, again."""
        for member in self.members:
            self._resend_after_restore(member)

    # writing
    def start_writing(self) -> None:
        self.flowing = True
        self._writers = [asyncio.create_task(self._write_loop(m)) for m in self.writers]

    async def stop_writing(self) -> None:
        """Stop starting writes; every write under way is retried until it is answered."""
        self.flowing = False
        await asyncio.gather(*self._writers)
        while self._resends:
            batch, self._resends = self._resends, []
            await asyncio.gather(*batch)

    async def _write_loop(self, member: Member) -> None:
        count = len(member.writes)  # texts stay unique when writing starts again
        while self.flowing:
            text = f"{member.device.label.split('@')[0]} schrijft {count}"
            payload: dict[str, Any] = {"moment_id": self.moment_id, "text": text}
            if member.for_party is not None:
                payload["party_id"] = member.for_party
            write = Write(op_id(), text, payload)
            member.writes.append(write)
            await self._send(member, write)
            count += 1
            await asyncio.sleep(PACE_SECONDS)  # the pace of the workload (see PACE_SECONDS)

    async def _send(self, member: Member, write: Write) -> None:
        device = member.device
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WRITE_SECONDS
        while loop.time() < deadline:
            try:
                await device.wait_for(
                    lambda: device.connected and device.welcomed,
                    within=deadline - loop.time(),
                    what="a connection to write on",
                )
            except AssertionError:
                return
            client = device.client
            if client is None:
                continue
            try:
                ack = await client.call(
                    "interpretation.add", {"op_id": write.op, **write.payload}, timeout=ACK_SECONDS
                )
            except Exception:  # no answer (timeout, the connection went): send it again
                continue
            if isinstance(ack, dict) and ack.get("ok") is True:
                first = not write.acks
                write.acks.append(ack)
                if first:
                    self.acknowledged += 1
                    self._progress.set()
                    self._progress = asyncio.Event()
                return
            code = ack.get("error", {}).get("code") if isinstance(ack, dict) else None
            if code == "meeting_lost":
                # The writer is told in the ack (the others by a notice), as its page shows.
                device.lost = ack["error"]
            if code not in RETRYABLE:
                raise AssertionError(f"{device.label}: write refused: {ack!r}")
            if code in ("busy", "rate_limited", "unavailable"):
                await asyncio.sleep(RECONNECT_SECONDS)  # as a client backs off before resending
            else:
                # The meeting is being restored, or this connection is on its way out: the
                # server lets it go, and the write goes again once the device is back in.
                with contextlib.suppress(AssertionError):
                    await device.wait_for(lambda: not device.connected, within=ACK_SECONDS)

    async def until_acknowledged(self, count: int, within: float = 60.0) -> None:
        """Until ``count`` writes in all were acknowledged (writes are flowing)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while self.acknowledged < count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"only {self.acknowledged} of {count} writes acknowledged")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._progress.wait(), remaining)

    async def more_writes(self, count: int, within: float = 60.0) -> None:
        await self.until_acknowledged(self.acknowledged + count, within)

    # the facilitator's capsule and restore
    async def capsule(self) -> str:
        answer = await self.facilitator.call("capsule")
        assert isinstance(answer, dict) and answer.get("ok") is True, answer
        sealed: str = answer["capsule"]
        return sealed

    async def restore(self, sealed: str) -> dict[str, Any]:
        url = self.url_for(self.members[0])
        async with httpx.AsyncClient(base_url=url, timeout=DEADLINE) as http:
            answer = await http.post(
                "/api/restore",
                json={"capsule": sealed},
                headers={"Authorization": f"Bearer {self.meeting.facilitator_token}"},
            )
        assert answer.status_code == 201, answer.text
        restored: dict[str, Any] = answer.json()
        return restored

    # the verdict
    async def verdict(self, within: float = 10.0) -> Verdict:
        """Every acknowledged write in the meeting once; every device level with a snapshot."""
        fac = self.facilitator
        await fac.wait_for(lambda: fac.connected and fac.welcomed, within=30, what="connected")
        head = (await fac.sync())["snapshot"]
        texts = Counter(i["text"] for i in head["meeting"]["interpretations"].values())
        acked = [w for m in self.writers for w in m.acked]
        unacked = [w for m in self.writers for w in m.writes if not w.acks]
        missing = [w.text for w in acked if texts[w.text] == 0]
        duplicated = [text for text, n in texts.items() if n > 1]

        async def level(device: Device) -> str | None:
            with contextlib.suppress(AssertionError):
                await device.wait_for(
                    lambda: device.connected and device.welcomed and device.seq >= head["seq"],
                    within=within,
                    what=f"seq {head['seq']}",
                )
            if not device.connected:
                return f"{device.label} (not connected)"
            ack = await device.sync()
            if not ack.get("ok") or device.state != ack["snapshot"]["meeting"]:
                return f"{device.label} (state differs from a fresh snapshot)"
            if len(set(device.applied)) != len(device.applied):
                return f"{device.label} (applied an event twice)"
            return None

        found = await asyncio.gather(*(level(d) for d in self.devices))
        return Verdict(
            acknowledged=len(acked),
            unacknowledged=len(unacked),
            missing=missing,
            duplicated=duplicated,
            divergent=[f for f in found if f is not None],
        )

    async def close(self) -> None:
        self.closing = True
        self.flowing = False
        for device in self.devices:
            device._notify()
        tasks = [*self._supervisors, *self._writers, *self._resends]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*(d.disconnect() for d in self.devices), return_exceptions=True)


def told_lost(device: Device) -> dict[str, Any] | None:
    """The words a device was given for a lost meeting: a ``meeting.lost`` notice, a write's
    answer, or (let go before a notice came through) the refusal when it tried to come back."""
    if device.lost is not None:
        told: dict[str, Any] = device.lost
        return told
    for name, data in device.received:
        error = refusal(data) if name == "connect_error" else None
        if isinstance(error, dict) and error.get("code") == "meeting_lost":
            return error
    return None


def on_live(fleet: Fleet) -> Callable[[Device], bool]:
    """Connected, welcomed, and to a process that is up."""
    live = {url for url in fleet.urls if url is not None}
    return lambda d: d.connected and d.welcomed and d.url in live


async def kill_one(fleet: Fleet, process: subprocess.Popen[bytes], index: int, tail: bool) -> None:
    """``kill -9`` of process ``index`` with writes flowing; its devices move to another one
    (as a load balancer would send them) and unanswered writes are sent again there.

    ``tail``: the writes under way at the kill are the last ones, so no later event can show a
    device what it missed: what the retries acknowledge must reach every device by itself.
    """
    if tail:
        fleet.flowing = False
    kill_hard(process)
    fleet.down(index)
    await wait_all(fleet.devices, on_live(fleet), within=30, what="on a live process")
    if not tail:
        await fleet.more_writes(20)


async def pause_redis(fleet: Fleet, redis: RedisServer, seconds: float, tail: bool) -> None:
    """Redis stopped (SIGSTOP) for ``seconds`` while devices write, then continued.

    ``tail``: no write starts after the pause began; those under way (retried by redis-py and
    by their devices) are the last ones.
    """
    redis.pause()
    if tail:
        fleet.flowing = False
    await asyncio.sleep(seconds)  # the fault itself
    redis.resume()
    if not tail:
        await fleet.more_writes(20, within=90)
