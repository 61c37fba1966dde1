"""IndexedRooms (rooms.py) keeps the same rooms as python-socketio's own manager, through any
sequence of connects, room changes, closed rooms and disconnects; only leaving is cheaper."""

from __future__ import annotations

import random
from typing import Any

import pytest
import socketio

from tijdlijn.rooms import IndexedRooms

NAMESPACES = ("/", "/other")


def rooms(manager: Any) -> dict[str, dict[Any, dict[str, str]]]:
    return {
        ns: {room: dict(members) for room, members in by.items()}
        for ns, by in manager.rooms.items()
    }


def derived(manager: Any) -> dict[tuple[str, str], set[Any]]:
    """The rooms of each connection, found the slow way (a search of every room)."""
    found: dict[tuple[str, str], set[Any]] = {}
    for ns, by in manager.rooms.items():
        for room, members in by.items():
            for sid in members:
                found.setdefault((ns, sid), set()).add(room)
    return found


@pytest.mark.parametrize("seed", range(20))
def test_the_same_rooms_as_python_socketio_after_any_sequence(seed: int) -> None:
    rng = random.Random(seed)
    ours, theirs = IndexedRooms(), socketio.AsyncManager()
    connected: list[tuple[str, str]] = []
    names = [f"fac:m{i}" for i in range(4)] + [f"pub:m{i}" for i in range(4)]
    for step in range(400):
        op = rng.random()
        if op < 0.3 or not connected:
            ns, sid = rng.choice(NAMESPACES), f"s{step}"
            for manager in (ours, theirs):
                manager.basic_enter_room(sid, ns, None, eio_sid=f"e{step}")
                manager.basic_enter_room(sid, ns, sid, eio_sid=f"e{step}")
                manager.pending_connect.setdefault(ns, []).append(sid)
            connected.append((ns, sid))
        elif op < 0.55:
            ns, sid = rng.choice(connected)
            room = rng.choice(names)
            for manager in (ours, theirs):
                manager.basic_enter_room(sid, ns, room)
        elif op < 0.7:
            ns, sid = rng.choice(connected)
            room = rng.choice([*names, sid])  # its own room too
            for manager in (ours, theirs):
                manager.basic_leave_room(sid, ns, room)
        elif op < 0.8:
            ns, room = rng.choice(NAMESPACES), rng.choice(names)
            for manager in (ours, theirs):
                manager.basic_close_room(room, ns)
        else:
            ns, sid = connected.pop(rng.randrange(len(connected)))
            for manager in (ours, theirs):
                manager.callbacks[sid] = {1: print}
                manager.pending_disconnect.setdefault(ns, []).append(sid)
                manager.basic_disconnect(sid, ns)
        assert rooms(ours) == rooms(theirs), step
        assert ours.rooms_of == derived(ours), step
        assert ours.callbacks == theirs.callbacks, step
        assert ours.pending_connect == theirs.pending_connect, step
        assert ours.pending_disconnect == theirs.pending_disconnect, step
        for ns, sid in connected:
            assert sorted(map(str, ours.get_rooms(sid, ns))) == sorted(
                map(str, theirs.get_rooms(sid, ns))
            ), step
    # Everyone leaves: nothing is kept for a connection that is gone.
    for ns, sid in connected:
        ours.basic_disconnect(sid, ns)
    assert ours.rooms_of == {} and rooms(ours) == {}
