"""The browser's twin of evolve (web/shared/state.js) knows the same fields and collections as
the server: a field it does not know is silently dropped from every event."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.node import run_node
from tijdlijn.domain.meeting import COLLECTIONS, MEETING_FIELDS

STATE_JS = Path(__file__).resolve().parents[1] / "web" / "shared" / "state.js"


def test_state_js_lists_the_servers_fields_and_collections() -> None:
    script = (
        f"import {{ COLLECTIONS, MEETING_FIELDS }} from {json.dumps(STATE_JS.as_uri())};\n"
        "process.stdout.write(JSON.stringify({ COLLECTIONS, MEETING_FIELDS }));\n"
    )
    lists = run_node(script)
    assert lists["COLLECTIONS"] == list(COLLECTIONS)
    assert lists["MEETING_FIELDS"] == list(MEETING_FIELDS)
