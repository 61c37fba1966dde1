"""Prometheus metrics: one registry per app, served on a port of its own only when asked.

Nothing here names a meeting or carries content: labels are fixed, small sets (command names,
error codes, roles, store operations, HTTP status codes). Counting is always on (a few
microseconds per write); what ``--metrics-port`` turns on is only the endpoint, on a separate
port so the public site never exposes it (docs/deploy.md).

Hooks, kept to single lines so they move easily with the code they measure:
- hub: ``timed_write`` around each write handler, ``fanned_out`` after each broadcast,
  ``overload_refusals`` from admission control (admission.py);
- app: ``timed_store`` instruments the store, ``HttpStatus`` counts HTTP answers, ``watch``
  reads the hub's connection table at scrape time (so connects and disconnects cost nothing).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from functools import wraps
from threading import Thread
from typing import TYPE_CHECKING, Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .admission import REASONS
from .tally import LoopHistogram

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

    from .hub import Hub
    from .store.base import Store

# A write's ack, whichever shape: counted by its ``ok`` and error code, passed on unchanged.
A = TypeVar("A", bound=Mapping[str, object])

# From a fraction of a millisecond (an embedded write) to seconds (an overloaded core).
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
STORE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.writes = Counter(
            "tijdlijn_writes",
            "Writes answered, by command and outcome",
            ["command", "outcome"],
            registry=r,
        )
        self.refusals = Counter(
            "tijdlijn_refusals",
            "Writes refused, by error code (rate_limited: the per-connection write limit)",
            ["code"],
            registry=r,
        )
        self.write_seconds = LoopHistogram(
            "tijdlijn_write_seconds",
            "From a write's arrival to its ack: checks, decide, store, broadcast",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.broadcasts = Counter(
            "tijdlijn_broadcasts", "Events broadcast to a meeting's devices", registry=r
        )
        self.fanout_seconds = LoopHistogram(
            "tijdlijn_fanout_seconds",
            "Time to hand one event to every device of its meeting on this process",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.store_seconds = LoopHistogram(
            "tijdlijn_store_seconds",
            "Store calls, by operation",
            ["operation"],
            buckets=STORE_BUCKETS,
            registry=r,
        )
        self.store_errors = Counter(
            "tijdlijn_store_errors",
            "Store calls that raised, by operation",
            ["operation"],
            registry=r,
        )
        self.overload_refusals = Counter(
            "tijdlijn_overload_refusals",
            "Writes answered busy by admission control, by reason (lag, in_flight)",
            ["reason"],
            registry=r,
        )
        for reason in REASONS:
            self.overload_refusals.labels(reason)  # exported as 0 from the start
        self.http_responses = Counter(
            "tijdlijn_http_responses",
            "HTTP answers by status code (429: the join-code limiter)",
            ["status"],
            registry=r,
        )
        # Label children by command: looked up once, not on every write (labels() locks and
        # builds a key each time; a write is counted on the hot path).
        self._ok: dict[str, Counter] = {}
        self._server: WSGIServer | None = None
        self._thread: Thread | None = None

    # hub hooks
    async def timed_write(self, command: str, answer: Awaitable[A]) -> A:
        """Await a write's ack, counting it by outcome (refusals by error code)."""
        started = time.perf_counter()
        result = await answer
        self.write_seconds.observe(time.perf_counter() - started)
        if result.get("ok"):
            ok = self._ok.get(command)
            if ok is None:
                ok = self._ok[command] = self.writes.labels(command, "ok")
            ok.inc()
        else:
            error = result.get("error")
            code = error.get("code", "?") if isinstance(error, dict) else "?"
            self.writes.labels(command, "refused").inc()
            self.refusals.labels(code).inc()
        return result

    def fanned_out(self, started: float) -> None:
        """One broadcast handed to its devices, begun at ``started`` (``time.perf_counter()``);
        a call, not a context manager: it runs on every write."""
        self.fanout_seconds.observe(time.perf_counter() - started)
        self.broadcasts.inc()

    # app hooks
    def timed_store(self, store: Store) -> Store:
        """The same store, each coroutine method timed and its failures counted. Instrumented
        in place, not wrapped, so the object keeps its type: ``len()``, ``kind`` and the like
        behave exactly as before."""
        for name in dir(type(store)):
            if name.startswith("_") or not inspect.iscoroutinefunction(getattr(type(store), name)):
                continue
            setattr(store, name, self._timed(name, getattr(store, name)))
        return store

    def _timed(self, name: str, method: Callable[..., Awaitable[Any]]) -> Any:
        seconds = self.store_seconds.labels(name)
        errors = self.store_errors.labels(name)

        @wraps(method)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await method(*args, **kwargs)
            except Exception:
                errors.inc()
                raise
            finally:
                seconds.observe(time.perf_counter() - started)

        return timed

    def watch(self, hub: Hub) -> None:
        """Connections (by role) and live meetings, read from the hub when Prometheus scrapes."""
        self.registry.register(_HubCollector(hub))

    def serve(self, host: str, port: int) -> None:
        """The /metrics endpoint on its own port, in a thread (prometheus-client's server)."""
        server, thread = start_http_server(port, addr=host, registry=self.registry)
        self._server, self._thread = server, thread

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class _HubCollector(Collector):
    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    def collect(self) -> Iterable[GaugeMetricFamily]:
        connections = list(self._hub.connections.values())
        by_role = GaugeMetricFamily(
            "tijdlijn_connections", "Open Socket.IO connections on this process", labels=["role"]
        )
        for role in ("facilitator", "participant", "wall"):
            by_role.add_metric([role], sum(1 for c in connections if c.session.actor.role == role))
        yield by_role
        yield GaugeMetricFamily(
            "tijdlijn_live_meetings",
            "Meetings with at least one device connected to this process",
            value=len({c.session.meeting_id for c in connections}),
        )
        admission = self._hub.admission
        yield GaugeMetricFamily(
            "tijdlijn_event_loop_lag_seconds",
            "How late the event loop ran at its last sample (admission control)",
            value=admission.lag,
        )
        yield GaugeMetricFamily(
            "tijdlijn_writes_in_flight",
            "Writes admitted and not yet answered on this process",
            value=admission.in_flight,
        )


class HttpStatus:
    """ASGI middleware: counts HTTP answers by status code only (never the path)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.metrics.http_responses.labels(str(message["status"])).inc()
            await send(message)

        await self.app(scope, receive, counting)


def serve_metrics(metrics: Metrics, host: str, port: int | None) -> Callable[[], None]:
    """Start the endpoint if a port is set; returns the stop function (a no-op otherwise)."""
    if port is None:
        return lambda: None
    metrics.serve(host, port)
    return metrics.stop
