"""JSON as the stores write it, and one write's texts encoded once.

An append stores three things made of the same items: the event (its truth and its public
view, which often carry the very same item), the state parts the event rewrites, and the op's
answer. Encoding each separately encoded every changed item three or four times; here each item
is encoded once and the event's text is put together from those texts. The result is exactly
``dump(event)`` and ``base.change_parts`` (tests/test_store_encoding.py), only cheaper.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from ..domain.evolve import Change, Event
from ..domain.meeting import COLLECTIONS, MEETING_FIELDS


def _encoder() -> Callable[[object], str]:
    """``json.dumps(value, separators=(",", ":"), ensure_ascii=False)``, without building an
    encoder on every call (most of the cost of dumping a small item)."""
    options = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)
    # The C encoder json.dumps itself uses (not in the type stubs, hence getattr).
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator: the plain way
        return options.encode
    # A cycle (never made by the service) still fails, with RecursionError, before any write.
    iterate = make(
        None,
        options.default,
        json.encoder.encode_basestring,
        None,
        ":",
        ",",
        False,
        False,
        True,
    )

    quoted = json.encoder.encode_basestring

    def encode(value: object) -> str:
        # The small values an event is framed with, without the encoder's round trip.
        if type(value) is str:
            return quoted(value)
        if type(value) is int:
            return int.__repr__(value)
        return "".join(iterate(value, 0))

    return encode


dump = _encoder()

_EVENT_KEYS = ("seq", "type", "at", "changes", "public", "pprev")
_PUT_HEADS = {kind: f'{{"op":"put","kind":{dump(kind)},"item":' for kind in COLLECTIONS}


def _change_parts(change: Change, text: str) -> list[tuple[str, str]]:
    """The parts ``change`` (encoded as ``text``) rewrites, as ``base.change_parts`` has them.

    A put's item, and a set's single field, are cut out of the change's own text rather than
    encoded again: a put reads ``{"op":"put","kind":<kind>,"item":<item>}`` (checked, not
    assumed; anything else is encoded again)."""
    if change["op"] == "put":
        kind, item = change["kind"], change["item"]
        head = _PUT_HEADS.get(kind) or f'{{"op":"put","kind":{dump(kind)},"item":'
        found = text[len(head) : -1] if text.startswith(head) else dump(item)
        return [(f"i:{kind}:{item['id']}", found)]
    if change["op"] == "set":
        fields: Mapping[str, object] = change["fields"]
        if len(fields) == 1:
            (key,) = fields
            head = f'{{"op":"set","fields":{{{dump(key)}:'
            if key in MEETING_FIELDS and text.startswith(head):
                return [(f"f:{key}", text[len(head) : -2])]
        return [(f"f:{key}", dump(value)) for key, value in fields.items() if key in MEETING_FIELDS]
    return [(f"i:{change['kind']}:{change['id']}", "")]


def encoded_event(event: Event) -> tuple[str, list[tuple[str, str]]]:
    """``dump(event)`` and ``base.change_parts(event["changes"])``, each item encoded once.

    Often the public view is the truth itself (a reveal, a facilitator's moment): then its
    text is the truth's."""
    texts = [dump(change) for change in event["changes"]]
    parts = [
        part
        for change, text in zip(event["changes"], texts, strict=True)
        for part in _change_parts(change, text)
    ]
    if tuple(event) != _EVENT_KEYS:
        return dump(event), parts
    changes = "[" + ",".join(texts) + "]"
    public = changes if event["public"] == event["changes"] else dump(event["public"])
    text = (
        f'{{"seq":{dump(event["seq"])},"type":{dump(event["type"])},"at":{dump(event["at"])},'
        f'"changes":{changes},"public":{public},"pprev":{dump(event.get("pprev"))}}}'
    )
    return text, parts
