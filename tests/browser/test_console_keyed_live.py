"""What another device changes leaves the facilitator's place in the console alone.

The live timeline, the common threads, the intake rows, the share links and the phase stepper are
keyed lists updated in place: while the facilitator has a button or a box in one of them focused
(tabbing through with the keyboard, a screen reader reading it), a phone adding an interpretation,
a party sending in an intake moment or a co-facilitator adding a thread or moving the phase on
changes what it must, and the focused control stays the very same element, with its focus, its
ticked state or its selected text. (Rebuilt, it would be a new element: focus handed to a copy,
the screen reader announcing it again, a text selection gone.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.pages import Console, Phone
from tests.browser.test_intake import intake_link
from tests.support.browser import Driver, OpenTab, create_meeting

pytestmark = pytest.mark.browser

PARTIES = [("Wijkteam", "#E69F00"), ("School", "#56B4E9")]


def keep(locator: Locator) -> None:
    """Focus ``locator`` and remember that element (and its list item) in the page."""
    locator.focus()
    expect(locator).to_be_focused()
    locator.evaluate(
        """(node) => {
            window.__kept = node;
            window.__item = node.parentElement.closest("[data-key], li, tr, dd");
        }"""
    )


def still_kept(page: Page) -> None:
    """The remembered element is still in the page, in its item, and still has the focus."""
    assert page.evaluate("() => window.__kept.isConnected"), "the focused control was rebuilt"
    assert page.evaluate("() => window.__item.isConnected"), "its item was rebuilt"
    assert page.evaluate("() => document.activeElement === window.__kept"), "focus moved"


def party_ids(driver: Driver) -> dict[str, str]:
    meeting = driver.tab.page.evaluate("() => window.__driver.meeting")
    return {party["name"]: party["id"] for party in meeting["parties"].values()}


def test_an_interpretation_from_a_phone_leaves_the_focus_in_the_live_timeline(
    open_tab: OpenTab, live_server: Any
) -> None:
    created = create_meeting(live_server.url, PARTIES)
    driver = Driver(open_tab("driver"), created["facilitator_token"], connections=1)
    parties = party_ids(driver)
    driver.send("meeting.phase", phase="timeline")
    first = driver.send("moment.add", text="Eerste huisbezoek", when="maart", reveal=True)["id"]
    driver.send("moment.add", text="Overleg met school", when="april", reveal=True)
    driver.send("moment.focus", id=first)
    driver.send(
        "interpretation.add",
        moment_id=first,
        party_id=parties["Wijkteam"],
        text="Wij zagen het als een gewone controle",
    )
    page = open_tab("console").page
    page.goto(created["links"]["facilitator"])
    card = page.get_by_test_id("run-moment").filter(has_text="Eerste huisbezoek")
    expect(card).to_contain_text("1 duiding")
    # The facilitator is on the Wijkteam interpretation's edit button under the first moment.
    keep(card.get_by_role("button", name=re.compile("^Duiding van Wijkteam bewerken")))
    page.evaluate("() => { window.__card = window.__item.closest('[data-testid=run-moment]'); }")

    phone = Phone(open_tab("phone", "phone"))
    phone.join(created["join_code"], "School")
    phone.add_interpretation("Voor ons was dit het eerste signaal")
    expect(card.get_by_test_id("interpretation")).to_have_count(2)
    expect(card).to_contain_text("Voor ons was dit het eerste signaal")
    expect(card).to_contain_text("2 duidingen")
    still_kept(page)
    assert page.evaluate("() => window.__card.isConnected"), "the moment's card was rebuilt"

    # Another moment revealed and the focus moved on by a co-facilitator: the card is updated in
    # place (no longer the current one) and the button keeps the focus.
    driver.send("moment.add", text="Melding bij Veilig Thuis", when="mei", reveal=True)
    expect(page.get_by_test_id("run-moment")).to_have_count(3)
    expect(card).not_to_have_attribute("aria-current", "true")
    still_kept(page)
    expect(page.get_by_test_id("run-moment")).to_contain_text(
        ["Eerste huisbezoek", "Overleg met school", "Melding bij Veilig Thuis"]
    )
    assert phone.tab.problems() == [] and driver.tab.problems() == []


def test_a_thread_from_a_co_facilitator_leaves_the_focus_on_another_thread(
    open_tab: OpenTab, live_server: Any
) -> None:
    created = create_meeting(live_server.url, PARTIES)
    driver = Driver(open_tab("driver"), created["cofacilitator_token"], connections=1)
    driver.send("meeting.phase", phase="timeline")
    moment = driver.send("moment.add", text="Eerste huisbezoek", when="maart", reveal=True)["id"]
    driver.send("thread.add", text="Niemand had de regie", level="content", moment_ids=[moment])
    second = driver.send("thread.add", text="Signalen bleven liggen", level="content")["id"]
    page = open_tab("console").page
    page.goto(created["links"]["facilitator"])
    page.get_by_role("tab", name="Rode draden").click()
    threads = page.get_by_test_id("thread")
    expect(threads).to_have_count(2)
    relations = page.locator("section.level-relations")
    expect(relations).to_contain_text("Nog geen rode draden op dit niveau.")
    keep(page.get_by_role("button", name="Rode draad bewerken: Niemand had de regie"))

    driver.send("thread.add", text="Elkaar pas laat gebeld", level="relations")
    driver.send("thread.add", text="Wie belt wie", level="content")
    driver.send("thread.update", id=second, text="Signalen bleven bij één partij liggen")
    expect(threads).to_have_count(4)
    expect(relations).to_contain_text("Elkaar pas laat gebeld")
    expect(relations).not_to_contain_text("Nog geen rode draden")
    expect(page.locator("section.level-content").get_by_test_id("thread")).to_contain_text(
        ["Niemand had de regie", "Signalen bleven bij één partij liggen", "Wie belt wie"]
    )
    still_kept(page)
    # The moment the focused thread points at is rewritten: that thread is rebuilt to show it,
    # and the focus goes to the same button in the new element (not to the top of the page).
    driver.send("moment.update", id=moment, text="Eerste huisbezoek door het wijkteam")
    expect(threads.first).to_contain_text("Eerste huisbezoek door het wijkteam")
    expect(
        page.get_by_role("button", name="Rode draad bewerken: Niemand had de regie")
    ).to_be_focused()


def test_intake_moments_arriving_leave_the_ticked_box_and_the_focus(
    open_tab: OpenTab, live_server: Any
) -> None:
    created = create_meeting(live_server.url, PARTIES)
    console = Console(open_tab("console"))
    page = console.page
    page.goto(created["links"]["facilitator"])
    link = intake_link(console, "Wijkteam")
    intake = open_tab("intake", "phone").page
    intake.goto(link)
    send_intake(intake, "maart 2024", "Huisbezoek na de melding")
    entries = page.get_by_test_id("intake-entry")
    expect(entries).to_have_count(1)
    tick = page.get_by_test_id("intake-select")
    tick.check()
    take = page.get_by_role("button", name="Neem 1 moment op in de tijdlijn")
    expect(take).to_be_enabled()
    keep(tick)

    send_intake(intake, "april 2024", "Overleg met de school")
    expect(entries).to_have_count(2)
    # Sorted by date: the new one comes after, and the ticked box is untouched.
    expect(entries).to_contain_text(["Huisbezoek na de melding", "Overleg met de school"])
    still_kept(page)
    expect(tick.first).to_be_checked()
    expect(take).to_be_enabled()

    # On the School row, the absent box; the Wijkteam row's count changes beside it.
    school = page.get_by_test_id("intake-party").filter(has_text="School")
    keep(school.get_by_test_id("party-absent"))
    wijkteam = page.get_by_test_id("intake-party").filter(has_text="Wijkteam")
    expect(wijkteam).to_contain_text("2 momenten aangeleverd")
    send_intake(intake, "mei 2024", "Melding bij Veilig Thuis")
    expect(wijkteam).to_contain_text("3 momenten aangeleverd")
    still_kept(page)


def send_intake(page: Page, when: str, text: str) -> None:
    page.get_by_label("Wanneer").fill(when)
    page.get_by_label("Wat gebeurde er?").fill(text)
    page.get_by_role("button", name="Moment toevoegen").click()
    expect(page.get_by_test_id("intake-entry").filter(has_text=text)).to_be_visible()


def test_the_phase_moving_on_elsewhere_leaves_the_focused_step(
    open_tab: OpenTab, live_server: Any
) -> None:
    created = create_meeting(live_server.url, PARTIES)
    driver = Driver(open_tab("driver"), created["cofacilitator_token"], connections=1)
    page = open_tab("console").page
    page.goto(created["links"]["facilitator"])
    step = page.get_by_test_id("phase-timeline")
    expect(page.get_by_test_id("phase-preparation")).to_have_attribute("aria-current", "step")
    keep(step)

    driver.send("meeting.phase", phase="introduction")
    expect(page.get_by_test_id("phase-introduction")).to_have_attribute("aria-current", "step")
    expect(page.get_by_test_id("phase-preparation")).not_to_have_attribute("aria-current", "step")
    still_kept(page)
    driver.send("meeting.phase", phase="timeline")
    expect(step).to_have_attribute("aria-current", "step")
    expect(step).to_contain_text("huidige")
    still_kept(page)


def test_a_selected_share_link_stays_selected_while_phones_join(
    open_tab: OpenTab, live_server: Any
) -> None:
    created = create_meeting(live_server.url, PARTIES)
    driver = Driver(open_tab("driver"), created["facilitator_token"], connections=1)
    driver.send("meeting.phase", phase="introduction")
    page = open_tab("console").page
    page.goto(created["links"]["facilitator"])
    page.get_by_role("tab", name="Delen").click()
    page.get_by_test_id("show-join_url").click()
    field = page.get_by_test_id("share-join_url")
    expect(field).to_have_value(re.compile(r"/join#"))
    url = field.input_value()
    # Selected to copy by hand.
    keep(field)
    field.select_text()

    phone = Phone(open_tab("phone", "phone"))
    phone.join(created["join_code"], "School")
    expect(page.get_by_test_id("share-rules-accepted")).to_contain_text("1")
    still_kept(page)
    expect(field).to_have_value(url)
    assert page.evaluate("() => [window.__kept.selectionStart, window.__kept.selectionEnd]") == [
        0,
        len(url),
    ], "the selection was lost"
    expect(page.get_by_test_id("show-join_url")).to_have_attribute("aria-pressed", "true")
