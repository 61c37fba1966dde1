"""The Store contract, run against both stores: what the hub may rely on whichever is configured."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from tijdlijn.answers import Written, written
from tijdlijn.domain.evolve import Change, Event, clone, evolve
from tijdlijn.domain.meeting import Meeting, new_meeting
from tijdlijn.store.base import (
    OPS_WINDOW,
    AccessRecord,
    Appended,
    Deletion,
    Duplicate,
    Gone,
    Stale,
    Store,
    Stored,
)
from tijdlijn.store.memory import MemoryStore
from tijdlijn.store.redis import RedisStore

TTL = 3600
NOW = 1_000_000.0
FAR = 2_000_000  # a presence entry that counts until long after NOW
LOG_MAX = 10
FACILITATOR: AccessRecord = {"role": "facilitator", "participant_id": None, "party_id": None}
PARTICIPANT: AccessRecord = {"role": "participant", "participant_id": "p1", "party_id": "a"}
SHARE = {"join_code": "ACDEFG", "wall_url": "/wall#w", "cofacilitator_url": "/facilitator#c"}

MakeStore = Callable[..., Awaitable[Store]]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def make_store(request: pytest.FixtureRequest) -> AsyncIterator[MakeStore]:
    """Opens stores over the same data: for Redis each call is a new connection pool, as a
    second server process would have; memory has one process, so one store."""
    opened: list[Store] = []

    async def make(log_max: int = LOG_MAX, ops_window: int = OPS_WINDOW) -> Store:
        if request.param == "memory":
            if not opened:
                memory = MemoryStore(log_max=log_max, ops_window=ops_window)
                await memory.open()
                opened.append(memory)
            return opened[0]
        url = request.getfixturevalue("redis_url")
        prefix = request.getfixturevalue("redis_prefix")
        store = RedisStore(url, prefix=prefix, log_max=log_max, ops_window=ops_window)
        await store.open()
        opened.append(store)
        return store

    yield make
    for store in opened:
        await store.close()


@pytest.fixture
async def store(make_store: MakeStore) -> Store:
    return await make_store()


def meeting(title: str = "Casus Noord") -> Meeting:
    return new_meeting(uuid.uuid4().hex[:16], title, "JV", now=1_700_000_000.0)


def code() -> str:
    return uuid.uuid4().hex[:6].upper()


async def created(store: Store, access: dict[str, AccessRecord] | None = None) -> Meeting:
    state = meeting()
    grants = {"hash-f": FACILITATOR} if access is None else access
    assert await store.create(state, code(), grants, SHARE, TTL)
    return state


def answer(seq: int, made: str | None = None) -> Written:
    """An op's answer as the service makes it."""
    return written(seq, {} if made is None else {"id": made})


def moment_put(number: int) -> Change:
    item = {
        "id": f"m{number}",
        "text": f"Moment {number}",
        "when": "2024-01",
        "position": float(number),
        "source_party_id": None,
        "state": "draft",
        "revealed_at": None,
        "pii": False,
    }
    return {"op": "put", "kind": "moments", "item": item}


def event_after(stored: Stored, number: int) -> tuple[Event, Meeting]:
    """The event and new state a write adding moment ``number`` would give, as the hub builds."""
    changes = [moment_put(number)]
    state = evolve(clone(stored.state), changes)
    event: Event = {
        "seq": stored.seq + 1,
        "type": "moment.added",
        "at": 1_700_000_100.0 + number,
        "changes": changes,
        "public": [],
    }
    return event, state


async def add_moment(store: Store, meeting_id: str, number: int, op_id: str | None = None) -> int:
    stored = await store.load(meeting_id)
    assert stored is not None
    event, _ = event_after(stored, number)
    outcome = await store.append(meeting_id, event, op_id, answer(event["seq"], f"m{number}"), TTL)
    assert outcome == Appended(seq=event["seq"])
    return event["seq"]


async def test_create_then_load_gives_the_meeting_at_seq_zero(store: Store) -> None:
    state = await created(store)
    assert await store.load(state["id"]) == Stored(seq=0, state=state)
    assert await store.since(state["id"], 0) == []


async def test_a_join_code_in_use_is_refused_and_nothing_is_stored(store: Store) -> None:
    first, second = meeting("Eerste"), meeting("Tweede")
    join_code = code()
    assert await store.create(first, join_code, {}, SHARE, TTL)
    assert not await store.create(second, join_code, {"hash-x": FACILITATOR}, SHARE, TTL)
    assert await store.meeting_for_code(join_code) == first["id"]
    assert await store.load(second["id"]) is None
    assert await store.access(second["id"], "hash-x") is None


async def test_meeting_for_code_finds_the_meeting_and_nothing_else(store: Store) -> None:
    state = meeting()
    join_code = code()
    assert await store.create(state, join_code, {}, SHARE, TTL)
    assert await store.meeting_for_code(join_code) == state["id"]
    assert await store.meeting_for_code(code()) is None


async def test_access_holds_what_create_and_grant_gave(store: Store) -> None:
    state = await created(store)
    assert await store.access(state["id"], "hash-f") == FACILITATOR
    assert await store.access(state["id"], "hash-p") is None
    assert await store.grant(state["id"], "hash-p", PARTICIPANT, TTL)
    assert await store.access(state["id"], "hash-p") == PARTICIPANT
    assert await store.access("no-such-meeting", "hash-f") is None


async def test_grant_to_an_unknown_meeting_is_refused(store: Store) -> None:
    assert not await store.grant("no-such-meeting", "hash-p", PARTICIPANT, TTL)
    assert await store.access("no-such-meeting", "hash-p") is None


async def test_share_gives_back_the_links(store: Store) -> None:
    state = await created(store)
    assert await store.share(state["id"]) == SHARE
    assert await store.share("no-such-meeting") is None


async def test_append_moves_seq_and_state_on(store: Store) -> None:
    state = await created(store)
    stored = await store.load(state["id"])
    assert stored is not None
    event, new_state = event_after(stored, 1)
    assert await store.append(state["id"], event, "op-1", answer(1, "m1"), TTL) == (Appended(seq=1))
    assert await store.load(state["id"]) == Stored(seq=1, state=new_state)
    assert await store.since(state["id"], 0) == [event]
    assert await store.recall(state["id"], "op-1") == answer(1, "m1")
    assert await store.recall(state["id"], "op-2") is None


async def test_append_at_a_wrong_seq_is_stale_and_changes_nothing(store: Store) -> None:
    state = await created(store)
    await add_moment(store, state["id"], 1)
    before = await store.load(state["id"])
    assert before is not None
    for wrong in (1, 3):
        event, _ = event_after(Stored(seq=wrong - 1, state=before.state), 2)
        outcome = await store.append(state["id"], event, f"op-{wrong}", answer(wrong + 1), TTL)
        assert outcome == Stale(seq=1)
        assert await store.recall(state["id"], f"op-{wrong}") is None
    assert await store.load(state["id"]) == before


async def test_a_repeated_op_id_answers_the_first_result_and_changes_nothing(
    store: Store,
) -> None:
    state = await created(store)
    await add_moment(store, state["id"], 1, op_id="op-1")
    after_first = await store.load(state["id"])
    assert after_first is not None
    # A retry arrives with a fresh seq (the client decided again): still answered, not applied.
    event, _ = event_after(after_first, 2)
    outcome = await store.append(state["id"], event, "op-1", answer(2, "other"), TTL)
    assert outcome == Duplicate(result=answer(1, "m1"))
    assert await store.load(state["id"]) == after_first
    assert len(await store.since(state["id"], 0) or []) == 1


async def test_append_without_op_id_is_never_a_duplicate(store: Store) -> None:
    state = await created(store)
    await add_moment(store, state["id"], 1)
    await add_moment(store, state["id"], 2)
    stored = await store.load(state["id"])
    assert stored is not None and stored.seq == 2


async def test_append_to_an_unknown_meeting_is_gone(store: Store) -> None:
    stored = Stored(seq=0, state=meeting())
    event, _ = event_after(stored, 1)
    outcome = await store.append(stored.state["id"], event, "op-1", answer(1), TTL)
    assert outcome == Gone()
    assert await store.load(stored.state["id"]) is None


async def test_a_write_keeps_the_order_of_the_items_as_evolve_does(store: Store) -> None:
    """Only the changed parts are stored, yet a load gives the items in the order a device that
    applied the events holds them: an edited item keeps its place, a new one comes last."""
    state = await created(store)
    for number in (3, 1, 2):
        await add_moment(store, state["id"], number)
    stored = await store.load(state["id"])
    assert stored is not None
    edited = {**stored.state["moments"]["m3"], "text": "Anders verwoord"}
    changes: list[Change] = [
        {"op": "put", "kind": "moments", "item": edited},
        {"op": "del", "kind": "moments", "id": "m1"},
        moment_put(4),
        {"op": "set", "fields": {"title": "Casus Zuid", "not_a_field": 1}},
    ]
    event: Event = {"seq": 4, "type": "x", "at": 1.0, "changes": changes, "public": []}
    assert await store.append(state["id"], event, None, answer(4), TTL) == Appended(seq=4)
    loaded = await store.load(state["id"])
    assert loaded is not None
    expected = evolve(clone(stored.state), changes)
    assert loaded.state == expected
    assert list(loaded.state["moments"]) == ["m3", "m2", "m4"] == list(expected["moments"])
    assert "not_a_field" not in loaded.state


async def test_op_answers_are_kept_for_a_window_of_seqs(make_store: MakeStore) -> None:
    """What a meeting keeps of op ids is bounded: an answer leaves once ``ops_window`` later
    writes came in; until then a retry is recognised."""
    store = await make_store(ops_window=3)
    state = await created(store)
    for number in range(1, 6):
        await add_moment(store, state["id"], number, op_id=f"op-{number}")
    # seq 5 now: answers of seqs 3, 4 and 5 are kept, 1 and 2 are gone.
    assert await store.recall(state["id"], "op-2") is None
    assert await store.recall(state["id"], "op-3") == answer(3, "m3")
    assert sorted(await store.ops(state["id"], -1)) == ["op-3", "op-4", "op-5"]
    await add_moment(store, state["id"], 6)  # a write without an op id moves the window too
    assert sorted(await store.ops(state["id"], -1)) == ["op-4", "op-5"]


async def test_a_restored_meetings_op_answers_leave_the_window_in_seq_order(
    make_store: MakeStore,
) -> None:
    store = await make_store(ops_window=2)
    state = meeting()
    ops = {"late": answer(9, "b"), "early": answer(8, "a")}
    assert await store.create(state, code(), {}, SHARE, TTL, seq=9, public_seq=0, ops=ops)
    await add_moment(store, state["id"], 1)
    assert sorted(await store.ops(state["id"], -1)) == ["late"]


async def test_since_gives_the_events_after_n_in_order(store: Store) -> None:
    state = await created(store)
    for number in range(1, 6):
        await add_moment(store, state["id"], number)
    events = await store.since(state["id"], 2)
    assert events is not None
    assert [e["seq"] for e in events] == [3, 4, 5]
    assert [e["changes"][0] for e in events] == [moment_put(n) for n in (3, 4, 5)]
    assert await store.since(state["id"], 5) == []
    assert await store.since(state["id"], 6) is None
    assert await store.since("no-such-meeting", 0) is None


async def test_since_is_none_once_the_log_is_trimmed_past_log_max(store: Store) -> None:
    state = await created(store)
    total = LOG_MAX + 3
    for number in range(1, total + 1):
        await add_moment(store, state["id"], number)
    oldest_kept = total - LOG_MAX + 1
    events = await store.since(state["id"], oldest_kept - 1)
    assert events is not None
    assert [e["seq"] for e in events] == list(range(oldest_kept, total + 1))
    assert await store.since(state["id"], oldest_kept - 2) is None
    assert await store.since(state["id"], 0) is None


async def test_presence_records_and_forgets_connections(store: Store) -> None:
    state = await created(store)
    assert await store.presence(state["id"], NOW) == {}
    await store.set_presence(state["id"], {"sid-1": "facilitator"}, FAR, TTL)
    await store.set_presence(state["id"], {"sid-2": "party-a"}, FAR, TTL)
    await store.set_presence(state["id"], {"sid-3": "wall"}, FAR, TTL)
    await store.set_presence(state["id"], {"sid-2": None}, FAR, TTL)
    await store.set_presence(state["id"], {"sid-9": None}, FAR, TTL)
    assert await store.presence(state["id"], NOW) == {"sid-1": "facilitator", "sid-3": "wall"}
    await store.set_presence("no-such-meeting", {"sid-1": "wall"}, FAR, TTL)
    assert await store.presence("no-such-meeting", NOW) == {}


async def test_delete_removes_everything_of_the_meeting(store: Store) -> None:
    other = await created(store)
    state = meeting()
    join_code = code()
    assert await store.create(state, join_code, {"hash-f": FACILITATOR}, SHARE, TTL)
    assert await store.grant(state["id"], "hash-p", PARTICIPANT, TTL)
    await add_moment(store, state["id"], 1, op_id="op-1")
    await store.set_presence(state["id"], {"sid-1": "facilitator"}, FAR, TTL)

    deletion = await store.delete(state["id"])

    assert deletion.remaining == 0
    assert deletion.removed > 0
    assert await store.load(state["id"]) is None
    assert await store.meeting_for_code(join_code) is None
    assert await store.access(state["id"], "hash-f") is None
    assert await store.access(state["id"], "hash-p") is None
    assert await store.share(state["id"]) is None
    assert await store.since(state["id"], 0) is None
    assert await store.recall(state["id"], "op-1") is None
    assert await store.presence(state["id"], NOW) == {}
    assert await store.delete(state["id"]) == Deletion(removed=0, remaining=0)
    # Another meeting is untouched, and the freed code can be handed out again.
    assert await store.load(other["id"]) is not None
    assert await store.create(meeting(), join_code, {}, SHARE, TTL)


async def test_concurrent_writers_each_land_exactly_once(make_store: MakeStore) -> None:
    writers = 50
    first, second = await make_store(log_max=writers), await make_store(log_max=writers)
    state = await created(first)

    async def write(number: int) -> int:
        """What the hub does: decide on what it holds, append, and on Stale reload and retry."""
        store = first if number % 2 else second
        op_id = f"op-{number}"
        while True:
            stored = await store.load(state["id"])
            assert stored is not None
            event, _ = event_after(stored, number)
            # Let the other writers load the same seq first, so they really race.
            await asyncio.sleep(0)
            result = answer(event["seq"], f"m{number}")
            outcome = await store.append(state["id"], event, op_id, result, TTL)
            if isinstance(outcome, Appended):
                return outcome.seq
            assert isinstance(outcome, Stale), outcome

    seqs = await asyncio.gather(*(write(n) for n in range(writers)))

    assert sorted(seqs) == list(range(1, writers + 1))
    stored = await second.load(state["id"])
    assert stored is not None
    assert stored.seq == writers
    assert sorted(stored.state["moments"]) == sorted(f"m{n}" for n in range(writers))
    for number in range(writers):
        recalled = await first.recall(state["id"], f"op-{number}")
        assert recalled is not None and recalled["id"] == f"m{number}"
    events = await first.since(state["id"], 0)
    assert events is not None
    assert [e["seq"] for e in events] == list(range(1, writers + 1))
    added = sorted(
        str(change["item"]["id"]) for e in events if (change := e["changes"][0])["op"] == "put"
    )
    assert added == sorted(f"m{n}" for n in range(writers))
