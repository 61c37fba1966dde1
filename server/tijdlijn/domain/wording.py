"""One wording for input that does not fit: which fields, and why, in Dutch; never the values.

Used by every edge that validates (Socket.IO writes, HTTP bodies, imported files), so a person
reads the same kind of sentence wherever they made the mistake. Values are never repeated: they
may be case content.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import Invalid

M = TypeVar("M", bound=BaseModel)
# A client's own key is named only when it is short and looks like a name (keys are client text).
NAME_LIKE = re.compile(r"^[A-Za-z0-9_.\[\]]{1,48}$")
_REASONS = {
    "missing": "ontbreekt",
    "extra_forbidden": "onbekend veld",
    "string_too_short": "mag niet leeg zijn",
    "string_pattern_mismatch": "heeft niet de juiste vorm",
    "string_type": "moet tekst zijn",
    "literal_error": "heeft geen toegestane waarde",
    "int_type": "moet een geheel getal zijn",
    "int_parsing": "moet een geheel getal zijn",
    "int_from_float": "moet een geheel getal zijn",
    "greater_than_equal": "is te klein",
    "less_than_equal": "is te groot",
    "list_type": "moet een lijst zijn",
    "dict_type": "moet een object zijn",
    "model_type": "moet een object zijn",
    "model_attributes_type": "moet een object zijn",
    "bool_type": "moet true of false zijn",
}


def field_name(loc: tuple[int | str, ...]) -> str:
    """A field's path for an error message, or "een onbekend veld"; never a value."""
    where = ".".join(str(p) for p in loc)
    if not where:
        return "bericht"
    return where if NAME_LIKE.match(where) else "een onbekend veld"


def _reason(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "string_too_long":
        return f"is te lang (maximaal {ctx.get('max_length')} tekens)"
    if kind == "too_long":
        return f"heeft te veel onderdelen (maximaal {ctx.get('max_length')})"
    if kind == "value_error":
        # Our own validators' messages: written for people, never holding the value.
        return str(ctx.get("error", "is ongeldig"))
    return _REASONS.get(kind, "is ongeldig")


def describe(exc: ValidationError) -> str:
    """The fields at fault and why (at most five)."""
    errors = exc.errors()
    parts = []
    for error in errors[:5]:
        where = field_name(error["loc"]) if error["loc"] else ""
        reason = _reason(error)
        parts.append(f"{where}: {reason}" if where else reason)
    more = len(errors) - 5
    return "; ".join(parts) + (f" (en nog {more} andere)" if more > 0 else "")


def validated(model: type[M], data: Any, what: str = "De invoer") -> M:
    """``data`` as ``model``, or :class:`Invalid`: "<what> klopt niet: <field>: <why>."."""
    if not isinstance(data, dict):
        raise Invalid(f"{what} is geen JSON-object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(f"{what} klopt niet: {describe(exc)}.") from None
