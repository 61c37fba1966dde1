"""The shared words: one catalogue for the views and the report.

Statuses, the levels of the collaboration triangle, phase names and the date format are read
from the views' own common catalogue (web/i18n/<lang>/common.json), so the report can never say
"Nog niet gestart" where the wall says "Nog niet begonnen". tests/test_words.py checks it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from functools import cache
from pathlib import Path


def _i18n_dir() -> Path:
    configured = os.environ.get("TIJDLIJN_WEB_DIR")
    web = Path(configured) if configured else Path(__file__).resolve().parents[2] / "web"
    return web / "i18n"


@cache
def catalogue(lang: str = "nl") -> dict[str, str]:
    """The common catalogue of ``lang`` (Dutch by default), as the views load it."""
    if lang not in ("nl", "en"):
        raise ValueError(f"unknown language: {lang}")
    with (_i18n_dir() / lang / "common.json").open(encoding="utf-8") as file:
        words: dict[str, str] = json.load(file)
    return words


def word(key: str, lang: str = "nl") -> str:
    """One shared word; a missing key is a bug, so it raises rather than printing the key."""
    return catalogue(lang)[key]


def format_date(day: dt.date, lang: str = "nl") -> str:
    """A date as people read it ("1 maart 2027"), the same pattern the views use."""
    return (
        word("date.format", lang)
        .replace("{day}", str(day.day))
        .replace("{month}", word(f"date.month.{day.month}", lang))
        .replace("{year}", str(day.year))
    )
