"""Admission control: past capacity a write is refused at once with ``busy``, never left hanging.

Without it an overloaded process takes every write on, so every write gets slower, acks pass
the clients' timeouts and devices see writes vanish (issue 11: two processes on Redis at 300
meetings left about half the writes unanswered). With it the process answers what it cannot do
now with the coded error ``busy`` before any work is done (no store call, no fan-out), the
device sends the same write again (same op id) after a pause with jitter, and the writes it
does admit finish fast. When the load drops, the gate opens again by itself.

Two signals, each cheap, each with a setting (0 turns it off; docs/deploy.md):
- event-loop lag: a task sleeps ``SAMPLE_SECONDS`` and measures how late it woke. Every packet,
  every ack and every fan-out frame waits that long in the loop's queue, so the lag is what any
  device would wait now. Writes are refused while two samples in a row are past
  ``overload_lag_ms``, and admitted again from the first sample under it: one late sample is a
  pause (the garbage collector), not overload, and refusing then would only add a retry's pause
  to writes the loop is about to serve anyway;
- writes in flight: admitted writes not yet answered (waiting for the store, mostly). Past
  ``overload_writes_in_flight`` a slow store would only pile up more waiting writes, so writes
  are refused then, once the oldest of them has also waited ``overload_write_wait_ms`` (200):
  the count alone refused bursts the process was about to answer. A burst of 80 writes (a
  client that stalled for 130 ms sending what it held back) took two processes and Redis on
  one core about 100 ms; refused, each of those writes came back only after a retry's pause of
  100-200 ms or more (bench/README.md, "Refusals in the recovery on Redis"). So a write is
  refused only once the one ahead of it has waited about as long as a refusal would cost.

A write refused once and sent again (the same op id, on the same connection) is let in with
twice the room (:data:`RETRY_HEADROOM`) on both signals: a burst after a pause (the collector,
a slow store) then costs a device one short pause, not a chain of refusals with a growing
backoff, which is what made the tail after an overload seconds long; and the older write goes
first, so what is admitted is roughly first come, first served. Under a sustained overload the
signals sit far past either bound, so retries are refused too and the gate still holds.

Only writes are gated: reads (``sync`` of a device that is behind, the welcome snapshot) are
cheap per device and a device refused its catch-up would only ask again, so they always pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator

from .errors import Busy
from .settings import Settings

log = logging.getLogger("tijdlijn.admission")

# How often the lag is sampled: 20 wake-ups a second cost nothing measurable, and a stale
# sample is at most this old plus the lag itself.
SAMPLE_SECONDS = 0.05
REASONS = ("lag", "in_flight")
# How much further a retried write may go past the bounds than a new one.
RETRY_HEADROOM = 2.0
# An overload episode ends (and "recovered" is logged) after this long without a refusal.
QUIET_SECONDS = 2.0


class Admission:
    """One process's gate for writes; ``hold()`` around the work of each admitted write."""

    def __init__(
        self,
        settings: Settings,
        on_refuse: Callable[[str], None] = lambda reason: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_lag = settings.overload_lag_ms / 1000
        self.max_in_flight = settings.overload_writes_in_flight
        self.max_wait = settings.overload_write_wait_ms / 1000
        self.on_refuse = on_refuse
        self.clock = clock
        # The last sample (what the metric shows) and the lesser of the last two (what counts).
        self.lag = 0.0
        self.sustained = 0.0
        # When each admitted write not yet answered was admitted, oldest first (an OrderedDict:
        # the oldest is found and any write removed in O(1), answers come in any order).
        self.started: OrderedDict[int, float] = OrderedDict()
        self._numbers = itertools.count()
        # An overload episode: from the first refusal until none for QUIET_SECONDS. Logged at
        # its start and end, so an overload writes two lines, not one per refused write.
        self.episode_refused = 0
        self.last_refusal: float | None = None

    def overloaded(self, retry: bool = False) -> str | None:
        """Why a write arriving now (a retry of a refused one, or not) would be refused:
        ``"lag"``, ``"in_flight"`` or None."""
        room = RETRY_HEADROOM if retry else 1.0
        if self.max_in_flight and len(self.started) >= self.max_in_flight * room:
            oldest = next(iter(self.started.values()))
            if self.clock() - oldest >= self.max_wait * room:
                return "in_flight"
        if self.max_lag and self.sustained > self.max_lag * room:
            return "lag"
        return None

    @contextlib.contextmanager
    def hold(self, retry: bool = False) -> Iterator[None]:
        """Admit one write (or raise :class:`Busy` at once) and count it until it is answered."""
        reason = self.overloaded(retry)
        if reason is not None:
            self._refuse(reason)
            raise Busy()
        number = next(self._numbers)
        self.started[number] = self.clock()
        try:
            yield
        finally:
            del self.started[number]

    @property
    def in_flight(self) -> int:
        """Writes admitted and not yet answered."""
        return len(self.started)

    def observe(self, lag: float) -> None:
        """One lag sample (seconds late); the sampler calls this, tests may too."""
        lag = max(0.0, lag)
        self.sustained = min(self.lag, lag)
        self.lag = lag
        if self.last_refusal is not None and self.clock() - self.last_refusal > QUIET_SECONDS:
            log.warning(
                "recovered: admitting writes again (%d refused with busy)", self.episode_refused
            )
            self.last_refusal = None
            self.episode_refused = 0

    def _refuse(self, reason: str) -> None:
        now = self.clock()
        if self.last_refusal is None:
            oldest = next(iter(self.started.values()), now)
            log.warning(
                "overloaded (%s): refusing writes with busy; event-loop lag %.0f ms, "
                "%d writes in flight, the oldest for %.0f ms",
                reason,
                self.sustained * 1000,
                self.in_flight,
                (now - oldest) * 1000,
            )
        self.last_refusal = now
        self.episode_refused += 1
        self.on_refuse(reason)

    async def sample(self) -> None:
        """The lag sampler (started by the app's lifespan); runs until cancelled."""
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(SAMPLE_SECONDS)
            self.observe(loop.time() - before - SAMPLE_SECONDS)
