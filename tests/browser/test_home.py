"""The start page: two choices, Dutch first, English on request, accessible."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import OpenTab, axe_violations

pytestmark = pytest.mark.browser


def test_two_choices_in_either_language(open_tab: OpenTab) -> None:
    tab = open_tab("home", "phone")
    page = tab.page
    page.goto("/")
    expect(page.get_by_role("link", name="Nieuwe bijeenkomst")).to_have_attribute(
        "href", "/facilitator#new"
    )
    join = page.get_by_role("link", name="Meedoen met een code")
    expect(join).to_have_attribute("href", "/join")
    assert axe_violations(page) == []

    page.get_by_label("Taal").select_option("en")
    expect(page.get_by_role("link", name="Join with a code")).to_be_visible()
    expect(page).to_have_title("Tijdlijn: case reconstruction")
    # The choice holds for this tab, also on the next page.
    page.get_by_role("link", name="Join with a code").click()
    expect(page.get_by_role("heading", name="Join with a code")).to_be_visible()
    assert tab.problems() == []
    assert tab.foreign_requests() == []
