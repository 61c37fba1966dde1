"""Running a piece of the browser code under Node: the one way tests check a JavaScript twin
against its Python original (state.js and evolve.py, the personal-data and jargon guards, the
retry delays of connection.js)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from typing import Any

import pytest


def run_node(script: str, stdin: str = "", *, argv: Sequence[str] = (), module: bool = True) -> Any:
    """Run ``script`` (an ES module unless ``module`` is false) with ``stdin``; what it wrote to
    stdout, parsed as JSON. Fails the test, with Node's stderr, if the script fails."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: `make test` installs nodejs", pytrace=False)
    flags = ["--input-type=module"] if module else []
    done = subprocess.run(
        [node, *flags, "-e", script, *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
