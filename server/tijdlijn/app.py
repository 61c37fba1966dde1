"""create_app(settings, store=None): the Starlette app and the Socket.IO server, wired together.

No module-level globals: everything a request or event needs hangs off the app, so tests can run
several independent servers in one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import socketio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from . import collector, http
from .body import BodyLimit
from .capsule import Sealer, load_keys
from .errors import TijdlijnError
from .guard import Guard, open_limits
from .headers import SecurityHeaders
from .http_after import routes as after_routes
from .hub import Hub
from .link import Link
from .metrics import HttpStatus, Metrics, serve_metrics
from .proxy import ProxyHeaders
from .service import Meetings
from .settings import Settings
from .sio_server import EngineFrames, TijdlijnServer, transport_limit
from .store import open_store
from .store.base import Store

log = logging.getLogger("tijdlijn.app")


def default_web_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "web"


class Tijdlijn:
    """The ASGI entry point: Socket.IO under /socket.io/, everything else to Starlette."""

    def __init__(self, web: Starlette, sio: TijdlijnServer, hub: Hub, settings: Settings) -> None:
        self.web = web
        self.sio = sio
        self.hub = hub
        self.engine = EngineFrames(socketio.ASGIApp(sio, socketio_path="socket.io"), sio)
        # Outermost first: who is asking (proxy.py), headers on every answer, bounded bodies.
        self.stack: ASGIApp = ProxyHeaders(
            SecurityHeaders(BodyLimit(self.route, transport_limit(settings)), settings.hsts),
            settings.trusted_proxies,
        )
        self.proxy = ProxyHeaders(self.route, settings.trusted_proxies)

    @property
    def state(self) -> Any:
        return self.web.state

    async def route(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"].startswith("/socket.io"):
            await self.engine(scope, receive, send)
        else:
            await self.web(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # Only the first of those applies (the others handle HTTP answers and bodies), and
            # as a call, not a layer: every layer is a frame kept for the connection's lifetime.
            scope = self.proxy.rewrite(scope)
            app = self.engine if scope["path"].startswith("/socket.io") else self.web
            await app(scope, receive, send)
        elif scope["type"] == "http":
            await self.stack(scope, receive, send)
        else:
            await self.web(scope, receive, send)


def create_app(settings: Settings, store: Store | None = None) -> Tijdlijn:
    metrics = Metrics()
    store = metrics.timed_store(store if store is not None else open_store(settings))
    link = (
        Link(settings.redis_url, channel=f"{settings.key_prefix}socketio")
        if settings.redis_url
        else None
    )
    if settings.redis_url and not settings.capsule_keys:
        log.warning(
            "no TIJDLIJN_CAPSULE_KEYS: this process seals restore capsules with its own key; "
            "several processes must share one (docs/reliability.md)"
        )
    sio = TijdlijnServer(
        settings,
        async_mode="asgi",
        client_manager=link,
        cors_allowed_origins=list(settings.allowed_origins) if settings.allowed_origins else None,
    )
    service = Meetings(settings, store, Sealer(load_keys(settings)))
    hub = Hub(settings, service, sio, metrics)
    metrics.watch(hub)
    web_dir = Path(settings.web_dir) if settings.web_dir else default_web_dir()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await store.open()
        watchdog = asyncio.create_task(hub.watch(), name="tijdlijn-watchdog")
        lag = asyncio.create_task(hub.admission.sample(), name="tijdlijn-lag")
        # The garbage-collection policy's scheduled full collection (collector.py).
        sweeper = asyncio.create_task(collector.sweep(), name="tijdlijn-gc")
        stop_metrics = serve_metrics(metrics, settings.metrics_host, settings.metrics_port)
        try:
            yield
        finally:
            stop_metrics()
            for task in (watchdog, lag, sweeper):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await store.close()

    web = Starlette(
        routes=[
            *http.routes(web_dir),
            *after_routes(),
            Mount("/static", app=StaticFiles(directory=web_dir, check_dir=False), name="static"),
        ],
        middleware=[
            Middleware(HttpStatus, metrics=metrics),
            Middleware(GZipMiddleware, minimum_size=512),
        ],
        exception_handlers={TijdlijnError: http.on_error},
        lifespan=lifespan,
    )
    web.state.settings = settings
    web.state.store = store
    web.state.hub = hub
    web.state.metrics = metrics
    web.state.service = service
    web.state.link = link
    web.state.guard = Guard(settings, store, open_limits(settings, store))
    return Tijdlijn(web, sio, hub, settings)
