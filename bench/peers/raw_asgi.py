"""Reference peer: a raw ASGI WebSocket broadcast, the floor for any Python server on uvicorn.

/ws?room=R; a text {"id", "name", "data"} -> seq per room, {"event": ...} to every socket in
the room, {"ack": id, "ok": true, "seq": seq} to the sender. Served by peers/serve.py.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]

rooms: dict[str, set[Send]] = {}
seqs: dict[str, int] = {}


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        return
    room = parse_qs(scope["query_string"].decode()).get("room", [""])[0]
    if (await receive())["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    members = rooms.setdefault(room, set())
    members.add(send)
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                break
            request = json.loads(message.get("text") or "{}")
            seq = seqs[room] = seqs.get(room, 0) + 1
            data = request.get("data")
            event = {"seq": seq, "type": request.get("name"), "at": time.time(), "changes": data}
            await send(
                {
                    "type": "websocket.send",
                    "text": json.dumps({"ack": request.get("id"), "ok": True, "seq": seq}),
                }
            )
            text = json.dumps({"event": event})
            for member in list(members):
                await member({"type": "websocket.send", "text": text})
    finally:
        members.discard(send)
