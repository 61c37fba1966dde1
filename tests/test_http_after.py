"""HTTP after the meeting, against the real app (create_app) on the embedded store."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pypdf
import pytest
from icalendar import Calendar

from tests.support import after_meeting as sample
from tijdlijn.app import create_app
from tijdlijn.portability import export_prepared
from tijdlijn.service import Meetings
from tijdlijn.settings import Settings
from tijdlijn.store import MemoryStore

BASE = "http://testserver"


class Env:
    def __init__(self, client: httpx.AsyncClient, store: MemoryStore, service: Meetings) -> None:
        self.client = client
        self.store = store
        self.service = service

    async def finished(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The sample meeting, stored with tokens, as the live meeting would have left it."""
        meeting, ref = sample.finished_meeting()
        created = await self.service.create(meeting, BASE)
        return dict(created), ref

    async def post(self, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.client.post(path, headers=headers, **kwargs)


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    settings = Settings()
    store = MemoryStore()
    app = create_app(settings, store)
    await store.open()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE, timeout=30) as client:
            yield Env(client, store, app.state.service)
    finally:
        await store.close()


def error_code(answer: httpx.Response, status: int) -> str:
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert set(error) == {"code", "message"} and error["message"]
    code: str = error["code"]
    return code


def attachment_name(answer: httpx.Response) -> str:
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    assert answer.headers["cache-control"] == "no-store"
    return disposition.split("filename=", 1)[1].strip('"')


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


async def test_report_in_three_formats(env: Env) -> None:
    created, _ = await env.finished()
    token = created["facilitator_token"]
    html = await env.post("/api/report", token, json={"format": "html"})
    assert html.status_code == 200, html.text
    assert html.headers["content-type"].startswith("text/html")
    assert attachment_name(html) == "verslag-casusreconstructie-2024-06-03.html"
    assert sample.THREAD in html.text and sample.QUOTE not in html.text

    md = await env.post("/api/report", token, json={"format": "md"})
    assert md.headers["content-type"].startswith("text/markdown")
    assert attachment_name(md).endswith(".md")
    assert sample.AGREEMENT in md.text and sample.INITIALS not in md.text

    pdf = await env.post("/api/report", token, json={"format": "pdf"})
    assert pdf.headers["content-type"] == "application/pdf"
    assert attachment_name(pdf).endswith(".pdf")
    text = pdf_text(pdf.content)
    assert sample.THREAD in text and sample.AGREEMENT in text
    assert sample.QUOTE not in text and sample.INITIALS not in text and sample.DRAFT not in text


async def test_report_opt_ins_reach_the_pdf(env: Env) -> None:
    created, ref = await env.finished()
    body = {"format": "pdf", "include_initials": True, "include_interpretation_ids": [ref["quote"]]}
    answer = await env.post("/api/report", created["facilitator_token"], json=body)
    text = pdf_text(answer.content)
    assert sample.QUOTE in text and sample.INITIALS in text
    assert sample.OTHER_INTERPRETATION not in text


async def test_only_a_facilitator_token_in_the_header_opens_the_downloads(env: Env) -> None:
    created, _ = await env.finished()
    paths = ["/api/report", "/api/followup/ics", "/api/followup/pack", "/api/export"]
    for path in paths:
        body = {"format": "html"} if path == "/api/report" else {}
        assert error_code(await env.post(path, json=body), 401) == "unauthorized"
        wrong = created["facilitator_token"][:-4] + "AAAA"
        assert error_code(await env.post(path, wrong, json=body), 401) == "unauthorized"
        wall = await env.post(path, created["wall_token"], json=body)
        assert error_code(wall, 403) == "forbidden"
        in_url = await env.client.post(f"{path}?token={created['facilitator_token']}", json=body)
        assert error_code(in_url, 401) == "unauthorized"
    assert (await env.client.get("/api/report")).status_code == 405
    cofacilitator = await env.post("/api/export", created["cofacilitator_token"])
    assert cofacilitator.status_code == 200


async def test_after_deletion_the_downloads_say_the_meeting_is_gone(env: Env) -> None:
    created, _ = await env.finished()
    await env.store.delete(created["meeting_id"])
    answer = await env.post("/api/followup/pack", created["facilitator_token"])
    assert error_code(answer, 404) == "meeting_gone"


async def test_bad_report_requests(env: Env) -> None:
    created, _ = await env.finished()
    token = created["facilitator_token"]
    for body in ({"format": "docx"}, {"format": "html", "extra": 1}, {}):
        assert error_code(await env.post("/api/report", token, json=body), 400) == "invalid"
    not_json = await env.post("/api/report", token, content=b"{nope")
    assert error_code(not_json, 400) == "invalid"
    huge = await env.post("/api/report", token, content=b" " * (65 * 1024))
    assert "te groot" in huge.json()["error"]["message"]


async def test_invitation_uses_the_meeting_date_or_the_chosen_one(env: Env) -> None:
    created, _ = await env.finished()
    token = created["facilitator_token"]
    answer = await env.post("/api/followup/ics", token, json={})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    assert attachment_name(answer) == "terugkijkmoment.ics"
    event = Calendar.from_ical(answer.content).walk("VEVENT")[0]
    assert event.decoded("DTSTART").isoformat() == "2024-09-03"
    assert str(event["SUMMARY"]) == "Terugkijkmoment casusreconstructie"
    assert sample.TITLE.encode() not in answer.content

    chosen = await env.post(
        "/api/followup/ics", token, json={"date": "2024-10-01", "title": "Terugblik"}
    )
    event = Calendar.from_ical(chosen.content).walk("VEVENT")[0]
    assert event.decoded("DTSTART").isoformat() == "2024-10-01"
    assert str(event["SUMMARY"]) == "Terugblik"
    bad = await env.post("/api/followup/ics", token, json={"date": "2024-02-30"})
    assert error_code(bad, 400) == "invalid"


async def test_invitation_needs_a_date(env: Env) -> None:
    meeting, _ = sample.finished_meeting()
    meeting["follow_up_date"] = None
    created = await env.service.create(meeting, BASE)
    answer = await env.post("/api/followup/ics", created["facilitator_token"], json={})
    assert error_code(answer, 409) == "conflict"


async def test_pack_starts_a_follow_up_meeting_without_a_token(env: Env) -> None:
    created, _ = await env.finished()
    answer = await env.post("/api/followup/pack", created["facilitator_token"])
    assert answer.status_code == 200
    assert attachment_name(answer).startswith("vervolgpakket-")
    pack = answer.json()
    assert pack["schema"] == "tijdlijn.followup-pack"

    started = await env.client.post("/api/followup/start", content=answer.content)
    assert started.status_code == 201, started.text
    body = started.json()
    assert {"meeting_id", "join_code", "facilitator_token", "links"} <= set(body)
    stored = await env.store.load(body["meeting_id"])
    assert stored is not None
    assert (stored.state["kind"], stored.state["phase"]) == ("follow_up", "agreements")
    again = await env.post("/api/followup/pack", body["facilitator_token"])
    assert again.json()["agreements"] == pack["agreements"]

    count = len(env.store)
    refused = await env.client.post("/api/followup/start", json={**pack, "moments": []})
    assert error_code(refused, 400) == "invalid"
    assert "moments" in refused.json()["error"]["message"]
    assert len(env.store) == count


async def test_export_and_import_a_prepared_meeting(env: Env) -> None:
    created, _ = await env.finished()
    answer = await env.post("/api/export", created["facilitator_token"])
    assert answer.status_code == 200
    assert attachment_name(answer).startswith("voorbereiding-casusreconstructie-")
    exported = answer.json()
    assert exported["schema"] == "tijdlijn.prepared-meeting"

    imported = await env.client.post("/api/import", content=answer.content)
    assert imported.status_code == 201, imported.text
    new_id = imported.json()["meeting_id"]
    assert new_id != created["meeting_id"]
    stored = await env.store.load(new_id)
    assert stored is not None
    assert all(m["state"] == "draft" for m in stored.state["moments"].values())
    assert json.loads(json.dumps(export_prepared(stored.state))) == exported


async def test_a_hostile_import_creates_nothing(env: Env) -> None:
    count = len(env.store)
    deep = b"[" * 100_000 + b"]" * 100_000
    too_big = b'{"schema": "' + b"x" * (4 * 1024 * 1024 + 1) + b'"}'
    for content in (deep, too_big, b"\xff\xfe", b'{"schema": "tijdlijn.prepared-meeting"}'):
        answer = await env.client.post("/api/import", content=content)
        assert error_code(answer, 413 if content is too_big else 400) == "invalid"
    assert len(env.store) == count
