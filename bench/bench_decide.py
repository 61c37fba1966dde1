"""The pure domain's cost per write on a full meeting: ``decide`` with 400 interpretations.

Builds a meeting of 4 parties, 40 revealed moments and 400 interpretations through ``decide``
(unmeasured), then times writes on it: a participant's interpretation added and edited, a flag,
and a facilitator's moment edit. Each write is decided on the same state (as a retry would be),
so the size stays fixed. Prints the median and 90th percentile per command. Run:

    .venv/bin/python bench/bench_decide.py --rounds 2000
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from typing import Any

from tijdlijn.domain.decide import Actor, decide
from tijdlijn.domain.items import PALETTE
from tijdlijn.domain.meeting import Meeting, new_meeting
from tijdlijn.domain.writes import parse

FACILITATOR = Actor("facilitator")
_ids = itertools.count()


def new_id() -> str:
    return f"id-{next(_ids)}"


def run(state: Meeting, name: str, payload: dict[str, Any], actor: Actor = FACILITATOR) -> Any:
    command = parse(name, {"op_id": "op-1", **payload})
    return decide(state, name, command, actor, 1_700_000_000.0, new_id)


def full_meeting() -> tuple[Meeting, list[str], list[str], list[str]]:
    state = new_meeting("m-1", "Casus", "J.K.", 1_700_000_000.0)
    parties: list[str] = []
    for index, name in enumerate(("Wijkteam", "School", "GGZ", "Politie")):
        outcome = run(state, "party.add", {"name": name, "colour": PALETTE[index]})
        state, pid = outcome.state, outcome.result["id"]
        parties.append(pid)
    moments: list[str] = []
    for index in range(40):
        outcome = run(state, "moment.add", {"text": f"Moment {index}", "reveal": True})
        state = outcome.state
        moments.append(outcome.result["id"])
    state = run(state, "meeting.phase", {"phase": "timeline"}).state
    interpretations: list[str] = []
    for index in range(400):
        payload = {
            "moment_id": moments[index % 40],
            "text": f"Duiding {index}",
            "party_id": parties[index % 4],
        }
        outcome = run(state, "interpretation.add", payload)
        state = outcome.state
        interpretations.append(outcome.result["id"])
    assert len(state["interpretations"]) == 400
    return state, parties, moments, interpretations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    state, parties, moments, interps = full_meeting()
    member = Actor("participant", participant_id="pt-1", party_id=parties[0])
    cases: list[tuple[str, dict[str, Any], Actor]] = [
        ("interpretation.add", {"moment_id": moments[5], "text": "Nog een duiding."}, member),
        ("interpretation.update", {"id": interps[0], "text": "Anders gezegd."}, FACILITATOR),
        (
            "theme.flag",
            {"label": "Regie", "target": "interpretation", "id": interps[7]},
            member,
        ),
        ("moment.update", {"id": moments[3], "text": "Herschreven moment."}, FACILITATOR),
    ]
    for name, payload, actor in cases:
        command = parse(name, {"op_id": "op-1", **payload})
        timings: list[float] = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            decide(state, name, command, actor, 1_700_000_001.0, new_id)
            timings.append(time.perf_counter() - start)
        timings.sort()
        median = statistics.median(timings) * 1e6
        p90 = timings[int(len(timings) * 0.9)] * 1e6
        print(f"{name:24} median {median:7.1f} µs   p90 {p90:7.1f} µs")


if __name__ == "__main__":
    main()
