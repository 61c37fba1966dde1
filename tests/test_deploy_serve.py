"""`tijdlijn serve` as shipped, seen from outside: no permessage-deflate unless asked, and no
log line per connect or write unless asked (both cost CPU per message; bench/README.md)."""

from __future__ import annotations

import json
from collections.abc import Callable

import websockets

from tests.support.clients import Devices, create_meeting
from tests.support.server import ServerProcess


async def extensions(server: ServerProcess) -> str | None:
    url = f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket"
    # The client offers permessage-deflate (websockets does by default).
    async with websockets.connect(url, compression="deflate") as ws:
        opened = await ws.recv()
        assert isinstance(opened, str) and opened.startswith("0{")
        assert ws.response is not None
        value: str | None = ws.response.headers.get("Sec-WebSocket-Extensions")
        return value


async def test_deflate_is_off_by_default_and_on_when_asked(
    live_server: ServerProcess, start_server: Callable[..., ServerProcess]
) -> None:
    assert await extensions(live_server) is None
    deflating = start_server("--ws-deflate", "--ws", "websockets")
    assert "permessage-deflate" in (await extensions(deflating) or "")


async def test_connects_and_writes_are_logged_only_at_debug(
    start_server: Callable[..., ServerProcess],
) -> None:
    quiet, verbose = start_server(), start_server("--log-level", "debug")
    for server in (quiet, verbose):
        m = await create_meeting(server.url, parties=1)
        async with Devices(server.url) as devices:
            facilitator = await devices.connect(m.facilitator_token, "facilitator")
            await facilitator.ok("moment.add", text="Eerste melding", reveal=True)
    assert "connect meeting=" not in quiet.output() and "applied " not in quiet.output()
    assert "connect meeting=" in verbose.output() and "applied " in verbose.output()
    # Neither names the meeting or what was written.
    for server in (quiet, verbose):
        assert "Eerste melding" not in server.output()
    assert json.dumps(m.meeting_id)[1:-1] not in verbose.output()
