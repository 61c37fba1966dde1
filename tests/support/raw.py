"""A raw Socket.IO client over one WebSocket (aiohttp): sends any frame, sees every frame.

python-socketio's client only sends well-formed packets; the security tests need the others.
Engine.IO framing: ``0`` open, ``2``/``3`` ping/pong, ``4`` message, ``1`` close; a Socket.IO
packet rides in a ``4`` message: ``40`` connect, ``42`` event, ``43`` ack, ``44`` connect_error.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

DEADLINE = 10.0


class Closed(Exception):
    pass


class RawSocket:
    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.headers = headers or {}
        self.session: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.received: list[str | bytes] = []
        self.close_code: int | None = None

    async def __aenter__(self) -> RawSocket:
        self.session = aiohttp.ClientSession()
        self.ws = await self.session.ws_connect(self.url, headers=self.headers, max_msg_size=0)
        opened = await self.recv()
        assert isinstance(opened, str) and opened.startswith("0{"), opened
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.session is not None:
            await self.session.close()

    async def send(self, frame: str | bytes) -> None:
        assert self.ws is not None
        if isinstance(frame, bytes):
            await self.ws.send_bytes(frame)
        else:
            await self.ws.send_str(frame)

    async def recv(self, within: float = DEADLINE) -> str | bytes:
        """The next frame other than a ping (answered); :class:`Closed` when the server closed."""
        assert self.ws is not None
        while True:
            message = await asyncio.wait_for(self.ws.receive(), within)
            if message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                data = message.data
                if data == "2":
                    await self.ws.send_str("3")
                    continue
                self.received.append(data)
                return data  # type: ignore[no-any-return]
            self.close_code = self.ws.close_code
            raise Closed(f"closed: {message.type} {self.ws.close_code}")

    async def connect(self, auth: Any) -> str:
        """Send a Socket.IO CONNECT with ``auth``; the ``40``/``44`` answer."""
        await self.send("40" + json.dumps(auth))
        while True:
            frame = await self.recv()
            if isinstance(frame, str) and frame[:2] in ("40", "44"):
                return frame

    async def answer(self, within: float = DEADLINE) -> str:
        """The next Socket.IO ack, connect_error or protocol_error (skipping events such as the
        snapshot); "closed" when the server closed the connection instead."""
        try:
            while True:
                frame = await self.recv(within)
                if not isinstance(frame, str):
                    continue
                if frame.startswith(("43", "44", '42["protocol_error"')) or frame == "1":
                    return frame
        except Closed:
            return "closed"


def ack_data(frame: str) -> Any:
    """The payload of an ack frame ``43<id>[...]``."""
    body = frame[2:].lstrip("0123456789")
    return json.loads(body)
