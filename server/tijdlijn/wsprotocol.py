"""uvicorn's sans-I/O WebSocket protocol, minus what it keeps of the handshake.

uvicorn (0.54) keeps the upgrade request and its response, with all their headers, for as long as
the connection lives, though it reads them only while accepting: about 4 KB per connection, a
sixth of what a connection costs here (bench/README.md). This subclass lets them go once the
handshake is done; `tijdlijn serve` passes it to uvicorn as ``ws`` (cli.py).
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        # Read only above; the scope keeps the headers the app needs.
        self.request = None  # type: ignore[assignment]

    def start_keepalive(self) -> None:
        # Called once, right after the handshake response went out.
        self.response = None  # type: ignore[assignment]  # read only when accepting
        super().start_keepalive()
