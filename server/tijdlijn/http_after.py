"""HTTP after the meeting: the report, the invitation, the follow-up pack, export and import.

Downloads are facilitator-only and authenticated by ``Authorization: Bearer <token>``: a POST with
the token in a header, never a token in a URL (URLs end up in histories, logs and proxies).
Nothing made here is stored: each file is built from the meeting's state for this one response.
Import and follow-up start need no meeting token: like POST /api/meetings, they create a new
meeting, so they pass the same facilitator-access guard (guard.py) before their body is read.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import access, followup, meetings, portability, report
from .body import PACK, PREPARED, RESTORE, SMALL, read_json
from .capsule import MAX_CAPSULE_CHARS
from .domain import commands as c
from .domain.limits import LIMITS
from .domain.meeting import Meeting
from .domain.wording import validated
from .errors import Conflict, Forbidden, Invalid, Unauthorized
from .http import create_from, guard_of, service_of

NO_STORE = {"Cache-Control": "no-store"}


async def facilitator_meeting(request: Request) -> Meeting:
    """The meeting of the facilitator token in the Authorization header."""
    service = service_of(request)
    session = await service.session(bearer(request))
    if session.actor.role != "facilitator":
        raise Forbidden("Alleen de gespreksbegeleider kan dit downloaden.")
    return (await service.load(session.meeting_id)).state


def attachment(content: bytes | str, media_type: str, name: str) -> Response:
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, media_type=media_type, headers=headers)


def as_json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode() + b"\n"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReportBody(_Body):
    format: Literal["html", "pdf", "md"]
    include_initials: bool = False
    include_interpretation_ids: Annotated[
        list[c.Id], Field(max_length=LIMITS["interpretations"])
    ] = []


class IcsBody(_Body):
    title: c.TITLE | None = None
    date: c.DateStr | None = None


async def report_file(request: Request) -> Response:
    meeting = await facilitator_meeting(request)
    body = validated(ReportBody, await read_json(request, SMALL, {}), "Het verzoek")
    options = report.ReportOptions(
        include_initials=body.include_initials,
        include_interpretation_ids=tuple(body.include_interpretation_ids),
    )
    content = report.build(meeting, options)
    if body.format == "pdf":
        pdf = await run_in_threadpool(report.render_pdf, content)
        return attachment(pdf, "application/pdf", report.filename(content, "pdf"))
    if body.format == "md":
        text = report.render_markdown(content)
        return attachment(text, "text/markdown; charset=utf-8", report.filename(content, "md"))
    html = report.render_html(content)
    return attachment(html, "text/html; charset=utf-8", report.filename(content, "html"))


async def invitation(request: Request) -> Response:
    meeting = await facilitator_meeting(request)
    body = validated(IcsBody, await read_json(request, SMALL, {}), "Het verzoek")
    day = body.date or meeting["follow_up_date"]
    if not day:
        raise Conflict("Kies eerst de datum van het terugkijkmoment.")
    try:
        when = dt.date.fromisoformat(day)
    except ValueError:
        raise Invalid("De datum van het terugkijkmoment klopt niet.") from None
    ics = followup.invitation_ics(when, dt.datetime.now(dt.UTC), title=body.title)
    return attachment(ics, "text/calendar; charset=utf-8", "terugkijkmoment.ics")


async def _json_download(
    request: Request, build: Callable[[Meeting], Mapping[str, object]], name: str
) -> Response:
    """A JSON file made from the facilitator's meeting, named with today's date."""
    meeting = await facilitator_meeting(request)
    day = dt.date.today().isoformat()
    return attachment(as_json(build(meeting)), "application/json", f"{name}-{day}.json")


async def pack(request: Request) -> Response:
    return await _json_download(request, followup.follow_up_pack, "vervolgpakket")


async def export(request: Request) -> Response:
    return await _json_download(
        request, portability.export_prepared, "voorbereiding-casusreconstructie"
    )


def bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Log opnieuw in via je link als gespreksbegeleider.")
    return token.strip()


class RestoreBody(_Body):
    capsule: Annotated[str, Field(max_length=MAX_CAPSULE_CHARS)]


async def restore(request: Request) -> Response:
    """Bring back a meeting the server lost, from the sealed copy its console kept."""
    token = bearer(request)
    body = validated(RestoreBody, await read_json(request, RESTORE, {}), "Het verzoek")
    restored = await service_of(request).restore(token, body.capsule)
    return JSONResponse(restored, status_code=201, headers=NO_STORE)


async def import_prepared(request: Request) -> Response:
    await guard_of(request).may_create(request)
    data = await read_json(request, PREPARED, {})
    meeting = portability.meeting_from_prepared(
        data, access.new_meeting_id(), meetings.now(), access.new_item_id
    )
    return await create_from(request, meeting)


async def start_follow_up(request: Request) -> Response:
    await guard_of(request).may_create(request)
    data = await read_json(request, PACK, {})
    meeting = followup.meeting_from_pack(
        data, access.new_meeting_id(), meetings.now(), access.new_item_id
    )
    return await create_from(request, meeting)


def routes() -> list[Route]:
    return [
        Route("/api/report", report_file, methods=["POST"]),
        Route("/api/followup/ics", invitation, methods=["POST"]),
        Route("/api/followup/pack", pack, methods=["POST"]),
        Route("/api/followup/start", start_follow_up, methods=["POST"]),
        Route("/api/export", export, methods=["POST"]),
        Route("/api/import", import_prepared, methods=["POST"]),
        Route("/api/restore", restore, methods=["POST"]),
    ]
