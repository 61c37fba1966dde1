"""Fixtures live in tests/support/, one module per area, so helpers do not collide."""

import os
import tempfile

# Servers and apps made in tests keep their capsule key in a folder of the test run, not in the
# developer's home (servers started as subprocesses inherit this).
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="tijdlijn-state-")

pytest_plugins = [
    "tests.support.redis",
    "tests.support.server",
]
