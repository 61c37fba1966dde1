"""A guard against personal data in free text (placeholder: e-mail only; see issue 4)."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def find_personal_data(text: str) -> list[str]:
    """The kinds of personal data ``text`` seems to contain, e.g. ``["email"]``."""
    return ["email"] if _EMAIL.search(text) else []
