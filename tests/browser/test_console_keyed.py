"""The console's lists are keyed: a change elsewhere leaves an unchanged item's element alone.

A facilitator tabbing through the lessons must not lose their place, nor have a screen reader
announce the focused button again, because someone else added a lesson or renamed a party: the
focused button and its list item stay the very same elements; only the changed item is rebuilt.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.browser import Driver, OpenTab, create_meeting

pytestmark = pytest.mark.browser

PARTIES = [("Wijkteam", "#E69F00"), ("School", "#56B4E9")]


def test_an_unchanged_item_keeps_its_element_and_focus(open_tab: OpenTab, live_server: Any) -> None:
    created = create_meeting(live_server.url, PARTIES)
    driver = Driver(open_tab("driver"), created["facilitator_token"])
    first = driver.send("lesson.add", text="Spreek een regiehouder af")["id"]
    driver.send("lesson.add", text="Bel elkaar eerder")
    page = open_tab("console").page
    page.goto(created["links"]["facilitator"])
    page.get_by_role("tab", name="Lessen en afspraken").click()
    lessons = page.get_by_test_id("lesson")
    expect(lessons).to_have_count(2)
    edit = lessons.first.get_by_role("button", name="Les 1 bewerken")
    edit.focus()
    page.evaluate(
        """() => {
            window.__kept = document.activeElement;
            window.__item = document.activeElement.closest("li");
        }"""
    )

    driver.send("lesson.add", text="Deel het verslag binnen een week")
    expect(lessons).to_have_count(3)
    driver.send("lesson.update", id=first, text="Spreek bij elke melding een regiehouder af")
    expect(lessons.first).to_contain_text("bij elke melding")
    # The second lesson did not change: its element, and the focus in it, stay as they were.
    second = lessons.nth(1).get_by_role("button", name="Les 2 bewerken")
    second.focus()
    page.evaluate("() => { window.__kept = document.activeElement; }")
    driver.send("lesson.add", text="Vraag de huisarts mee")
    expect(lessons).to_have_count(4)
    assert page.evaluate("() => document.activeElement === window.__kept"), "focus moved"
    assert page.evaluate("() => window.__kept.isConnected"), "the unchanged item was rebuilt"
    # The changed first lesson was rebuilt in its place, and the list is still in order.
    assert page.evaluate("() => !window.__item.isConnected")
    expect(lessons).to_contain_text(
        [
            "Spreek bij elke melding een regiehouder af",
            "Bel elkaar eerder",
            "Deel het verslag binnen een week",
            "Vraag de huisarts mee",
        ]
    )
