"""The jargon hint: one table of realistic sentences, passed by the Python and the browser twin."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.node import run_node
from tijdlijn.domain.jargon import ABBREVIATIONS, NOT_JARGON, find_jargon

ROOT = Path(__file__).resolve().parents[1]
CASES: list[dict[str, Any]] = json.loads(
    (ROOT / "tests" / "jargon_cases.json").read_text(encoding="utf-8")
)["cases"]
JS_MODULE = ROOT / "web" / "shared" / "jargon.js"
# The abbreviations the handbook's readers meet first (issue 9): they must stay on the list.
REQUIRED = ("MDO", "OTS", "RvdK", "ZVH", "VT", "GGZ", "WMO", "BGT", "SAVE", "CJG", "JGZ", "AMHK")


def test_the_table_has_realistic_negatives_and_the_required_list() -> None:
    assert len([c for c in CASES if not c["abbr"]]) >= 20
    assert len([c for c in CASES if c["abbr"]]) >= 20
    for abbr in REQUIRED:
        assert ABBREVIATIONS[abbr][0], abbr
    assert not set(ABBREVIATIONS) & NOT_JARGON


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["text"][:40])
def test_python_finds_exactly_the_abbreviations(case: dict[str, Any]) -> None:
    hints = find_jargon(case["text"], case.get("ignore", ()))
    assert [h["abbr"] for h in hints] == case["abbr"]
    for hint in hints:
        known = ABBREVIATIONS.get(hint["abbr"])
        assert hint["full"] == (known[0] if known else None)


def test_browser_twin_agrees_on_every_case_and_on_the_list() -> None:
    script = (
        "import { findJargon, ABBREVIATIONS, NOT_JARGON } from "
        f"{json.dumps(JS_MODULE.as_uri())};\n"
        "let input = '';\n"
        "for await (const chunk of process.stdin) input += chunk;\n"
        "const cases = JSON.parse(input);\n"
        "process.stdout.write(JSON.stringify({\n"
        "  results: cases.map((c) => findJargon(c.text, c.ignore || [])),\n"
        "  list: ABBREVIATIONS, common: [...NOT_JARGON].sort() }));\n"
    )
    out = run_node(script, json.dumps(CASES))
    expected = [find_jargon(c["text"], c.get("ignore", ())) for c in CASES]
    wrong = [
        (case["text"], got, want)
        for case, got, want in zip(CASES, out["results"], expected, strict=True)
        if got != want
    ]
    assert wrong == []
    assert out["list"] == {
        abbr: [full, list(others)] for abbr, (full, others) in ABBREVIATIONS.items()
    }
    assert out["common"] == sorted(NOT_JARGON)


def test_a_hint_never_changes_or_refuses_text() -> None:
    text = "MDO met VT en de GI."
    assert [h["abbr"] for h in find_jargon(text)] == ["MDO", "VT", "GI"]
    assert find_jargon("") == []
