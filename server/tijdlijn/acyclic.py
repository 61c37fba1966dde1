"""Two upstream objects per connection that outlived it in a reference cycle, made acyclic.

An object in a reference cycle is not freed when the last outside reference goes; it waits for
the cyclic collector, and everything it refers to waits with it. The soak (bench/README.md,
"Garbage of ended connections") found every ended WebSocket connection held in two cycles:

- python-engineio 4.15's ASGI ``translate_request`` defines a class (``AwaitablePayload``)
  inside the function, so every request makes a new class; a class is always a cycle (its
  ``__mro__`` holds itself), and its ``read`` closes over ``receive``, which reaches the
  WebSocket protocol, its transport and everything the connection held. :func:`translate_request`
  is the same function with the class defined once.
- uvicorn 0.54's httptools protocol and its parser refer to each other; on a WebSocket upgrade
  the transport moves to the WebSocket protocol and the HTTP one is dropped without its
  ``connection_lost`` (which would have broken the cycle), still holding the transport.
  :class:`LeanHttpProtocol` lets go of the parser once it has handed the connection over.

Without the cycles, a closed connection is freed by reference counting the moment it ends, and
the collector's oldest generation does not fill with the garbage of ended connections
(tests/test_acyclic.py checks both with the collector switched off).
"""

from __future__ import annotations

import sys
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class Payload:
    """The request body as python-engineio reads it (``await environ["wsgi.input"].read()``)."""

    __slots__ = ("event", "payload", "receive")

    def __init__(self, event: dict[str, Any], receive: Any) -> None:
        self.event = event
        self.payload: bytes | None = None
        self.receive = receive

    async def read(self, length: int | None = None) -> bytes:
        if self.payload is None and self.event["type"] == "http.request":
            payload = self.event.get("body") or b""
            while self.event.get("more_body"):
                self.event = await self.receive()
                if self.event["type"] == "http.request" and (
                    length is None or len(payload) < length
                ):
                    payload += self.event.get("body") or b""
            self.payload = payload
        payload = self.payload or b""
        if length is None:
            self.payload = b""
            return payload
        self.payload = payload[length:]
        return payload[:length]


async def translate_request(scope: Any, receive: Any, send: Any) -> dict[str, Any]:
    """python-engineio's ASGI ``translate_request`` (4.15), with :class:`Payload`."""
    event = await receive()
    if event["type"] not in ("http.request", "websocket.connect"):
        return {}
    raw_uri = scope["path"]
    query_string = ""
    if scope.get("query_string"):
        try:
            query_string = scope["query_string"].decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raw_uri += "?" + query_string
    environ: dict[str, Any] = {
        "wsgi.input": Payload(event, receive),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.async": True,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "SERVER_SOFTWARE": "asgi",
        "REQUEST_METHOD": scope.get("method", "GET"),
        "PATH_INFO": scope["path"],
        "QUERY_STRING": query_string,
        "RAW_URI": raw_uri,
        "SCRIPT_NAME": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "0",
        "SERVER_NAME": "asgi",
        "SERVER_PORT": "0",
        "asgi.receive": receive,
        "asgi.send": send,
        "asgi.scope": scope,
    }
    for raw_name, raw_value in scope["headers"]:
        try:
            name = raw_name.upper().decode("utf-8")
            value = raw_value.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if name == "CONTENT-TYPE":
            environ["CONTENT_TYPE"] = value
            continue
        if name == "CONTENT-LENGTH":
            environ["CONTENT_LENGTH"] = value
            continue
        key = "HTTP_" + name.replace("-", "_")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    environ["wsgi.url_scheme"] = environ.get("HTTP_X_FORWARDED_PROTO", "http")
    return environ


def install(engine: Any) -> None:
    """Give ``engine`` (a python-engineio server in ASGI mode) :func:`translate_request`; the
    driver table is shared by every server, so this one gets its own copy."""
    engine._async = {**engine._async, "translate_request": translate_request}


class LeanHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol without the parser cycle left behind by an upgrade."""

    def handle_websocket_upgrade(self) -> None:
        super().handle_websocket_upgrade()
        # The transport now belongs to the WebSocket protocol; this one receives nothing more.
        self.parser = None  # type: ignore[assignment]
