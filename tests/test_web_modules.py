"""How the browser code loads its modules: statically, and with relative paths.

A dynamic ``import()`` can fail on its own while the page carries on; the personal-data guard
once loaded its detector that way and quietly let everything through when it did not arrive.
A static import fails the whole page instead, which a person notices. Relative paths keep one
way of naming a module (``../shared/dom.js``), so the page never holds two copies of one.
"""

from __future__ import annotations

import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[1] / "web"
COMMENT = re.compile(r"/\*.*?\*/|(?<![:\"'])//[^\n]*", re.DOTALL)
DYNAMIC = re.compile(r"(?<![\w.$])import\s*\(")
STATIC_FROM = re.compile(r"""\bfrom\s*(['"])([^'"]+)\1""")


def modules() -> list[Path]:
    found = sorted(p for p in WEB.rglob("*.js") if "vendor" not in p.relative_to(WEB).parts)
    assert len(found) > 40, found  # the scan finds the code
    return found


def code_of(path: Path) -> str:
    return COMMENT.sub("", path.read_text(encoding="utf-8"))


def test_no_module_is_loaded_dynamically() -> None:
    assert DYNAMIC.search(code_of(WEB / "shared" / "dom.js")) is None
    assert DYNAMIC.search('const x = import("./a.js");')  # the pattern finds one
    found = [str(p.relative_to(WEB)) for p in modules() if DYNAMIC.search(code_of(p))]
    assert found == []


def test_imports_are_relative_and_exist() -> None:
    for path in modules():
        for match in STATIC_FROM.finditer(code_of(path)):
            spec = match.group(2)
            assert spec.startswith("./") or spec.startswith("../"), f"{path}: {spec}"
            assert (path.parent / spec).resolve().is_file(), f"{path}: {spec} does not exist"


def test_every_view_that_guards_personal_data_uses_the_one_guard() -> None:
    users = {p.relative_to(WEB).parts[0] for p in modules() if "pii_guard.js" in code_of(p)}
    assert users >= {"facilitator", "participant", "intake"}
    assert not (WEB / "facilitator" / "pii.js").exists()
