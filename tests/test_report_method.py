"""The report and the method: an absent party's prepared interpretations are marked "vooraf
aangeleverd", and new information appears as a count with its agreements, never the information."""

from __future__ import annotations

from tests.domain_helpers import Session, build
from tests.test_report import pdf_text
from tijdlijn.report import ReportOptions, render_html, render_markdown, render_pdf
from tijdlijn.report import build as build_report


def meeting_with_an_absent_party() -> tuple[Session, dict[str, str]]:
    s = build(parties=("Wijkteam", "School"), moments=2, phase=None)
    ids: dict[str, str] = {}
    ids["prepared"] = s.add(
        "interpretation.add",
        {"moment_id": s.moments[0], "text": "Wij hoorden het pas later.", "party_id": s.parties[1]},
    )
    s.run("party.update", {"id": s.parties[1], "absent": True})
    s.run("meeting.phase", {"phase": "timeline"})
    s.reveal(s.moments[0])
    s.interpret(s.moments[0], s.member(0), "Live gezegd.")
    ids["note"] = s.add("new_information.add", {})
    s.add("new_information.add", {})
    for note in s.state["new_information"]:
        s.run("new_information.agree", {"id": note, "agreement": "Alleen de lessen meenemen."})
    return s, ids


def test_the_report_marks_what_was_provided_beforehand() -> None:
    s, ids = meeting_with_an_absent_party()
    report = build_report(s.state, ReportOptions(include_interpretation_ids=[ids["prepared"]]))
    html = render_html(report)
    md = render_markdown(report)
    for text in (html, md):
        assert "niet aanwezig; duidingen vooraf aangeleverd" in text
        assert "vooraf aangeleverd" in text.split("Wij hoorden het pas later.")[1][:80]
    assert "School 1 (vooraf aangeleverd)" in html
    assert "[B] School: 1 \\(vooraf aangeleverd\\)" in md
    assert "Wijkteam 1 (vooraf" not in html


def test_the_report_counts_new_information_and_shows_only_the_agreements() -> None:
    s, _ = meeting_with_an_absent_party()
    report = build_report(s.state)
    assert report.new_information == ["Alleen de lessen meenemen."] * 2
    text = pdf_text(render_pdf(report))
    assert "Nieuwe informatie" in text and "2 keer" in text
    assert "Alleen de lessen meenemen." in text
    assert "vooraf aangeleverd" in text
    assert "De informatie zelf staat niet in dit verslag" in text


def test_without_new_information_the_report_says_so() -> None:
    s = build(moments=1, revealed=1)
    html = render_html(build_report(s.state))
    assert "geen nieuwe informatie naar boven" in html
