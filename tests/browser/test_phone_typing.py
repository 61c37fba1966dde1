"""A phone that keeps what you type: a reveal never moves the field, long moments fold, the send
button stays above the keyboard, a counter shows near the limit, and an own theme can be taken back.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, expect

from tests.browser.test_participant import arrange
from tests.support.browser import OpenTab, axe_violations, screenshot

pytestmark = pytest.mark.browser


def in_viewport(locator: Locator) -> bool:
    box = locator.bounding_box()
    size = locator.page.viewport_size
    assert size is not None and box is not None
    return box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def test_a_reveal_while_typing_keeps_focus_text_and_place(
    open_tab: OpenTab, live_server: Any
) -> None:
    driver, phone, created = arrange(open_tab, live_server)
    first = driver.send("moment.add", text="Eerste huisbezoek", when="maart", reveal=True)["id"]
    phone.join(created["join_code"], "Wijkteam")
    page = phone.page
    card = phone.current()
    card.get_by_role("button", name="Duiding toevoegen").click()
    field = card.get_by_role("textbox", name=re.compile("^Jouw duiding namens"))
    expect(field).to_be_focused()
    page.keyboard.type("Wij hoorden het pas later, toen")
    before = field.bounding_box()

    driver.send("moment.add", text="Tweede overleg met school", when="april", reveal=True)
    notice = page.locator("#held-notice")
    expect(notice).to_contain_text("Nieuw moment: Tweede overleg met school")
    expect(field).to_be_focused()
    expect(field).to_have_value("Wij hoorden het pas later, toen")
    assert field.bounding_box() == before, "the field moved"
    screenshot(page, "phone-reveal-while-typing")
    assert axe_violations(page) == []
    expect(field).to_be_focused()
    # Typing on goes into the same field.
    page.keyboard.type(" de melding al binnen was.")
    card.get_by_role("button", name="Versturen").click()
    # Sent under the moment it was written for; then the new moment takes the place.
    expect(phone.current()).to_contain_text("Tweede overleg met school")
    expect(notice).to_be_hidden()
    sent = page.locator(f"article[data-moment-id='{first}'] li.interp")
    expect(sent).to_contain_text("de melding al binnen was.")
    meeting = driver.tab.page.evaluate("() => window.__driver.meeting")
    texts = [i["text"] for i in meeting["interpretations"].values() if i["moment_id"] == first]
    assert texts == ["Wij hoorden het pas later, toen de melding al binnen was."]
    assert phone.tab.problems() == []


LONG = (
    "Na de melding van de school over het verzuim plant het wijkteam een huisbezoek, maar de "
    "moeder zegt af; de huisarts verwijst intussen naar de GGZ zonder dat het wijkteam dat weet, "
    "en de school wacht op een terugkoppeling die niet komt, terwijl Veilig Thuis de casus als "
    "afgesloten registreert omdat er volgens hun gegevens al hulp in huis is."
)


def test_long_moment_keyboard_counter_and_theme_take_back(
    open_tab: OpenTab, live_server: Any
) -> None:
    assert len(LONG) >= 300
    driver, phone, created = arrange(open_tab, live_server)
    moment = driver.send("moment.add", text=LONG, when="mei", reveal=True)["id"]
    phone.join(created["join_code"], "Wijkteam")
    page = phone.page
    card = phone.current()
    add = card.get_by_role("button", name="Duiding toevoegen")
    page.evaluate("() => scrollTo(0, 0)")
    assert in_viewport(add), "Duiding toevoegen is off the first screen"
    screenshot(page, "phone-long-moment")
    more = card.get_by_role("button", name="meer")
    more.click()
    expect(card.get_by_role("button", name="minder")).to_have_attribute("aria-expanded", "true")

    # The keyboard takes the lower half of the screen: Versturen stays in sight.
    add.click()
    field = card.get_by_role("textbox", name=re.compile("^Jouw duiding namens"))
    expect(field).to_be_focused()
    page.set_viewport_size({"width": 360, "height": 380})
    page.keyboard.type("Wij dachten dat de school het had opgepakt.")
    send = card.get_by_role("button", name="Versturen")
    page.wait_for_function(
        """() => {
            const b = [...document.querySelectorAll('.inline-form__buttons')].pop()
              .getBoundingClientRect();
            const v = visualViewport;
            return b.bottom <= v.offsetTop + v.height && b.top >= v.offsetTop;
        }"""
    )
    assert in_viewport(send) and in_viewport(field)
    screenshot(page, "phone-keyboard-open")

    # Near the limit of 2,000 characters: a counter.
    counter = card.locator(".inline-form__count")
    expect(counter).to_be_hidden()
    field.fill("x" * 1850)
    field.press("End")
    page.keyboard.type("y")
    expect(counter).to_have_text("Nog 149 tekens over.")
    field.fill("Wij dachten dat de school het had opgepakt.")
    send.click()
    expect(card.locator("li.interp")).to_contain_text("opgepakt")
    page.set_viewport_size({"width": 360, "height": 740})

    # A theme flagged by mistake is taken back by the same phone.
    card.get_by_role("button", name="Thema bij dit moment").click()
    card.get_by_label("Welk thema komt hier terug?").fill("Regie")
    card.get_by_role("button", name="Thema markeren").click()
    expect(card.locator(".theme-tag")).to_contain_text("# Regie")
    flags = "() => Object.values(window.__driver.meeting.themes).flatMap((t) => t.flags).length"
    driver.tab.page.wait_for_function(f"() => ({flags})() === 1")
    card.get_by_role("button", name="Thema Regie terugnemen").click()
    expect(card.locator(".theme-tag")).to_have_count(0)
    driver.tab.page.wait_for_function(f"() => ({flags})() === 0")
    assert moment
    assert phone.tab.problems() == []
