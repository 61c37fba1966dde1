"""Reference peer: bare python-socketio doing the benchmark's room broadcast, nothing else.

auth {room}; "write" -> seq per room, "event" to the whole room, ack {ok, seq}. Served by
peers/serve.py with the same uvicorn options as `tijdlijn serve`.
"""

from __future__ import annotations

import time
from typing import Any

import socketio

sio = socketio.AsyncServer(async_mode="asgi", logger=False, engineio_logger=False)
rooms: dict[str, str] = {}
seqs: dict[str, int] = {}


async def connect(sid: str, environ: Any, auth: Any = None) -> None:
    room = str(auth.get("room", "")) if isinstance(auth, dict) else ""
    rooms[sid] = room
    await sio.enter_room(sid, room)


async def disconnect(sid: str, reason: Any = None) -> None:
    rooms.pop(sid, None)


async def write(sid: str, data: Any = None) -> dict[str, Any]:
    room = rooms[sid]
    seq = seqs[room] = seqs.get(room, 0) + 1
    name = data.get("name") if isinstance(data, dict) else None
    event = {"seq": seq, "type": name, "at": time.time(), "changes": data}
    await sio.emit("event", event, room=room)
    return {"ok": True, "seq": seq}


sio.on("connect", connect)
sio.on("disconnect", disconnect)
sio.on("write", write)
app = socketio.ASGIApp(sio)
