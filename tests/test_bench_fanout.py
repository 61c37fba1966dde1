"""A smoke run of the side-by-side benchmark, so the harness cannot rot: every target, 2 meetings
(and the overload step: each Tijdlijn target at 4, then back at 2).

It runs bench/bench_fanout.py exactly as `make bench` does (servers on one core, the Node load
generator on the other), only smaller, and checks what the full run relies on: every write
answered and delivered to all 14 devices of its meeting on every server, and the numbers the
table is built from present. It asserts no speed: speed targets live in bench/README.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[1]
DEVICES = 14


def test_every_target_delivers_every_write_to_every_device(tmp_path: Path) -> None:
    if not (ROOT / "bench" / "node_modules" / "socket.io-client").is_dir():
        pytest.fail("bench/node_modules missing: run `make test` (it runs npm ci in bench/)")
    out = tmp_path / "smoke.json"
    run = subprocess.run(
        [
            sys.executable,
            "bench/bench_fanout.py",
            "--ladder",
            "2",
            "--seconds",
            "2",
            "--overload",
            "2@2",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(out.read_text())
    results = {r["target"]: r for r in report["results"]}
    assert set(results) == set(report["targets"])
    assert {"tijdlijn", "tijdlijn-redis-2", "node-socketio", "raw-asgi"} <= set(results)
    for target, result in results.items():
        assert "failed" not in result, (target, result.get("failed"))
        assert result["writes"] >= 2 * 2, target  # two meetings, a reveal and an interpretation
        assert result["missing"] == 0 and result["unanswered"] == 0, (target, result)
        assert result["error_acks"] == {} and result["disconnects"] == 0, (target, result)
        # Every write reaches all 14 devices of its meeting (the writer included).
        assert result["delivered"] == result["writes"] * DEVICES, (target, result)
        assert result["reveal_ms"]["n"] > 0 and result["interpretation_ack_ms"]["n"] > 0
        assert result["cpu_us_per_delivered"] >= 0 and result["server_cpu_percent"] >= 0
        assert result["loadgen_loop_delay_ms"]["max"] > 0
    # The overload step (each Tijdlijn target at twice its passing load, here as twice the
    # writes, then back at it): every write answered, nothing acknowledged missing, the
    # recovery phase measured.
    overloads = {r["target"]: r for r in report["overload"]}
    assert set(overloads) == {t for t in results if t.startswith("tijdlijn")}, set(overloads)
    for target, result in overloads.items():
        assert "failed" not in result, (target, result.get("failed"))
        assert result["meetings"] == 2 and result["rate"] == 2, target
        assert result["recover_to"] == 2, target
        # Two meetings writing twice a second for 2 s.
        assert result["answered"] == result["writes"] == 8, (target, result)
        assert result["missing"] == 0 and result["unanswered"] == 0, (target, result)
        assert result["busy_answers"] >= 0 and result["fanout_admitted_ms"]["n"] > 0, target
        back = result["recovery"]
        assert back["meetings"] == 2 and back["answered"] == back["writes"] >= 4, (target, back)
        assert back["missing"] == 0, (target, back)
        # A p99 for each second of the recovery phase (2 s here), when something arrived in it.
        assert len(back["fanout_p99_by_second_ms"]) == 2, (target, back)
        assert all(p is None or p >= 0 for p in back["fanout_p99_by_second_ms"]), back
    table = run.stdout
    # Whether 2 meetings pass p99 <= 100 ms depends on the machine's load, not on the harness.
    assert "| Tijdlijn, `tijdlijn serve` as shipped |" in table, table
    assert "Node.js socket.io" in table and "raw ASGI" in table
