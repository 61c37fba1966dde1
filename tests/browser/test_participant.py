"""The participant's phone: joining, one's own interpretations, themes, warnings, language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.pages import Phone, Wall
from tests.support.browser import Driver, OpenTab, axe_violations, create_meeting

pytestmark = pytest.mark.browser

PARTIES = [
    ("Wijkteam", "#E69F00"),
    ("School", "#0072B2"),
    ("Huisartsenpraktijk De Linde en partners", "#009E73"),
]
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= innerWidth"


def arrange(open_tab: OpenTab, live_server: Any) -> tuple[Driver, Phone, dict[str, Any]]:
    created = create_meeting(live_server.url, PARTIES)
    driver = Driver(open_tab("driver"), created["facilitator_token"], connections=1)
    driver.send("meeting.phase", phase="timeline")
    phone = Phone(open_tab("phone", "phone"))
    return driver, phone, created


def test_join_by_qr_and_errors_for_wrong_codes(open_tab: OpenTab, live_server: Any) -> None:
    _, phone, created = arrange(open_tab, live_server)
    page = phone.page
    page.goto("/join")
    code = page.get_by_label("Code van de bijeenkomst")
    assert axe_violations(page) == []
    code.fill("12")
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("alert")).to_contain_text("geen geldige code")
    expect(code).to_have_attribute("aria-invalid", "true")
    code.fill("AAAAAA")
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("alert")).to_contain_text("Er is geen bijeenkomst met deze code")
    assert phone.tab.failed == [f"404 {live_server.url}/api/join/AAAAAA"]
    phone.tab.failed.clear()  # the one failed load this test asked for

    # Scanning the QR code opens /join#CODE: straight to choosing a party, code off the URL.
    page.goto(f"/join#{created['join_code']}")
    expect(page.get_by_role("radio", name="School")).to_be_visible()
    assert axe_violations(page) == []
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    phone.join(created["join_code"], "School", type_code=False)
    assert "#" not in page.url
    expect(page.locator("#party-chip")).to_contain_text("School")
    expect(page.get_by_text("Het eerste moment verschijnt hier")).to_be_visible()
    # A reload keeps the place in the meeting (sessionStorage), without joining again.
    page.reload()
    expect(phone.status()).to_have_text("verbonden")
    expect(page.locator("#screen-live")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert phone.tab.problems() == []


def test_own_interpretations_themes_and_privacy_warning(
    open_tab: OpenTab, live_server: Any
) -> None:
    driver, phone, created = arrange(open_tab, live_server)
    parties = driver.tab.page.evaluate("() => window.__driver.meeting.parties")
    school = next(p["id"] for p in parties.values() if p["name"] == "School")
    moment = driver.send("moment.add", text="Eerste huisbezoek", when="maart", reveal=True)["id"]
    driver.send("interpretation.add", moment_id=moment, party_id=school, text="Van de school")
    wall = Wall(open_tab("wall", "wall"))
    wall.page.goto(created["links"]["wall"])
    phone.join(created["join_code"], "Wijkteam")
    page = phone.page

    # Someone else's interpretation cannot be edited from this phone.
    others = page.locator("li.interp", has_text="Van de school")
    expect(others).to_be_visible()
    expect(others.get_by_role("button", name=re.compile("^Bewerken"))).to_have_count(0)

    # Personal data: warned before sending; "Aanpassen" sends nothing.
    card = phone.current()
    card.get_by_role("button", name="Duiding toevoegen").click()
    field = card.get_by_role("textbox", name=re.compile("^Jouw duiding namens Wijkteam"))
    field.fill("Bel mij op jan.jansen@example.nl")
    card.get_by_role("button", name="Versturen").click()
    warning = card.get_by_role("alert").filter(has_text="persoonsgegevens")
    expect(warning).to_contain_text("e-mailadres")
    warning.get_by_role("button", name="Aanpassen").click()
    expect(field).to_be_focused()
    expect(warning).to_have_count(0)
    field.fill("Wij waren niet uitgenodigd")
    card.get_by_role("button", name="Versturen").click()
    mine = page.locator("li.interp", has_text="Wij waren niet uitgenodigd")
    expect(mine).to_contain_text("jouw duiding")
    expect(wall.interpretations("Eerste huisbezoek", "niet uitgenodigd")).to_have_count(1)
    # After a reload the phone still knows which interpretations are its own (snapshot you.own).
    page.reload()
    expect(mine).to_contain_text("jouw duiding")

    # Edit, then delete, one's own.
    mine.get_by_role("button", name=re.compile("^Bewerken")).click()
    edit = mine.get_by_role("textbox", name="Pas je duiding aan")
    edit.fill("Wij waren niet uitgenodigd voor het overleg")
    mine.get_by_role("button", name="Opslaan").click()
    expect(wall.interpretations("Eerste huisbezoek", "voor het overleg")).to_have_count(1)
    mine.get_by_role("button", name=re.compile("^Verwijderen")).click()
    mine.get_by_role("button", name="Ja, verwijderen").click()
    expect(wall.interpretations("Eerste huisbezoek", "niet uitgenodigd")).to_have_count(0)
    expect(page.locator("li.interp", has_text="niet uitgenodigd")).to_have_count(0)

    # Flag a theme on the moment; the wall's themes board shows it.
    card.get_by_role("button", name="Thema bij dit moment").click()
    card.get_by_label("Welk thema komt hier terug?").fill("Regie")
    card.get_by_role("button", name="Thema markeren").click()
    expect(card.locator(".theme-tag")).to_contain_text("# Regie")
    expect(wall.page.locator("#themes")).to_contain_text("Regie")

    # Written offline for a moment the facilitator then hides again: refused on reconnect, with
    # the reason in Dutch, and the text still on screen.
    phone.tab.set_offline(True)
    expect(phone.status()).to_have_text("offline")
    phone.add_interpretation("Tekst die niet verloren mag gaan")
    driver.send("moment.unreveal")
    phone.tab.set_offline(False)
    refused = page.locator(".p-refused")
    expect(refused).to_contain_text("Dit moment bestaat niet (meer).")
    expect(refused).to_contain_text("Tekst die niet verloren mag gaan")
    expect(phone.current()).to_have_count(0)

    driver.send("meeting.phase", phase="closed")
    expect(page.locator("#live-notice")).to_contain_text("afgesloten")
    assert phone.tab.problems() == []


def test_threads_agreements_and_english(open_tab: OpenTab, live_server: Any) -> None:
    driver, phone, created = arrange(open_tab, live_server)
    parties = driver.tab.page.evaluate("() => window.__driver.meeting.parties")
    school = next(p["id"] for p in parties.values() if p["name"] == "School")
    moment = driver.send("moment.add", text="Zorgoverleg", reveal=True)["id"]
    phone.join(created["join_code"], "School")
    page = phone.page

    driver.send("meeting.phase", phase="reflection")
    driver.send(
        "thread.add", text="Niemand voelde zich eigenaar", level="content", moment_ids=[moment]
    )
    thread = page.locator(".p-thread", has_text="Niemand voelde zich eigenaar")
    expect(thread).to_contain_text("Inhoud en doel")
    expect(thread).to_contain_text("Zorgoverleg")

    driver.send("meeting.phase", phase="agreements")
    driver.send("agreement.add", text="School belt binnen een week terug", owner_party_id=school)
    agreement = page.locator(".p-agreement", has_text="School belt binnen een week terug")
    expect(agreement).to_contain_text("Nog niet begonnen")
    violations = axe_violations(page)
    assert not violations, violations

    page.get_by_label("Taal").select_option("en")
    expect(page.get_by_role("heading", name="Common threads")).to_be_visible()
    expect(phone.status()).to_have_text("connected")
    expect(agreement).to_contain_text("Not started")
    page.reload()
    expect(page.get_by_role("heading", name="Working agreements")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert phone.tab.problems() == []
