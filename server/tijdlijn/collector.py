"""The garbage-collection policy `tijdlijn serve` sets before it starts serving.

CPython's cyclic collector pauses the whole process; a full (generation 2) collection walks
every tracked object outside the permanent generation, so its pause grows with what the server
holds: with 14,000 connections (~92 tracked objects each) about 0.9 s. Measured before this
policy (bench/README.md): at 200 meetings 605 young, 54 middle and 4 full collections in 20 s,
the full ones 457 ms of CPU each; every message in flight waits. The policy:

- ``gc.freeze()`` once startup is done: what was imported and built to serve (about 78,000
  objects, alive for the process's lifetime anyway) moves to the permanent generation, which no
  collection walks.
- a larger first threshold and a smaller second one (:data:`THRESHOLDS`): a young collection
  after 20,000 net new container objects rather than 700 (a write's short-lived objects die by
  reference counting before they are scanned), a middle one every third young one rather than
  every eleventh (a middle pause walks fewer survivors, which are then frozen). A young
  collection every second was tried as well (shorter young pauses under overload) but, together
  with the freezing below, RSS grew ~150-190 KB/min in the soak while neither alone did
  (bench/README.md): left out.
- **what survives a middle or full collection is frozen** (:func:`_after`): it was not garbage
  then, and connections and meetings do not become cyclic garbage when they end: they are freed
  by reference counting, frozen or not (acyclic.py; tests/test_acyclic.py and test_collector.py
  prove it with the collector off and with their objects frozen). So the oldest generation stays
  nearly empty, and no collection walks the connections again: at 14,000 connections a full
  collection walked ~1.3 million objects (~0.9 s), now only what was promoted since the last
  middle one. Without the cycles, no generation fills with the garbage of ended connections.
- **the young generation is collected once it holds more than :data:`YOUNG_LIMIT` objects**
  (:func:`bound`), whatever CPython's count says: that count is net (it goes down whenever any
  older object is freed), so after a burst whose in-flight objects were promoted or frozen and
  then freed, the young generation held 126,000 to 156,000 objects before its count reached the
  threshold, and a young collection took 75-105 ms of CPU (then a middle one up to 209 ms), at
  1,400 meetings right after an overload (bench/README.md, "Pauses at 20,000 connections and
  after an overload"). Counting is a walk of the young list, about 130 ns an object (5 ms at
  38,000), so how often it is looked at follows how fast it grows: every :data:`BOUND_EVERY`
  seconds while young collections come one after the other or it would reach the limit soon,
  up to every :data:`BOUND_MOST` seconds when it grows slowly. Looking twice a second cost 9-21 %
  of the CPU at 200 meetings (bench/README.md, "The young-generation bound at low load").
- a full collection at least every :data:`FULL_EVERY` seconds (:func:`sweep`): with the oldest
  generation nearly empty it is short, and it would find the cyclic garbage of a path the tests
  do not know (none found in the soak).
- every :data:`CHECK_EVERY` seconds the check (:func:`check`): everything is thawed and collected
  once (the one long pause left: a walk of everything, as every full collection was before,
  once an hour), so an object that became cyclic garbage after it was frozen is freed after all;
  how many were found is logged as a warning: a cycle this policy assumes does not happen
  (bench/README.md, "Garbage of ended connections", says how to find one with bench/probe.py).

``--gc python`` keeps CPython's defaults, for comparison.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from typing import Any

log = logging.getLogger("tijdlijn.collector")

THRESHOLDS = (20_000, 2, 10)
# Objects in the young generation past which it is collected: twice what the first threshold
# lets it reach under a steady load.
YOUNG_LIMIT = 40_000
# The shortest and the longest wait between two looks at the young generation.
BOUND_EVERY = 0.5
BOUND_MOST = 4.0
FULL_EVERY = 300.0
CHECK_EVERY = 3600.0


class _State:
    applied = False
    checking = False
    last_full = 0.0
    last_check = 0.0
    # The last look at the young generation: when, its size, the collections so far.
    looked = 0.0
    young = 0
    collections = -1


def _after(phase: str, info: dict[str, Any]) -> None:
    if phase != "stop" or info["generation"] == 0:
        return
    if info["generation"] == 2:
        _State.last_full = time.monotonic()
    if not _State.checking and not gc.get_debug() & gc.DEBUG_SAVEALL:
        # After a middle or full collection the younger generations are empty and the oldest
        # holds its survivors (and, after a middle one, nothing else: it was emptied by the
        # last freeze): nothing in it is garbage now. Moving it is O(1).
        gc.freeze()


def apply(policy: str = "tuned") -> None:
    """Set the policy; ``"python"`` leaves CPython's defaults alone."""
    if policy == "python":
        return
    gc.set_threshold(*THRESHOLDS)
    if _after not in gc.callbacks:
        gc.callbacks.append(_after)
    _State.applied = True
    gc.collect()  # what startup left as garbage goes now; the survivors are frozen (_after)
    _State.last_check = _State.last_full


def check() -> int:
    """Thaw everything and collect it once: the number of objects that were frozen and had
    become cyclic garbage (0 unless a cycle this policy assumes away happened)."""
    gc.collect()  # the young and unfrozen garbage first: that one is expected
    _State.checking = True
    try:
        gc.unfreeze()
        found = gc.collect()
    finally:
        _State.checking = False
    gc.freeze()
    _State.last_check = time.monotonic()
    if found:
        log.warning("collector: %d objects of cyclic garbage had been frozen", found)
    return found


def stop() -> None:
    """Undo :func:`apply` (tests): CPython's thresholds, nothing frozen, no callback."""
    if _after in gc.callbacks:
        gc.callbacks.remove(_after)
    gc.set_threshold(700, 10, 10)
    gc.unfreeze()
    _State.applied = False
    _State.collections = -1


def _collections() -> int:
    """Collections of any generation so far (each empties the young one); CPython counts a
    middle or full collection under its own generation only."""
    return sum(stats["collections"] for stats in gc.get_stats())


def bound(now: float | None = None) -> float:
    """Collect the young generation if it holds more than :data:`YOUNG_LIMIT` objects; the
    seconds until it should be looked at again."""
    now = time.monotonic() if now is None else now
    young = len(gc.get_objects(generation=0))
    collections = _collections()
    wait = BOUND_EVERY
    if young > YOUNG_LIMIT:
        gc.collect(generation=0)
        young, collections = 0, _collections()
    elif collections == _State.collections and now > _State.looked:
        # No young collection since the last look: it grew this fast (new objects that live,
        # less those freed), and at that pace it reaches the limit in twice the wait.
        grown = (young - _State.young) / (now - _State.looked)
        room = (YOUNG_LIMIT - young) / grown / 2 if grown > 0 else BOUND_MOST
        wait = min(BOUND_MOST, max(BOUND_EVERY, room))
    _State.looked, _State.young, _State.collections = now, young, collections
    return wait


async def sweep() -> None:
    """The bound on the young generation, the scheduled full collection and the check (only
    with the policy applied)."""
    wait = BOUND_EVERY
    while True:
        await asyncio.sleep(wait)
        wait = BOUND_EVERY
        if not _State.applied:
            continue
        now = time.monotonic()
        if now - _State.last_check >= CHECK_EVERY:
            check()
        elif now - _State.last_full >= FULL_EVERY:
            gc.collect()
        else:
            wait = bound(now)
