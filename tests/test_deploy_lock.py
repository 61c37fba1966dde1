"""The lock covers pyproject.toml: every dependency pinned with ==, every pin with sha256 hashes.

`make lock` writes requirements/runtime.txt (the image) and requirements/dev.txt (make run, make
test, CI); pip installs them with --require-hashes, which refuses any unpinned or unhashed line.
This catches a dependency added to pyproject.toml without re-locking.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def pins(lock: Path) -> dict[str, list[str]]:
    """Pinned name -> its hashes, from a pip requirements file with hashes."""
    found: dict[str, list[str]] = {}
    current = None
    for line in lock.read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            assert "==" in line, f"{lock.name}: not pinned: {line}"
            current = name(line)
            found[current] = []
        elif current and (digest := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            found[current].append(digest.group(1))
    return found


def test_every_dependency_is_pinned_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = pins(ROOT / "requirements" / "runtime.txt")
    dev = pins(ROOT / "requirements" / "dev.txt")
    for requirement in project["dependencies"]:
        assert name(requirement) in runtime and name(requirement) in dev, requirement
    for requirement in project["optional-dependencies"]["dev"]:
        assert name(requirement) in dev, requirement
    assert "setuptools" in runtime and "setuptools" in dev  # the build backend, locked too
    for lock in (runtime, dev):
        assert all(lock.values()), [n for n, hashes in lock.items() if not hashes]
    # One version of each package for both: the image runs what the tests ran.
    shared = set(runtime) & set(dev)
    runtime_text = (ROOT / "requirements" / "runtime.txt").read_text()
    dev_text = (ROOT / "requirements" / "dev.txt").read_text()
    for package in shared:
        versions = [
            re.findall(rf"^{re.escape(package)}==(\S+)", text, re.MULTILINE | re.IGNORECASE)
            for text in (runtime_text, dev_text)
        ]
        assert versions[0] == versions[1], (package, versions)
