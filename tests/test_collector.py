"""The garbage-collection policy (collector.py): what survives a middle or full collection is
frozen, so no collection walks it again; and nothing frozen becomes cyclic garbage when
a device leaves or a meeting ends: their objects are freed by reference counting though frozen,
and the policy's check (everything thawed and collected) finds nothing. The check itself is shown
to find a cycle that died frozen, so the last assertion can fail.
"""

from __future__ import annotations

import gc
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests.support.inprocess import one_leaves_then_the_meeting_ends, served, server_garbage
from tijdlijn import collector

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import soak


@pytest.fixture
def policy() -> Iterator[None]:
    """The policy applied to this test process, and undone afterwards; collections only when
    the test asks for one, so what is frozen when is deterministic."""
    collector.apply()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        collector.stop()


class Node:
    def __init__(self) -> None:
        self.other: Any = None


def test_a_young_generation_past_its_limit_is_collected_whatever_its_count(policy: None) -> None:
    # Older objects freed while new ones are made: CPython's count of the young generation goes
    # down with every one freed, so it stays under the threshold while the generation grows.
    older = [Node() for _ in range(collector.YOUNG_LIMIT + 10_000)]
    gc.collect()  # promoted, then frozen
    young_collections = gc.get_stats()[0]["collections"]
    collector.bound()
    assert gc.get_stats()[0]["collections"] == young_collections  # under the limit: left alone
    newer = []
    while older:
        newer.append(Node())
        older.pop()
    assert gc.get_count()[0] < collector.THRESHOLDS[0]  # CPython would not collect yet
    assert len(gc.get_objects(generation=0)) > collector.YOUNG_LIMIT
    assert collector.bound() == collector.BOUND_EVERY  # collected, and looked at again soon
    assert gc.get_stats()[0]["collections"] == young_collections + 1
    assert len(gc.get_objects(generation=0)) < 100  # the young generation was collected
    assert len(gc.get_objects(generation=1)) >= len(newer)  # its survivors promoted
    del newer


def test_the_young_generation_is_looked_at_as_often_as_it_grows(policy: None) -> None:
    collector.bound(now=100.0)  # a first look: how fast it grows is not known yet
    kept = [Node() for _ in range(100)]
    # 100 objects a second: the limit is far off, the longest wait.
    assert collector.bound(now=101.0) == collector.BOUND_MOST
    kept += [Node() for _ in range(15_000)]
    # 15,000 in a second: at that pace the limit is less than two seconds away.
    assert collector.BOUND_EVERY <= collector.bound(now=102.0) < 1.0
    # A young collection since the last look (the load is up): how fast is not known, soon.
    gc.collect(generation=0)
    kept.append(Node())
    assert collector.bound(now=106.0) == collector.BOUND_EVERY
    assert collector.bound(now=107.0) == collector.BOUND_MOST
    # A middle collection empties the young generation too (CPython counts it as a middle one).
    gc.collect(generation=1)
    assert collector.bound(now=108.0) == collector.BOUND_EVERY
    # Not growing: the longest wait.
    assert collector.bound(now=112.0) == collector.BOUND_MOST
    del kept


def test_middle_and_full_collections_freeze_their_survivors(policy: None) -> None:
    kept = Node()
    gc.collect()
    assert gc.get_objects(generation=2) == []  # every survivor moved to the permanent generation
    assert gc.is_tracked(kept)
    frozen = gc.get_freeze_count()
    newer = [Node() for _ in range(100)]
    gc.collect(generation=0)  # a young collection promotes and freezes nothing
    assert len(gc.get_objects(generation=1)) >= 100
    assert gc.get_freeze_count() == frozen
    gc.collect(generation=1)
    assert gc.get_objects(generation=1) == gc.get_objects(generation=2) == []
    assert gc.get_freeze_count() >= frozen + 100
    del newer


def test_the_check_frees_and_counts_a_cycle_that_died_frozen(policy: None) -> None:
    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    gc.collect()  # a and b alive: frozen
    del a, b
    gc.collect()  # a normal full collection does not walk frozen objects
    assert gone() is not None
    assert collector.check() >= 2  # the two nodes (and their dicts, if made)
    assert gone() is None
    assert gc.get_objects(generation=2) == []  # frozen again after the check


def test_frozen_connections_and_meetings_are_freed_without_a_collection(policy: None) -> None:
    served(freeze_leave_and_end)


async def freeze_leave_and_end(port: int, app: Any, server: uvicorn.Server) -> None:
    engine = app.sio.eio
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        tokens = await soak.create(http)
    devices = [await soak.connect(port, token) for token in tokens[:4]]
    for n in range(3):
        data = {"op_id": f"m{n}", "text": f"Moment {n}", "reveal": True}
        assert (await devices[0].call("moment.add", data)).get("ok")
    protocols = [weakref.ref(p) for p in server.server_state.connections]
    sockets = [weakref.ref(s) for s in engine.sockets.values()]
    assert len(protocols) == len(sockets) == 4
    gc.collect()  # the connections, the meeting and its state are frozen now
    assert any(gc.is_tracked(p()) for p in protocols)
    assert all(p() not in gc.get_objects() for p in protocols)  # frozen: not walked

    await one_leaves_then_the_meeting_ends(server, engine, devices)

    alive = [r() for r in protocols + sockets if r() is not None]
    assert alive == [], f"frozen, and not freed by reference counting: {alive}"
    assert server_garbage() == []  # nothing young either
    assert collector.check() == 0  # and nothing that had been frozen
