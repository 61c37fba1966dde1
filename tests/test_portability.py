"""Export and import of a prepared meeting: a faithful round trip, and strict refusals."""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any

import pytest

from tests.support import after_meeting as sample
from tijdlijn.domain.meeting import DEFAULT_GROUND_RULES, ordered_moments
from tijdlijn.errors import Invalid
from tijdlijn.portability import export_prepared, meeting_from_prepared


def exported() -> dict[str, Any]:
    meeting, _ = sample.finished_meeting()
    data: dict[str, Any] = json.loads(json.dumps(export_prepared(meeting)))
    return data


class Ids:
    """Counts how many ids an import asked for: a refused file asks for none."""

    def __init__(self) -> None:
        self.count = itertools.count()
        self.used = 0

    def __call__(self) -> str:
        self.used += 1
        return f"fresh{next(self.count)}"


def test_export_holds_the_preparation_and_nothing_of_the_meeting_after_it() -> None:
    data = exported()
    assert (data["schema"], data["version"]) == ("tijdlijn.prepared-meeting", 1)
    assert (data["title"], data["initials"]) == (sample.TITLE, sample.INITIALS)
    assert data["parties"] == [
        {"id": "p1", "name": "Wijkteam", "colour": "#E69F00"},
        {"id": "p2", "name": "Politie", "colour": "#56B4E9"},
        {"id": "p3", "name": "School", "colour": "#009E73"},
    ]
    assert [m["text"] for m in data["moments"]] == [*sample.REVEALED, sample.DRAFT]
    assert [m["position"] for m in data["moments"]] == [0, 1, 2, 3]
    assert data["moments"][0]["source_party_id"] == "p1"
    assert data["moments"][0]["interpretations"] == [
        {"party_id": "p2", "text": sample.QUOTE},
        {"party_id": "p3", "text": sample.OTHER_INTERPRETATION},
    ]
    dumped = json.dumps(data, ensure_ascii=False)
    for absent in (sample.THEME, sample.THREAD, sample.AGREEMENT, *sample.LESSONS, "author"):
        assert absent not in dumped


def test_round_trip_builds_a_fresh_meeting_with_every_moment_a_draft() -> None:
    data = exported()
    ids = Ids()
    state = meeting_from_prepared(data, "imported-0123456789ab", 500.0, ids)
    assert state["id"] == "imported-0123456789ab"
    assert (state["kind"], state["phase"]) == ("reconstruction", "preparation")
    assert all(
        m["state"] == "draft" and m["revealed_at"] is None for m in state["moments"].values()
    )
    assert state["current_moment_id"] is None
    assert all(key.startswith("fresh") for key in (*state["parties"], *state["moments"]))
    assert all(not state[kind] for kind in ("themes", "threads", "lessons", "agreements"))
    assert all("author" not in i for i in state["interpretations"].values())
    assert [m["text"] for m in ordered_moments(state)] == [*sample.REVEALED, sample.DRAFT]
    assert json.loads(json.dumps(export_prepared(state))) == data


def test_moments_follow_their_positions_and_rules_default_when_absent() -> None:
    data = exported()
    data["moments"] = list(reversed(data["moments"]))
    del data["ground_rules"]
    state = meeting_from_prepared(data, "imported-0123456789ab", 500.0, Ids())
    assert [m["text"] for m in ordered_moments(state)] == [*sample.REVEALED, sample.DRAFT]
    assert state["ground_rules"] == list(DEFAULT_GROUND_RULES)


def test_personal_data_is_flagged_again_on_import() -> None:
    data = exported()
    data["moments"][0]["text"] = "Moeder belde vanaf 06-12345678"
    data["moments"][1]["interpretations"] = [{"party_id": "p1", "text": "BSN 123456782"}]
    state = meeting_from_prepared(data, "imported-0123456789ab", 500.0, Ids())
    flagged = [m["text"] for m in state["moments"].values() if m["pii"]]
    assert flagged == ["Moeder belde vanaf 06-12345678"]
    assert [i["pii"] for i in state["interpretations"].values()].count(True) == 1


def broken(change: Any) -> Any:
    data = copy.deepcopy(exported())
    change(data)
    return data


def many_interpretations(data: dict[str, Any]) -> None:
    for moment in data["moments"]:
        moment["interpretations"] = [{"party_id": "p1", "text": "ja"}] * 160


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ("tekst", "geen JSON-object"),
        (broken(lambda d: d.update(schema="tijdlijn.followup-pack")), "schema"),
        (broken(lambda d: d.update(version="1")), "version"),
        (broken(lambda d: d.update(secret="x")), "secret: onbekend veld"),
        (broken(lambda d: d.update(initials="Jan Klaassen")), "initials"),
        (broken(lambda d: d["parties"][0].update(colour="rozerood")), "parties.0.colour"),
        (broken(lambda d: d["parties"][1].update(id="p1")), "hetzelfde id"),
        (broken(lambda d: d["parties"][1].update(name="WIJKTEAM")), "dezelfde naam"),
        (broken(lambda d: d["parties"][0].update(id="../etc")), "parties.0.id"),
        (
            broken(lambda d: d["moments"][0].update(source_party_id="p9")),
            "moments.0.source_party_id",
        ),
        (
            broken(
                lambda d: d["moments"][2]["interpretations"].append({"party_id": "p9", "text": "x"})
            ),
            "moments.2.interpretations.1.party_id",
        ),
        (broken(lambda d: d["moments"][1].update(text="x" * 501)), "moments.1.text: is te lang"),
        (broken(lambda d: d["moments"][1].update(text=12)), "moments.1.text: moet tekst zijn"),
        (broken(lambda d: d["moments"][1].update(text="   ")), "moments.1.text"),
        (broken(lambda d: d["moments"][0].update(id="m1")), "moments.0.id: onbekend veld"),
        (broken(lambda d: d.update(moments=d["moments"] * 11)), "moments: heeft te veel"),
        (broken(lambda d: d.update(moments="geen lijst")), "moments: moet een lijst zijn"),
        (broken(many_interpretations), "meer dan 600 duidingen"),
        (broken(lambda d: d.update(ground_rules=["regel"] * 16)), "ground_rules: heeft te veel"),
        (broken(lambda d: d["agenda"].update(pauze=10)), "agenda.pauze"),
        (broken(lambda d: d["agenda"].update(timeline=301)), "agenda.timeline: is te groot"),
        (
            broken(
                lambda d: d["parties"].extend(
                    [{"id": f"x{n}", "name": f"P{n}", "colour": "#000000"} for n in range(10)]
                )
            ),
            "parties: heeft te veel",
        ),
    ],
)
def test_a_bad_file_is_refused_whole_with_the_field_named(data: Any, named: str) -> None:
    ids = Ids()
    with pytest.raises(Invalid) as caught:
        meeting_from_prepared(data, "imported-0123456789ab", 500.0, ids)
    assert named in caught.value.message
    assert caught.value.message.startswith("Dit bestand")
    assert ids.used == 0  # refused before anything was built
    for value in ("Jan Klaassen", "../etc", "geen lijst", "rozerood"):
        assert value not in caught.value.message


def test_many_errors_are_summarised() -> None:
    data = exported()
    for moment in data["moments"]:
        moment["text"] = ""
        moment["when"] = "x" * 41
    with pytest.raises(Invalid) as caught:
        meeting_from_prepared(data, "imported-0123456789ab", 500.0, Ids())
    assert "(en nog 3 andere)" in caught.value.message
