"""The wall shows every interpretation: measured box by box at 1920x1080, 1280x720 and portrait.

15 moments with 4 interpretations of 200 characters each: the current and the previous moment are
fully on screen, every other interpretation comes round within one rotation of the pages, and no
text is under the legible minimum (moment text 28px, interpretations 20px).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import Wall
from tests.browser.test_wall import party_ids
from tests.support.browser import Driver, OpenTab, axe_violations, create_meeting, screenshot

pytestmark = pytest.mark.browser

PARTIES = [
    ("Wijkteam", "#E69F00"),
    ("School", "#56B4E9"),
    ("Huisarts", "#009E73"),
    ("Veilig Thuis", "#CC79A7"),
]

THEMES = ["Regie", "Informatie delen", "Wachten op elkaar", "Rolverdeling", "Vertrouwen"]

# Every interpretation box that is on screen: whole, inside its card, inside the viewport, its
# card not overflowing, and the sizes of the type in use.
MEASURE = """() => {
  const vw = innerWidth, vh = innerHeight;
  const inside = (r, o) => r.left >= o.left - 1 && r.right <= o.right + 1
    && r.top >= o.top - 1 && r.bottom <= o.bottom + 1;
  const view = {left: 0, top: 0, right: vw, bottom: vh};
  const cards = [...document.querySelectorAll('#stage li.w-moment')];
  const out = {cards: [], page: document.querySelector('#stage').dataset.page,
    pages: Number(document.querySelector('#stage').dataset.pages || 1),
    scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight, vw, vh]};
  for (const card of cards) {
    const box = card.getBoundingClientRect();
    const text = card.querySelector('.w-moment__text');
    const entry = {
      moment: card.dataset.momentId,
      role: [...card.classList].find(c => /--(current|previous|earlier)$/.test(c)),
      inView: inside(box, view), fits: card.scrollHeight <= card.clientHeight + 1,
      textSize: parseFloat(getComputedStyle(text).fontSize),
      textWhole: text.scrollWidth <= text.clientWidth + 1
        && inside(text.getBoundingClientRect(), box),
      interps: [],
    };
    for (const item of card.querySelectorAll('li.w-interp')) {
      const r = item.getBoundingClientRect();
      const words = item.querySelector('.w-interp__text');
      entry.interps.push({
        id: item.dataset.interpretationId,
        whole: inside(r, box) && inside(r, view) && item.scrollWidth <= item.clientWidth + 1,
        size: parseFloat(getComputedStyle(words).fontSize),
        partySize: parseFloat(getComputedStyle(item.querySelector('.w-interp__party')).fontSize),
      });
    }
    out.cards.push(entry);
  }
  return out;
}"""


def fill_meeting(driver: Driver) -> tuple[list[str], dict[str, list[str]]]:
    parties = party_ids(driver)
    driver.send("meeting.phase", phase="timeline")
    moments: list[str] = []
    interps: dict[str, list[str]] = {}
    for n in range(1, 16):
        text = f"Moment {n}: de school belt de moeder over het verzuim en spreekt een gesprek af"
        moment = driver.send("moment.add", text=text, when=f"week {n}", reveal=True)["id"]
        moments.append(moment)
        interps[moment] = []
        for k, party in enumerate(parties):
            words = f"Duiding {n}.{k} van partij {k + 1}: geen zicht op de thuissituatie "
            words = (
                words + "en hoorden het pas veel later van de andere partijen aan tafel. " * 4
            )[:199] + "."
            assert len(words) == 200
            interps[moment].append(
                driver.send("interpretation.add", moment_id=moment, party_id=party, text=words)[
                    "id"
                ]
            )
    # Recurring themes on the board below the timeline (a typical handful): every one shows.
    for k, label in enumerate(THEMES):
        driver.send("theme.flag", label=label, target="moment", id=moments[k])
    return moments, interps


def check_viewport(
    page: Page, moments: list[str], interps: dict[str, list[str]], name: str
) -> None:
    screenshot(page, f"wall-layout-{name}")
    for label in THEMES:
        expect(page.locator("#themes li", has_text=label)).to_be_in_viewport(ratio=1)
    first = page.evaluate(MEASURE)
    root_w, root_h, vw, vh = first["scroll"]
    assert root_w <= vw and root_h <= vh, first["scroll"]
    by_role = {c["role"]: c for c in first["cards"] if c["role"] != "w-moment--earlier"}
    current, previous = by_role["w-moment--current"], by_role["w-moment--previous"]
    assert current["moment"] == moments[-1] and previous["moment"] == moments[-2]
    for card in (current, previous):
        assert card["inView"] and card["fits"] and card["textWhole"], (name, card)
        assert sorted(i["id"] for i in card["interps"]) == sorted(interps[card["moment"]]), (
            name,
            card,
        )
        assert all(i["whole"] for i in card["interps"]), card

    # One rotation, turned by hand (the same step the timer takes): everything comes round.
    seen: set[str] = set()
    texts_seen: set[str] = set()
    pages = first["pages"]
    for turn in range(pages):
        state = first if turn == 0 else page.evaluate(MEASURE)
        assert state["page"] == str(turn)
        for card in state["cards"]:
            assert card["inView"] and card["fits"] and card["textWhole"], (name, turn, card)
            assert card["textSize"] >= 28, card
            if card["role"] == "w-moment--current":
                assert card["textSize"] >= 28
            texts_seen.add(card["moment"])
            for item in card["interps"]:
                assert item["whole"], (name, turn, card["moment"], item)
                assert item["size"] >= 20 and item["partySize"] >= 20, item
                seen.add(item["id"])
        if turn == 1:
            screenshot(page, f"wall-layout-{name}-page2")
        page.keyboard.press("PageDown")
        if pages > 1:
            expect(page.locator("#stage")).to_have_attribute("data-page", str((turn + 1) % pages))
    assert texts_seen == set(moments), f"{name}: moments never shown: {set(moments) - texts_seen}"
    missing = {i for ids in interps.values() for i in ids} - seen
    assert not missing, f"{name}: {len(missing)} interpretations never fully shown"


def test_every_interpretation_fits_or_comes_round(open_tab: OpenTab, live_server: Any) -> None:
    created = create_meeting(live_server.url, PARTIES)
    driver = Driver(open_tab("driver"), created["facilitator_token"])
    moments, interps = fill_meeting(driver)
    wall = Wall(open_tab("wall", "wall"))
    page = wall.page
    page.goto(created["links"]["wall"])
    expect(page.locator("#connection .connection__label")).to_have_text("verbonden")
    expect(page.locator("#current li.w-interp")).to_have_count(4)

    check_viewport(page, moments, interps, "1920x1080")
    assert axe_violations(page) == []
    for name, size in (("1280x720", (1280, 720)), ("portrait", (1080, 1920))):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.wait_for_function(
            "([w]) => document.querySelector('#stage').getBoundingClientRect().width <= w",
            arg=[size[0]],
        )
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        check_viewport(page, moments, interps, name)
    assert wall.tab.problems() == []


THREADS = """() => [...document.querySelectorAll('#triangle li.w-thread')].map((card) => {
  const r = card.getBoundingClientRect();
  const row = card.closest('.w-triangle__row');
  return {
    level: row.dataset.level,
    inView: r.left >= 0 && r.top >= 0 && r.right <= innerWidth + 1 && r.bottom <= innerHeight + 1,
    whole: card.scrollHeight <= card.clientHeight + 1 && card.scrollWidth <= card.clientWidth + 1,
    textSize: parseFloat(getComputedStyle(card.querySelector('.w-thread__text')).fontSize),
    momentSizes: [...card.querySelectorAll('.w-thread__moments li')]
      .map((li) => parseFloat(getComputedStyle(li).fontSize)),
  };
})"""


def test_triangle_with_four_threads_per_level(open_tab: OpenTab, live_server: Any) -> None:
    created = create_meeting(live_server.url, PARTIES)
    driver = Driver(open_tab("driver"), created["facilitator_token"])
    driver.send("meeting.phase", phase="timeline")
    moments = [
        driver.send(
            "moment.add",
            text=f"Moment {n}: overleg tussen school en wijkteam over het verzuim",
            when=f"week {n}",
            reveal=True,
        )["id"]
        for n in range(1, 9)
    ]
    driver.send("meeting.phase", phase="reflection")
    levels = ["content", "playing_field", "relations"]
    for level in levels:
        for k in range(4):
            driver.send(
                "thread.add",
                text=f"Draad {level} {k + 1}: niemand wist wie de regie had toen het misging",
                level=level,
                moment_ids=[moments[k], moments[k + 4]],
            )
    wall = Wall(open_tab("wall", "wall"))
    page = wall.page
    page.goto(created["links"]["wall"])
    expect(page.locator("#triangle li.w-thread")).to_have_count(12)
    for name, size in (("1920x1080", (1920, 1080)), ("1280x720", (1280, 720))):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.wait_for_function(
            "([w]) => document.querySelector('#triangle').getBoundingClientRect().width <= w",
            arg=[size[0]],
        )
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r)))")
        screenshot(page, f"wall-triangle-{name}")
        cards = page.evaluate(THREADS)
        assert [c["level"] for c in cards] == [lv for lv in levels for _ in range(4)]
        for card in cards:
            assert card["inView"] and card["whole"], (name, card)
            assert card["textSize"] >= (26 if name == "1920x1080" else 22), (name, card)
            assert len(card["momentSizes"]) == 2 and min(card["momentSizes"]) >= 20, (name, card)
        # Top to bottom: content and goal, then the playing field, then relations.
        tops = page.evaluate(
            """() => ['content', 'playing_field', 'relations'].map((l) =>
                document.querySelector(`.w-triangle__row[data-level='${l}']`)
                  .getBoundingClientRect().top)"""
        )
        assert tops == sorted(tops)
    assert wall.tab.problems() == []


def test_agreements_and_lessons_fit_or_come_round(open_tab: OpenTab, live_server: Any) -> None:
    created = create_meeting(live_server.url, PARTIES)
    driver = Driver(open_tab("driver"), created["facilitator_token"])
    parties = party_ids(driver)
    driver.send("meeting.phase", phase="agreements")
    agreements = [
        f"Afspraak {n}: bij zorgen over verzuim belt de school binnen een week het wijkteam "
        "en spreken we samen af wie de regie neemt en wie de ouders informeert"
        for n in range(1, 15)
    ]
    for n, text in enumerate(agreements):
        driver.send("agreement.add", text=text, owner_party_id=parties[n % 4], due="2027-03-01")
    lessons = [f"Les {n}: vraag door als een partij stil valt in het overleg" for n in range(1, 9)]
    for text in lessons:
        driver.send("lesson.add", text=text)
    page = open_tab("wall", "wall").page
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(created["links"]["wall"])
    expect(page.locator("li.w-agreement")).to_have_count(14)
    pages = int(page.locator("#agreements").get_attribute("data-pages") or "1")
    assert pages > 1, "14 long agreements should not fit 1280x720 at once"
    seen: set[str] = set()
    for turn in range(pages):
        shown = page.evaluate(
            """() => [...document.querySelectorAll('li.w-agreement, li.w-lesson')]
                .filter((e) => !e.hidden).map((e) => {
                  const r = e.getBoundingClientRect();
                  return {text: e.querySelector('.w-agreement__text')?.textContent ?? e.textContent,
                    whole: r.top >= 0 && r.bottom <= innerHeight && r.right <= innerWidth,
                    size: parseFloat(getComputedStyle(e).fontSize)};
                })"""
        )
        for item in shown:
            assert item["whole"] and item["size"] >= 20, item
            seen.add(item["text"])
        if turn == 0:
            screenshot(page, "wall-agreements-1280x720")
        page.keyboard.press("PageDown")
    assert set(agreements) | set(lessons) <= seen
