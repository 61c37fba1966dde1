"""Playwright against Debian's Chromium: one browser for tests/browser/, one context per device.

Every page opened through :func:`open_tab` records what the browser tests check afterwards: each
request URL (all must stay on the server's own origin), each WebSocket frame received (drafts must
never reach a participant), JavaScript errors and dialogs (a canary must never run), and the
encoded size of every response (the participant's transfer budget).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Page,
    Playwright,
    Request,
    Response,
    WebSocket,
    sync_playwright,
)

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "artefacts"
AXE = next((ROOT / "web" / "vendor").glob("axe-core-*/axe.min.js"), None)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
Device = Literal["laptop", "phone", "wall"]
DEVICES: dict[Device, dict[str, Any]] = {
    "laptop": {"viewport": {"width": 1366, "height": 900}},
    # The narrowest phone the participant view is built for.
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "wall": {"viewport": {"width": 1920, "height": 1080}},
}


def chromium_path() -> str | None:
    configured = os.environ.get("TIJDLIJN_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class Tab:
    """A page in its own browser context (its own storage, cookies and network switch)."""

    name: str
    context: BrowserContext
    page: Page
    origin: str
    requests: list[str] = field(default_factory=list)
    frames: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    # (url, encoded body bytes, header bytes) of every finished response.
    transfers: list[tuple[str, int, int]] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        own = urlsplit(self.origin)
        out = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                out.append(url)  # our pages make none; a data: URL would be smuggled content
                continue
            same_host = (parts.hostname, parts.port) == (own.hostname, own.port)
            if not same_host or parts.scheme not in ("http", "ws"):
                out.append(url)
        return out

    def problems(self) -> list[str]:
        """JavaScript errors, dialogs (a canary that ran) and failed loads (a browser's own
        favicon probe aside)."""
        failed = [f for f in self.failed if not f.endswith("/favicon.ico")]
        return self.errors + [f"dialog: {d}" for d in self.dialogs] + failed

    def transferred_bytes(self) -> int:
        return sum(body + headers for _, body, headers in self.transfers)

    def set_offline(self, offline: bool) -> None:
        self.context.set_offline(offline)


def _record(tab: Tab) -> None:
    page = tab.page

    def on_request(request: Request) -> None:
        tab.requests.append(request.url)

    def on_finished(request: Request) -> None:
        sizes = request.sizes()
        tab.transfers.append(
            (request.url, int(sizes["responseBodySize"]), int(sizes["responseHeadersSize"]))
        )

    def on_websocket(ws: WebSocket) -> None:
        tab.requests.append(ws.url)

        def on_frame(payload: str | bytes) -> None:
            text = payload if isinstance(payload, str) else payload.decode(errors="replace")
            tab.frames.append(text)

        ws.on("framereceived", on_frame)

    def on_console(message: ConsoleMessage) -> None:
        # Failed loads are recorded with their URL below; everything else logged as an error counts.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            tab.errors.append(f"console: {message.text}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            tab.failed.append(f"{response.status} {response.url}")

    def on_dialog(dialog: Dialog) -> None:
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("request", on_request)
    page.on("requestfinished", on_finished)
    page.on("response", on_response)
    page.on("websocket", on_websocket)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: tab.errors.append(f"pageerror: {exc}"))
    page.on("dialog", on_dialog)


# Package scope, not session: Playwright's sync API keeps an event loop running while it is
# active, which would break the async tests that run after tests/browser/ in the same session.
@pytest.fixture(scope="package")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        # Never a skip: `make test` installs Chromium, so a missing one is a broken setup.
        pytest.fail("Chromium not found: run `make test` (it installs it) or set TIJDLIJN_CHROMIUM")
    browser = playwright_instance.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


OpenTab = Callable[..., Tab]


@pytest.fixture
def open_tab(browser: Browser, live_server: Any) -> Iterator[OpenTab]:
    """open_tab(name, device) -> a Tab on a fresh context; all are closed after the test."""
    tabs: list[Tab] = []

    def open_(name: str, device: Device = "laptop") -> Tab:
        context = browser.new_context(
            base_url=live_server.url,
            locale="nl-NL",
            service_workers="block",
            **DEVICES[device],
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        tab = Tab(name=name, context=context, page=page, origin=live_server.url)
        _record(tab)
        tabs.append(tab)
        return tab

    yield open_
    for tab in tabs:
        tab.context.close()


def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Run the vendored axe-core in the page; the violations of the given impacts, readable."""
    assert AXE is not None, "web/vendor/axe-core-*/axe.min.js is missing: run npm run vendor"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # From the server itself: the pages' CSP rightly refuses an inline copy.
        page.add_script_tag(url=f"/static/vendor/{AXE.parent.name}/{AXE.name}")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}"
        for v in result
        if v["impact"] in impacts
    ]


def screenshot(page: Page, name: str) -> Path:
    ARTEFACTS.mkdir(exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def create_meeting(base_url: str, parties: list[tuple[str, str]], title: str = "Casus test") -> Any:
    """POST /api/meetings, as the facilitator console does; the response body."""
    import httpx

    body = {
        "title": title,
        "initials": "J.K.",
        "parties": [{"name": name, "colour": colour} for name, colour in parties],
    }
    response = httpx.post(f"{base_url}/api/meetings", json=body, timeout=10.0)
    assert response.status_code == 201, response.text
    return response.json()


class Driver:
    """A facilitator in a browser tab, for arranging a meeting quickly without the console.

    It runs the pages' own web/shared/connection.js (so the same client code is exercised) on the
    server's origin; ``send`` returns the ack. Writes are spread over a few connections because
    the server limits writes per connection (a burst of 20, then 5 a second), which a person
    never hits but a test arranging 60 items would.
    """

    def __init__(self, tab: Tab, token: str, connections: int = 4) -> None:
        self.tab = tab
        self.turn = 0
        self.connections = connections
        tab.page.goto("/")
        tab.page.evaluate(
            """async ([token, count]) => {
                const { connectMeeting } = await import('/static/shared/connection.js');
                const { applyChanges } = await import('/static/shared/state.js');
                const driver = { meeting: null, conns: [] };
                window.__driver = driver;
                for (let i = 0; i < count; i += 1) {
                  driver.conns.push(connectMeeting({
                    token,
                    onSnapshot(s) { if (i === 0) driver.meeting = s.meeting; },
                    onEvent(e) { if (i === 0) applyChanges(driver.meeting, e.changes); },
                  }));
                }
            }""",
            [token, connections],
        )
        tab.page.wait_for_function(
            "() => window.__driver.conns.every((c) => c.status() === 'online')"
        )

    def send(self, name: str, **payload: Any) -> dict[str, Any]:
        self.turn = (self.turn + 1) % self.connections
        ack: dict[str, Any] = self.tab.page.evaluate(
            "([i, name, payload]) => window.__driver.conns[i].send(name, payload)",
            [self.turn, name, payload],
        )
        assert ack.get("ok"), f"{name} refused: {ack}"
        return ack
