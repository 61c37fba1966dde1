"""A finished meeting, built through the real domain rules, for the after-the-meeting tests.

Not a fixture module (no pytest imports): tests call ``finished_meeting()`` and get a fresh copy.
Every text is distinct, so a test can check exactly which ones reach a report or a file.
"""

from __future__ import annotations

import itertools
from typing import Any

from tijdlijn.domain import writes
from tijdlijn.domain.decide import Actor, decide
from tijdlijn.domain.meeting import Meeting, new_meeting

FACILITATOR = Actor("facilitator")
CREATED_AT = 1_717_405_200.0  # 3 June 2024, 11:00 in Amsterdam

TITLE = "Samenwerking rond gezin in wijk Noord"
INITIALS = "J.K."
REVEALED = (
    "Eerste melding bij het wijkteam",
    "Overleg school en leerplicht",
    "Huisbezoek samen met de wijkagent",
)
DRAFT = "Conceptmoment rechtbankzitting"
QUOTE = "Wij hoorden pas weken later van de melding"
OTHER_INTERPRETATION = "Voor ons voelde het als een gemiste kans"
DRAFT_INTERPRETATION = "Duiding die alleen bij het concept hoort"
THEME = "Informatiedeling"
THREAD = "Niemand voelde zich eigenaar van de regie"
LESSONS = ("Eerder samen aan tafel", "Een vaste contactpersoon per partij")
AGREEMENT = "Maandelijks casusoverleg plannen"
AGREEMENT_2 = "Verwijsroute op papier zetten"


def _run(state: Meeting, event: str, ids: Any, **payload: Any) -> tuple[Meeting, str]:
    command = writes.parse(event, {"op_id": f"op-{event}-{len(payload)}", **payload})
    outcome = decide(state, event, command, FACILITATOR, CREATED_AT + 60, lambda: next(ids))
    return outcome.state, str(outcome.result.get("id", ""))


def finished_meeting() -> tuple[Meeting, dict[str, str]]:
    """The meeting and the ids a test may want to point at (by a readable name)."""
    counter = itertools.count(1)
    ids = (f"id{n:04d}" for n in counter)
    state = new_meeting("meet-1234567890abcdef", TITLE, INITIALS, CREATED_AT)
    ref: dict[str, str] = {}
    for name, colour in (
        ("Wijkteam", "#E69F00"),
        ("Politie", "#56B4E9"),
        ("School", "#009E73"),
    ):
        state, ref[name] = _run(state, "party.add", ids, name=name, colour=colour)
    for index, text in enumerate(REVEALED):
        state, ref[f"m{index + 1}"] = _run(
            state,
            "moment.add",
            ids,
            text=text,
            when=f"week {index + 10}",
            source_party_id=ref["Wijkteam"] if index == 0 else None,
        )
    state, ref["draft"] = _run(state, "moment.add", ids, text=DRAFT, when="later")
    for _ in REVEALED:
        state, _id = _run(state, "moment.reveal", ids)
    state, ref["quote"] = _run(
        state, "interpretation.add", ids, moment_id=ref["m1"], party_id=ref["Politie"], text=QUOTE
    )
    state, ref["other"] = _run(
        state,
        "interpretation.add",
        ids,
        moment_id=ref["m1"],
        party_id=ref["School"],
        text=OTHER_INTERPRETATION,
    )
    state, ref["third"] = _run(
        state,
        "interpretation.add",
        ids,
        moment_id=ref["m3"],
        party_id=ref["School"],
        text="Het huisbezoek was goed voorbereid",
    )
    state, ref["hidden"] = _run(
        state,
        "interpretation.add",
        ids,
        moment_id=ref["draft"],
        party_id=ref["Politie"],
        text=DRAFT_INTERPRETATION,
    )
    state, ref["theme"] = _run(state, "theme.flag", ids, label=THEME, target="moment", id=ref["m1"])
    state, _id = _run(
        state, "theme.flag", ids, theme_id=ref["theme"], target="interpretation", id=ref["third"]
    )
    state, ref["thread"] = _run(
        state,
        "thread.add",
        ids,
        text=THREAD,
        level="playing_field",
        moment_ids=[ref["m1"], ref["m3"], ref["draft"]],
    )
    for lesson in LESSONS:
        state, _id = _run(state, "lesson.add", ids, text=lesson)
    state, ref["agreement"] = _run(
        state,
        "agreement.add",
        ids,
        text=AGREEMENT,
        owner_party_id=ref["Wijkteam"],
        due="2024-09-01",
    )
    state, _id = _run(state, "agreement.add", ids, text=AGREEMENT_2)
    state, _id = _run(state, "agreement.status", ids, id=ref["agreement"], status="in_progress")
    state, _id = _run(state, "meeting.update", ids, follow_up_date="2024-09-03")
    return state, ref
