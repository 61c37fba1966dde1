"""Text that shows nothing is refused (docs/security.md "Text"; ASVS 2.2.1)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.server import ServerProcess
from tijdlijn.domain import commands as c
from tijdlijn.errors import Invalid

INVISIBLE = [
    "\x00",
    "\x00\x00\x00",
    "\u200b",  # zero-width space
    "\u200c\u200d",  # zero-width non-joiner, joiner
    "\ufeff",  # byte order mark
    "\u2060\u2061",  # word joiner, function application
    "\u202e\u202d",  # direction overrides
    " \t\x07\x1b ",
    "\u3000\u00a0",  # ideographic space, no-break space
    "\x00\u200b \u2028",
]
VISIBLE = ["Huisbezoek", "é", "👍", "a\u200db", "\x00x", "1"]

# (event, payload without the text, the text field)
TEXT_FIELDS = [
    ("moment.add", {}, "text"),
    ("moment.add", {"text": "Moment"}, "when"),
    ("interpretation.add", {"moment_id": "m1"}, "text"),
    ("party.add", {"colour": "#000000"}, "name"),
    ("theme.flag", {"target": "moment", "id": "m1"}, "label"),
    ("thread.add", {"level": "content"}, "text"),
    ("lesson.add", {}, "text"),
    ("agreement.add", {}, "text"),
    ("meeting.update", {}, "title"),
]


# "when" may be empty: whitespace alone is stripped to "" and allowed; the rest must be refused.
CASES = [
    (event, base, field, text)
    for event, base, field in TEXT_FIELDS
    for text in INVISIBLE
    if not (field == "when" and not text.strip())
]


@pytest.mark.parametrize(("event", "base", "field", "text"), CASES)
def test_invisible_text_is_refused_naming_the_field(
    event: str, base: dict[str, str], field: str, text: str
) -> None:
    with pytest.raises(Invalid) as caught:
        c.parse(event, {"op_id": "op-1", **base, field: text})
    assert field in caught.value.message


@pytest.mark.parametrize("text", VISIBLE)
def test_visible_text_is_accepted(text: str) -> None:
    command = c.parse("lesson.add", {"op_id": "op-1", "text": text})
    assert isinstance(command, c.LessonAdd)


def test_an_empty_when_is_still_allowed() -> None:
    command = c.parse("moment.add", {"op_id": "op-1", "text": "Moment", "when": ""})
    assert isinstance(command, c.MomentAdd) and command.when == ""


def test_invisible_ground_rules_are_refused() -> None:
    with pytest.raises(Invalid) as caught:
        c.parse("meeting.update", {"op_id": "op-1", "ground_rules": ["Ok", "\u200b\u200b"]})
    assert "ground_rules" in caught.value.message


def test_a_meeting_titled_with_nothing_visible_is_not_created(live_server: ServerProcess) -> None:
    for title in ("\u200b", "\x00"):
        answer = httpx.post(
            f"{live_server.url}/api/meetings",
            json={"title": title, "initials": "J.K."},
            timeout=10,
        )
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == "invalid"
        assert "title" in answer.json()["error"]["message"]
