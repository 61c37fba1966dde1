"""One word per thing: the views' catalogues agree with each other and with the report."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from tijdlijn.report import content
from tijdlijn.words import catalogue, format_date

I18N = Path(__file__).resolve().parents[1] / "web" / "i18n"
LANGUAGES = ("nl", "en")
# The shared words: what the wall, the phones, the console and the report all print.
SHARED = re.compile(
    r"^(phase\.(preparation|introduction|timeline|reflection|agreements|closed)"
    r"|triangle\.(content|playing_field|relations|unplaced)|agreement\.status\.\w+|date\..+)$"
)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_shared_word_means_the_same_in_every_catalogue(lang: str) -> None:
    # A view may word its own messages differently (the console's "expired" text offers a
    # restore, the phone's does not); a shared word may not differ anywhere.
    texts: dict[str, dict[str, str]] = defaultdict(dict)
    for path in sorted((I18N / lang).glob("*.json")):
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            texts[key][path.name] = text
    differing = {
        key: found
        for key, found in texts.items()
        if SHARED.match(key) and len(set(found.values())) > 1
    }
    assert not differing, f"the same key differs between catalogues: {differing}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_shared_words_live_only_in_the_common_catalogue(lang: str) -> None:
    for path in sorted((I18N / lang).glob("*.json")):
        if path.name == "common.json":
            continue
        keys = json.loads(path.read_text(encoding="utf-8"))
        stray = [key for key in keys if SHARED.match(key)]
        assert not stray, f"{path.name} defines shared words of its own: {stray}"


def test_the_report_prints_the_views_words() -> None:
    words = catalogue("nl")
    for level, label in content.LEVEL_LABELS.items():
        assert label == words[f"triangle.{level}"]
    for status, label in content.STATUS_LABELS.items():
        assert label == words[f"agreement.status.{status}"]
    assert words["triangle.unplaced"] == content.NO_LEVEL
    assert content.dutch_date(dt.date(2027, 3, 1)) == "1 maart 2027"
    assert content.dutch_iso("2027-03-01") == "1 maart 2027"
    assert format_date(dt.date(2027, 3, 1), "en") == "1 March 2027"


def test_the_glossary_names_the_triangle() -> None:
    # GLOSSARY.md: 3. relatienetwerk / onderling samenspel.
    assert catalogue("nl")["triangle.relations"] == "Relatienetwerk / onderling samenspel"
    assert catalogue("nl")["agreement.status.not_started"] == "Nog niet begonnen"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_month_has_a_name(lang: str) -> None:
    words = catalogue(lang)
    assert all(words.get(f"date.month.{n}") for n in range(1, 13))
