"""The facilitator console by keyboard alone, with a visible focus indicator all the way.

Issue 3: "the facilitator console usable by keyboard alone" and "visible focus". Everything a
facilitator does here goes through page.keyboard (Tab, Shift+Tab, typing, Enter, Space, arrow
keys); locators and page.evaluate only check where focus is and what the page shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypedDict, cast

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import OpenTab

pytestmark = pytest.mark.browser

MOMENTS = [
    ("Melding bij het wijkteam over zorgen thuis", "maart 2024"),
    ("School start een zorgoverleg", "april 2024"),
]
# PALETTE[1] (hemelsblauw): one ArrowDown from the first party row's default, PALETTE[0].
SKY_BLUE = "rgb(86, 180, 233)"


class Focused(TypedDict):
    """What the test can say about the focused element: enough to recognise it, no more."""

    tag: str
    id: str
    role: str
    name: str
    testid: str
    phase: str
    selected: str


Predicate = Callable[[Focused], bool]

# An approximation of the accessible name that is exact for this page's controls: aria-label,
# aria-labelledby, the <label>s of a form control, or a button's, link's or tab's own text.
_FOCUSED_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  const text = (n) => (n ? n.textContent : '').replace(/\\s+/g, ' ').trim();
  let name = e.getAttribute('aria-label') || '';
  const by = e.getAttribute('aria-labelledby');
  if (!name && by) name = by.split(/\\s+/).map((id) => text(document.getElementById(id))).join(' ');
  if (!name && e.labels && e.labels.length) name = [...e.labels].map(text).join(' ');
  if (!name && (['BUTTON', 'A', 'SUMMARY'].includes(e.tagName) || e.getAttribute('role') === 'tab'))
    name = text(e);
  return {
    tag: e.tagName.toLowerCase(), id: e.id || '', role: e.getAttribute('role') || '',
    name: name.trim(), testid: e.dataset.testid || '', phase: e.dataset.phase || '',
    selected: e.getAttribute('aria-selected') || '',
  };
}"""

# What the focused element looks like: an outline or a box-shadow ring, as the CSS resolved it.
_FOCUS_STYLE_JS = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  return {
    outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth, outlineColor: s.outlineColor,
    boxShadow: s.boxShadow,
  };
}"""


def focused(page: Page) -> Focused | None:
    return cast("Focused | None", page.evaluate(_FOCUSED_JS))


def named(name: str | re.Pattern[str]) -> Predicate:
    """The focused element's accessible name is ``name`` (a string) or matches it (a pattern)."""
    if isinstance(name, str):
        return lambda f: f["name"] == name
    return lambda f: bool(name.search(f["name"]))


def role_named(role: str, name: str) -> Predicate:
    """For a name that more than one element carries (a tab and the panel it labels)."""
    return lambda f: f["role"] == role and f["name"] == name


def with_testid(value: str) -> Predicate:
    return lambda f: f["testid"] == value


def tab_to(
    page: Page, predicate: Predicate, max_presses: int = 80, *, backwards: bool = False
) -> Focused:
    """Press Tab (Shift+Tab when ``backwards``) until the focused element matches ``predicate``.

    Fails with the path focus took when it never gets there: the control is not reachable by
    keyboard from where focus was. Every stop on the way must show a visible focus indicator.
    """
    key = "Shift+Tab" if backwards else "Tab"
    path: list[str] = []
    for _ in range(max_presses):
        page.keyboard.press(key)
        now = focused(page)
        if now is None:
            path.append("<body>")
            continue
        path.append(f"{now['tag']}#{now['id'] or now['testid']} {now['name'][:40]!r}")
        assert_focus_visible(page)
        if predicate(now):
            return now
    raise AssertionError(
        f"{key} x{max_presses} never reached the control; focus went: " + " -> ".join(path)
    )


def assert_focus_visible(page: Page) -> None:
    """The focused control shows a focus indicator: an outline or a box-shadow that is there."""
    style = page.evaluate(_FOCUS_STYLE_JS)
    where = focused(page)
    outline = (
        style["outlineStyle"] != "none"
        and float(style["outlineWidth"].removesuffix("px") or 0) > 0
        and style["outlineColor"] not in ("transparent", "rgba(0, 0, 0, 0)")
    )
    shadow = style["boxShadow"] not in ("", "none")
    assert outline or shadow, f"no visible focus indicator on {where}: {style}"


def assert_focus_on(page: Page, predicate: Predicate, what: str) -> None:
    """Focus is (or lands, once the page has settled) on ``what``, without any key press."""
    page.wait_for_function(
        "() => document.activeElement && document.activeElement !== document.body"
    )
    now = focused(page)
    assert now is not None and predicate(now), f"focus should be on {what}, is on {now}"


def test_console_by_keyboard_alone(open_tab: OpenTab) -> None:
    tab = open_tab("facilitator", "laptop")
    page = tab.page

    # From the start page to a new meeting.
    page.goto("/")
    tab_to(page, named(re.compile("^Nieuwe bijeenkomst")))
    page.keyboard.press("Enter")
    form = page.get_by_test_id("new-meeting-form")
    expect(form).to_be_visible()

    tab_to(page, named("Titel van de bijeenkomst"))
    page.keyboard.type("Casusreconstructie toetsenbord")
    tab_to(page, named("Initialen van de casus"))
    page.keyboard.type("J.K.")
    tab_to(page, named("Naam partij 1"))
    page.keyboard.type("Wijkteam")
    colour = tab_to(page, named("Kleur partij 1"))
    assert colour["tag"] == "select"
    page.keyboard.press("ArrowDown")
    expect(form.get_by_label("Kleur partij 1", exact=True)).to_have_value("#56B4E9")

    # The handbook's preconditions are guidance; a checkbox takes Space.
    tab_to(page, with_testid("new-submit"))
    tab_to(page, named("De casus is afgesloten of in rustig vaarwater."))
    page.keyboard.press("Space")
    expect(page.locator("#pre-1")).to_be_checked()
    tab_to(page, named("Bijeenkomst aanmaken"), backwards=True)
    page.keyboard.press("Enter")

    prepare_tab = page.get_by_role("tab", name="Voorbereiden")
    expect(prepare_tab).to_have_attribute("aria-selected", "true")
    party = page.get_by_test_id("party").filter(has_text="Wijkteam")
    expect(party.locator(".party-chip__swatch")).to_have_css("background-color", SKY_BLUE)

    # Preparation: two moments, the second straight from where focus returns after the first.
    tab_to(page, named("Wat gebeurde er?"))
    for n, (text, when) in enumerate(MOMENTS, 1):
        assert_focus_on(page, named("Wat gebeurde er?"), "the moment's text field")
        page.keyboard.type(text)
        tab_to(page, named("Wanneer"))
        page.keyboard.type(when)
        tab_to(page, named("Moment toevoegen"))
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("prepare-moment")).to_have_count(n)
        expect(page.get_by_test_id("prepare-moments")).to_contain_text(text)
        # The form is cleared and focus goes back to its first field for the next moment.
        expect(page.get_by_test_id("moment-text")).to_have_value("")
    assert_focus_on(page, named("Wat gebeurde er?"), "the moment's text field")

    # To the Tijdlijn tab: back to the tab list, then arrow keys (the WAI-ARIA tabs pattern).
    tab_to(page, role_named("tab", "Voorbereiden"), backwards=True)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    run_tab = page.get_by_role("tab", name="Tijdlijn")
    expect(run_tab).to_have_attribute("aria-selected", "true")
    expect(run_tab).to_be_focused()
    assert_focus_visible(page)
    expect(page.locator("#panel-run")).to_be_visible()
    expect(page.locator("#panel-prepare")).to_be_hidden()

    revealed = page.get_by_test_id("run-moment")
    tab_to(page, named("Volgende moment tonen"))
    page.keyboard.press("Enter")
    expect(revealed).to_have_count(1)
    expect(revealed).to_contain_text(MOMENTS[0][0])
    expect(page.locator("#run-progress")).to_have_text("1 van 2 momenten getoond")

    tab_to(page, named("Laatste tonen ongedaan maken"))
    page.keyboard.press("Space")
    expect(revealed).to_have_count(0)
    expect(page.locator("#run-progress")).to_have_text("0 van 2 momenten getoond")
    # With nothing left to undo that button is disabled; focus must not fall out of the page.
    assert_focus_on(page, named("Volgende moment tonen"), "the reveal button")
    assert_focus_visible(page)

    page.keyboard.press("Enter")
    expect(revealed).to_have_count(1)
    expect(revealed).to_contain_text(MOMENTS[0][0])

    # The phase stepper sits above the tabs: back up to it and start the timeline.
    step = page.get_by_test_id("phase-timeline")
    tab_to(page, lambda f: f["phase"] == "timeline", backwards=True)
    page.keyboard.press("Enter")
    expect(step).to_have_attribute("aria-current", "step")
    # The stepper is rebuilt for the new phase; focus stays on the step just chosen.
    assert_focus_on(page, lambda f: f["phase"] == "timeline", "the timeline step")
    assert_focus_visible(page)

    # End and delete, opened and cancelled: focus lands on the safe button and comes back.
    tab_to(page, lambda f: f["role"] == "tab" and f["selected"] == "true")
    page.keyboard.press("End")
    expect(page.get_by_role("tab", name="Afronden")).to_have_attribute("aria-selected", "true")
    tab_to(page, with_testid("end-delete"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Dit verdwijnt definitief")
    expect(dialog.get_by_role("button", name="Annuleren")).to_be_focused()
    assert_focus_visible(page)
    # Enter on the focused (safe) button cancels: nothing is deleted.
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("end-delete")).to_be_focused()
    assert_focus_visible(page)
    expect(page.get_by_test_id("receipt")).to_be_hidden()

    # The same once more, dismissed with Escape this time.
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("button", name="Annuleren")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("end-delete")).to_be_focused()
    expect(page.get_by_test_id("connection-status")).to_contain_text("verbonden")

    assert tab.problems() == [], tab.problems()
    assert tab.foreign_requests() == []
