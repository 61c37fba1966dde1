"""What a person does on each page, written once: the tests read as the meeting goes.

Locators use what people see (roles, labels, button texts from the Dutch catalogues); data-*
attributes only where the view itself is the subject (which moment an interpretation hangs under).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, expect

from tests.support.browser import Tab

GONE = "Deze bijeenkomst bestaat niet meer"


class Phone:
    """A participant's phone on /join."""

    def __init__(self, tab: Tab) -> None:
        self.tab = tab
        self.page = tab.page

    def join(self, code: str, party: str, *, type_code: bool = True) -> None:
        page = self.page
        if type_code:
            page.goto("/join")
            field = page.get_by_label("Code van de bijeenkomst")
            # People type codes with spaces and in lower case.
            field.fill(f"{code[:3].lower()} {code[3:]}")
            page.get_by_role("button", name="Verder").click()
        else:
            page.goto(f"/join#{code}")
        page.get_by_role("radio", name=party).check()
        page.get_by_role("button", name="Meedoen").click()
        page.get_by_role("button", name="Ik doe mee volgens deze spelregels").click()
        expect(self.status()).to_have_text("verbonden")

    def status(self) -> Locator:
        return self.page.locator("#connection .connection__label")

    def current(self) -> Locator:
        return self.page.locator("#current-slot article.moment-card")

    def moment(self, text: str) -> Locator:
        return self.page.locator("article.moment-card", has=self.page.get_by_text(text, exact=True))

    def add_interpretation(self, text: str) -> None:
        """Two taps before typing: "Duiding toevoegen", then the field already has focus."""
        card = self.current()
        card.get_by_role("button", name="Duiding toevoegen").click()
        field = card.get_by_role("textbox", name=re.compile("^Jouw duiding namens"))
        expect(field).to_be_focused()
        self.page.keyboard.type(text)
        card.get_by_role("button", name="Versturen").click()

    def agreement(self, text: str) -> Locator:
        return self.page.locator("li.p-agreement", has_text=text)


class Wall:
    """The wall screen on /wall#<token>."""

    def __init__(self, tab: Tab) -> None:
        self.tab = tab
        self.page = tab.page

    def moment(self, text: str) -> Locator:
        """The column of the moment whose text contains ``text``."""
        return self.page.locator("li.w-moment").filter(
            has=self.page.locator(".w-moment__text", has_text=text)
        )

    def interpretations(self, moment_text: str, text: str) -> Locator:
        return self.moment(moment_text).locator("li.w-interp", has_text=text)

    def agreement(self, text: str) -> Locator:
        return self.page.locator("li.w-agreement", has_text=text)


class Console:
    """The facilitator console on /facilitator."""

    def __init__(self, tab: Tab) -> None:
        self.tab = tab
        self.page = tab.page
        # The URL of every file downloaded through :meth:`download` (blob: URLs made in the page).
        self.downloads: list[str] = []

    def create(self, title: str, initials: str, parties: list[str]) -> None:
        page = self.page
        page.goto("/")
        page.get_by_role("link", name="Nieuwe bijeenkomst").click()
        form = page.get_by_test_id("new-meeting-form")
        form.get_by_label("Titel van de bijeenkomst").fill(title)
        form.get_by_label("Initialen van de casus").fill(initials)
        for n, name in enumerate(parties, 1):
            if n > 3:
                form.get_by_role("button", name="Partij toevoegen").click()
            form.get_by_label(f"Naam partij {n}", exact=True).fill(name)
        form.get_by_role("button", name="Bijeenkomst aanmaken").click()
        expect(page.get_by_role("tab", name="Voorbereiden")).to_be_visible()

    def tab_to(self, name: str) -> None:
        self.page.get_by_role("tab", name=name).click()

    def add_moment(self, text: str, when: str) -> None:
        self.tab_to("Voorbereiden")
        form = self.page.get_by_test_id("moment-add-form")
        form.get_by_label("Wat gebeurde er?").fill(text)
        form.get_by_label("Wanneer").fill(when)
        form.get_by_role("button", name="Moment toevoegen").click()
        expect(self.page.get_by_test_id("prepare-moments").get_by_text(text)).to_be_visible()

    def share(self) -> dict[str, Any]:
        self.tab_to("Delen")
        code = self.page.get_by_test_id("share-code")
        expect(code).to_have_text(re.compile(r"\S{3}"))
        # Links are hidden until asked for (a projected console must not show them).
        for key in ("wall_url", "own_url"):
            self.page.get_by_test_id(f"show-{key}").click()
        links = self.page.get_by_test_id("share-links")
        wall = links.locator("a[href*='/wall#'], input[value*='/wall#'], code:has-text('/wall#')")
        expect(wall.first).to_be_attached()
        first = wall.first
        href = first.get_attribute("href") or first.get_attribute("value") or first.inner_text()
        own = self.page.get_by_test_id("share-own_url")
        expect(own).to_have_value(re.compile(r"/facilitator#"))
        return {
            "code": re.sub(r"\s", "", code.inner_text()),
            "wall": href,
            "own": own.input_value(),
        }

    def phase(self, phase: str) -> None:
        self.page.locator(f"button[data-phase='{phase}']").click()
        expect(self.page.locator(f"button[data-phase='{phase}']")).to_have_attribute(
            "aria-current", "step"
        )

    def reveal_next(self) -> None:
        self.tab_to("Tijdlijn")
        self.page.get_by_role("button", name="Volgende moment tonen").click()

    def end_and_delete(self) -> None:
        self.tab_to("Afronden")
        self.page.get_by_role("button", name="Beëindigen en verwijderen…").click()
        dialog = self.page.get_by_role("dialog")
        expect(dialog).to_contain_text("Dit verdwijnt definitief")
        dialog.get_by_role("button", name="Definitief verwijderen").click()
        # The receipt, or (when its ack was lost with the connection) the same news without it.
        deleted = re.compile("Deze bijeenkomst (is verwijderd|bestaat niet meer)")
        expect(self.page.get_by_role("heading", name=deleted)).to_be_visible()

    # After the meeting -------------------------------------------------------------------------

    def token(self) -> str:
        """The facilitator token, from where the console keeps it (sessionStorage, never a URL)."""
        token = self.page.evaluate("() => sessionStorage.getItem('tijdlijn.facilitator.token')")
        assert isinstance(token, str) and "." in token, token
        return token

    def add_thread(self, text: str, level: str, moments: list[str]) -> None:
        """A common thread on a level of the triangle, pointing at moments (by their text)."""
        self.tab_to("Rode draden")
        self.page.get_by_role("button", name="Rode draad toevoegen").click()
        dialog = self.page.get_by_role("dialog")
        dialog.get_by_label("Rode draad", exact=True).fill(text)
        dialog.get_by_label("Niveau in de samenwerkingsdriehoek").select_option(label=level)
        for moment in moments:
            dialog.get_by_role("checkbox", name=re.compile(re.escape(moment))).check()
        dialog.get_by_role("button", name="Rode draad toevoegen").click()
        expect(self.page.get_by_test_id("thread").filter(has_text=text)).to_be_visible()

    def add_lesson(self, text: str) -> None:
        self.tab_to("Lessen en afspraken")
        form = self.page.get_by_test_id("lesson-form")
        form.get_by_label("Wat hebben we geleerd?").fill(text)
        form.get_by_role("button", name="Les toevoegen").click()
        expect(self.page.get_by_test_id("lesson").filter(has_text=text)).to_be_visible()

    def add_agreement(self, text: str, owner: str, due: str | None = None) -> None:
        self.tab_to("Lessen en afspraken")
        form = self.page.get_by_test_id("agreement-form")
        form.get_by_label("Wat gaan we doen?").fill(text)
        form.get_by_label("Eigenaar (partij)").select_option(label=owner)
        if due:
            form.get_by_label("Uiterlijk klaar op (optioneel)").fill(due)
        form.get_by_role("button", name="Werkafspraak toevoegen").click()
        expect(self.agreement(text)).to_contain_text(owner)

    def agreement(self, text: str) -> Locator:
        return self.page.get_by_test_id("agreement").filter(has_text=text)

    def download(self, button: Locator, folder: Path) -> Path:
        """Click ``button`` and keep the file it offers in ``folder`` under its suggested name."""
        with self.page.expect_download() as info:
            button.click()
        download = info.value
        assert download.failure() is None, download.failure()
        target = folder / download.suggested_filename
        download.save_as(target)
        self.downloads.append(download.url)
        return target
