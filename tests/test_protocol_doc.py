"""docs/protocol.md's table of writes agrees with the one table the server runs on (WRITES).

Every write is documented once, nothing documented is missing from the server, and the "who"
column names exactly the roles the table lets send it: the two cannot drift apart.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tijdlijn.domain.writes import WRITES

PROTOCOL = Path(__file__).resolve().parents[1] / "docs" / "protocol.md"
LETTERS = {"facilitator": "F", "participant": "P", "intake": "I"}


def documented() -> dict[str, str]:
    """event name -> its "who" cell, from the table under "### Writes"."""
    text = PROTOCOL.read_text(encoding="utf-8")
    section = text.split("### Writes", 1)[1].split("\n#", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        # Split on cell borders, not on the escaped \| inside a payload.
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        names, who = cells[0], cells[2]
        for name in re.findall(r"`([a-z_]+\.[a-z_]+)`", names):
            assert name not in rows, f"{name} is documented twice"
            rows[name] = who
    return rows


def test_every_write_is_documented_and_nothing_else() -> None:
    assert set(documented()) == set(WRITES)


@pytest.mark.parametrize("name", sorted(WRITES))
def test_who_column_names_the_roles_that_may_send_it(name: str) -> None:
    who = documented()[name]
    write = WRITES[name]
    # "F, P (own)", "F; P in a follow-up meeting": the role letters, qualifiers aside.
    letters = set(re.findall(r"\b([FPI])\b", who))
    assert letters == {LETTERS[role] for role in write.who | write.in_follow_up}, who
    assert ("follow-up" in who) == bool(write.in_follow_up - write.who), who
