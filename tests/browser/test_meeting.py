"""A whole meeting in real browsers: a facilitator's console, three phones and the wall.

One scenario on purpose: it is the story the product must get right end to end, and starting a
browser per step would make the suite slow. Each step waits for what a person would see.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import GONE, Console, Phone, Wall
from tests.support.browser import OpenTab, Tab, axe_violations, screenshot

pytestmark = pytest.mark.browser

CANARY = "<img src=x onerror=alert(1)>"
DRAFT_BEFORE = "GEHEIM-CONCEPT-4471 huisbezoek gepland"
DRAFT_AFTER = "GEHEIM-LATER-9902 overleg ingelast"
MOMENTS = [
    ("Melding bij het wijkteam over zorgen thuis", "maart 2024"),
    ("School start een zorgoverleg zonder het wijkteam", "april 2024"),
    ("Huisarts verwijst door naar de GGZ", "mei 2024"),
]
PARTIES = ["Wijkteam", "School", "Huisarts"]
# The palette's first three colours, as the console's new-meeting form assigns them.
PARTY_RGB = {"Wijkteam": "rgb(230, 159, 0)", "School": "rgb(86, 180, 233)"}
BUDGET_BYTES = 100 * 1024


def test_whole_meeting(open_tab: OpenTab) -> None:
    console = Console(open_tab("facilitator", "laptop"))
    console.create("Casusreconstructie wijk Noord", "J.K.", PARTIES)
    for text, when in MOMENTS:
        console.add_moment(text, when)
    console.add_moment(DRAFT_BEFORE, "juni 2024")
    shared = console.share()

    wall = Wall(open_tab("wall", "wall"))
    wall.page.goto(shared["wall"])
    expect(wall.page.locator("#view-intro")).to_be_visible()

    phones = [Phone(open_tab(f"phone-{party}", "phone")) for party in PARTIES]
    for phone, party in zip(phones, PARTIES, strict=True):
        phone.join(shared["code"], party)
    budget_phone = phones[0].tab
    first_load = budget_phone.transferred_bytes()

    # A draft added while everyone is connected reaches the facilitator only.
    console.add_moment(DRAFT_AFTER, "juli 2024")

    console.phase("introduction")
    qr = wall.page.locator("#join-qr")
    expect(qr).to_be_visible()
    assert f"/api/join/{shared['code']}/qr.svg" in (qr.get_attribute("src") or "")
    wall.page.wait_for_function("() => document.querySelector('#join-qr').naturalWidth > 0")
    expect(wall.page.locator("#join-code")).to_have_text(re.compile(shared["code"][:3]))

    console.phase("timeline")
    expect(wall.page.locator("#view-timeline")).to_be_visible()
    for text, _ in MOMENTS:
        console.reveal_next()
        for phone in phones:
            expect(phone.current()).to_contain_text(text)
        expect(wall.moment(text)).to_be_visible()
        expect(wall.moment(text)).to_have_class(re.compile("w-moment--current"))
    # Earlier moments stay on the phones, below the current one.
    expect(phones[2].page.locator("#earlier-list article.moment-card")).to_have_count(2)

    # An interpretation from a phone: on the wall under its moment, in its party's colour.
    current_text = MOMENTS[-1][0]
    phones[0].add_interpretation(f"We hoorden het pas later {CANARY}")
    card = wall.interpretations(current_text, "We hoorden het pas later")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(CANARY)  # literally, as text
    expect(card.locator(".w-interp__party")).to_have_text("Wijkteam")
    expect(card).to_have_css("border-left-color", PARTY_RGB["Wijkteam"])
    expect(phones[1].current()).to_contain_text(CANARY)
    for tab in (wall.tab, phones[1].tab):
        assert tab.page.locator("img[src='x']").count() == 0

    # Offline: the write waits on the phone and arrives exactly once when the network is back.
    offline = phones[1]
    offline.tab.set_offline(True)
    expect(offline.status()).to_have_text("offline")
    offline.add_interpretation("Wij zagen dit als een signaal")
    expect(offline.page.locator(".pending")).to_contain_text("Wacht op verbinding")
    offline.tab.set_offline(False)
    expect(offline.status()).to_have_text("verbonden")
    expect(wall.interpretations(current_text, "Wij zagen dit als een signaal")).to_have_count(1)
    expect(offline.page.locator(".pending")).to_have_count(0)
    # Something later must also have arrived, so a late duplicate would have shown by now.
    phones[2].add_interpretation("Wij kregen geen terugkoppeling")
    expect(wall.interpretations(current_text, "Wij kregen geen terugkoppeling")).to_have_count(1)
    for page in (wall.page, offline.page, phones[0].page):
        expect(page.get_by_text("Wij kregen geen terugkoppeling")).to_have_count(1)
        expect(page.get_by_text("Wij zagen dit als een signaal")).to_have_count(1)
    expect(wall.interpretations(current_text, "signaal").locator(".w-interp__party")).to_have_text(
        "School"
    )

    # Drafts never reached a phone: not in the page, not in any WebSocket frame.
    for phone in phones:
        assert phone.tab.frames, "the phone should have talked over a WebSocket"
        html = phone.page.content()
        for draft in (DRAFT_BEFORE, DRAFT_AFTER):
            assert draft not in html
            assert not [f for f in phone.tab.frames if draft[:20] in f]
    # The same search does find the drafts where they belong: the facilitator's frames.
    assert [f for f in console.tab.frames if DRAFT_AFTER[:20] in f]
    assert DRAFT_BEFORE not in wall.page.content()
    assert not [f for f in wall.tab.frames if "GEHEIM" in f]

    for tab in (phones[0].tab, wall.tab, console.tab):
        violations = axe_violations(tab.page)
        assert not violations, f"{tab.name}: {violations}"

    screenshot(phones[0].page, "participant")
    screenshot(wall.page, "wall")
    screenshot(console.page, "facilitator")

    assert first_load < BUDGET_BYTES, f"participant first load: {first_load} bytes"

    console.end_and_delete()
    for phone in phones:
        expect(phone.page.get_by_role("heading", name=GONE)).to_be_visible()
    expect(wall.page.get_by_role("heading", name=GONE)).to_be_visible()

    tabs: list[Tab] = [console.tab, wall.tab, *(p.tab for p in phones)]
    for tab in tabs:
        assert tab.foreign_requests() == [], f"{tab.name} left the origin"
        assert tab.problems() == [], f"{tab.name}: {tab.problems()}"
