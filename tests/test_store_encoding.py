"""One write's texts, encoded once (store/encoding.py), are exactly what encoding each part
separately gave; decide's cheaper copies leave its input as it was; item ids stay unguessable."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from tests.support.domain import FACILITATOR, Ids, build
from tests.test_domain_evolve import play
from tijdlijn import access
from tijdlijn.domain.decide import decide
from tijdlijn.domain.evolve import Change, Event
from tijdlijn.domain.meeting import COLLECTIONS, new_meeting
from tijdlijn.domain.writes import parse
from tijdlijn.store.base import change_parts
from tijdlijn.store.encoding import dump, encoded_event
from tijdlijn.store.memory import MemoryStore


def plain(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def events(seed: int) -> list[Event]:
    """The events of a seeded random command sequence (every kind of write, refusals skipped)."""
    found: list[Event] = []
    for n, step in enumerate(play(seed, 150)):
        if len(step) == 5 and step[2]:
            _, kind, changes, public, _ = step
            event: Event = {
                "seq": n + 1,
                "type": kind,
                "at": 1_800_000_000.25 + n,
                "changes": changes,
                "public": public,
                "pprev": n,
            }
            found.append(event)
    return found


@pytest.mark.parametrize("seed", range(6))
def test_an_event_encodes_as_json_dumps_does_and_its_parts_as_change_parts(seed: int) -> None:
    made = events(seed)
    assert len(made) > 20
    for event in made:
        text, parts = encoded_event(event)
        assert text == plain(event)
        assert parts == change_parts(event["changes"])
        assert json.loads(text) == json.loads(plain(event))


def test_unusual_events_encode_exactly_too() -> None:
    item = {"id": "i1", "text": 'Zij zei: "nee" \\ é 👍 \u2028', "at": 0.1, "n": 10**20, "x": None}
    changes: list[Any] = [
        {"op": "put", "kind": "interpretations", "item": item},
        {"kind": "moments", "op": "put", "item": {"id": "m1", "text": "andere volgorde"}},
        {"op": "set", "fields": {"title": "Één", "phase": "timeline", "not_a_field": 1}},
        {"op": "set", "fields": {"agenda": {"timeline": 30}}},
        {"op": "set", "fields": {"ground_rules_accepted": 3}},
        {"op": "del", "kind": "themes", "id": "t1"},
    ]
    public: list[Change] = [{"op": "put", "kind": "interpretations", "item": dict(item)}]
    with_pprev: Event = {
        "seq": 3,
        "type": "x",
        "at": 1.5,
        "changes": changes,
        "public": public,
        "pprev": 2,
    }
    without: Any = {"seq": 3, "type": "x", "at": 1e16, "changes": changes, "public": changes}
    reordered: Any = {"type": "x", "seq": 3, "at": 2.0, "changes": changes, "public": []}
    for event in (with_pprev, without, reordered):
        text, parts = encoded_event(event)
        assert text == plain(event)
        assert parts == change_parts(event["changes"])
    assert dump("é\n") == plain("é\n") and dump(1.0) == "1.0" and dump(True) == "true"


async def test_a_value_that_is_not_json_changes_nothing_in_the_store() -> None:
    store = MemoryStore()
    meeting = new_meeting("m-enc", "Casus", "J.K.", 0.0)
    assert await store.create(meeting, "CODE42", {}, {}, 3600)
    bad: Any = {"op": "put", "kind": "moments", "item": {"id": "m1", "when": {1, 2}}}
    event: Any = {"seq": 1, "type": "x", "at": 0.0, "changes": [bad], "public": [], "pprev": 0}
    with pytest.raises(TypeError):
        await store.append("m-enc", event, "op", {"ok": True, "seq": 1}, 3600)
    stored = await store.load("m-enc")
    assert stored is not None and stored.seq == 0 and stored.state == meeting


def test_decide_leaves_its_input_as_it_was_and_shares_only_what_it_did_not_touch() -> None:
    session = build(moments=3, revealed=1)
    before = session.state
    kept = copy.deepcopy(before)
    command = parse("moment.reveal", {"op_id": "r"})
    outcome = decide(before, "moment.reveal", command, FACILITATOR, 1.0, Ids("e"))
    assert before == kept, "decide changed the state it was given"
    after = outcome.state
    assert after["moments"] is not before["moments"] and type(after["moments"]) is dict
    assert after["interpretations"] is before["interpretations"]  # untouched: shared
    # Sharing is safe because nothing edits a decided collection in place: the next decision
    # on ``after`` starts from copies again and leaves ``after`` (and ``before``) alone.
    shown = copy.deepcopy(after)
    again = decide(after, "moment.reveal", command, FACILITATOR, 2.0, Ids("f")).state
    assert after == shown and before == kept
    assert again["moments"] is not after["moments"]
    assert all(type(again[kind]) is dict for kind in COLLECTIONS)


def test_item_ids_are_unique_unguessable_text_of_72_random_bits() -> None:
    ids = [access.new_item_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{12}", i) for i in ids)
    # Consecutive ids share no visible structure (each position's character varies).
    for position in range(12):
        assert len({i[position] for i in ids}) > 40
