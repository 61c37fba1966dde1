"""The browser's state.js and the server's evolve.py are twins: the same events, the same state.

A whole meeting is played through the domain (every kind of change: sets, puts, dels, for the
facilitators' truth and the public view), and the events it produced are applied once by
``evolve`` in Python and once by ``applyChanges`` from web/shared/state.js under Node. A device
that applied events 1..N must hold exactly the server's state at N, so the two must agree.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, cast

import pytest

from tests.support.domain import build
from tests.support.node import run_node
from tijdlijn.domain.evolve import Change, evolve
from tijdlijn.domain.meeting import Meeting, PublicView
from tijdlijn.domain.visibility import public_view

STATE_JS = Path(__file__).resolve().parents[1] / "web" / "shared" / "state.js"
NODE_APPLY = """
const { pathToFileURL } = require("node:url");
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const { applyChanges } = await import(pathToFileURL(process.argv[1]).href);
  const { initial, events } = JSON.parse(input);
  const seen = [];
  for (const changes of events) {
    seen.push(JSON.parse(JSON.stringify(applyChanges(initial, changes))));
  }
  process.stdout.write(JSON.stringify(seen));
});
"""


def played() -> tuple[Meeting, list[list[Change]], list[list[Change]]]:
    """A meeting's start, and the truth and public changes of every step after it."""
    session = build(moments=4, phase=None)
    start = copy.deepcopy(session.state)
    truth: list[list[Change]] = []
    public: list[list[Change]] = []

    def step(name: str, payload: dict[str, Any] | None = None, actor: Any = None) -> Any:
        outcome = session.run(name, payload, actor) if actor else session.run(name, payload)
        truth.append(outcome.changes)
        public.append(outcome.public)
        return outcome

    step("meeting.update", {"title": "Casus Noord", "agenda": {"timeline": 80}})
    step("meeting.phase", {"phase": "timeline"})
    first = step("moment.reveal").result["id"]
    member = session.member(1)
    own = step("interpretation.add", {"moment_id": first, "text": "Pas later gehoord"}, member)
    step("interpretation.update", {"id": own.result["id"], "text": "Veel later gehoord"}, member)
    step("theme.flag", {"label": "Informatie", "target": "moment", "id": first}, member)
    second = step("moment.reveal").result["id"]
    step("moment.update", {"id": session.moments[3], "text": "Concept, herschreven"})
    step("moment.move", {"id": session.moments[3], "position": 0})
    step("moment.unreveal")
    step("moment.reveal", {"id": second})
    step("moment.focus", {"id": first})
    step("interpretation.remove", {"id": own.result["id"]}, member)
    step("meeting.phase", {"phase": "reflection"})
    step("thread.add", {"text": "Signalen komen niet samen", "level": "content"})
    step("moment.remove", {"id": session.moments[2]})
    step("meeting.phase", {"phase": "agreements"})
    step("lesson.add", {"text": "Eerder bellen"})
    step("agreement.add", {"text": "Casusoverleg elke maand", "owner_party_id": session.parties[0]})
    return start, truth, public


def node_states(initial: PublicView, events: list[list[Change]]) -> list[PublicView]:
    stdin = json.dumps({"initial": initial, "events": events})
    states = run_node(NODE_APPLY, stdin, argv=[str(STATE_JS)], module=False)
    return cast(list[PublicView], states)


def python_states(initial: PublicView, events: list[list[Change]]) -> list[PublicView]:
    state = copy.deepcopy(initial)
    return [copy.deepcopy(evolve(state, changes)) for changes in events]


@pytest.mark.parametrize("audience", ["facilitators", "participants"])
def test_state_js_applies_every_event_as_evolve_does(audience: str) -> None:
    start, truth, public = played()
    if audience == "facilitators":
        initial: PublicView = start
        events = truth
    else:
        initial, events = public_view(start), public
    assert any(change["op"] == "del" for changes in events for change in changes)
    assert any(change["op"] == "set" for changes in events for change in changes)
    expected = python_states(initial, events)
    assert node_states(initial, events) == expected
    # The events really move the meeting: the last state is not the first.
    assert expected[-1] != initial
