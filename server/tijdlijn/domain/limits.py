"""How much one meeting may hold."""

from __future__ import annotations

from .meeting import Collection

# Caps per meeting: generous for a 2.5 hour meeting of 12 people, small enough that one
# meeting's state stays a few hundred kilobytes at most.
LIMITS: dict[Collection | str, int] = {
    "parties": 12,
    "moments": 40,
    "interpretations": 600,
    "themes": 60,
    "threads": 12,
    "lessons": 60,
    "agreements": 60,
    "ground_rules": 15,
    "flags_per_theme": 200,
    "intakes": 12,
    "intake_entries": 160,
    "intake_entries_per_party": 40,
    "new_information": 30,
}
