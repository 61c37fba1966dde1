"""What it costs a process when its devices leave: python-socketio's manager against IndexedRooms.

Rooms as `tijdlijn serve` has them: every connection in python-socketio's room of connected
sids and its own room, and in its meeting's room (``fac:`` or ``pub:``, 14 devices a meeting).
Then every connection leaves (``basic_disconnect``, what a disconnect runs), timed in process.

    .venv/bin/python bench/bench_rooms.py --meetings 100,500,1400
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import socketio

from tijdlijn.rooms import IndexedRooms

DEVICES = 14


def filled(manager: Any, meetings: int) -> list[str]:
    sids = []
    for m in range(meetings):
        for d in range(DEVICES):
            sid = f"s{m}-{d}"
            manager.basic_enter_room(sid, "/", None, eio_sid=f"e{m}-{d}")
            manager.basic_enter_room(sid, "/", sid, eio_sid=f"e{m}-{d}")
            manager.basic_enter_room(sid, "/", f"{'fac' if d == 0 else 'pub'}:m{m}")
            sids.append(sid)
    return sids


def leave_all(manager: Any, sids: list[str]) -> float:
    started = time.perf_counter()
    for sid in sids:
        manager.basic_disconnect(sid, "/")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", default="100,500,1400")
    args = parser.parse_args()
    print(
        "| meetings | connections | python-socketio: all leave (s) | per leave (ms) "
        "| IndexedRooms: all leave (s) | per leave (µs) |"
    )
    print("|---|---|---|---|---|---|")
    for meetings in (int(n) for n in args.meetings.split(",")):
        theirs, ours = socketio.AsyncManager(), IndexedRooms()
        slow = leave_all(theirs, filled(theirs, meetings))
        fast = leave_all(ours, filled(ours, meetings))
        n = meetings * DEVICES
        print(
            f"| {meetings} | {n} | {slow:.2f} | {slow / n * 1e3:.2f} | {fast:.3f} "
            f"| {fast / n * 1e6:.1f} |"
        )


if __name__ == "__main__":
    main()
