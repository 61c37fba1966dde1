"""The graphical timeline: moments left to right in rows, a coloured mark per party below each.

A mark is a square in the party's colour with the party's letter in it, and the number of its
interpretations next to it; the legend maps letters to names. So the drawing works in black and
white and for colour-blind readers too, and it never carries an interpretation's words.
"""

from __future__ import annotations

import re
import textwrap
from xml.sax.saxutils import escape

from .content import MomentView, PartyView, Report

WIDTH = 760
MARGIN = 20
PER_ROW = 4
COLUMN = (WIDTH - 2 * MARGIN) // PER_ROW
LINE = 15
TEXT_LINES = 4
TEXT_CHARS = 24
MARK = 20
MARKS_PER_LINE = 3
LEGEND_PER_LINE = 3
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


def clean(text: str) -> str:
    """Text safe for XML and HTML: control characters out, markup characters escaped."""
    return escape(_CONTROL.sub("", text), {'"': "&quot;"})


def safe_colour(colour: str) -> str:
    return colour if _HEX.match(colour) else "#777777"


def ink_on(colour: str) -> str:
    """Black or white, whichever contrasts more with ``colour`` (WCAG relative luminance)."""
    hexes = safe_colour(colour)[1:]
    channels = [int(hexes[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    lum = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#FFFFFF"


def _wrap(text: str) -> list[str]:
    lines = textwrap.wrap(" ".join(text.split()), TEXT_CHARS, break_long_words=True) or [""]
    if len(lines) > TEXT_LINES:
        lines = [*lines[: TEXT_LINES - 1], lines[TEXT_LINES - 1][: TEXT_CHARS - 1] + "…"]
    return lines


def _text(x: float, y: float, text: str, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x:g}" y="{y:g}"{extra}>{clean(text)}</text>'


def _mark(x: float, y: float, party: PartyView) -> str:
    colour = safe_colour(party.colour)
    return (
        f'<rect x="{x:g}" y="{y:g}" width="{MARK}" height="{MARK}" rx="3" fill="{colour}" '
        f'stroke="#333333" stroke-width="0.75"/>'
        + _text(
            x + MARK / 2,
            y + MARK / 2 + 4.5,
            party.key,
            text_anchor="middle",
            font_size="12",
            font_weight="bold",
            fill=ink_on(colour),
        )
    )


def _legend(parties: list[PartyView], top: float) -> tuple[list[str], float]:
    parts: list[str] = []
    width = (WIDTH - 2 * MARGIN) / LEGEND_PER_LINE
    for index, party in enumerate(parties):
        row, col = divmod(index, LEGEND_PER_LINE)
        x, y = MARGIN + col * width, top + row * (MARK + 8)
        parts.append(_mark(x, y, party))
        name = party.name if len(party.name) <= 28 else party.name[:27] + "…"
        parts.append(_text(x + MARK + 6, y + MARK / 2 + 4.5, name, font_size="12"))
    lines = -(-len(parties) // LEGEND_PER_LINE)
    return parts, top + lines * (MARK + 8)


def _moment(moment: MomentView, x: float, axis: float) -> list[str]:
    centre = x + COLUMN / 2
    parts = [
        f'<circle cx="{centre:g}" cy="{axis:g}" r="13" fill="#FFFFFF" stroke="#222222" '
        f'stroke-width="2"/>',
        _text(
            centre,
            axis + 4.5,
            str(moment.number),
            text_anchor="middle",
            font_size="12",
            font_weight="bold",
        ),
    ]
    if moment.when:
        when = moment.when if len(moment.when) <= 24 else moment.when[:23] + "…"
        parts.append(
            _text(centre, axis - 20, when, text_anchor="middle", font_size="11", fill="#444444")
        )
    y = axis + 32
    for line in _wrap(moment.text):
        parts.append(_text(x + 6, y, line, font_size="12"))
        y += LINE
    y = axis + 24 + TEXT_LINES * LINE
    for index, (party, count) in enumerate(moment.counts):
        row, col = divmod(index, MARKS_PER_LINE)
        mx, my = x + 6 + col * 58, y + row * (MARK + 6)
        parts.append(_mark(mx, my, party))
        parts.append(_text(mx + MARK + 4, my + MARK / 2 + 4.5, f"\u00d7{count}", font_size="12"))
    return parts


def timeline_svg(report: Report) -> str:
    """The whole drawing as one <svg> element, sized to fit the page's width."""
    parts, top = _legend(report.parties, MARGIN)
    top += 12
    most_marks = max((len(m.counts) for m in report.moments), default=0)
    mark_lines = -(-most_marks // MARKS_PER_LINE)
    # Room above the axis for the date, below it for the text and the marks, then a gap.
    row_height = 24 + 24 + TEXT_LINES * LINE + mark_lines * (MARK + 6) + 36
    rows = [report.moments[i : i + PER_ROW] for i in range(0, len(report.moments), PER_ROW)]
    if not rows:
        parts.append(_text(MARGIN, top + 20, "Er zijn geen momenten getoond.", font_size="13"))
        top += 40
    for row in rows:
        axis = top + 24
        end = MARGIN + COLUMN * len(row)
        parts.append(
            f'<line x1="{MARGIN}" y1="{axis:g}" x2="{end}" y2="{axis:g}" stroke="#222222" '
            f'stroke-width="2"/>'
        )
        for index, moment in enumerate(row):
            parts.extend(_moment(moment, MARGIN + index * COLUMN, axis))
        top += row_height
    height = int(top + MARGIN)
    total = sum(n for m in report.moments for _, n in m.counts)
    desc = (
        f"{len(report.moments)} momenten in volgorde, met per partij het aantal duidingen "
        f"({total} in totaal). De letters in de gekleurde vakjes verwijzen naar de legenda."
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="tl-title tl-desc" font-family="{FONT}">'
        f'<title id="tl-title">Tijdlijn</title><desc id="tl-desc">{clean(desc)}</desc>'
        + "".join(parts)
        + "</svg>"
    )
