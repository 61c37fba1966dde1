"""The personal-data guard: one table of cases, passed by the Python and the browser twin alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.node import run_node
from tijdlijn.domain.personal_data import KINDS, find_personal_data, passes_eleven_test

ROOT = Path(__file__).resolve().parents[1]
CASES: list[dict[str, Any]] = json.loads(
    (ROOT / "tests" / "personal_data_cases.json").read_text(encoding="utf-8")
)["cases"]
JS_MODULE = ROOT / "web" / "shared" / "personal_data.js"


def test_the_table_has_realistic_negatives_and_every_kind() -> None:
    negatives = [c for c in CASES if not c["kinds"]]
    assert len(negatives) >= 20
    seen = {kind for case in CASES for kind in case["kinds"]}
    assert seen == set(KINDS)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["text"][:40])
def test_python_guard(case: dict[str, Any]) -> None:
    assert find_personal_data(case["text"]) == case["kinds"]


def test_browser_twin_agrees_on_every_case() -> None:
    script = (
        f"import {{ findPersonalData }} from {json.dumps(JS_MODULE.as_uri())};\n"
        "let input = '';\n"
        "for await (const chunk of process.stdin) input += chunk;\n"
        "const texts = JSON.parse(input);\n"
        "process.stdout.write(JSON.stringify(texts.map((t) => findPersonalData(t))));\n"
    )
    results = run_node(script, json.dumps([c["text"] for c in CASES]))
    wrong = [
        (case["text"], got, case["kinds"])
        for case, got in zip(CASES, results, strict=True)
        if got != case["kinds"]
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("123456782", True),
        ("111222333", True),
        ("123456789", False),
        ("000000000", False),
        ("12345678", False),
        ("12345678x", False),
        (
            "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff12",
            False,
        ),  # full-width digits are not a BSN anyone types
    ],
)
def test_eleven_test(digits: str, valid: bool) -> None:
    assert passes_eleven_test(digits) is valid


def test_an_event_date_never_triggers_whatever_the_format() -> None:
    for when in ("3 maart 2024", "03-03-2024", "3-3-24", "2024-03-03", "3/3/2024"):
        assert find_personal_data(f"Op {when} belde de wijkagent met school.") == []
        assert find_personal_data(f"Geboren op {when}") == ["birth_date"]
