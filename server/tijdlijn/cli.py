"""tijdlijn serve: flags and environment into Settings, then uvicorn."""

from __future__ import annotations

import argparse
import asyncio
import logging.config
import sys
from collections.abc import Sequence
from typing import Literal, TypedDict

import uvicorn

from . import __version__, collector
from .acyclic import LeanHttpProtocol
from .settings import DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, from_env
from .sio_server import transport_limit
from .wsprotocol import LeanWebSocketProtocol

ACCESS_DUTCH = {
    "open": "iedereen op deze computer (alleen lokaal)",
    "key": "met een toegangssleutel",
    "header": "na inloggen via de reverse proxy",
    "key+header": "met een toegangssleutel of na inloggen via de reverse proxy",
}

# Measured with `make bench` (bench/README.md), one core, meetings of 14 devices:
# - permessage-deflate off: compressing small JSON frames costs CPU on every delivery and keeps a
#   zlib context (~48 KB) per connection; the frames are a few hundred bytes, so it saves nothing.
# - the sans-I/O websockets implementation: fewer tasks and objects per connection than the
#   legacy one, so less memory per connection and shorter garbage-collection pauses.
# - uvloop and httptools (both come with uvicorn[standard]): named, not "auto", so a missing one
#   fails loudly instead of silently falling back to the slower pure-Python versions. httptools
#   through LeanHttpProtocol, which leaves no reference cycle behind at an upgrade (acyclic.py).
# - "lean" (the default): the sans-I/O implementation without the handshake headers it would keep
#   for the connection's lifetime (wsprotocol.py; about 4 KB per connection).
# - no uvicorn keepalive ping: Engine.IO pings every connection itself (25 s) and the engine
#   closes one that does not answer (direct.py); a second ping costs a timer per connection.
WS_IMPLEMENTATIONS = ("lean", "websockets-sansio", "websockets", "wsproto")


class UvicornOptions(TypedDict):
    loop: Literal["uvloop"]
    http: type[asyncio.Protocol]
    ws: str | type[asyncio.Protocol]
    ws_per_message_deflate: bool
    ws_ping_interval: float | None
    log_level: str


def uvicorn_options(
    ws: str = WS_IMPLEMENTATIONS[0], deflate: bool = False, log_level: str = "info"
) -> UvicornOptions:
    """The uvicorn options `tijdlijn serve` runs with (bench/peers reuse them for fairness)."""
    return {
        "loop": "uvloop",
        "http": LeanHttpProtocol,
        "ws": LeanWebSocketProtocol if ws == "lean" else ws,
        "ws_per_message_deflate": deflate,
        "ws_ping_interval": None,
        "log_level": log_level,
    }


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="tijdlijn", description="Tijdlijn: live casusreconstructie-bijeenkomsten."
    )
    root.add_argument("--version", action="version", version=f"tijdlijn {__version__}")
    sub = root.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="start the server")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    serve.add_argument(
        "--redis-url",
        default=None,
        help="Redis URL (also TIJDLIJN_REDIS_URL); without it: one process, in-memory store",
    )
    serve.add_argument(
        "--ttl",
        type=int,
        default=None,
        help=f"seconds a meeting lives after its last activity (default {DEFAULT_TTL_SECONDS}, "
        f"at most {MAX_TTL_SECONDS})",
    )
    serve.add_argument(
        "--allowed-origin",
        action="append",
        default=None,
        help="origin allowed to open Socket.IO connections, e.g. https://tijdlijn.example.nl "
        "(repeatable; default: same origin only)",
    )
    serve.add_argument(
        "--preparation-days",
        type=int,
        default=None,
        help="days a meeting in preparation is kept at most (also TIJDLIJN_PREPARATION_DAYS; "
        "default and maximum 30)",
    )
    serve.add_argument(
        "--state-dir",
        default=None,
        help="folder for the restore key of the embedded default (also TIJDLIJN_STATE_DIR; "
        "default ~/.local/state/tijdlijn)",
    )
    serve.add_argument("--public-url", default=None, help="address people open, for links and QR")
    serve.add_argument(
        "--access-log",
        action="store_true",
        help="log every HTTP request (join codes and session ids are redacted)",
    )
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        default=None,
        help="address or network of a reverse proxy whose X-Forwarded-* headers are believed "
        "(repeatable; also TIJDLIJN_TRUSTED_PROXIES; default: none)",
    )
    serve.add_argument(
        "--facilitator-key",
        action="append",
        default=None,
        help="a key that allows creating meetings (repeatable; prefer TIJDLIJN_FACILITATOR_KEYS, "
        "a flag shows in the process list)",
    )
    serve.add_argument(
        "--facilitator-header",
        default=None,
        help="a header set by an authenticating reverse proxy (e.g. X-Forwarded-User from "
        "oauth2-proxy) that allows creating meetings; needs --trusted-proxy",
    )
    serve.add_argument(
        "--metrics-port",
        type=int,
        default=None,
        help="serve Prometheus metrics on this port (also TIJDLIJN_METRICS_PORT; default: off)",
    )
    serve.add_argument(
        "--metrics-host",
        default=None,
        help="address for the metrics port (also TIJDLIJN_METRICS_HOST; default 127.0.0.1)",
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=("debug", "info", "warning", "error"),
        help="info (default) logs start, refusals and failures; debug also every connect and "
        "write (a meeting reference, never content)",
    )
    serve.add_argument(
        "--ws",
        default=WS_IMPLEMENTATIONS[0],
        choices=WS_IMPLEMENTATIONS,
        help=f"uvicorn WebSocket implementation (default {WS_IMPLEMENTATIONS[0]})",
    )
    serve.add_argument(
        "--gc",
        default="tuned",
        choices=("tuned", "python"),
        help="garbage-collection policy: tuned (default; see docs/deploy.md) or CPython's own",
    )
    serve.add_argument(
        "--ws-deflate",
        action="store_true",
        help="turn on permessage-deflate (off by default: costs CPU and memory per connection)",
    )
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = from_env(
            host=args.host,
            port=args.port,
            redis_url=args.redis_url,
            ttl_seconds=args.ttl,
            allowed_origins=tuple(args.allowed_origin) if args.allowed_origin else None,
            public_url=args.public_url.rstrip("/") if args.public_url else None,
            metrics_port=args.metrics_port,
            metrics_host=args.metrics_host,
            preparation_days=args.preparation_days,
            state_dir=args.state_dir,
            trusted_proxies=tuple(args.trusted_proxy) if args.trusted_proxy else None,
            facilitator_keys=tuple(args.facilitator_key) if args.facilitator_key else None,
            facilitator_header=args.facilitator_header,
        )
    except ValueError as exc:
        print(f"tijdlijn: {exc}", file=sys.stderr)
        return 2
    from .app import create_app
    from .logs import uvicorn_log_config

    # The same configuration uvicorn applies, already for what create_app logs.
    logging.config.dictConfig(uvicorn_log_config())
    # Debug only for Tijdlijn's own lines: library debug output (websockets logs every frame)
    # would cost more than the server's work and could carry content.
    logging.getLogger("tijdlijn").setLevel(args.log_level.upper())
    server_log_level = "info" if args.log_level == "debug" else args.log_level
    app = create_app(settings)
    store = "Redis" if settings.redis_url else "in-memory (één proces)"
    shown = "localhost" if settings.host in ("127.0.0.1", "0.0.0.0") else settings.host
    print(f"Tijdlijn {__version__} draait op http://{shown}:{settings.port}/  (opslag: {store})")
    print("Open die link in je browser om een bijeenkomst te starten. Stoppen: Ctrl+C.")
    print(f"Bijeenkomsten maken: {ACCESS_DUTCH[settings.facilitator_access]}.", flush=True)
    collector.apply(args.gc)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        access_log=args.access_log,
        log_config=uvicorn_log_config(),
        # Frames up to the transport limit reach the server, which answers oversized ones with
        # a coded error (sio_server.py); beyond it uvicorn closes with 1009 "message too big".
        ws_max_size=transport_limit(settings),
        # Forwarded headers are handled by proxy.py, only from --trusted-proxy addresses.
        proxy_headers=False,
        **uvicorn_options(args.ws, args.ws_deflate, server_log_level),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
