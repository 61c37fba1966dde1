"""The garbage-collection policy `tijdlijn serve` sets before it starts serving.

CPython's cyclic collector pauses the whole process; a full (generation 2) collection walks
every tracked object, so its pause grows with what the server holds: modules and classes from
startup, connections, and with the embedded store every meeting's state and events. Measured
(bench/README.md, bench_memory.py), a full collection took 150-260 ms of CPU at 100 meetings;
every message in flight waits for it. The policy:

- ``gc.freeze()`` once startup is done: what was imported and built to serve (about 100,000
  objects, most of them immortal in practice) moves to the permanent generation, which no
  collection walks again. Nothing created later is frozen, so garbage of connections and
  meetings is still found.
- a larger first threshold (:data:`THRESHOLDS`): a young collection after 20,000 net new container
  objects rather than 700. A write's short-lived objects die by reference counting before they
  are ever scanned, and fewer survivors are promoted to be walked by the next full collection.
  Each young collection stays around a millisecond.

The older thresholds stay CPython's: a full collection still runs when the objects that survived
into the oldest generation grew by a quarter since the last one, so memory stays bounded (the
soak, `make soak`, shows it flat). ``--gc python`` keeps CPython's defaults, for comparison.
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 10, 10)


def apply(policy: str = "tuned") -> None:
    """Set the policy; ``"python"`` leaves CPython's defaults alone."""
    if policy == "python":
        return
    gc.collect()  # what startup left as garbage goes now, not frozen for good
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
