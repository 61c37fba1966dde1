"""A smoke run of the soak (bench/soak.py, `make soak`) so it cannot rot: a few seconds, two
meetings that end and are replaced, against a real `tijdlijn serve` under the probe."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import soak


def test_soak_smoke(tmp_path: Path) -> None:
    result = soak.main(
        [
            "--minutes", "0.2",
            "--meetings", "2",
            "--lifetime", "4",
            "--sample", "2",
            "--out", str(tmp_path / "soak.json"),
        ]
    )  # fmt: skip
    # Meetings ran, ended and were replaced; every write answered and seen by every device.
    assert result["meetings_run"] >= 4
    assert result["writes"] > 10
    assert result["errors"] == {}
    assert result["missing"] == 0
    assert result["dropped"] == 0
    # Memory was sampled over the run and judged; the collector's pauses were recorded.
    assert len(result["rss_samples"]) >= 4
    assert all(kb > 10_000 for _, kb in result["rss_samples"])
    assert isinstance(result["flat"], bool)
    assert set(result["gc_pauses"]) == {"gen0", "gen1", "gen2"}
    assert (tmp_path / "soak.json").exists()
