"""Reveal click to painted text: 12 phones and the wall in one Chromium, as in the room.

Starts a real `tijdlijn serve`, prepares a meeting with 4 parties and REVEALS draft moments, opens
the facilitator console, 12 participant phones (360x740, joined through /join as people do) and
the wall (1920x1080) as pages of one Chromium, then clicks "Volgende moment tonen" REVEALS times.
Each device records when the new moment's text was painted (a MutationObserver, then the frame
after it); the time from the click is reported as p50/p99 per device kind and overall. Bounded:
it stops after REVEALS reveals (each waits at most 10 s). Not a test: a number to watch. Run:

    .venv/bin/python bench/bench_reveal_paint.py --reveals 20

The aim (issue 10) is p99 <= 150 ms on this kind of machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser.pages import Phone
from tests.support.browser import CHROMIUM_ARGS, DEVICES, Device, Tab, chromium_path
from tests.support.server import ServerProcess

PARTIES = [
    ("Wijkteam", "#E69F00"),
    ("School", "#56B4E9"),
    ("Huisarts", "#009E73"),
    ("GGZ", "#0072B2"),
]
PREFIX = "Bench moment"

# Installed in every phone and the wall: when a moment text "Bench moment N" first appears,
# the time of the frame after it (rAF, then a task: the frame has been painted by then).
WATCH = """(prefix) => {
  window.__painted = {};
  const seen = new Set();
  const check = () => {
    for (const node of document.querySelectorAll('.moment-card__text, .w-moment__text')) {
      const text = node.textContent || '';
      if (!text.startsWith(prefix) || seen.has(text)) continue;
      seen.add(text);
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          window.__painted[text] = performance.timeOrigin + performance.now();
        };
        channel.port2.postMessage(0);
      });
    }
  };
  const options = {childList: true, subtree: true, characterData: true};
  new MutationObserver(check).observe(document.body, options);
  check();
}"""


# Before any page script: when a WebSocket frame naming "Bench moment N" arrived (delivery),
# so the report splits server + network from the page's own work.
ARRIVALS = """(() => {
  window.__arrived = {};
  window.__scripted = {};
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const at = performance.timeOrigin + performance.now();
        const match = typeof event.data === 'string' && event.data.match(/Bench moment \\d+:/);
        if (match && !(match[0] in window.__arrived)) {
          window.__arrived[match[0]] = at;
          // The next task runs once the page's own handler (apply, render) has finished.
          const key = match[0];
          setTimeout(() => {
            window.__scripted[key] = performance.timeOrigin + performance.now();
          });
        }
      });
    }
  };
})();"""
ARRIVED_AT = "(p) => [window.__arrived[p], window.__scripted[p]]"
PAINTED_AT = "(p) => Object.entries(window.__painted).find(([t]) => t.startsWith(p))[1]"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def prepare(url: str, reveals: int) -> dict[str, Any]:
    created: dict[str, Any] = httpx.post(
        f"{url}/api/meetings",
        json={
            "title": "Bench",
            "initials": "B.M.",
            "parties": [{"name": n, "colour": c} for n, c in PARTIES],
        },
        timeout=10,
    ).json()
    return created


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reveals", type=int, default=20)
    parser.add_argument("--phones", type=int, default=12)
    args = parser.parse_args()
    path = chromium_path()
    if path is None:
        sys.exit("Chromium not found: run `make test` once (it installs it)")
    server = ServerProcess()
    try:
        created = prepare(server.url, args.reveals)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)

            def tab(name: str, device: Device) -> Tab:
                context = browser.new_context(
                    base_url=server.url, locale="nl-NL", service_workers="block", **DEVICES[device]
                )
                context.set_default_timeout(15_000)
                context.add_init_script(ARRIVALS)
                return Tab(name=name, context=context, page=context.new_page(), origin=server.url)

            console = tab("console", "laptop").page
            console.goto(created["links"]["facilitator"])
            console.get_by_role("tab", name="Voorbereiden").wait_for()
            for n in range(1, args.reveals + 1):
                form = console.get_by_test_id("moment-add-form")
                form.get_by_label("Wat gebeurde er?").fill(f"{PREFIX} {n}: overleg over de zorgen")
                form.get_by_role("button", name="Moment toevoegen").click()
                console.get_by_test_id("prepare-moments").get_by_text(f"{PREFIX} {n}:").wait_for()
            console.locator("button[data-phase='timeline']").click()
            console.get_by_role("tab", name="Tijdlijn").click()

            watchers: list[tuple[str, Page]] = []
            wall = tab("wall", "wall").page
            wall.goto(created["links"]["wall"])
            watchers.append(("wall", wall))
            names = [name for name, _ in PARTIES]
            for i in range(args.phones):
                phone = Phone(tab(f"phone-{i}", "phone"))
                phone.join(created["join_code"], names[i % len(names)], type_code=False)
                watchers.append(("phone", phone.page))
            for _, page in watchers:
                page.evaluate(WATCH, PREFIX)
            console.evaluate(
                """() => document.addEventListener('click', (e) => {
                    if (e.target.closest('#reveal-next'))
                      window.__clicked = performance.timeOrigin + performance.now();
                }, true)"""
            )

            samples: dict[str, list[float]] = {"phone": [], "wall": []}
            delivery: list[float] = []
            page_work: list[float] = []
            script: list[float] = []
            button = console.get_by_test_id("reveal-next")
            for n in range(1, args.reveals + 1):
                text_start = f"{PREFIX} {n}:"
                button.click()
                clicked = float(console.evaluate("() => window.__clicked"))
                for kind, page in watchers:
                    page.wait_for_function(
                        "(p) => Object.keys(window.__painted).some((t) => t.startsWith(p))",
                        arg=text_start,
                        timeout=10_000,
                    )
                    painted = float(page.evaluate(PAINTED_AT, text_start))
                    samples[kind].append(painted - clicked)
                    arrived, scripted = page.evaluate(ARRIVED_AT, text_start)
                    if arrived is not None:
                        delivery.append(float(arrived) - clicked)
                        page_work.append(painted - float(arrived))
                    if arrived is not None and scripted is not None:
                        script.append(float(scripted) - float(arrived))
                time.sleep(0.3)  # a breath between reveals, as a facilitator's pace (bench only)
            browser.close()
        every = samples["phone"] + samples["wall"]
        print(f"devices      {args.phones} phones + 1 wall in one Chromium, {args.reveals} reveals")
        print(
            f"load         {os.getloadavg()[0]:.1f} (1-minute load average, {os.cpu_count()} cores)"
        )
        for kind in ("phone", "wall"):
            values = samples[kind]
            print(
                f"{kind:<12} p50 {statistics.median(values):6.1f} ms   "
                f"p99 {percentile(values, 0.99):6.1f} ms   max {max(values):6.1f} ms"
            )
        if delivery:
            print(
                f"{'delivered':<12} p50 {statistics.median(delivery):6.1f} ms   "
                f"p99 {percentile(delivery, 0.99):6.1f} ms   (click to frame in the page)"
            )
            print(
                f"{'page work':<12} p50 {statistics.median(page_work):6.1f} ms   "
                f"p99 {percentile(page_work, 0.99):6.1f} ms   (frame to painted text)"
            )
        if script:
            print(
                f"{'script':<12} p50 {statistics.median(script):6.1f} ms   "
                f"p99 {percentile(script, 0.99):6.1f} ms   (the page's handler: apply and render)"
            )
        print(
            f"all          p50 {statistics.median(every):6.1f} ms   "
            f"p99 {percentile(every, 0.99):6.1f} ms   (aim: p99 <= 150 ms)"
        )
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
