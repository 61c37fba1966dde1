"""The report: what is and is not in it, in every format, the PDF read back as text."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pypdf
import pytest

from tests.support import after_meeting as sample
from tijdlijn.domain.meeting import Meeting, new_meeting
from tijdlijn.report import (
    ReportOptions,
    build,
    filename,
    render_html,
    render_markdown,
    render_pdf,
    timeline_svg,
)

SVG_NS = "{http://www.w3.org/2000/svg}"

Finished = tuple[Meeting, dict[str, str]]


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [(tag, k, v) for k, v in attrs if k in {"src", "href"} or k.startswith("on")]


def loaded_attributes(html: str) -> list[tuple[str, str, str | None]]:
    """Attributes that load something or run script: none may appear in the report."""
    parser = _Attributes()
    parser.feed(html)
    return parser.found


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return flat(" ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def finished() -> tuple[Meeting, dict[str, str]]:
    return sample.finished_meeting()


def test_only_revealed_moments_in_order_with_counts_per_party(
    finished: Finished,
) -> None:
    meeting, _ = finished
    content = build(meeting)
    assert [m.text for m in content.moments] == list(sample.REVEALED)
    first = content.moments[0]
    assert [(p.name, n) for p, n in first.counts] == [("Politie", 1), ("School", 1)]
    assert first.source is not None and first.source.name == "Wijkteam"
    assert content.moments[1].counts == []
    assert first.quotes == []


def test_themes_threads_agreements_and_follow_up(finished: Finished) -> None:
    meeting, _ = finished
    content = build(meeting)
    assert [(t.label, t.count, t.moments) for t in content.themes] == [(sample.THEME, 2, [1, 3])]
    # The thread also pointed at the draft moment; the report only knows revealed ones.
    assert [(t.text, t.level, t.moments) for t in content.threads] == [
        (sample.THREAD, "Speelveld en spelregels", [1, 3])
    ]
    assert content.lessons == list(sample.LESSONS)
    first, second = content.agreements
    assert (first.text, first.owner and first.owner.name, first.due, first.status) == (
        sample.AGREEMENT,
        "Wijkteam",
        "1 september 2024",
        "Bezig",
    )
    assert (second.owner, second.due, second.status) == (None, None, "Nog niet begonnen")
    assert content.follow_up_date == "3 september 2024"
    assert content.date == "3 juni 2024"
    assert [(p.key, p.name, p.colour) for p in content.parties] == [
        ("A", "Wijkteam", "#E69F00"),
        ("B", "Politie", "#56B4E9"),
        ("C", "School", "#009E73"),
    ]


def test_html_and_markdown_leave_out_what_was_not_chosen(
    finished: Finished,
) -> None:
    meeting, _ = finished
    for text in (render_html(build(meeting)), render_markdown(build(meeting))):
        assert sample.TITLE in text
        assert sample.REVEALED[2] in text
        assert sample.THREAD in text and sample.AGREEMENT in text
        for absent in (
            sample.QUOTE,
            sample.OTHER_INTERPRETATION,
            sample.DRAFT,
            sample.DRAFT_INTERPRETATION,
            sample.INITIALS,
        ):
            assert absent not in text


def test_chosen_interpretation_and_initials_appear_only_when_opted_in(
    finished: Finished,
) -> None:
    meeting, ref = finished
    options = ReportOptions(
        include_initials=True, include_interpretation_ids=[ref["quote"], ref["hidden"]]
    )
    for text in (render_html(build(meeting, options)), render_markdown(build(meeting, options))):
        assert sample.QUOTE in text
        assert sample.INITIALS in text
        assert sample.OTHER_INTERPRETATION not in text
        # Choosing an interpretation on a draft moment does not reveal it.
        assert sample.DRAFT_INTERPRETATION not in text


def test_pdf_text_has_the_summary_but_no_verbatim_timeline(
    finished: Finished,
) -> None:
    meeting, _ = finished
    data = render_pdf(build(meeting))
    assert data.startswith(b"%PDF-")
    metadata = pypdf.PdfReader(io.BytesIO(data)).metadata
    assert metadata is not None and metadata.title == "Verslag casusreconstructie"
    text = pdf_text(data)
    for present in (
        sample.TITLE,
        *sample.REVEALED,
        "Wijkteam",
        "Politie",
        "School",
        sample.THEME,
        sample.THREAD,
        "Speelveld en spelregels",
        *sample.LESSONS,
        sample.AGREEMENT,
        "1 september 2024",
        "3 september 2024",
        "Bezig",
    ):
        assert flat(present) in text
    for absent in (
        sample.QUOTE,
        sample.OTHER_INTERPRETATION,
        sample.DRAFT,
        sample.DRAFT_INTERPRETATION,
        sample.INITIALS,
    ):
        assert absent not in text


def test_pdf_with_opt_ins(finished: Finished) -> None:
    meeting, ref = finished
    options = ReportOptions(include_initials=True, include_interpretation_ids=[ref["quote"]])
    text = pdf_text(render_pdf(build(meeting, options)))
    assert sample.QUOTE in text
    assert sample.INITIALS in text
    assert sample.OTHER_INTERPRETATION not in text


def test_svg_timeline_is_well_formed_with_legend_and_lettered_marks(
    finished: Finished,
) -> None:
    meeting, _ = finished
    svg = timeline_svg(build(meeting))
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("role") == "img"
    texts = [t.text for t in root.iter(f"{SVG_NS}text")]
    # Legend: every party's letter and name.
    for key, name in (("A", "Wijkteam"), ("B", "Politie"), ("C", "School")):
        assert key in texts and name in texts
    # Moment 1 has one mark for B and one for C: letters in coloured squares, then the count.
    assert texts.count("\u00d71") == 3
    fills = [r.get("fill") for r in root.iter(f"{SVG_NS}rect")]
    assert fills.count("#56B4E9") == 2  # legend + one mark for Politie
    assert fills.count("#009E73") == 3  # legend + marks on moments 1 and 3
    circles = list(root.iter(f"{SVG_NS}circle"))
    assert len(circles) == 3
    assert sample.QUOTE not in svg and sample.DRAFT not in svg


def test_all_text_is_escaped_and_the_page_loads_nothing() -> None:
    meeting = new_meeting("m-escape-0000000001", "<script>alert(1)</script>", "J.K.", 0.0)
    evil = '"><img src=x onerror=alert(1)> & [klik](https://evil.example) *vet*'
    meeting["parties"]["p"] = {
        "id": "p",
        "name": evil[:60],
        "colour": '#000" onload="x',
        "position": 0,
    }
    meeting["moments"]["m"] = {
        "id": "m",
        "text": evil,
        "when": "<b>",
        "position": 1.0,
        "source_party_id": "p",
        "state": "revealed",
        "revealed_at": 1.0,
        "pii": False,
    }
    meeting["lessons"]["l"] = {
        "id": "l",
        "text": "- 1. # kop\n\nnieuwe regel",
        "position": 0,
        "pii": False,
    }
    html = render_html(build(meeting))
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
    assert 'onload="x' not in html  # a colour that is not #RRGGBB is replaced
    assert loaded_attributes(html) == []
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls <= {"http://www.w3.org/2000/svg", "https://evil.example"}
    assert '<meta http-equiv="Content-Security-Policy"' in html
    ET.fromstring(timeline_svg(build(meeting)))  # still well-formed XML

    markdown = render_markdown(build(meeting))
    assert "[klik](" not in markdown and "\\[klik\\]\\(" in markdown
    assert re.search(r"(?<!\\)[<>]", markdown) is None  # every angle bracket escaped
    assert "\\*vet\\*" in markdown
    lesson = next(line for line in markdown.splitlines() if "kop" in line)
    assert lesson == "- \\- 1. \\# kop nieuwe regel"


def test_an_empty_meeting_and_a_follow_up_meeting_still_make_a_report() -> None:
    meeting = new_meeting("m-empty-00000000001", "Leeg", "A.B.", 0.0, kind="follow_up")
    html = render_html(build(meeting))
    assert "Er zijn geen momenten getoond." in html
    assert "Verslag terugkijkmoment" in html
    assert "Nog geen datum gekozen" in html


def test_file_names_carry_no_case_content(finished: Finished) -> None:
    meeting, _ = finished
    name = filename(build(meeting), "pdf")
    assert name == "verslag-casusreconstructie-2024-06-03.pdf"


def test_pdf_has_page_numbers_and_prints_emoji(finished: Finished) -> None:
    meeting, _ = finished
    lesson = next(iter(meeting["lessons"].values()))
    meeting["lessons"][lesson["id"]] = {**lesson, "text": "Samen aan tafel werkt 👍"}
    data = render_pdf(build(meeting))
    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    for number, page in enumerate(reader.pages, 1):
        assert f"Pagina {number} van {pages}" in flat(page.extract_text())
    # The emoji is drawn from an emoji font, not an empty box from a font without it.
    fonts = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Emoji" in name for name in fonts), fonts
    assert "👍" in pdf_text(data)


def test_the_emoji_font_is_installed_by_make_run_and_the_image() -> None:
    root = Path(__file__).resolve().parents[1]
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    runtime = re.search(r"^RUNTIME_PACKAGES := ((?:.*\\\n)*.*)$", makefile, re.M)
    assert runtime and "fonts-noto-color-emoji" in runtime.group(1)
    assert "fonts-noto-color-emoji" in (root / "docker" / "Dockerfile").read_text(encoding="utf-8")
