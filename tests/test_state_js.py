"""The browser's twin of evolve (web/shared/state.js) knows the same fields and collections as
the server: a field it does not know is silently dropped from every event."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tijdlijn.domain.meeting import COLLECTIONS, MEETING_FIELDS

STATE_JS = Path(__file__).resolve().parents[1] / "web" / "shared" / "state.js"


def test_state_js_lists_the_servers_fields_and_collections() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: `make test` installs nodejs", pytrace=False)
    script = (
        f"import {{ COLLECTIONS, MEETING_FIELDS }} from {json.dumps(STATE_JS.as_uri())};\n"
        "process.stdout.write(JSON.stringify({ COLLECTIONS, MEETING_FIELDS }));\n"
    )
    done = subprocess.run(
        [node, "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lists = json.loads(done.stdout)
    assert lists["COLLECTIONS"] == list(COLLECTIONS)
    assert lists["MEETING_FIELDS"] == list(MEETING_FIELDS)
