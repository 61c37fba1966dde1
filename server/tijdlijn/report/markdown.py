"""The report as Markdown, for pasting into a wiki or a mail; the same content as the HTML."""

from __future__ import annotations

import re

from .content import MomentView, PartyView, Report
from .html import ABSENT, INTRO, NO_FOLLOW_UP, NO_NEW_INFORMATION, new_information_lead

# Characters that make Markdown do something (links, emphasis, HTML, tables, code).
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#|~!&])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# At the start of a line these would begin a list or a heading underline.
_LIST_START = re.compile(r"^([-+=])|^([0-9]+)([.)])")


def md(text: str) -> str:
    """Text as literal Markdown on one line: nothing in it can become markup."""
    flat = _SPECIAL.sub(r"\\\1", " ".join(_CONTROL.sub("", text).split()))
    return _LIST_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", flat)


def _party(party: PartyView | None) -> str:
    return f"[{party.key}] {md(party.name)}" if party else "—"


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers) if numbers else "geen"


def _moment(moment: MomentView) -> list[str]:
    when = f"**{md(moment.when)}** · " if moment.when else ""
    source = f" *(aangedragen door {md(moment.source.name)})*" if moment.source else ""
    counts = (
        ", ".join(f"{_party(p)}: {md(moment.count_label(p, n))}" for p, n in moment.counts)
        or "geen"
    )
    lines = [
        f"{moment.number}. {when}{md(moment.text)}{source}  ",
        f"   Duidingen per partij: {counts}",
    ]
    lines += [
        f"   > {md(q.text)} — {md(q.party.name)}{', vooraf aangeleverd' if q.beforehand else ''}"
        for q in moment.quotes
    ]
    return lines


def _bullets(items: list[str]) -> list[str]:
    return [f"- {item}" for item in items] or ["Geen."]


def render_markdown(report: Report) -> str:
    kind = "Verslag terugkijkmoment" if report.follow_up else "Verslag casusreconstructie"
    meta = f"{kind} · bijeenkomst van {md(report.date)}"
    if report.initials:
        meta += f" · casus: {md(report.initials)}"
    out = [f"# {md(report.title)}", "", meta, "", f"*{md(INTRO)}*", "", "## Partijen", ""]
    out += _bullets([_party(p) + (f" ({ABSENT})" if p.absent else "") for p in report.parties])
    out += ["", "## Tijdlijn", ""]
    if not report.moments:
        out.append("Er zijn geen momenten getoond.")
    for moment in report.moments:
        out += _moment(moment)
    out += ["", "## Thema's die vaker opkwamen", ""]
    out += _bullets(
        [
            f"{md(t.label)} — {t.count}\u00d7 (momenten: {_numbers(t.moments)})"
            for t in report.themes
        ]
    )
    out += ["", "## Rode draden", ""]
    out += [
        f"{n}. {md(t.text)}  \n   Niveau in de samenwerkingsdriehoek: {md(t.level)} · "
        f"Momenten: {_numbers(t.moments)}"
        for n, t in enumerate(report.threads, start=1)
    ] or ["Geen."]
    out += ["", "## Lessen", ""]
    out += _bullets([md(text) for text in report.lessons])
    out += ["", "## Werkafspraken", ""]
    if report.agreements:
        out += ["| Werkafspraak | Eigenaar | Uiterlijk | Status |", "|---|---|---|---|"]
        out += [
            f"| {md(a.text)} | {_party(a.owner)} | {md(a.due) if a.due else '—'} | {md(a.status)} |"
            for a in report.agreements
        ]
    else:
        out.append("Geen.")
    out += ["", "## Nieuwe informatie", ""]
    if report.new_information:
        out += [md(new_information_lead(len(report.new_information))), ""]
        out += [f"{n}. {md(text)}" for n, text in enumerate(report.new_information, start=1)]
    else:
        out.append(NO_NEW_INFORMATION)
    out += ["", "## Terugkijkmoment", ""]
    out.append(
        f"Gepland op **{md(report.follow_up_date)}**." if report.follow_up_date else NO_FOLLOW_UP
    )
    return "\n".join(out) + "\n"
