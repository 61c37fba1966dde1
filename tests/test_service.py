"""The write path in-process, against both real stores: op ids belong to their sender, every
acknowledged write is broadcast (also on a retry), ``prev`` names each audience's previous event,
a write that changes nothing makes no event, capsules restore exactly and refuse what they must,
and a gone meeting says what became of it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import redis.asyncio as aioredis
from cryptography.fernet import Fernet

from tijdlijn import access, meetings
from tijdlijn.answers import Written, written
from tijdlijn.capsule import Sealer
from tijdlijn.domain import writes
from tijdlijn.domain.decide import decide
from tijdlijn.domain.evolve import Event, WireEvent
from tijdlijn.domain.items import PALETTE
from tijdlijn.errors import (
    Conflict,
    Forbidden,
    Invalid,
    MeetingExpired,
    MeetingGone,
    MeetingLost,
    TijdlijnError,
    TooLate,
    Unauthorized,
)
from tijdlijn.service import Meetings, Session
from tijdlijn.settings import Settings
from tijdlijn.store.base import Store, tombstone_key
from tijdlijn.store.memory import MemoryStore
from tijdlijn.store.redis import RedisStore

BASE_URL = "http://tijdlijn.test"


@dataclass
class Recorder:
    """A Broadcaster that keeps what each audience was sent."""

    facilitators: list[WireEvent] = field(default_factory=list)
    public: list[WireEvent] = field(default_factory=list)
    restores: list[int] = field(default_factory=list)

    async def deliver(
        self, meeting_id: str, facilitators: WireEvent, public: WireEvent | None
    ) -> None:
        self.facilitators.append(facilitators)
        if public is not None:
            self.public.append(public)

    async def restored(self, meeting_id: str, seq: int) -> None:
        self.restores.append(seq)

    def seqs(self, audience: str = "facilitators") -> list[int]:
        return [e["seq"] for e in getattr(self, audience)]


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class World:
    """One server's worth of parts: a store, the service over it, what it broadcast."""

    kind: str
    store: Store
    service: Meetings
    sent: Recorder
    clock: Clock
    wipe: Any  # async (meeting_id, keep_tombstone) -> None: what losing the store's memory does


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def w(request: pytest.FixtureRequest) -> AsyncIterator[World]:
    sealer = Sealer([Fernet.generate_key()])
    clock = Clock()
    if request.param == "memory":
        memory = MemoryStore()
        await memory.open()
        store: Store = memory

        async def wipe(meeting_id: str, keep_tombstone: bool) -> None:
            # What expiry does (the tombstone stays) or a restart (nothing stays).
            memory._drop(meeting_id, "expired")
            if not keep_tombstone:
                memory._tombstones.pop(tombstone_key(meeting_id), None)

    else:
        url = request.getfixturevalue("redis_url")
        prefix = request.getfixturevalue("redis_prefix")
        store = RedisStore(url, prefix=prefix)
        await store.open()
        raw = aioredis.Redis.from_url(url)

        async def wipe(meeting_id: str, keep_tombstone: bool) -> None:
            # Redis's own expiry removes the meeting's keys and leaves ``known``; a Redis
            # restarted empty has neither.
            meta = f"{prefix}m:{meeting_id}:meta"
            codekey, knownkey = await raw.hmget(meta, ["codekey", "knownkey"])
            keys = [k async for k in raw.scan_iter(match=f"{prefix}m:{meeting_id}:*")]
            keys += [k for k in (codekey, knownkey if not keep_tombstone else None) if k]
            await raw.delete(*keys)

    service = Meetings(Settings(), store, sealer, clock=clock)
    sent = Recorder()
    service.broadcaster = sent
    yield World(request.param, store, service, sent, clock, wipe)
    await store.close()
    if request.param == "redis":
        await raw.aclose()


@dataclass
class Meeting:
    id: str
    fac: Session
    tokens: dict[str, str]
    created: meetings.Created
    party_ids: list[str]


async def new_meeting(w: World, parties: int = 2) -> Meeting:
    body = meetings.NewMeeting(
        title="Casus service",
        initials="J.K.",
        parties=[
            meetings.PartyIn(name=f"Partij {i + 1}", colour=PALETTE[i]) for i in range(parties)
        ],
    )
    state = meetings.build(body, w.clock())
    created = await w.service.create(state, BASE_URL)
    fac = await w.service.session(created["facilitator_token"])
    party_ids = sorted(state["parties"], key=lambda p: state["parties"][p]["position"])
    return Meeting(
        created["meeting_id"],
        fac,
        {"facilitator": created["facilitator_token"], "wall": created["wall_token"]},
        created,
        party_ids,
    )


async def participant(w: World, m: Meeting, party: int = 0) -> tuple[str, Session]:
    """Join as http.join does: a new token granted in the store."""
    token = access.new_token(m.id)
    record: Any = {
        "role": "participant",
        "participant_id": access.new_item_id(),
        "party_id": m.party_ids[party],
    }
    assert await w.store.grant(m.id, access.token_hash(token), record, 3600)
    return token, await w.service.session(token)


async def write(w: World, session: Session, name: str, op: str, **payload: Any) -> dict[str, Any]:
    ack: dict[str, Any] = dict(await w.service.write(session, name, {"op_id": op, **payload}))
    return ack


async def revealed_moment(w: World, m: Meeting) -> str:
    ack = await write(w, m.fac, "moment.add", uuid.uuid4().hex, text="Getoond", reveal=True)
    moment_id: str = ack["id"]
    return moment_id


async def texts(w: World, m: Meeting) -> list[str]:
    stored = await w.store.load(m.id)
    assert stored is not None
    return sorted(i["text"] for i in stored.state["interpretations"].values())


# op ids belong to their sender
async def test_an_op_id_of_the_facilitator_reused_by_a_participant_is_its_own_write(
    w: World,
) -> None:
    m = await new_meeting(w)
    draft = await write(w, m.fac, "moment.add", "1", text="Concept, nooit getoond")
    assert draft["ok"] is True
    _, p = await participant(w, m)
    with pytest.raises(Forbidden):
        await write(w, p, "moment.reveal", "1", id=draft["id"])
    with pytest.raises(Forbidden):
        await write(w, p, "moment.add", "1", text="Een participant mag dit niet")
    stored = await w.store.load(m.id)
    assert stored is not None and stored.seq == draft["seq"], "a refusal changes nothing"
    assert stored.state["moments"][draft["id"]]["state"] == "draft"


async def test_two_participants_with_the_same_op_id_both_land(w: World) -> None:
    m = await new_meeting(w)
    moment = await revealed_moment(w, m)
    _, p = await participant(w, m, 0)
    _, q = await participant(w, m, 1)
    first = await write(w, p, "interpretation.add", "1", moment_id=moment, text="Van p")
    second = await write(w, q, "interpretation.add", "1", moment_id=moment, text="Van q")
    assert first["ok"] and second["ok"]
    assert first["id"] != second["id"] and second["seq"] == first["seq"] + 1
    assert await texts(w, m) == ["Van p", "Van q"]
    # Each sender's retry gets its own first answer back.
    assert await write(w, q, "interpretation.add", "1", moment_id=moment, text="x") == second
    assert await write(w, p, "interpretation.add", "1", moment_id=moment, text="x") == first
    assert await texts(w, m) == ["Van p", "Van q"]


# op answers are kept for a window; a retry from before it is refused, never applied twice
async def test_a_retry_older_than_the_ops_window_is_refused_not_applied_twice(w: World) -> None:
    m = await new_meeting(w)
    moment = await revealed_moment(w, m)
    _, p = await participant(w, m)
    w.store.ops_window = 3
    seen = (await w.service.load(m.id)).seq
    payload = {"moment_id": moment, "text": "Eens", "seen": seen}
    first = await write(w, p, "interpretation.add", "late", **payload)
    # Within the window a retry is recognised and answered as the first time.
    assert await write(w, p, "interpretation.add", "late", **payload) == first
    for n in range(4):
        await write(w, m.fac, "moment.add", f"m{n}", text=f"Concept {n}")
    with pytest.raises(TooLate) as refused:
        await write(w, p, "interpretation.add", "late", **payload)
    assert refused.value.code == "too_late"
    assert await texts(w, m) == ["Eens"], "applied once"
    # A new write with a fresh ``seen`` is a new write.
    now = (await w.service.load(m.id)).seq
    again = await write(w, p, "interpretation.add", "new", **{**payload, "seen": now})
    assert again["ok"] and await texts(w, m) == ["Eens", "Eens"]


async def test_a_process_behind_catches_up_from_the_log_and_writes(w: World) -> None:
    """Two processes on one store: the one whose copy is behind applies the events it missed
    (as a device would) and then lands its write on top of them."""
    m = await new_meeting(w)
    moment = await revealed_moment(w, m)
    other = Meetings(Settings(), w.store, w.service.sealer, clock=w.clock)
    other_fac = await other.session(m.tokens["facilitator"])
    added: Any = await other.write(other_fac, "moment.add", {"op_id": "o1", "text": "Elders"})
    _, p = await participant(w, m)
    mine = await write(w, p, "interpretation.add", "p1", moment_id=moment, text="Hier")
    assert mine["seq"] == added["seq"] + 1
    stored = await w.store.load(m.id)
    assert stored is not None
    cached = w.service.cache[m.id]
    assert (cached.seq, cached.state) == (stored.seq, stored.state)
    assert added["id"] in cached.state["moments"]


async def test_a_process_told_another_wrote_catches_up_before_it_writes(w: World) -> None:
    """The cross-process link tells a process that a meeting moved on (``heard``): its next
    write starts from the caught-up state, so the store never refuses it as stale."""
    m = await new_meeting(w)
    moment = await revealed_moment(w, m)
    other = Meetings(Settings(), w.store, w.service.sealer, clock=w.clock)
    other_fac = await other.session(m.tokens["facilitator"])
    added: Any = await other.write(other_fac, "moment.add", {"op_id": "o1", "text": "Elders"})
    w.service.heard(m.id, added["seq"])
    outcomes: list[object] = []
    append = w.store.append

    async def counted(*args: Any, **kwargs: Any) -> Any:
        outcome = await append(*args, **kwargs)
        outcomes.append(type(outcome).__name__)
        return outcome

    w.store.append = counted  # type: ignore[method-assign]
    _, p = await participant(w, m)
    mine = await write(w, p, "interpretation.add", "p1", moment_id=moment, text="Hier")
    assert mine["seq"] == added["seq"] + 1
    assert outcomes == ["Appended"], "no stale append first"


# every acknowledged write is broadcast, however it was acknowledged
async def test_a_retried_write_answers_the_same_and_is_broadcast_again(w: World) -> None:
    m = await new_meeting(w)
    moment = await revealed_moment(w, m)
    _, p = await participant(w, m)
    first = await write(w, p, "interpretation.add", "lost", moment_id=moment, text="Eens")
    before = len(w.sent.facilitators)
    # The answer was lost on the way: the device retries the same op.
    again = await write(w, p, "interpretation.add", "lost", moment_id=moment, text="Eens")
    assert again == first
    assert w.sent.seqs()[before:] == [first["seq"]], "the retry delivers the event again"
    assert w.sent.seqs("public")[-1] == first["seq"]
    assert await texts(w, m) == ["Eens"], "applied once"
    # A retry the domain would now refuse (already revealed) answers as the first time did.
    reveal = await write(w, m.fac, "moment.add", "r", text="Tweede")
    shown = await write(w, m.fac, "moment.reveal", "show", id=reveal["id"])
    before = len(w.sent.facilitators)
    assert await write(w, m.fac, "moment.reveal", "show", id=reveal["id"]) == shown
    assert w.sent.seqs()[before:] == [shown["seq"]]


async def test_an_op_in_the_store_that_was_never_broadcast_is_broadcast_on_retry(
    w: World,
) -> None:
    m = await new_meeting(w)
    moment = await revealed_moment(w, m)
    _, p = await participant(w, m)
    # Another process appended it and died before broadcasting; this process's copy is behind.
    stored = await w.store.load(m.id)
    assert stored is not None
    seq = stored.seq + 1
    command = writes.parse(
        "interpretation.add",
        {"op_id": "orphan", "moment_id": moment, "text": "Bewaard, nooit verstuurd"},
    )
    outcome = decide(
        stored.state, "interpretation.add", command, p.actor, w.clock(), lambda: "orphan01"
    )
    event: Event = {
        "seq": seq,
        "type": outcome.type,
        "at": w.clock(),
        "changes": outcome.changes,
        "public": outcome.public,
        "pprev": stored.public_seq,
    }
    result = written(seq, {"id": "orphan01"})
    appended = await w.store.append(m.id, event, f"{p.sender}:orphan", result, 3600)
    assert appended.__class__.__name__ == "Appended"
    assert seq not in w.sent.seqs()
    again = await write(w, p, "interpretation.add", "orphan", moment_id=moment, text="Bewaard")
    assert again == result
    assert w.sent.seqs()[-1] == seq and w.sent.seqs("public")[-1] == seq
    assert w.sent.public[-1]["prev"] == stored.public_seq
    assert w.sent.public[-1]["changes"] == outcome.public
    assert await texts(w, m) == ["Bewaard, nooit verstuurd"]


# prev: each audience's previous event
async def test_prev_names_the_previous_event_each_audience_could_see(w: World) -> None:
    m = await new_meeting(w)
    shown = await revealed_moment(w, m)
    draft = await write(w, m.fac, "moment.add", "d1", text="Concept")
    hidden = await write(w, m.fac, "moment.update", "d2", id=draft["id"], text="Concept 2")
    _, p = await participant(w, m)
    visible = await write(w, p, "interpretation.add", "i1", moment_id=shown, text="Zie ik")
    draft2 = await write(w, m.fac, "moment.add", "d3", text="Nog een concept")
    revealed = await write(w, m.fac, "moment.reveal", "r1", id=draft2["id"])

    facs = w.sent.facilitators
    assert [e["prev"] for e in facs] == [e["seq"] - 1 for e in facs], "facilitators see all"
    assert [e["seq"] for e in facs][-5:] == [
        draft["seq"],
        hidden["seq"],
        visible["seq"],
        draft2["seq"],
        revealed["seq"],
    ]
    public = {e["seq"]: e for e in w.sent.public}
    assert draft["seq"] not in public and hidden["seq"] not in public
    assert draft2["seq"] not in public
    shown_seq = max(s for s in public if s < draft["seq"])
    assert public[visible["seq"]]["prev"] == shown_seq, "skips the drafts"
    assert public[revealed["seq"]]["prev"] == visible["seq"]
    for seq, event in public.items():
        assert not any("author" in str(c) for c in event["changes"]), seq
    # A participant's catch-up names the same events, so sync {since} fills exactly the gap.
    synced = await w.service.sync(p, shown_seq)
    assert synced[0] == "catchup"
    catchup = synced[1]
    assert [e["seq"] for e in catchup["events"]] == [visible["seq"], revealed["seq"]]
    assert catchup["seq"] == revealed["seq"]


# a write that changes nothing
async def test_a_write_that_changes_nothing_acks_the_current_seq_and_makes_no_event(
    w: World,
) -> None:
    m = await new_meeting(w)
    phase = await write(w, m.fac, "meeting.phase", "p1", phase="timeline")
    sent = len(w.sent.facilitators)
    same = await write(w, m.fac, "meeting.phase", "p2", phase="timeline")
    assert same == {"ok": True, "seq": phase["seq"]}
    stored = await w.store.load(m.id)
    assert stored is not None and stored.seq == phase["seq"]
    assert len(w.sent.facilitators) == sent
    assert await w.store.since(m.id, phase["seq"]) == []


# capsules
async def lose(w: World, m: Meeting) -> None:
    """The store forgets everything (a Redis restarted empty; a new embedded process)."""
    await w.wipe(m.id, keep_tombstone=False)
    w.service.forget(m.id)
    assert await w.store.status(m.id) == "unknown"


async def test_a_capsule_restores_the_meeting_as_it_was(w: World) -> None:
    m = await new_meeting(w)
    moment = await revealed_moment(w, m)
    p_token, p = await participant(w, m)
    mine = await write(w, p, "interpretation.add", "mine", moment_id=moment, text="Van mij")
    await write(w, m.fac, "theme.flag", "t", label="Druk", target="moment", id=moment)
    await write(w, m.fac, "moment.add", "d", text="Concept")
    before = await w.store.load(m.id)
    assert before is not None
    sealed = await w.service.capsule(m.fac)
    assert sealed["seq"] == before.seq and sealed["expires_at"] > w.clock()
    assert "Van mij" not in sealed["capsule"], "sealed, not readable"

    await lose(w, m)
    with pytest.raises(MeetingLost):
        await w.service.session(m.tokens["facilitator"])
    restored = await w.service.restore(m.tokens["facilitator"], sealed["capsule"])
    assert restored == {"meeting_id": m.id, "seq": before.seq, "join_code": m.created["join_code"]}
    assert w.sent.restores == [before.seq], "devices still connected are told"

    after = await w.store.load(m.id)
    assert after is not None
    assert (after.seq, after.public_seq, after.state) == (
        before.seq,
        before.public_seq,
        before.state,
    )
    assert await w.store.meeting_for_code(m.created["join_code"]) == m.id
    for token in (m.tokens["facilitator"], m.created["cofacilitator_token"], m.tokens["wall"]):
        assert (await w.service.session(token)).meeting_id == m.id
    assert (await w.service.session(p_token)).actor == p.actor
    # A device that had seen past the copy gets a snapshot; the participant's retry of an op
    # from before the copy answers as it did, and applies nothing again.
    name, _ = await w.service.sync(p, before.seq + 3)
    assert name == "snapshot"
    again = await write(w, p, "interpretation.add", "mine", moment_id=moment, text="Van mij")
    assert again == mine
    assert await texts(w, m) == ["Van mij"]
    share = await w.store.share(m.id)
    assert share is not None and share["join_code"] == m.created["join_code"]
    # Writes go on from the restored seq.
    nxt = await write(w, p, "interpretation.add", "next", moment_id=moment, text="Daarna")
    assert nxt["seq"] == before.seq + 1


async def test_a_capsule_holds_no_answer_to_a_write_its_state_lacks(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = await new_meeting(w)
    moment = await revealed_moment(w, m)
    _, p = await participant(w, m)
    ops = w.store.ops

    async def ops_after_a_write(meeting_id: str, after: int) -> dict[str, Written]:
        # A write lands between the capsule's load of the state and its read of the answers.
        await write(w, p, "interpretation.add", "late", moment_id=moment, text="Tussendoor")
        return await ops(meeting_id, after)

    monkeypatch.setattr(w.store, "ops", ops_after_a_write)
    sealed = await w.service.capsule(m.fac)
    monkeypatch.setattr(w.store, "ops", ops)
    await lose(w, m)
    await w.service.restore(m.tokens["facilitator"], sealed["capsule"])
    # The device's retry after the restore is applied, not answered from the copy.
    again = await write(w, p, "interpretation.add", "late", moment_id=moment, text="Tussendoor")
    assert again["seq"] == sealed["seq"] + 1
    assert await texts(w, m) == ["Tussendoor"]


async def test_a_tampered_capsule_is_refused(w: World) -> None:
    m = await new_meeting(w)
    sealed = (await w.service.capsule(m.fac))["capsule"]
    await lose(w, m)
    middle = len(sealed) // 2
    tampered = sealed[:middle] + ("A" if sealed[middle] != "A" else "B") + sealed[middle + 1 :]
    other = Sealer([Fernet.generate_key()])
    forged = other.seal(_contents_like(w, m))
    for bad in (tampered, forged, "", "geen capsule", 42, None):
        with pytest.raises(Invalid):
            await w.service.restore(m.tokens["facilitator"], bad)
    assert await w.store.status(m.id) == "unknown", "nothing was stored"


def _contents_like(w: World, m: Meeting) -> Any:
    """Contents a forger would seal with a key of its own."""
    return {
        "v": 1,
        "meeting_id": m.id,
        "seq": 1,
        "public_seq": 0,
        "state": {},
        "code": "ACDEFG",
        "access": {},
        "share": {},
        "ops": {},
        "sealed_at": w.clock(),
        "expires_at": w.clock() + 3600,
    }


async def test_an_expired_capsule_is_refused(w: World) -> None:
    m = await new_meeting(w)
    sealed = await w.service.capsule(m.fac)
    await lose(w, m)
    w.clock.now = sealed["capsule_expires_at"] + 1
    with pytest.raises(Invalid) as refused:
        await w.service.restore(m.tokens["facilitator"], sealed["capsule"])
    assert "verlopen" in refused.value.message
    assert await w.store.status(m.id) == "unknown"


async def test_a_capsule_for_a_live_meeting_is_refused(w: World) -> None:
    m = await new_meeting(w)
    sealed = await w.service.capsule(m.fac)
    await write(w, m.fac, "moment.add", "after", text="Na de kopie")
    with pytest.raises(Conflict):
        await w.service.restore(m.tokens["facilitator"], sealed["capsule"])
    stored = await w.store.load(m.id)
    assert stored is not None and stored.seq == sealed["seq"] + 1, "the live meeting is untouched"


async def test_a_capsule_of_an_ended_meeting_is_refused(w: World) -> None:
    m = await new_meeting(w)
    sealed = await w.service.capsule(m.fac)
    ended: Any = await w.service.write(m.fac, "meeting.end", {"op_id": "end", "confirm": True})
    assert set(ended) == {"ok", "receipt"}
    receipt = ended["receipt"]
    assert receipt["verified_empty"] is True
    with pytest.raises(MeetingGone) as refused:
        await w.service.restore(m.tokens["facilitator"], sealed["capsule"])
    assert refused.value.code == "meeting_gone"
    assert await w.store.status(m.id) == "ended"


async def test_a_capsule_needs_a_facilitator_token_of_its_meeting(w: World) -> None:
    m = await new_meeting(w)
    p_token, p = await participant(w, m)
    other = await new_meeting(w)
    sealed = (await w.service.capsule(m.fac))["capsule"]
    with pytest.raises(Forbidden):
        await w.service.capsule(p)
    with pytest.raises(Forbidden):
        await w.service.capsule(await w.service.session(m.tokens["wall"]))
    await lose(w, m)
    for token in (
        p_token,
        m.tokens["wall"],
        other.tokens["facilitator"],
        f"{m.id}.{'x' * 22}",
        "geen token",
    ):
        with pytest.raises(Unauthorized):
            await w.service.restore(token, sealed)
    assert await w.store.status(m.id) == "unknown"


# what became of a meeting
async def test_a_gone_meeting_says_whether_it_ended_expired_or_was_lost(w: World) -> None:
    ended, expired, lost = [await new_meeting(w) for _ in range(3)]
    await w.service.write(ended.fac, "meeting.end", {"op_id": "end", "confirm": True})
    await w.wipe(expired.id, keep_tombstone=True)
    await lose(w, lost)
    assert await w.store.status(ended.id) == "ended"
    assert await w.store.status(expired.id) == "expired"
    assert await w.store.status(lost.id) == "unknown"
    expected: list[tuple[Meeting, type[TijdlijnError], str]] = [
        (ended, MeetingGone, "meeting_gone"),
        (expired, MeetingExpired, "meeting_expired"),
        (lost, MeetingLost, "meeting_lost"),
    ]
    for m, kind, code in expected:
        with pytest.raises(kind) as refused:
            await w.service.session(m.tokens["facilitator"])
        assert refused.value.code == code
        with pytest.raises(kind):
            await write(w, m.fac, "moment.add", "x", text="Te laat")
    assert await w.store.missing([ended.id, expired.id, lost.id]) == {
        ended.id,
        expired.id,
        lost.id,
    }
