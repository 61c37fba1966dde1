"""Finishing a meeting in the console, as a facilitator does it: "Afronden" from start to end.

A short meeting (two moments, two interpretations from a phone, a thread, a lesson, an agreement)
is finished on the "Afronden" tab: the follow-up date, the report in its three forms, the
invitation, the follow-up pack and the export, then "end and delete" and its receipt. Each file
is opened and read for what must, and what must not, be in it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from icalendar import Calendar
from playwright.sync_api import Request, expect
from pypdf import PdfReader

from tests.browser.pages import GONE, Console, Phone
from tests.support.browser import OpenTab, Tab
from tijdlijn.words import format_date

pytestmark = pytest.mark.browser

TITLE = "Terugblik samenwerking wijk Oost"
INITIALS = "Q.Z."
PARTIES = ["Wijkteam", "Jeugdarts"]
MOMENTS = [
    ("Zorgmelding door de buurvrouw", "januari 2024"),
    ("Eerste overleg zonder school", "maart 2024"),
]
QUOTE = "Wij wisten niet wie de regie had"  # ticked for the report in the second round
OTHER = "Onze vragen bleven lang onbeantwoord"  # never ticked: never verbatim in a file
THREAD = "Regie bleef bij niemand liggen"
LESSON = "Spreek bij elke melding een regiehouder af"
AGREEMENT = "Wijkteam belt binnen een week na een melding"
CASE_TEXTS = (TITLE, INITIALS, *(m for m, _ in MOMENTS), QUOTE, OTHER, THREAD, LESSON, AGREEMENT)
DOWNLOADS = ("/api/report", "/api/followup/ics", "/api/followup/pack", "/api/export")


def flat(text: str) -> str:
    """Whitespace folded, so a text wrapped over lines in a PDF reads as one line again."""
    return " ".join(text.split())


def pdf_text(path: Path) -> str:
    assert path.read_bytes().startswith(b"%PDF-")
    return flat(" ".join(page.extract_text() for page in PdfReader(path).pages))


def dutch(day: dt.date) -> str:
    months = (
        "januari februari maart april mei juni juli augustus september oktober november december"
    )
    return f"{day.day} {months.split()[day.month - 1]} {day.year}"


def run_short_meeting(open_tab: OpenTab) -> tuple[Console, Phone, str]:
    """Console, the Wijkteam phone still open, and the join code."""
    console = Console(open_tab("facilitator", "laptop"))
    console.create(TITLE, INITIALS, PARTIES)
    for text, when in MOMENTS:
        console.add_moment(text, when)
    code = console.share()["code"]
    phone = Phone(open_tab("phone-wijkteam", "phone"))
    phone.join(code, "Wijkteam")
    console.phase("timeline")
    for text, _ in MOMENTS:
        console.reveal_next()
        expect(phone.current()).to_contain_text(text)
    for text in (QUOTE, OTHER):
        phone.add_interpretation(text)
        expect(console.page.get_by_test_id("run-moments").get_by_text(text)).to_be_visible()
    console.phase("reflection")
    console.add_thread(THREAD, "Speelveld en spelregels", [m for m, _ in MOMENTS])
    console.phase("agreements")
    console.add_lesson(LESSON)
    due = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    console.add_agreement(AGREEMENT, "Wijkteam", due)
    expect(phone.agreement(AGREEMENT)).to_contain_text("Wijkteam")
    return console, phone, code


def record_api_calls(tab: Tab) -> list[tuple[str, str, str | None]]:
    """(method, URL, Authorization header) of every download request the page makes."""
    calls: list[tuple[str, str, str | None]] = []

    def on_request(request: Request) -> None:
        if any(request.url.endswith(path) for path in DOWNLOADS):
            calls.append((request.method, request.url, request.headers.get("authorization")))

    tab.page.on("request", on_request)
    return calls


def test_finish_report_invitation_pack_and_receipt(
    open_tab: OpenTab, live_server: Any, tmp_path: Path
) -> None:
    console, phone, code = run_short_meeting(open_tab)
    token = console.token()
    meeting_id, secret = token.split(".", 1)
    joined = phone.page.evaluate("() => JSON.parse(sessionStorage.getItem('tijdlijn.participant'))")
    secrets = [secret, joined["token"].split(".", 1)[1]]
    calls = record_api_calls(console.tab)
    page = console.page

    console.tab_to("Afronden")
    follow_up = dt.date.today() + dt.timedelta(days=130)
    page.get_by_label("Datum terugkijkmoment").fill(follow_up.isoformat())
    page.get_by_role("button", name="Datum opslaan").click()
    # Dates read as the report prints them (one catalogue: tijdlijn/words.py).
    expect(page.locator("#followup-current")).to_have_text(f"Vastgelegd: {format_date(follow_up)}")

    report = page.get_by_test_id("report-form")
    download_report = report.get_by_role("button", name="Verslag downloaden")
    folder = tmp_path / "plain"
    folder.mkdir()

    # By default: no interpretation verbatim, no initials, in every form.
    html = flat(console.download(download_report, folder).read_text(encoding="utf-8"))
    report.get_by_label("PDF").check()
    pdf = pdf_text(console.download(download_report, folder))
    report.get_by_label("Markdown").check()
    markdown = flat(console.download(download_report, folder).read_text(encoding="utf-8"))
    assert "<script" not in html.lower()
    for name, text in (("html", html), ("pdf", pdf), ("md", markdown)):
        for wanted in (TITLE, LESSON, AGREEMENT, THREAD, "Wijkteam", dutch(follow_up)):
            assert wanted in text, f"{name}: {wanted!r} missing"
        for unwanted in (QUOTE, OTHER, INITIALS):
            assert unwanted not in text, f"{name}: {unwanted!r} should not be in it"

    # One interpretation ticked, and the initials: exactly those come in.
    verbatim = report.get_by_test_id("report-verbatim")
    verbatim.get_by_role("checkbox", name=re.compile(QUOTE)).check()
    expect(verbatim.get_by_role("checkbox", name=re.compile(OTHER))).not_to_be_checked()
    report.get_by_label("Initialen van de casus in het verslag opnemen").check()
    folder = tmp_path / "chosen"
    folder.mkdir()
    report.get_by_label("PDF").check()
    pdf = pdf_text(console.download(download_report, folder))
    report.get_by_label("Markdown").check()
    markdown = flat(console.download(download_report, folder).read_text(encoding="utf-8"))
    for name, text in (("pdf", pdf), ("md", markdown)):
        for wanted in (QUOTE, INITIALS, LESSON, AGREEMENT):
            assert wanted in text, f"{name}: {wanted!r} missing"
        assert OTHER not in text, f"{name}: an unticked interpretation is verbatim"

    # The invitation: one all-day event on the chosen date, nothing of the case in it.
    ics = console.download(
        page.get_by_role("button", name="Uitnodiging downloaden (.ics)"), tmp_path
    )
    assert ics.suffix == ".ics"
    calendar = Calendar.from_ical(ics.read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert event.decoded("dtstart") == follow_up
    assert str(event["summary"]) == "Terugkijkmoment casusreconstructie"
    ics_text = ics.read_text(encoding="utf-8")
    for case_text in (*CASE_TEXTS, *PARTIES):
        assert case_text not in ics_text

    # The follow-up pack: lessons and agreements (with their owner), nothing of the timeline.
    pack_file = console.download(
        page.get_by_role("button", name="Vervolgpakket downloaden"), tmp_path
    )
    pack = json.loads(pack_file.read_text(encoding="utf-8"))
    assert pack["schema"] == "tijdlijn.followup-pack"
    assert [lesson["text"] for lesson in pack["lessons"]] == [LESSON]
    assert [(a["text"], a["owner"]["name"]) for a in pack["agreements"]] == [
        (AGREEMENT, "Wijkteam")
    ]
    assert not {"moments", "interpretations", "threads", "initials"} & set(pack)
    raw_pack = pack_file.read_text(encoding="utf-8")
    for timeline_text in (*(m for m, _ in MOMENTS), QUOTE, OTHER, THREAD, INITIALS):
        assert timeline_text not in raw_pack

    # The export: the prepared meeting, to import again (the timeline, no outcomes).
    export_file = console.download(
        page.get_by_role("button", name="Voorbereiding exporteren"), tmp_path
    )
    export = json.loads(export_file.read_text(encoding="utf-8"))
    assert [p["name"] for p in export["parties"]] == PARTIES
    assert [m["text"] for m in export["moments"]] == [m for m, _ in MOMENTS]
    assert LESSON not in export_file.read_text(encoding="utf-8")

    # Every file came from a POST that carried the token in a header, and from a blob: URL.
    assert len(calls) == 8, calls
    for method, url, authorization in calls:
        assert (method, authorization) == ("POST", f"Bearer {token}"), url
    assert all(url.startswith(f"blob:{live_server.url}/") for url in console.downloads)

    # End and delete: behind a confirmation, then the receipt, on screen and as a file.
    page.get_by_role("button", name="Beëindigen en verwijderen…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Dit verdwijnt definitief")
    dialog.get_by_role("button", name="Definitief verwijderen").click()
    receipt_view = page.get_by_test_id("receipt")
    expect(
        receipt_view.get_by_role("heading", name="Deze bijeenkomst is verwijderd")
    ).to_be_visible()
    meeting_hash = hashlib.sha256(meeting_id.encode()).hexdigest()
    fields = page.get_by_test_id("receipt-fields")
    expect(fields).to_contain_text(meeting_hash)
    expect(fields.locator("dt:has-text('Overgebleven opslagsleutels') + dd")).to_have_text("0")
    expect(fields.locator("dt:has-text('Controle: niets achtergebleven') + dd")).to_have_text("ja")
    receipt_file = console.download(
        page.get_by_role("button", name="Verwijderbewijs downloaden (JSON)"), tmp_path
    )
    receipt_text = receipt_file.read_text(encoding="utf-8")
    receipt = json.loads(receipt_text)
    assert receipt["meeting_hash"] == meeting_hash
    assert receipt["keys_remaining"] == 0
    assert receipt["verified_empty"] is True
    assert receipt["items_removed"] == {
        "parties": 2,
        "moments": 2,
        "interpretations": 2,
        "themes": 0,
        "threads": 1,
        "lessons": 1,
        "agreements": 1,
        "intakes": 0,
        "intake_entries": 0,
        "new_information": 0,
    }
    for case_text in (*CASE_TEXTS, *PARTIES, meeting_id, secret, code):
        assert case_text not in receipt_text

    # The open phone hears it, and the code and the token lead nowhere any more.
    expect(phone.page.get_by_role("heading", name=GONE)).to_be_visible()
    expect(receipt_view).to_be_visible()  # not replaced once the console's own link is refused
    assert httpx.get(f"{live_server.url}/api/join/{code}", timeout=10).status_code == 404
    after = httpx.post(
        f"{live_server.url}/api/followup/pack",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert after.status_code in (401, 404), after.text

    # No token, and no secret of one, in any URL any page asked for.
    for tab in (console.tab, phone.tab):
        for url in tab.requests:
            assert not any(s in url for s in secrets), f"{tab.name} sent a token in {url}"
        foreign = [
            u for u in tab.foreign_requests() if not u.startswith(f"blob:{live_server.url}/")
        ]
        assert foreign == [], f"{tab.name} left the origin"
        assert tab.problems() == [], f"{tab.name}: {tab.problems()}"


def test_the_own_link_brings_a_facilitator_back_after_the_tab_closed(open_tab: OpenTab) -> None:
    console = Console(open_tab("facilitator", "laptop"))
    console.create("Terugkomen in de console", "R.L.", ["Wijkteam"])
    own = console.share()["own"]
    # A fresh browser context has no sessionStorage: only the link the console showed.
    again = open_tab("facilitator-again", "laptop")
    again.page.goto(own)
    expect(again.page.get_by_text("Terugkomen in de console").first).to_be_visible()
    expect(again.page.get_by_test_id("connection-status")).to_contain_text("verbonden")
