"""The garbage-collection policy `tijdlijn serve` sets before it starts serving.

CPython's cyclic collector pauses the whole process; a full (generation 2) collection walks
every tracked object, so its pause grows with what the server holds: modules and classes from
startup, connections, and with the embedded store every meeting's state and events. Measured
before this policy (bench/README.md, bench_memory.py): at 200 meetings 605 young, 54 middle
and 4 full collections in 20 s, the full ones 457 ms of CPU each; every message in flight waits.
The policy:

- ``gc.freeze()`` once startup is done: what was imported and built to serve (about 78,000
  objects, alive for the process's lifetime anyway) moves to the permanent generation, which no
  collection walks again. Nothing created later is frozen, so the garbage of connections and
  meetings is still found.
- a larger first threshold (:data:`THRESHOLDS`): a young collection after 20,000 net new
  container objects rather than 700. A write's short-lived objects die by reference counting
  before they are ever scanned, and fewer survivors are promoted to be walked again by every
  full collection. Measured after: no collection at all in 20 s at 200 meetings; over a
  30-minute soak, 15 young collections (p50 18 ms of CPU on a busy machine).
- a full collection at least every :data:`FULL_EVERY` seconds (:func:`sweep`, run by the app).
  The older thresholds stay CPython's, so under load full collections come by themselves (when
  the oldest generation grew by a quarter); at a light load they may not come for hours, and
  the cyclic garbage of ended connections and meetings waits that long (the soak showed RSS
  growing 190 KB a minute without it). A light load means a small heap, so the scheduled
  collection is short exactly when it is the one that runs.

``--gc python`` keeps CPython's defaults, for comparison.
"""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

THRESHOLDS = (20_000, 10, 10)
FULL_EVERY = 300.0
_last_full = [0.0]
_applied = [False]


def _note(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info["generation"] == 2:
        _last_full[0] = time.monotonic()


def apply(policy: str = "tuned") -> None:
    """Set the policy; ``"python"`` leaves CPython's defaults alone."""
    if policy == "python":
        return
    gc.collect()  # what startup left as garbage goes now, not frozen for good
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    gc.callbacks.append(_note)
    _last_full[0] = time.monotonic()
    _applied[0] = True


async def sweep(check_seconds: float = 10.0) -> None:
    """A full collection when none ran for FULL_EVERY seconds (only with the policy applied)."""
    while True:
        await asyncio.sleep(check_seconds)
        if _applied[0] and time.monotonic() - _last_full[0] >= FULL_EVERY:
            gc.collect()
