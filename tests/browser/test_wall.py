"""The wall screen: readable from 5 metres, never scrolls, follows the phase, reconnects itself."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.pages import Wall
from tests.support.browser import Driver, OpenTab, axe_violations, create_meeting, screenshot

pytestmark = pytest.mark.browser

PARTIES = [("Wijkteam", "#E69F00"), ("School", "#56B4E9"), ("Huisarts", "#009E73")]


def arrange(open_tab: OpenTab, live_server: Any) -> tuple[Driver, Wall, dict[str, Any]]:
    created = create_meeting(live_server.url, PARTIES)
    driver = Driver(open_tab("driver"), created["facilitator_token"])
    wall = Wall(open_tab("wall", "wall"))
    wall.page.goto(created["links"]["wall"])
    expect(wall.page.locator("#connection .connection__label")).to_have_text("verbonden")
    return driver, wall, created


def party_ids(driver: Driver) -> list[str]:
    parties: dict[str, Any] = driver.tab.page.evaluate("() => window.__driver.meeting.parties")
    return [p["id"] for p in sorted(parties.values(), key=lambda p: p["position"])]


def test_follows_the_phase_and_reconnects(open_tab: OpenTab, live_server: Any) -> None:
    driver, wall, created = arrange(open_tab, live_server)
    parties = party_ids(driver)
    page = wall.page
    expect(page.locator("#view-intro")).to_be_visible()
    expect(page.get_by_role("heading", name="Spelregels")).to_be_visible()
    page.wait_for_function("() => document.querySelector('#join-qr').naturalWidth > 0")
    assert axe_violations(page) == []
    expect(page.locator("#join-code")).to_have_text(
        f"{created['join_code'][:3]} {created['join_code'][3:]}"
    )

    driver.send("meeting.phase", phase="timeline")
    expect(page.locator("#view-timeline")).to_be_visible()
    first = driver.send("moment.add", text="Eerste melding", when="maart", reveal=True)["id"]
    expect(wall.moment("Eerste melding")).to_have_class(re.compile("w-moment--new"))
    driver.send("theme.flag", label="Informatie delen", target="moment", id=first)
    expect(page.locator("#themes")).to_contain_text("Informatie delen")

    # The network drops; the facilitator goes on; the wall catches up on its own.
    wall.tab.set_offline(True)
    expect(page.locator("#connection .connection__label")).to_have_text("offline")
    driver.send("moment.add", text="Tweede moment tijdens storing", reveal=True)
    wall.tab.set_offline(False)
    expect(wall.moment("Tweede moment tijdens storing")).to_be_visible()
    expect(page.locator("#connection .connection__label")).to_have_text("verbonden")

    driver.send("meeting.phase", phase="reflection")
    driver.send(
        "thread.add", text="Niemand had het overzicht", level="playing_field", moment_ids=[first]
    )
    driver.send("thread.add", text="Nog te plaatsen draad")
    row = page.locator(".w-triangle__row[data-level='playing_field']")
    expect(row).to_contain_text("Niemand had het overzicht")
    expect(row).to_contain_text("Eerste melding")
    expect(row).to_contain_text("Speelveld en spelregels")
    expect(page.locator(".w-triangle__row[data-level='none']")).to_contain_text("Nog te plaatsen")
    screenshot(page, "wall-reflection")

    driver.send("meeting.phase", phase="agreements")
    driver.send(
        "agreement.add",
        text="Wekelijks casusoverleg",
        owner_party_id=parties[1],
        due="2027-03-01",
    )
    agreement = page.locator(".w-agreement", has_text="Wekelijks casusoverleg")
    expect(agreement).to_contain_text("School")
    # The same date words as the report (server/tijdlijn/words.py).
    expect(agreement).to_contain_text("Uiterlijk 1 maart 2027")
    expect(agreement).to_contain_text("Nog niet begonnen")
    screenshot(page, "wall-agreements")
    assert wall.tab.problems() == []
    assert wall.tab.foreign_requests() == []
