"""The console asks for the facilitator key, in Dutch, when the server needs one
(docs/security.md "Creating meetings")."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, expect

from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser
KEY = "sleutel-van-de-beheerder-42424242"


def test_the_console_asks_for_the_key_and_keeps_it_in_the_tab(
    browser: Browser, start_server: Callable[..., ServerProcess]
) -> None:
    server = start_server(env={"TIJDLIJN_FACILITATOR_KEYS": KEY})
    context = browser.new_context(base_url=server.url, locale="nl-NL")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/facilitator#new")
        form = page.get_by_test_id("new-meeting-form")
        key = page.get_by_label("Toegangssleutel")
        expect(key).to_be_hidden()  # not asked for until the server says so
        form.get_by_label("Titel van de bijeenkomst").fill("Casus met sleutel")
        form.get_by_label("Initialen van de casus").fill("J.K.")
        form.get_by_role("button", name="Bijeenkomst aanmaken").click()
        expect(page.locator("#new-error")).to_contain_text("toegangssleutel")
        expect(key).to_be_visible()
        expect(key).to_be_focused()
        key.fill("een-verkeerde-sleutel-00000")
        form.get_by_role("button", name="Bijeenkomst aanmaken").click()
        expect(key).to_have_attribute("aria-invalid", "true")
        key.fill(KEY)
        form.get_by_role("button", name="Bijeenkomst aanmaken").click()
        expect(page.get_by_role("tab", name="Voorbereiden")).to_be_visible()
        # The key stays in the tab's memory: nothing in storage.
        stored = page.evaluate(
            "() => JSON.stringify({...sessionStorage}) + JSON.stringify({...localStorage})"
        )
        assert KEY not in stored
    finally:
        context.close()
