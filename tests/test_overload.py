"""Overload degrades, never collapses (issue 11): past capacity a write is answered ``busy`` at
once, the device's retry with the same op id is applied exactly once when the load drops, nothing
acknowledged goes missing, and the server recovers by itself.

Overload is forced deterministically, with a real server and real Socket.IO clients: the gate on
writes in flight is set to one and Redis is paused (SIGSTOP), so one write hangs in the store
and the next finds the process full. The lag gate is shown on the admission object itself with
the samples given (a loop made late on purpose would be a timed test).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.clients import Devices, op_id, revealed_meeting, wait_all
from tests.support.faults import RedisServer
from tests.support.node import run_node
from tests.support.redis import free_port
from tests.support.server import ServerProcess
from tijdlijn.admission import QUIET_SECONDS, Admission
from tijdlijn.errors import Busy
from tijdlijn.settings import Settings

CONNECTION_JS = Path(__file__).resolve().parents[1] / "web" / "shared" / "connection.js"


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    yield server
    server.stop()


def refusals(metrics: str, reason: str) -> float:
    found = re.search(
        rf'^tijdlijn_overload_refusals_total{{reason="{reason}"}} (\S+)$', metrics, re.M
    )
    return float(found.group(1)) if found else 0.0


@pytest.mark.redis
async def test_a_full_process_answers_busy_and_the_retry_is_applied_once_when_load_drops(
    start_server: Callable[..., ServerProcess], redis_server: RedisServer
) -> None:
    port = free_port()
    server = start_server(
        "--redis-url",
        redis_server.url,
        "--metrics-port",
        str(port),
        # One write at a time, refused at once (no wait); the lag gate off, so only the forced
        # overload counts.
        env={
            "TIJDLIJN_OVERLOAD_WRITES_IN_FLIGHT": "1",
            "TIJDLIJN_OVERLOAD_WRITE_WAIT_MS": "0",
            "TIJDLIJN_OVERLOAD_LAG_MS": "0",
        },
    )
    async with Devices(server.url) as ds:
        r = await revealed_meeting(server.url, ds, parties=2, phones=("phone-a", "phone-b"))
        wall = await ds.connect(r.m.wall_token, "wall")
        devices = [r.fac, *r.phones, wall]
        phone_a, phone_b = r.phones
        moment = r.shown["id"]

        redis_server.pause()
        try:
            # The first write is admitted and waits for the paused store; the second (sent after
            # it on the same connection, so handled after it) finds the process full.
            first_op, second_op = op_id(), op_id()
            first: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
            assert phone_a.client is not None
            # Sent (on the wire) before the second write is: emit returns once it is.
            await phone_a.client.emit(
                "interpretation.add",
                {"op_id": first_op, "moment_id": moment, "text": "Een"},
                callback=first.set_result,
            )
            second = await phone_a.write(
                "interpretation.add", op=second_op, moment_id=moment, text="Twee"
            )
            assert second == {"ok": False, "error": Busy().as_error()}
            assert not first.done()
            # Sent again (same op id), the refused write is a retry: let in with twice the room,
            # so it waits for the store with the first; a new write from the same device,
            # handled after it, still finds the process full.
            retrying: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
            await phone_a.client.emit(
                "interpretation.add",
                {"op_id": second_op, "moment_id": moment, "text": "Twee"},
                callback=retrying.set_result,
            )
            new = await phone_a.write("interpretation.add", moment_id=moment, text="Drie")
            assert new == {"ok": False, "error": Busy().as_error()}
            assert not retrying.done()
            # Refused at once, however many: busy costs no rate-limit token (a burst of 20),
            # so retries end in an answer, never in a final rate_limited.
            burst = await asyncio.gather(
                *(
                    phone_b.write("interpretation.add", moment_id=moment, text=f"Druk {n}")
                    for n in range(30)
                )
            )
            assert [a["error"]["code"] for a in burst] == ["busy"] * 30
            # Reads are never refused for load: a device that is behind can always catch up.
            # (A snapshot needs the paused store, so the read is asked now and answered later.)
            catching_up = asyncio.ensure_future(wall.sync(since=r.shown["seq"]))
        finally:
            redis_server.resume()

        # The load drops: the first write lands, the retry of the second (same op id) is
        # applied, once; asked again it gets the same answer and makes no event.
        landed = await asyncio.wait_for(first, 10)
        assert landed["ok"] is True, landed
        assert (await asyncio.wait_for(retrying, 10))["ok"] is True
        retried = await phone_a.ok(
            "interpretation.add", op=second_op, moment_id=moment, text="Twee"
        )
        again = await phone_a.ok("interpretation.add", op=second_op, moment_id=moment, text="Twee")
        assert again == retried
        assert (await catching_up)["ok"] is True
        # Recovered without a restart: a new write from the device that was refused 30 times.
        fresh = await phone_b.ok("interpretation.add", moment_id=moment, text="Weer rustig")

        await wait_all(devices, lambda d: d.seq >= fresh["seq"], what="the last write")
        for device in devices:
            texts = [i["text"] for i in device.meeting["interpretations"].values()]
            # Nothing acknowledged is missing; nothing refused was applied; nothing twice.
            assert sorted(texts) == ["Een", "Twee", "Weer rustig"], (device.label, texts)
            assert device.applied.count(retried["seq"]) == 1, device.label
            assert len(set(device.applied)) == len(device.applied), device.label
            synced = await device.sync()
            assert synced["snapshot"]["meeting"] == device.meeting, device.label

    async with httpx.AsyncClient() as http:
        metrics = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
    assert refusals(metrics, "in_flight") == 32
    assert refusals(metrics, "lag") == 0
    assert 'tijdlijn_refusals_total{code="busy"} 32.0' in metrics
    assert "tijdlijn_writes_in_flight 0.0" in metrics
    # Operators see the episode in one line, not a line per refused write.
    log = server.output()
    assert log.count("overloaded (in_flight): refusing writes with busy") == 1, log[-3000:]
    assert "code=busy" not in log


def test_lag_past_the_threshold_twice_refuses_writes_until_a_sample_is_under_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [100.0]
    reasons: list[str] = []
    gate = Admission(
        Settings(overload_lag_ms=50, overload_writes_in_flight=2, overload_write_wait_ms=50),
        reasons.append,
        clock=lambda: now[0],
    )
    caplog.set_level(logging.WARNING, "tijdlijn.admission")
    gate.observe(0.049)
    with gate.hold():
        assert gate.in_flight == 1
    # One late sample is a pause, not overload: admitted.
    gate.observe(0.4)
    with gate.hold():
        assert gate.overloaded() is None
    gate.observe(0.0)
    gate.observe(0.3)
    gate.observe(0.2)  # late twice in a row (the lesser 200 ms): overloaded
    for _ in range(3):
        with pytest.raises(Busy), gate.hold():
            pass
    assert gate.in_flight == 0 and reasons == ["lag"] * 3
    gate.observe(0.01)
    # Two in flight, the older for longer than the lag bound: the third is refused.
    with gate.hold():
        now[0] += 0.06
        with gate.hold(), pytest.raises(Busy), gate.hold():
            pass
    assert reasons[-1] == "in_flight" and gate.in_flight == 0
    # One line when refusing starts, one when it has been quiet for QUIET_SECONDS.
    now[0] += QUIET_SECONDS / 2
    gate.observe(0.0)
    now[0] += QUIET_SECONDS
    gate.observe(0.0)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2, lines
    assert lines[0] == (
        "overloaded (lag): refusing writes with busy; event-loop lag 200 ms, "
        "0 writes in flight, the oldest for 0 ms"
    )
    assert lines[1] == "recovered: admitting writes again (4 refused with busy)"


def test_a_retry_of_a_refused_write_gets_twice_the_room_and_no_more() -> None:
    now = [100.0]
    reasons: list[str] = []
    gate = Admission(
        Settings(overload_lag_ms=50, overload_writes_in_flight=2, overload_write_wait_ms=50),
        reasons.append,
        clock=lambda: now[0],
    )
    gate.observe(0.08)
    gate.observe(0.08)  # late twice, but less than twice the bound
    with pytest.raises(Busy), gate.hold():
        pass
    with gate.hold(retry=True), gate.hold(retry=True), gate.hold(retry=True):
        # Three in flight, the oldest for 60 ms: past the bounds for a new write (2 writes,
        # 50 ms), under twice them for a retry.
        now[0] += 0.06
        assert gate.overloaded() == "in_flight" and gate.overloaded(retry=True) is None
        with gate.hold(retry=True):
            now[0] += 0.04  # four in flight, the oldest for 100 ms: full for a retry too
            with pytest.raises(Busy), gate.hold(retry=True):
                pass
    gate.observe(0.2)
    gate.observe(0.2)  # a sustained overload: retries are refused too
    with pytest.raises(Busy), gate.hold(retry=True):
        pass
    assert reasons == ["lag", "in_flight", "lag"] and gate.in_flight == 0


def test_a_burst_past_the_count_is_admitted_until_its_oldest_write_has_waited() -> None:
    now = [100.0]
    reasons: list[str] = []
    # The default wait (200 ms), a count of 2 so that ten writes are a burst.
    gate = Admission(Settings(overload_writes_in_flight=2), reasons.append, clock=lambda: now[0])
    with contextlib.ExitStack() as held:
        # Ten writes arrive within 40 ms and the store is about to answer: none is refused.
        for _ in range(10):
            held.enter_context(gate.hold())
            now[0] += 0.004
        now[0] += 0.15
        assert gate.in_flight == 10 and gate.overloaded() is None and reasons == []
        # The oldest has now waited 210 ms: the store is slow, the next write is refused...
        now[0] += 0.02
        with pytest.raises(Busy), gate.hold():
            pass
        assert reasons == ["in_flight"]
    # ...until the writes are answered.
    with gate.hold(), gate.hold():
        assert gate.in_flight == 2
    # Answered out of order, the oldest of those still waiting counts.
    first, second = gate.hold(), gate.hold()
    first.__enter__()
    now[0] += 1.0
    second.__enter__()
    first.__exit__(None, None, None)
    with gate.hold():
        assert gate.overloaded() is None  # the oldest waiting has waited 0 ms
    second.__exit__(None, None, None)
    assert gate.in_flight == 0 and reasons == ["in_flight"]


def test_zero_turns_a_gate_off_and_negative_thresholds_are_refused() -> None:
    gate = Admission(Settings(overload_lag_ms=0, overload_writes_in_flight=0))
    gate.observe(10.0)
    with gate.hold(), gate.hold():
        assert gate.overloaded() is None
    # No wait: the count alone decides, at once.
    counted = Admission(Settings(overload_writes_in_flight=1, overload_write_wait_ms=0))
    with counted.hold():
        assert counted.overloaded() == "in_flight"
    for negative in ("overload_lag_ms", "overload_writes_in_flight", "overload_write_wait_ms"):
        with pytest.raises(ValueError, match="overload"):
            Settings(**{negative: -1})  # type: ignore[arg-type]


def test_the_browser_retries_busy_after_a_growing_pause_with_jitter() -> None:
    script = (
        f"import {{ retryDelay }} from {json.dumps(CONNECTION_JS.as_uri())};\n"
        "const out = {};\n"
        "for (const t of [1, 2, 3, 4, 5, 12]) out[t] = Array.from({length: 200}, () => "
        "retryDelay(t));\n"
        "process.stdout.write(JSON.stringify(out));\n"
    )
    delays = {int(t): values for t, values in run_node(script).items()}
    for tries, values in delays.items():
        ceiling = min(5000, 100 * 2**tries)
        assert all(ceiling / 2 <= v <= ceiling for v in values), tries
        # Jitter: 200 devices refused together come back spread over the upper half.
        assert max(values) - min(values) > ceiling / 4, tries
    assert min(delays[1]) >= 100 and max(delays[1]) <= 200 and max(delays[12]) <= 5000
