"""Request bodies: measured while they stream in, never read past their limit.

One rule for every HTTP request, Socket.IO's polling transport included: :class:`BodyLimit`
refuses a declared ``Content-Length`` over the path's limit before reading a byte, and counts a
chunked body as it arrives, stopping at the limit. :func:`read_json` is the one reader the
endpoints use; it turns an over-long, malformed or too deeply nested body into ``invalid``.
Before this, one 200 MB chunked POST took the server from 69 to 404 MB, and 60 KB of nested
JSON answered 500.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import Invalid

SMALL = 64 * 1024
# A pack holds at most 120 texts of 1000 characters, a prepared meeting 600 interpretations of
# 2000: as UTF-8 (how Tijdlijn writes them) these caps leave room for every valid file.
PACK = 1024 * 1024
PREPARED = 4 * 1024 * 1024
# A restore capsule (capsule.MAX_CAPSULE_CHARS) and the JSON around it.
RESTORE = 4 * 1024 * 1024 + 1024
LIMITS = {"/api/import": PREPARED, "/api/followup/start": PACK, "/api/restore": RESTORE}
# Nothing Tijdlijn accepts nests deeper than a few levels.
MAX_DEPTH = 32


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class TooLarge(Invalid):
    """``invalid``, answered with HTTP 413."""


def too_large(limit: int) -> TooLarge:
    return TooLarge(f"Het verzoek is te groot (maximaal {limit // 1024} KB).")


class BodyLimit:
    """ASGI middleware: every HTTP body bounded while streaming (``socketio_limit`` for
    ``/socket.io/``, :data:`LIMITS` per path, else :data:`SMALL`)."""

    def __init__(self, app: ASGIApp, socketio_limit: int) -> None:
        self.app = app
        self.socketio_limit = socketio_limit

    def limit(self, path: str) -> int:
        if path.startswith("/socket.io"):
            return self.socketio_limit
        return LIMITS.get(path.rstrip("/"), SMALL)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope["path"])
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await refuse(send, limit)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            # The endpoint did not turn it into its own answer (Engine.IO reads bodies itself).
            if not started:
                await refuse(send, limit)


async def refuse(send: Send, limit: int) -> None:
    body = json.dumps({"error": too_large(limit).as_error()}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def depth(value: Any) -> int:
    """How deeply ``value`` nests, without recursion (a deep value must not crash the check)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        stack.extend((child, level + 1) for child in children)
    return deepest


def loads(raw: bytes | str, empty: Any = None) -> Any:
    """JSON, or :class:`Invalid` for anything that is not JSON or nests too deeply."""
    if not raw:
        return empty
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise Invalid("Het verzoek is geen geldige JSON.") from None
    if depth(value) > MAX_DEPTH:
        raise Invalid("Het verzoek is te diep genest.")
    return value


async def read_json(request: Request, limit: int = SMALL, empty: Any = None) -> Any:
    """The body as JSON, read no further than ``limit`` bytes (``empty`` when there is none)."""
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise too_large(limit)
    except BodyTooLarge as exc:
        raise too_large(exc.limit) from None
    except ClientDisconnect:
        raise Invalid("Het verzoek kwam niet helemaal aan.") from None
    return loads(bytes(body), empty)
