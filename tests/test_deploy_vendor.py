"""The vendored browser libraries are exactly the pinned, listed versions, byte for byte.

web/vendor/SHA256SUMS (the format `sha256sum -c` reads) lists every vendored file; package.json
pins the versions the directory names carry. Updating: docs/deploy.md ("Reproducible installs").
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "web" / "vendor"
OURS = {"copy.mjs", "SHA256SUMS"}


def listed() -> dict[str, str]:
    sums = {}
    for line in (VENDOR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        sums[name.lstrip("*")] = digest
    return sums


def test_every_vendored_file_is_listed_and_matches_its_checksum() -> None:
    sums = listed()
    present = {str(path.relative_to(VENDOR)) for path in VENDOR.rglob("*") if path.is_file()} - OURS
    assert present == set(sums), f"unlisted: {present - set(sums)}, missing: {set(sums) - present}"
    for name, digest in sums.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_vendored_versions_are_the_pinned_ones() -> None:
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    # package.json also pins tools (type checker, formatter) that are not vendored.
    directories = {path.name for path in VENDOR.iterdir() if path.is_dir()}
    assert directories and directories <= {f"{n}-{v}" for n, v in pinned.items()}, directories
    for directory in directories:
        name, _, version = directory.rpartition("-")
        assert f"`{name}@{version}`" in (VENDOR / directory / "SOURCE.md").read_text()
