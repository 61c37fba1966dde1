"""The collector's pauses a probed server recorded (bench/probe.py's OUT.pauses.jsonl).

    BENCH_PROBE=/tmp/p .venv/bin/python bench/bench_fanout.py --ladder 500 --overload 1000 \\
        --targets tijdlijn --retries 0
    .venv/bin/python bench/pauses.py /tmp/p/probe-*.pauses.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_memory import pause_summary


def main(paths: list[str]) -> None:
    for path in paths:
        pauses = [json.loads(line) for line in Path(path).read_text().splitlines() if line]
        print(f"{path}:")
        print(pause_summary(pauses))


if __name__ == "__main__":
    main(sys.argv[1:])
