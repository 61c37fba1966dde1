"""What goes into the report (verslag), worked out once for every format.

The handbook asks for a short report: a graphical timeline, the common threads and lessons, and
the working agreements. The timeline is deliberately not written out verbatim ("de tijdlijn wordt
bewust niet woordelijk uitgeschreven"), because that invites a new round of who-was-right. So an
interpretation appears as a mark in its party's colour, counted per party; its words only when
the facilitator chose that one. Only revealed moments appear: a draft never happened in the room.

An absent party's prepared interpretations are counted as "vooraf aangeleverd", so nobody reads
them as said in the room. New information that surfaced is reported as a count and the agreements
on how to handle it, never the information itself (there is none stored).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..domain.items import AgreementStatus, TriangleLevel
from ..domain.meeting import Meeting, ordered_moments
from ..domain.visibility import public_view
from ..words import format_date, word

# The shared words (tijdlijn/words.py): the same catalogue the wall, phones and console use.
LEVEL_LABELS: dict[TriangleLevel, str] = {
    level: word(f"triangle.{level}") for level in ("content", "playing_field", "relations")
}
NO_LEVEL = word("triangle.unplaced")
STATUS_LABELS: dict[AgreementStatus, str] = {
    status: word(f"agreement.status.{status}") for status in ("not_started", "in_progress", "done")
}


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """What the facilitator chose to include beyond the default."""

    include_initials: bool = False
    # Interpretations whose verbatim text appears; every other one is only a mark.
    include_interpretation_ids: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class PartyView:
    key: str  # "A", "B", ...: printed in each mark, so colour is never the only cue
    name: str
    colour: str
    absent: bool = False


@dataclass(frozen=True, slots=True)
class Quote:
    party: PartyView
    text: str
    beforehand: bool = False


@dataclass(frozen=True, slots=True)
class MomentView:
    number: int
    text: str
    when: str
    source: PartyView | None
    counts: list[tuple[PartyView, int]]
    quotes: list[Quote] = field(default_factory=list)
    # Per party key: how many of its interpretations were provided beforehand (absent party).
    beforehand: dict[str, int] = field(default_factory=dict)

    def count_label(self, party: PartyView, n: int) -> str:
        """ "3", or "2 (vooraf aangeleverd)" for an absent party's prepared interpretations."""
        early = self.beforehand.get(party.key, 0)
        if not early:
            return str(n)
        return f"{n} (vooraf aangeleverd)" if early == n else f"{n} ({early} vooraf aangeleverd)"


@dataclass(frozen=True, slots=True)
class ThemeView:
    label: str
    count: int
    moments: list[int]


@dataclass(frozen=True, slots=True)
class ThreadView:
    text: str
    level: str
    moments: list[int]


@dataclass(frozen=True, slots=True)
class AgreementView:
    text: str
    owner: PartyView | None
    due: str | None
    status: str


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    date: str
    iso_date: str
    initials: str | None
    follow_up: bool
    parties: list[PartyView]
    moments: list[MomentView]
    themes: list[ThemeView]
    threads: list[ThreadView]
    lessons: list[str]
    agreements: list[AgreementView]
    follow_up_date: str | None
    # How each note of new information is handled, in order; its length is how many there were.
    new_information: list[str] = field(default_factory=list)


def dutch_date(day: dt.date) -> str:
    return format_date(day, "nl")


def dutch_iso(value: str | None) -> str | None:
    """ "2025-06-03" as "3 juni 2025"; anything else as it is."""
    if not value:
        return None
    try:
        return dutch_date(dt.date.fromisoformat(value))
    except ValueError:
        return value


def meeting_day(created_at: float) -> dt.date:
    try:
        zone: dt.tzinfo = ZoneInfo("Europe/Amsterdam")
    except ZoneInfoNotFoundError:  # a minimal image without tzdata: the date in UTC is close
        zone = dt.UTC
    return dt.datetime.fromtimestamp(created_at, zone).date()


def party_key(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def build(meeting: Meeting, options: ReportOptions | None = None) -> Report:
    """The report's content: only what participants saw, minus what the options leave out."""
    options = options or ReportOptions()
    seen = public_view(meeting)
    parties = {
        p["id"]: PartyView(party_key(i), p["name"], p["colour"], bool(p.get("absent")))
        for i, p in enumerate(sorted(seen["parties"].values(), key=lambda p: p["position"]))
    }
    moments = ordered_moments(seen)
    numbers = {m["id"]: n for n, m in enumerate(moments, start=1)}
    chosen = set(options.include_interpretation_ids)
    interps = sorted(seen["interpretations"].values(), key=lambda i: i["created_at"])

    moment_views = []
    for moment in moments:
        mine = [i for i in interps if i["moment_id"] == moment["id"] and i["party_id"] in parties]
        counts = [
            (party, n)
            for pid, party in parties.items()
            if (n := sum(1 for i in mine if i["party_id"] == pid))
        ]
        early = [i for i in mine if i.get("prepared") and parties[i["party_id"]].absent]
        beforehand = {
            party.key: n
            for pid, party in parties.items()
            if (n := sum(1 for i in early if i["party_id"] == pid))
        }
        quotes = [
            Quote(parties[i["party_id"]], i["text"], i in early) for i in mine if i["id"] in chosen
        ]
        moment_views.append(
            MomentView(
                number=numbers[moment["id"]],
                text=moment["text"],
                when=moment["when"],
                source=parties.get(moment["source_party_id"] or ""),
                counts=counts,
                quotes=quotes,
                beforehand=beforehand,
            )
        )

    moment_of_interp = {i["id"]: i["moment_id"] for i in interps}
    themes = []
    for theme in seen["themes"].values():
        pointed = {
            numbers[mid]
            for flag in theme["flags"]
            if (
                mid := flag["id"]
                if flag["target"] == "moment"
                else moment_of_interp.get(flag["id"])
            )
            in numbers
        }
        themes.append(ThemeView(theme["label"], len(theme["flags"]), sorted(pointed)))
    themes.sort(key=lambda t: (-t.count, t.label.casefold()))

    threads = [
        ThreadView(
            text=t["text"],
            level=LEVEL_LABELS[t["level"]] if t["level"] else NO_LEVEL,
            moments=sorted(numbers[m] for m in t["moment_ids"] if m in numbers),
        )
        for t in sorted(seen["threads"].values(), key=lambda t: t["position"])
    ]
    agreements = [
        AgreementView(
            text=a["text"],
            owner=parties.get(a["owner_party_id"] or ""),
            due=dutch_iso(a["due"]),
            status=STATUS_LABELS[a["status"]],
        )
        for a in sorted(seen["agreements"].values(), key=lambda a: a["position"])
    ]
    day = meeting_day(meeting["created_at"])
    return Report(
        title=meeting["title"],
        date=dutch_date(day),
        iso_date=day.isoformat(),
        initials=(meeting["initials"] or None) if options.include_initials else None,
        follow_up=meeting["kind"] == "follow_up",
        parties=list(parties.values()),
        moments=moment_views,
        themes=themes,
        threads=threads,
        lessons=[
            lesson["text"]
            for lesson in sorted(seen["lessons"].values(), key=lambda x: x["position"])
        ],
        agreements=agreements,
        follow_up_date=dutch_iso(meeting["follow_up_date"]),
        new_information=[
            note["agreement"] or "Nog geen afspraak gemaakt."
            for note in sorted(
                meeting.get("new_information", {}).values(), key=lambda n: n["created_at"]
            )
        ],
    )


def filename(report: Report, extension: str) -> str:
    """A file name without case content: the title may carry more than it should."""
    return f"verslag-casusreconstructie-{report.iso_date}.{extension}"
