"""python-socketio's manager with the rooms of each connection kept, so that leaving is cheap.

python-socketio 5.x keeps ``rooms[namespace][room] -> {sid: eio_sid}`` only. To find the
rooms of one connection, ``basic_disconnect`` copies the whole namespace's dict of rooms and
looks in each, and so does ``get_rooms``. Every connection has a room of its own, and each
meeting three more, so at 1,400 meetings (19,600 connections) one device leaving copied and
searched about 24,000 rooms: as the load generator's devices left, the event loop did nothing
else for more than 4 s (bench/README.md, "Leaving at 20,000 connections"). A venue's wifi
dropping a few hundred phones at once would stall every other meeting of the process the same
way. :class:`IndexedRooms` keeps the rooms of each connection beside the upstream structure,
updated wherever a room is entered or left, and leaves exactly those.
"""

from __future__ import annotations

from typing import Any

import socketio


class IndexedRooms(socketio.AsyncManager):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (namespace, sid) -> the rooms it is in (None, python-socketio's room of all
        # connected sids, and the sid's own room included).
        self.rooms_of: dict[tuple[str, str], set[Any]] = {}

    def basic_enter_room(
        self, sid: str, namespace: str, room: Any, eio_sid: str | None = None
    ) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self.rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)
        key = (namespace, sid)
        rooms = self.rooms_of.get(key)
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self.rooms_of[key]

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        """As python-socketio 5's, with only this connection's rooms left (not all searched)."""
        for room in list(self.rooms_of.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            sids = pending.get(namespace)
            if sids is not None and sid in sids:
                sids.remove(sid)
                if not sids:
                    del pending[namespace]

    def get_rooms(self, sid: str, namespace: str) -> list[Any]:
        """The rooms a connection is in (its own included, as python-socketio's)."""
        return [room for room in self.rooms_of.get((namespace, sid), ()) if room is not None]
