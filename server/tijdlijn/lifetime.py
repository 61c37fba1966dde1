"""How long a meeting is kept after its last change.

A live meeting lasts an afternoon: ``ttl_seconds`` (12 hours by default, a day at most) after the
last activity. A meeting in preparation is worked on over days, so it is kept until the end of
the day after its planned date (Dutch time), but never more than ``preparation_days`` after its
last change; without a planned date, two weeks (or less, when configured lower).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from .domain.meeting import Meeting
from .settings import UNDATED_PREPARATION_DAYS, Settings

DAY = 24 * 3600
DUTCH_TIME = ZoneInfo("Europe/Amsterdam")


def ttl_for(state: Meeting, settings: Settings, now: float) -> int:
    """Seconds from ``now`` that ``state`` is kept if nothing changes."""
    if state["phase"] != "preparation":
        return settings.ttl_seconds
    longest = settings.preparation_days * DAY
    planned = state.get("planned_date")
    if not planned:
        return max(settings.ttl_seconds, min(longest, UNDATED_PREPARATION_DAYS * DAY))
    day = dt.date.fromisoformat(planned) + dt.timedelta(days=2)
    end = dt.datetime.combine(day, dt.time(0), tzinfo=DUTCH_TIME).timestamp()
    return max(settings.ttl_seconds, min(longest, int(end - now)))
