"""The follow-up review (terugkijkbijeenkomst), months later, from nothing but the pack.

The pack is made by the server from a finished meeting (POST /api/followup/pack, as the console's
download does) and then started the way a facilitator would: the file input on the facilitator
page. Owners set the status of their agreements from their phones; other parties cannot.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.pages import Console, Phone, Wall
from tests.support.browser import Driver, OpenTab, Tab, create_meeting

pytestmark = pytest.mark.browser

PARTIES = [("Wijkteam", "#E69F00"), ("School", "#56B4E9")]
LESSON = "Eerder samen aan tafel bij zorgen"
OURS = "Wijkteam plant een maandelijks casusoverleg"  # owned by Wijkteam
THEIRS = "School meldt verzuim binnen twee weken"  # owned by School
NEW_LESSON = "Het vaste overleg werkt, houd het erin"

SEND_AS = """async ([token, name, payload]) => {
    const { connectMeeting } = await import('/static/shared/connection.js');
    const conn = await new Promise((resolve) => {
      const c = connectMeeting({ token, onSnapshot() { resolve(c); }, onEvent() {} });
    });
    const ack = await conn.send(name, { ...payload });
    conn.close();
    return ack;
}"""


def pack_from_a_finished_meeting(open_tab: OpenTab, base_url: str, folder: Path) -> Path:
    """The file the facilitator downloaded on "Afronden" at the end of the first meeting."""
    created = create_meeting(base_url, PARTIES, title="Terugkijken wijk Zuid")
    driver = Driver(open_tab("first-meeting"), created["facilitator_token"], connections=1)
    parties = driver.tab.page.evaluate("() => window.__driver.meeting.parties")
    ids = {p["name"]: p["id"] for p in parties.values()}
    driver.send("lesson.add", text=LESSON)
    driver.send("agreement.add", text=OURS, owner_party_id=ids["Wijkteam"], due="2025-03-01")
    driver.send("agreement.add", text=THEIRS, owner_party_id=ids["School"])
    answer = httpx.post(
        f"{base_url}/api/followup/pack",
        headers={"Authorization": f"Bearer {created['facilitator_token']}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    path = folder / "vervolgpakket.json"
    path.write_bytes(answer.content)
    return path


def participant_token(phone: Phone) -> str:
    joined = phone.page.evaluate("() => JSON.parse(sessionStorage.getItem('tijdlijn.participant'))")
    token: str = joined["token"]
    return token


def send_as(tab: Tab, token: str, name: str, **payload: Any) -> dict[str, Any]:
    """A write over a connection of its own with ``token``, through the pages' connection.js."""
    ack: dict[str, Any] = tab.page.evaluate(SEND_AS, [token, name, payload])
    return ack


def start_follow_up(console: Console, pack: Path) -> None:
    page = console.page
    page.goto("/facilitator#new")
    form = page.locator("#followup-form")
    # A file that is not a pack is refused with a message, and nothing starts.
    not_a_pack = pack.with_name("iets-anders.json")
    not_a_pack.write_text(json.dumps({"schema": "iets-anders", "version": 1}), encoding="utf-8")
    form.get_by_label("Vervolgpakket (JSON)").set_input_files(not_a_pack)
    form.get_by_role("button", name="Terugkijkbijeenkomst starten").click()
    expect(form.get_by_role("alert")).to_contain_text("Dit vervolgpakket")
    expect(form.get_by_role("alert")).to_contain_text("schema")  # names the field, not its value
    expect(page.get_by_test_id("new-meeting-form")).to_be_visible()
    assert console.tab.failed == [f"400 {console.tab.origin}/api/followup/start"]
    console.tab.failed.clear()  # the one refusal this test asked for

    form.get_by_label("Vervolgpakket (JSON)").set_input_files(pack)
    form.get_by_role("button", name="Terugkijkbijeenkomst starten").click()
    expect(page.locator("#meeting-kind")).to_have_text("Terugkijkbijeenkomst")
    expect(page.get_by_role("tab", name="Lessen en afspraken")).to_have_attribute(
        "aria-selected", "true"
    )


def test_owners_set_their_status_from_their_phones(
    open_tab: OpenTab, live_server: Any, tmp_path: Path
) -> None:
    pack = pack_from_a_finished_meeting(open_tab, live_server.url, tmp_path)
    console = Console(open_tab("facilitator", "laptop"))
    start_follow_up(console, pack)
    expect(console.agreement(OURS)).to_contain_text("Wijkteam")
    expect(console.agreement(THEIRS)).to_contain_text("School")
    expect(console.page.get_by_test_id("lesson").filter(has_text=LESSON)).to_be_visible()
    shared = console.share()

    wall = Wall(open_tab("wall", "wall"))
    wall.page.goto(shared["wall"])
    expect(wall.page.locator("#view-agreements")).to_be_visible()
    expect(wall.agreement(OURS).locator(".w-agreement__status")).to_have_text("Nog niet begonnen")

    owner = Phone(open_tab("phone-wijkteam", "phone"))
    owner.join(shared["code"], "Wijkteam")
    other = Phone(open_tab("phone-school", "phone"))
    other.join(shared["code"], "School")

    # The owner's phone has a status control for its own agreement only.
    status = owner.agreement(OURS).get_by_label("Stand van zaken")
    expect(owner.agreement(THEIRS).get_by_role("combobox")).to_have_count(0)
    console.tab_to("Lessen en afspraken")
    console_status = console.agreement(OURS).get_by_role("combobox")
    for value, label in (("in_progress", "Bezig"), ("done", "Klaar")):
        status.select_option(label=label)
        expect(console_status).to_have_value(value)
        expect(wall.agreement(OURS)).to_have_attribute("data-status", value)
        expect(wall.agreement(OURS).locator(".w-agreement__status")).to_have_text(label)
        expect(other.agreement(OURS).locator(".p-agreement__status")).to_have_text(label)

    # Another party's phone shows it but has no control, and the server refuses it anyway.
    expect(other.agreement(OURS).get_by_role("combobox")).to_have_count(0)
    expect(other.agreement(THEIRS).get_by_label("Stand van zaken")).to_be_visible()
    ours_id = owner.agreement(OURS).get_attribute("data-agreement-id")
    assert ours_id
    refused = send_as(
        other.tab, participant_token(other), "agreement.status", id=ours_id, status="not_started"
    )
    assert refused.get("ok") is False
    assert refused["error"]["code"] == "forbidden"
    expect(console_status).to_have_value("done")
    expect(wall.agreement(OURS)).to_have_attribute("data-status", "done")

    # In a follow-up meeting a participant may add a lesson; everyone sees it arrive.
    added = send_as(owner.tab, participant_token(owner), "lesson.add", text=NEW_LESSON)
    assert added.get("ok") is True, added
    expect(console.page.get_by_test_id("lesson").filter(has_text=NEW_LESSON)).to_be_visible()
    expect(wall.page.locator("#lessons li.w-lesson", has_text=NEW_LESSON)).to_be_visible()
    expect(other.page.locator(".p-lessons li", has_text=NEW_LESSON)).to_be_visible()

    for tab in (console.tab, wall.tab, owner.tab, other.tab):
        assert tab.foreign_requests() == [], f"{tab.name} left the origin"
        assert tab.problems() == [], f"{tab.name}: {tab.problems()}"


def test_a_phone_adds_a_lesson_in_a_follow_up(
    open_tab: OpenTab, live_server: Any, tmp_path: Path
) -> None:
    pack = pack_from_a_finished_meeting(open_tab, live_server.url, tmp_path)
    console = Console(open_tab("facilitator", "laptop"))
    start_follow_up(console, pack)
    shared = console.share()
    phone = Phone(open_tab("phone-wijkteam", "phone"))
    phone.join(shared["code"], "Wijkteam")
    field = phone.page.get_by_role("textbox", name=re.compile("les", re.IGNORECASE))
    expect(field).to_be_visible(timeout=2_000)
    field.fill(NEW_LESSON)
    phone.page.get_by_role("button", name=re.compile("les", re.IGNORECASE)).click()
    console.tab_to("Lessen en afspraken")
    expect(console.page.get_by_test_id("lesson").filter(has_text=NEW_LESSON)).to_be_visible()
