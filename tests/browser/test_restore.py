"""A meeting the server lost is restored from the facilitator's console, and nobody rejoins.

Either the embedded server is killed (``kill -9``: everything in its memory is gone) and started
again on the same address with the same state folder (so the same capsule key), or the Redis it
uses is restarted empty while it runs. The console, which
kept the sealed copy in IndexedDB, gives it back by itself; the phone and the wall say the
connection is being restored, then carry on where they were, without retyping or rejoining.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.pages import Console, Phone, Wall
from tests.support.browser import DEVICES, Device, OpenTab, Tab, _record, screenshot
from tests.support.faults import RedisServer
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser

KEPT = """async (seq) => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open('tijdlijn', 1);
    r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error);
    r.onupgradeneeded = () => r.result.createObjectStore('capsules', {keyPath: 'id'});
  });
  const all = await new Promise((ok) => {
    const r = db.transaction('capsules').objectStore('capsules').getAll();
    r.onsuccess = () => ok(r.result);
  });
  db.close();
  return all.some((k) => k.seq >= seq);
}"""


class Deployment:
    """One server, on the embedded store or on a Redis, that can lose every meeting it has."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind = kind
        self.env = {"TIJDLIJN_STATE_DIR": str(folder / "state")}
        self.redis = RedisServer(folder) if kind == "redis" else None
        self.server = self._start()

    def _start(self, port: int | None = None) -> ServerProcess:
        args = ("--redis-url", self.redis.url) if self.redis else ()
        return ServerProcess(*args, env=self.env, port=port)

    def lose_everything(self) -> None:
        """The embedded server killed and started again; or Redis restarted empty."""
        if self.redis is not None:
            self.redis.restart_empty()
            return
        port = self.server.port
        self.server.kill()
        self.server.cleanup()
        self.server = self._start(port)

    def close(self) -> None:
        self.server.cleanup()
        if self.redis is not None:
            self.redis.stop()


@pytest.fixture(params=["embedded", pytest.param("redis", marks=pytest.mark.redis)])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    deployed = Deployment(request.param, tmp_path)
    yield deployed
    deployed.close()


def wait_until(check: Callable[[], object], what: str, within: float = 10.0) -> None:
    """Poll a page-side condition (Playwright's own wait does not await a promise's value)."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)  # polling a browser's storage, which sends no event we could wait on


def tab_on(browser: Browser, url: str, name: str, device: Device) -> Tab:
    context = browser.new_context(
        base_url=url, locale="nl-NL", service_workers="block", **DEVICES[device]
    )
    context.set_default_timeout(15_000)
    tab = Tab(name=name, context=context, page=context.new_page(), origin=url)
    _record(tab)
    return tab


def test_a_lost_meeting_comes_back_from_the_console(
    browser: Browser, deployment: Deployment
) -> None:
    server = deployment.server
    tabs = [
        tab_on(browser, server.url, "facilitator", "laptop"),
        tab_on(browser, server.url, "wall", "wall"),
        tab_on(browser, server.url, "phone", "phone"),
    ]
    try:
        console, wall, phone = Console(tabs[0]), Wall(tabs[1]), Phone(tabs[2])
        console.create("Casus herstel", "H.K.", ["Wijkteam", "School"])
        console.add_moment("Melding bij het wijkteam", "maart 2024")
        console.add_moment("Overleg op school", "april 2024")
        shared = console.share()
        wall.page.goto(shared["wall"])
        phone.join(shared["code"], "Wijkteam")
        console.phase("timeline")
        console.reveal_next()
        expect(phone.current()).to_contain_text("Melding bij het wijkteam")
        phone.add_interpretation("We hoorden het pas later")
        expect(phone.current().get_by_text("We hoorden het pas later")).to_have_count(1)
        expect(wall.page.get_by_text("We hoorden het pas later")).to_be_visible()
        # The console keeps a capsule that includes the interpretation (its seq is 5 or more:
        # two moments, the phase, the reveal, the interpretation).
        wait_until(lambda: console.page.evaluate(KEPT, 5), "a capsule at seq 5 in IndexedDB")

        deployment.lose_everything()

        # Every device is back by itself: the console restored the meeting from its copy.
        for view in (phone, wall):
            label = view.page.locator("#connection .connection__label")
            expect(label).to_have_text("verbonden", timeout=30_000)
        expect(console.page.get_by_text("De bijeenkomst is hersteld")).to_be_visible()
        expect(phone.current()).to_contain_text("Melding bij het wijkteam")
        expect(phone.current().get_by_text("We hoorden het pas later")).to_have_count(1)
        expect(wall.page.get_by_text("We hoorden het pas later")).to_be_visible()
        # Same code, and the meeting goes on: a new interpretation reaches the wall.
        console.tab_to("Delen")
        expect(console.page.get_by_test_id("share-code")).to_have_text(
            re.compile(shared["code"][:3])
        )
        phone.add_interpretation("Daarna ging het sneller")
        expect(wall.page.get_by_text("Daarna ging het sneller")).to_be_visible()
        console.reveal_next()
        expect(phone.current()).to_contain_text("Overleg op school")
        screenshot(wall.page, "restore-wall-after")
        for tab in tabs:
            # The browser logs each refused dial while the server was down; nothing else.
            errors = [e for e in tab.errors if "ERR_CONNECTION_REFUSED" not in e]
            assert errors == [], errors
    finally:
        for tab in tabs:
            tab.context.close()


def test_a_preparation_says_how_long_it_is_kept_and_warns_before(
    open_tab: OpenTab, tmp_path: Path
) -> None:
    console = Console(open_tab("facilitator", "laptop"))
    console.create("Casus voorbereiding", "V.B.", ["Wijkteam", "School"])
    notice = console.page.get_by_test_id("lifetime")
    # No planned date yet: kept two weeks after the last change, and it says so.
    expect(notice).to_contain_text("Deze voorbereiding wordt bewaard tot")
    expect(notice.get_by_test_id("lifetime-export")).to_have_count(0)
    # A meeting planned for today is kept until the end of tomorrow: within the warning time,
    # with the export one click away.
    today = time.strftime("%Y-%m-%d")
    notice.get_by_label("Geplande datum").fill(today)
    notice.get_by_test_id("planned-date-save").click()
    expect(notice).to_contain_text("Let op: deze bijeenkomst wordt op")
    exported = console.download(notice.get_by_test_id("lifetime-export"), tmp_path)
    assert '"moments"' in exported.read_text(encoding="utf-8")
    # Once the meeting runs, the preparation notice makes room.
    console.phase("introduction")
    expect(notice).to_be_hidden()
