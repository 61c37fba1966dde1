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
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import http
from .capsule import Sealer, load_keys
from .http_after import routes as after_routes
from .hub import Hub
from .link import Link
from .metrics import HttpStatus, Metrics, serve_metrics
from .service import Meetings
from .settings import Settings
from .store import open_store
from .store.base import Store

log = logging.getLogger("tijdlijn.app")

# Strict by default: every asset comes from this server, nothing inline, no framing.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


def default_web_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "web"


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Tijdlijn:
    """The ASGI entry point: Socket.IO under /socket.io/, everything else to Starlette."""

    def __init__(self, web: Starlette, sio: socketio.AsyncServer, hub: Hub) -> None:
        self.web = web
        self.sio = sio
        self.hub = hub
        self.engine = socketio.ASGIApp(sio, socketio_path="socket.io")

    @property
    def state(self) -> Any:
        return self.web.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and scope["path"].startswith("/socket.io"):
            await self.engine(scope, receive, send)
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
    sio = socketio.AsyncServer(
        async_mode="asgi",
        client_manager=link,
        cors_allowed_origins=list(settings.allowed_origins) if settings.allowed_origins else None,
        max_http_buffer_size=settings.max_message_bytes,
        logger=False,
        engineio_logger=False,
    )
    service = Meetings(settings, store, Sealer(load_keys(settings)))
    hub = Hub(settings, service, sio, metrics)
    metrics.watch(hub)
    web_dir = Path(settings.web_dir) if settings.web_dir else default_web_dir()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await store.open()
        watchdog = asyncio.create_task(hub.watch(), name="tijdlijn-watchdog")
        stop_metrics = serve_metrics(metrics, settings.metrics_host, settings.metrics_port)
        try:
            yield
        finally:
            stop_metrics()
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
            await store.close()

    web = Starlette(
        routes=[
            *http.routes(web_dir),
            *after_routes(),
            Mount("/static", app=StaticFiles(directory=web_dir, check_dir=False), name="static"),
        ],
        middleware=[
            Middleware(HttpStatus, metrics=metrics),
            Middleware(SecurityHeaders),
            Middleware(GZipMiddleware, minimum_size=512),
        ],
        lifespan=lifespan,
    )
    web.state.settings = settings
    web.state.store = store
    web.state.hub = hub
    web.state.metrics = metrics
    web.state.service = service
    web.state.link = link
    web.state.join_limiter = http.FailureLimiter(settings.join_failures_per_minute)
    return Tijdlijn(web, sio, hub)
