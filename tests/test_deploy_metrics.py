"""Prometheus metrics, read from outside: a real `tijdlijn serve --metrics-port`, a real meeting.

The endpoint is off unless asked for and never on the public port; what it shows counts what
happened (connections by role, live meetings, writes, refusals by code, latency histograms,
store calls, HTTP answers) and never names a meeting or carries what anyone wrote.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.clients import Devices, create_meeting, join, op_id
from tests.support.redis import free_port
from tests.support.server import ServerProcess

ROOT = Path(__file__).resolve().parents[1]
SECRET_TEXT = "Duiding die nooit in metrics mag staan"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_metrics_count_a_meeting_without_naming_it(
    start_server: Callable[..., ServerProcess],
) -> None:
    port = free_port()
    server = start_server("--metrics-port", str(port))
    metrics_url = f"http://127.0.0.1:{port}/metrics"
    http = httpx.AsyncClient(timeout=10)
    # Only on its own port: the public site has no /metrics.
    assert (await http.get(f"{server.url}/metrics")).status_code == 404
    m = await create_meeting(server.url, parties=2)
    joined = await join(server.url, m.join_code, m.party_ids[0])
    async with Devices(server.url) as devices:
        facilitator = await devices.connect(m.facilitator_token, "facilitator")
        phone = await devices.connect(joined["token"], "participant")
        await devices.connect(m.wall_token, "wall")
        moment = await facilitator.ok("moment.add", text="Eerste melding", reveal=True)
        await phone.ok("interpretation.add", moment_id=moment["id"], text=SECRET_TEXT)
        refused = await phone.write("moment.add", text="Mag niet")
        assert refused["ok"] is False
        bad = await phone.call("interpretation.add", {"op_id": op_id(), "text": 5})
        assert bad["error"]["code"] == "invalid"
        text = (await http.get(metrics_url)).text
    got = samples(text)
    for role in ("facilitator", "participant", "wall"):
        assert got[("tijdlijn_connections", (("role", role),))] == 1
    assert got[("tijdlijn_live_meetings", ())] == 1
    ok = (("command", "moment.add"), ("outcome", "ok"))
    assert got[("tijdlijn_writes_total", ok)] == 1
    assert got[("tijdlijn_writes_total", (("command", "interpretation.add"), ("outcome", "ok")))]
    assert got[("tijdlijn_refusals_total", (("code", "invalid"),))] == 1
    assert got[("tijdlijn_refusals_total", (("code", refused["error"]["code"]),))] >= 1
    assert got[("tijdlijn_write_seconds_count", ())] == 4
    assert got[("tijdlijn_broadcasts_total", ())] == 2
    assert got[("tijdlijn_fanout_seconds_count", ())] == 2
    assert got[("tijdlijn_store_seconds_count", (("operation", "append"),))] == 2
    assert got[("tijdlijn_http_responses_total", (("status", "200"),))] >= 3
    assert got[("tijdlijn_http_responses_total", (("status", "404"),))] == 1
    # Nothing that identifies a meeting, a person or what was said.
    for secret in (m.meeting_id, m.join_code, m.facilitator_token, SECRET_TEXT, "Eerste melding"):
        assert secret not in text
    # The sample Grafana dashboard asks only for metrics that exist.
    dashboard = json.loads((ROOT / "docker" / "grafana-dashboard.json").read_text())
    queried = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"tijdlijn_[a-z_]+", target["expr"])
    }
    exported = {name for name, _ in got}
    assert queried and queried <= exported, queried - exported
    # After everyone left (the server handles disconnects after the clients see them): no
    # connections, no live meetings.
    deadline = time.monotonic() + 10
    while True:
        after = samples((await http.get(metrics_url)).text)
        left = sum(v for (name, _), v in after.items() if name == "tijdlijn_connections")
        if left == 0 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)  # polling another process's state, bounded by the deadline
    await http.aclose()
    assert left == 0
    assert after[("tijdlijn_live_meetings", ())] == 0


def test_no_metrics_endpoint_unless_asked(start_server: Callable[..., ServerProcess]) -> None:
    server = start_server()
    assert httpx.get(f"{server.url}/metrics").status_code == 404
    assert "metrics" not in server.output().lower()
