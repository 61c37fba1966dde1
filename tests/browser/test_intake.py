"""The method from intake to report, in Chromium, as a facilitator and the parties do it.

Two parties fill their intake links from phones; the console shows both side by side, merges
them into one neutral moment with each party's experience as its prepared interpretation; one
party cannot attend. Revealed, that party's interpretation is marked "vooraf aangeleverd" on the
wall and in the PDF report; the intake links stop working once the meeting starts. New
information noted during the timeline blocks closing until the parties agreed how to handle it.
Phones that accepted the ground rules see changed rules again, and the console counts them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import Console, Phone, Wall
from tests.support.browser import OpenTab, Tab, axe_violations

pytestmark = pytest.mark.browser

PARTIES = ["Wijkteam", "School", "Huisarts"]
WIJKTEAM = ("maart 2024", "Wij belden de school over het verzuim", "We voelden ons niet gehoord.")
# What the Wijkteam first wrote, before it edited its experience.
FIRST_DRAFT = "Eerst geschreven beleving."
SCHOOL = (
    "maart 2024",
    "Telefoontje van het wijkteam, daarna een MDO",
    "Dat kwam voor ons onverwacht.",
)
NEUTRAL = "Telefoongesprek tussen wijkteam en school over het verzuim"
AGREEMENT = "De school meldt opnieuw aan als er zorgen zijn; verder alleen de lessen meenemen."


def intake_link(console: Console, party: str) -> str:
    page = console.page
    console.tab_to("Voorbereiden")
    row = page.get_by_test_id("intake-party").filter(has_text=party)
    row.get_by_role("button", name=re.compile(f"uitvraaglink voor {party}")).click()
    link = row.get_by_test_id("intake-link")
    expect(link).to_have_value(re.compile(r"/intake#"))
    value = link.input_value()
    assert value.startswith("http")
    return value


def fill_intake(tab: Tab, link: str, entry: tuple[str, str, str]) -> Page:
    page = tab.page
    page.goto(link)
    expect(page.get_by_role("heading", name="Uitvraag: bepalende momenten")).to_be_visible()
    assert "#" not in page.url, "the token leaves the address bar"
    when, text, experience = entry
    page.get_by_label("Wanneer").fill(when)
    page.get_by_label("Wat gebeurde er?").fill(text)
    page.get_by_label("Hoe hebben jullie dit beleefd?").fill(experience)
    page.get_by_role("button", name="Moment toevoegen").click()
    expect(page.get_by_test_id("intake-entry").filter(has_text=text)).to_be_visible()
    return page


def test_intake_merge_absent_party_and_new_information(
    open_tab: OpenTab, live_server: Any, tmp_path: Path
) -> None:
    console = Console(open_tab("facilitator", "laptop"))
    console.create("Casus verzuim", "Q.Z.", PARTIES)
    page = console.page
    links = {party: intake_link(console, party) for party in ("Wijkteam", "School")}

    intake_tabs = [open_tab("intake-wijkteam", "phone"), open_tab("intake-school", "phone")]
    wijkteam = fill_intake(intake_tabs[0], links["Wijkteam"], (*WIJKTEAM[:2], FIRST_DRAFT))
    school = fill_intake(intake_tabs[1], links["School"], SCHOOL)
    # The jargon hint on the intake page, and each link sees its own party only.
    expect(school.get_by_test_id("intake-entry")).to_contain_text("MDO = multidisciplinair overleg")
    expect(wijkteam.get_by_test_id("intake-party")).to_contain_text("Wijkteam")
    expect(wijkteam.get_by_text(SCHOOL[1])).to_have_count(0)
    expect(school.get_by_text(WIJKTEAM[1])).to_have_count(0)
    assert axe_violations(school) == []
    # Editable until taken: the Wijkteam adds a second moment, then removes it again.
    wijkteam.get_by_label("Wat gebeurde er?").fill("Een tweede moment")
    wijkteam.get_by_role("button", name="Moment toevoegen").click()
    second = wijkteam.get_by_test_id("intake-entry").filter(has_text="Een tweede moment")
    expect(second).to_be_visible()
    expect(page.get_by_test_id("intake-table")).to_contain_text("Een tweede moment")
    second.get_by_role("button", name="Verwijderen").click()
    second.get_by_role("button", name="Zeker? Tik nogmaals om te verwijderen").click()
    expect(second).to_have_count(0)
    expect(page.get_by_test_id("intake-table")).not_to_contain_text("Een tweede moment")
    first = wijkteam.get_by_test_id("intake-entry").filter(has_text=WIJKTEAM[1])
    first.get_by_role("button", name="Aanpassen").click()
    wijkteam.get_by_label("Hoe hebben jullie dit beleefd?").fill(WIJKTEAM[2])
    wijkteam.get_by_role("button", name="Wijziging opslaan").click()
    expect(first).to_contain_text(WIJKTEAM[2])

    # The console: both side by side; merge them into one neutral moment.
    table = page.get_by_test_id("intake-table")
    expect(table).to_contain_text(WIJKTEAM[1])
    expect(table).to_contain_text(SCHOOL[1])
    for text in (WIJKTEAM[1], SCHOOL[1]):
        table.get_by_role("checkbox", name=text).check()
    page.get_by_role("button", name="Neem 2 momenten samen op in de tijdlijn").click()
    dialog = page.get_by_role("dialog")
    field = dialog.get_by_label("Het moment, neutraal geformuleerd")
    expect(field).to_have_value(WIJKTEAM[1])
    field.fill("Overleg in het MDO")
    expect(dialog.get_by_test_id("take-jargon")).to_contain_text("MDO = multidisciplinair overleg")
    field.fill(NEUTRAL)
    expect(dialog.get_by_test_id("take-jargon")).to_have_text("")
    dialog.get_by_role("button", name="Opnemen").click()
    moment = page.get_by_test_id("prepare-moment").filter(has_text=NEUTRAL)
    expect(moment).to_be_visible()
    expect(moment.get_by_test_id("interpretation")).to_have_count(2)
    expect(table).to_contain_text("Opgenomen")
    assert axe_violations(page) == []  # the preparation tab with the intakes
    # The party sees it was taken and can no longer edit it.
    expect(school.get_by_test_id("intake-entry")).to_contain_text("Opgenomen in de tijdlijn")
    expect(school.get_by_role("button", name="Aanpassen")).to_have_count(0)

    # School cannot attend.
    page.get_by_test_id("intake-party").filter(has_text="School").get_by_test_id(
        "party-absent"
    ).check()
    expect(moment.get_by_test_id("absent-marker")).to_have_count(1)

    shared = console.share()
    wall = Wall(open_tab("wall", "wall"))
    wall.page.goto(shared["wall"])
    phone = Phone(open_tab("phone-huisarts", "phone"))
    phone.join(shared["code"], "Huisarts")

    console.phase("timeline")
    # The meeting started: the intake links stop working.
    for intake in (wijkteam, school):
        expect(intake.get_by_role("heading", name="Deze uitvraag is gesloten")).to_be_visible()
    expect(wall.page.get_by_text(NEUTRAL)).to_have_count(0)  # nothing before the reveal
    console.reveal_next()
    column = wall.moment(NEUTRAL)
    expect(column).to_be_visible()
    from_school = wall.interpretations(NEUTRAL, SCHOOL[2])
    expect(from_school.get_by_test_id("absent-marker")).to_have_text("vooraf aangeleverd")
    expect(
        wall.interpretations(NEUTRAL, WIJKTEAM[2]).get_by_test_id("absent-marker")
    ).to_have_count(0)
    expect(
        phone.current().locator("li", has_text=SCHOOL[2]).get_by_test_id("absent-marker")
    ).to_be_visible()
    expect(page.get_by_test_id("absent-reminder")).to_contain_text("School")
    assert axe_violations(page) == []

    # New information: noted, then closing is refused until the parties agreed how to handle it.
    page.get_by_role("button", name="Nieuwe informatie gemeld").click()
    expect(page.locator("#new-information-count")).to_contain_text(
        "1 gemeld, 1 nog zonder afspraak"
    )
    page.locator("button[data-phase='closed']").click()
    page.get_by_test_id("close-phase-confirm").click()
    expect(page.get_by_test_id("messages")).to_contain_text("zonder afspraak")
    expect(page.locator("button[data-phase='closed']")).not_to_have_attribute(
        "aria-current", "step"
    )
    expect(page.get_by_test_id("finish-newinfo-status")).to_contain_text("1 nog zonder afspraak")
    note = page.get_by_test_id("newinfo-note")
    note.get_by_label("Afspraak over hoe de partijen ermee omgaan").fill(AGREEMENT)
    note.get_by_role("button", name="Afspraak opslaan").click()
    expect(note).to_contain_text("afgesproken")
    page.locator("button[data-phase='closed']").click()
    page.get_by_test_id("close-phase-confirm").click()
    expect(page.locator("button[data-phase='closed']")).to_have_attribute("aria-current", "step")

    console.tab_to("Afronden")
    report = page.get_by_test_id("report-form")
    report.get_by_label("PDF").check()
    pdf = console.download(report.get_by_role("button", name="Verslag downloaden"), tmp_path)
    from pypdf import PdfReader

    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "School (niet aanwezig; duidingen vooraf aangeleverd)" in text
    assert "School 1 (vooraf aangeleverd)" in text
    assert "Wijkteam 1 (vooraf" not in text
    assert "Nieuwe informatie" in text and AGREEMENT in text
    assert SCHOOL[1] not in text and WIJKTEAM[1] not in text, "intake words never in the report"
    assert FIRST_DRAFT not in " ".join(wall.tab.frames) + " ".join(phone.tab.frames)
    # What the wall and the phone received, ever: never the words of an intake entry.
    for tab in (wall.tab, phone.tab):
        frames = " ".join(tab.frames)
        assert SCHOOL[1] not in frames and WIJKTEAM[1] not in frames
    for tab in (console.tab, wall.tab, phone.tab, *intake_tabs):
        assert tab.problems() == [], (tab.name, tab.problems())


def test_changed_ground_rules_are_accepted_again(open_tab: OpenTab) -> None:
    console = Console(open_tab("facilitator", "laptop"))
    console.create("Casus spelregels", "Q.Z.", ["Wijkteam", "School"])
    page = console.page
    expect(page.get_by_test_id("rules-accepted")).to_have_text(
        "0 apparaten hebben deze spelregels geaccepteerd."
    )
    shared = console.share()
    phone = Phone(open_tab("phone", "phone"))
    phone.join(shared["code"], "Wijkteam")
    console.tab_to("Voorbereiden")
    expect(page.get_by_test_id("rules-accepted")).to_have_text(
        "1 apparaat heeft deze spelregels geaccepteerd."
    )
    rules = page.locator("#rules-form")
    rules.locator("textarea").first.fill("Luister eerst, oordeel later.")
    rules.get_by_role("button", name=re.compile("opslaan", re.I)).click()
    expect(page.get_by_test_id("rules-accepted")).to_have_text(
        "0 apparaten hebben deze spelregels geaccepteerd."
    )
    expect(phone.page.get_by_test_id("rules-changed")).to_be_visible()
    expect(phone.page.locator("#rules-list")).to_contain_text("Luister eerst, oordeel later.")
    phone.page.get_by_role("button", name="Ik doe mee volgens deze spelregels").click()
    expect(phone.page.locator("#screen-live")).to_be_visible()
    console.tab_to("Delen")  # the tab open during the introduction shows the count too
    expect(page.get_by_test_id("share-rules-accepted")).to_have_text(
        "1 apparaat heeft deze spelregels geaccepteerd."
    )
    console.tab_to("Voorbereiden")
    expect(page.get_by_test_id("rules-accepted")).to_have_text(
        "1 apparaat heeft deze spelregels geaccepteerd."
    )
