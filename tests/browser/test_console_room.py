"""The console in a real room: driven by keyboard or clicker, and safe to project.

With 15 moments the reveal control and the current moment stay on screen at every step; the
shortcuts confirm what they did and never fire while someone types. A projected console shows no
token in any tab; presentation mode leaves out links and destructive controls; starting part 1
does not jump to the sharing tab.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.support.browser import Driver, OpenTab, axe_violations, create_meeting, screenshot

pytestmark = pytest.mark.browser

PARTIES = [("Wijkteam", "#E69F00"), ("School", "#56B4E9"), ("Huisarts", "#009E73")]
TABS = [
    "Voorbereiden",
    "Delen",
    "Tijdlijn",
    "Thema's",
    "Rode draden",
    "Lessen en afspraken",
    "Afronden",
]


def in_viewport(locator: Locator) -> bool:
    box = locator.bounding_box()
    size = locator.page.viewport_size
    assert size is not None
    return (
        box is not None
        and box["y"] >= 0
        and box["x"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] + box["width"] <= size["width"]
    )


def open_console(open_tab: OpenTab, live_server: Any, moments: int) -> tuple[Page, Any, Driver]:
    created = create_meeting(live_server.url, PARTIES)
    driver = Driver(open_tab("driver"), created["facilitator_token"])
    parties: dict[str, Any] = driver.tab.page.evaluate("() => window.__driver.meeting.parties")
    party = sorted(parties.values(), key=lambda p: p["position"])[0]["id"]
    for n in range(1, moments + 1):
        moment = driver.send(
            "moment.add",
            text=f"Moment {n}: het wijkteam en de school overleggen over de zorgen thuis",
            when=f"week {n}",
        )["id"]
        for k in range(3):
            driver.send(
                "interpretation.add",
                moment_id=moment,
                party_id=party,
                text=f"Voorbereide duiding {n}.{k}: " + "wij zagen het anders " * 6,
            )
    page = open_tab("console").page
    page.goto(created["links"]["facilitator"])
    expect(page.get_by_role("tab", name="Voorbereiden")).to_be_visible()
    expect(page.locator("#meeting-title")).to_have_text("Casus test")
    expect(page.get_by_test_id("prepare-moments").locator("li").first).to_be_visible()
    return page, created, driver


def test_fifteen_moments_by_keyboard_and_clicker(open_tab: OpenTab, live_server: Any) -> None:
    page, _, driver = open_console(open_tab, live_server, 15)
    page.get_by_role("tab", name="Voorbereiden").click()
    # A shortcut outside part 2 says why nothing happened.
    page.keyboard.press("PageDown")
    expect(page.get_by_test_id("run-feedback")).to_contain_text("deel 2")
    driver.send("meeting.phase", phase="timeline")
    page.get_by_role("tab", name="Tijdlijn").click()
    reveal = page.get_by_test_id("reveal-next")
    now = page.get_by_test_id("run-now")
    for n in range(1, 16):
        # A clicker sends PageDown or the right arrow; focus stays wherever the facilitator left it.
        page.keyboard.press("PageDown" if n % 2 else "ArrowRight")
        feedback = page.get_by_test_id("run-feedback")
        expect(feedback).to_have_text(re.compile(rf"^Getoond: {n}\. Moment {n}\b"))
        expect(
            page.get_by_role("status").filter(has_text=f"Getoond: {n}. Moment {n}").first
        ).to_be_visible()
        expect(now).to_contain_text(f"Moment {n}: het wijkteam")
        # The list grows below; scroll to its end as a facilitator reading along would.
        page.evaluate("() => scrollTo(0, document.documentElement.scrollHeight)")
        assert in_viewport(reveal) and in_viewport(now), f"step {n}: controls out of view"
        if n == 15:
            screenshot(page, "console-fifteen-moments")
    expect(reveal).to_be_disabled()
    # Back to an earlier moment from beside the controls, by keyboard only.
    page.get_by_test_id("focus-choice").focus()
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(now).to_contain_text("Moment 1:")
    expect(page.get_by_test_id("run-feedback")).to_contain_text("Nu in bespreking: 1. Moment 1")
    choice = page.get_by_test_id("focus-choice")
    choice.select_option(choice.locator("option").last.get_attribute("value"))
    page.get_by_test_id("focus-chosen").click()
    expect(now).to_contain_text("Moment 15:")
    # Undo by clicker: the last moment goes back to the draft.
    page.keyboard.press("PageUp")
    expect(page.get_by_test_id("run-feedback")).to_have_text(
        "Het laatst getoonde moment is weer verborgen."
    )
    expect(now).to_contain_text("Moment 14:")
    # Never while typing: the key stays in the field, nothing is revealed.
    field = page.get_by_test_id("behalf-text")
    field.click()
    page.keyboard.type("Wij wisten het niet")
    page.keyboard.press("PageDown")
    page.keyboard.press("ArrowLeft")
    expect(field).to_be_focused()
    expect(field).to_have_value("Wij wisten het niet")
    expect(page.locator("#run-progress")).to_contain_text("14")
    expect(now).to_contain_text("Moment 14:")


def visible_text(page: Page) -> str:
    text: str = page.evaluate(
        """() => document.body.innerText + '\\n' + [...document.querySelectorAll('input, textarea')]
              .filter((e) => e.offsetParent !== null).map((e) => e.value).join('\\n')"""
    )
    return text


def test_projected_console_shows_no_token(open_tab: OpenTab, live_server: Any) -> None:
    page, created, driver = open_console(open_tab, live_server, 2)
    secrets = [
        created["facilitator_token"],
        created["cofacilitator_token"],
        created["wall_token"],
    ]
    # An intake link shows when made (asked for), and is masked again once the tab is left.
    page.get_by_role("tab", name="Voorbereiden").click()
    row = page.get_by_test_id("intake-party").filter(has_text="Wijkteam")
    row.get_by_role("button", name=re.compile("uitvraaglink voor Wijkteam")).click()
    intake = row.get_by_test_id("intake-link")
    expect(intake).to_have_value(re.compile(r"/intake#"))
    secrets.append(intake.input_value().split("#", 1)[1])
    page.get_by_role("tab", name="Tijdlijn").click()
    page.get_by_role("tab", name="Voorbereiden").click()
    expect(intake).not_to_have_value(re.compile(r"/intake#"))
    assert secrets[-1] not in visible_text(page)
    row.get_by_test_id("intake-link-show").click()
    expect(intake).to_have_value(re.compile(r"/intake#"))

    # Starting part 1 stays off the sharing tab.
    page.locator("button[data-phase='introduction']").click()
    expect(page.locator("button[data-phase='introduction']")).to_have_attribute(
        "aria-current", "step"
    )
    expect(page.get_by_role("tab", name="Delen")).not_to_have_attribute("aria-selected", "true")
    for name in TABS:
        page.get_by_role("tab", name=name).click()
        expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")
        text = visible_text(page)
        assert not any(secret in text for secret in secrets), f"a token shows in tab {name}"
    # Asked for, a link shows; leaving the tab hides it again.
    page.get_by_role("tab", name="Delen").click()
    page.get_by_test_id("show-wall_url").click()
    expect(page.get_by_test_id("share-wall_url")).to_have_value(
        re.compile(re.escape(created["wall_token"]))
    )
    page.get_by_role("tab", name="Tijdlijn").click()
    page.get_by_role("tab", name="Delen").click()
    assert created["wall_token"] not in visible_text(page)

    # Presentation mode: no sharing tab, no links, no destructive control in any tab.
    page.get_by_test_id("present-toggle").click()
    expect(page.get_by_role("tab", name="Delen")).to_be_hidden()
    expect(page.get_by_role("tab", name="Tijdlijn")).to_have_attribute("aria-selected", "true")
    driver.send("meeting.phase", phase="timeline")
    for name in [tab for tab in TABS if tab != "Delen"]:
        page.get_by_role("tab", name=name).click()
        text = visible_text(page)
        assert not any(secret in text for secret in secrets), name
        assert "/wall" not in text and "/join#" not in text, name
        danger = page.locator(".button--danger:visible")
        expect(danger).to_have_count(0)
    page.get_by_role("tab", name="Tijdlijn").click()
    page.keyboard.press("PageDown")
    expect(page.get_by_test_id("run-now")).to_contain_text("Moment 1:")
    screenshot(page, "console-presentation-mode")
    assert axe_violations(page) == []
    # A toast steps aside for what lies under it: the pointer reaching it puts it away at once,
    # rather than it covering a card's buttons for five seconds.
    page.keyboard.press("PageDown")
    shown = page.get_by_test_id("messages").get_by_text("Getoond: 2.")
    expect(shown).to_be_visible()
    shown.hover()
    expect(shown).to_have_count(0, timeout=1000)
    # The phase stepper still works while presenting, and stays off any sharing tab.
    page.locator("button[data-phase='reflection']").click()
    expect(page.get_by_role("tab", name="Rode draden")).to_have_attribute("aria-selected", "true")


def test_saves_confirm_empty_states_and_wall_language(open_tab: OpenTab, live_server: Any) -> None:
    page, created, driver = open_console(open_tab, live_server, 0)
    page.get_by_role("tab", name="Tijdlijn").click()
    expect(page.locator("#run-next")).to_contain_text("Er zijn nog geen momenten")
    expect(page.locator("#run-next")).not_to_contain_text("Alle momenten zijn getoond")

    page.get_by_role("tab", name="Voorbereiden").click()
    agenda = page.locator("#agenda-form")
    agenda.get_by_role("button", name="Agenda opslaan").click()
    expect(agenda.get_by_role("status")).to_have_text("Agenda opgeslagen.")
    rules = page.locator("#rules-form")
    first = rules.locator("textarea").first
    long_rule = "Spreek vanuit je eigen ervaring en rol, " * 7
    first.fill(long_rule.strip())
    assert page.evaluate("(e) => e.scrollHeight <= e.clientHeight + 2", first.element_handle()), (
        "the ground rule box cuts its text"
    )
    rules.get_by_role("button", name="Spelregels opslaan").click()
    expect(rules.get_by_role("status")).to_contain_text("Spelregels opgeslagen.")
    driver.tab.page.wait_for_function(
        "() => window.__driver.meeting.ground_rules[0].startsWith('Spreek vanuit je eigen')"
    )

    # A refused save says so, and keeps what was typed: 16 rules is one over the limit.
    while rules.locator("textarea").count() < 16:
        page.locator("#rules-add").click()
        rules.locator("textarea").last.fill(f"Regel {rules.locator('textarea').count()}")
    rules.get_by_role("button", name="Spelregels opslaan").click()
    status = rules.get_by_role("status")
    expect(status).to_have_text(re.compile("^Niet opgeslagen"))
    expect(status).to_have_attribute("data-kind", "error")
    expect(rules.locator("textarea").last).to_have_value("Regel 16")

    # The wall follows the language its link asks for.
    wall = open_tab("wall", "wall").page
    wall.goto(created["links"]["wall"].replace("/wall#", "/wall?lang=en#"))
    expect(wall.get_by_role("heading", name="Ground rules")).to_be_visible()
    expect(wall.locator("html")).to_have_attribute("lang", "en")
