"""HTTP: create a meeting, look up and join with a code, the QR code, health, and the pages."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import TypeVar

import segno
from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from . import access, meetings
from .answers import Joined, Lookup
from .body import TooLarge, read_json
from .domain.meeting import Meeting
from .domain.wording import validated
from .errors import MeetingGone, NotFound, StoreUnavailable, TijdlijnError
from .guard import CODE_GONE, Guard, ServerFull
from .lifetime import ttl_for
from .service import Meetings
from .settings import Settings
from .store.base import Store

M = TypeVar("M", bound=BaseModel)
STATUS = {
    "invalid": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "meeting_gone": 404,
    "meeting_expired": 404,
    "meeting_lost": 404,
    "busy": 503,
    "conflict": 409,
    "rate_limited": 429,
    "unavailable": 503,
}


async def on_error(request: Request, exc: Exception) -> Response:
    """The one HTTP error boundary (Starlette's exception handler for TijdlijnError): a coded
    error as ``{"error": {code, message}}`` with its status."""
    assert isinstance(exc, TijdlijnError)
    status = STATUS.get(exc.code, 400)
    if isinstance(exc, TooLarge):
        status = 413
    elif isinstance(exc, ServerFull):
        status = 503
    return JSONResponse({"error": exc.as_error()}, status_code=status)


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def service_of(request: Request) -> Meetings:
    service: Meetings = request.app.state.service
    return service


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def base_url(request: Request) -> str:
    configured = settings_of(request).public_url
    return configured or str(request.base_url).rstrip("/")


def guard_of(request: Request) -> Guard:
    guard: Guard = request.app.state.guard
    return guard


async def create_from(request: Request, meeting: Meeting) -> Response:
    """Store a new meeting (after :meth:`Guard.may_create`); its creator's answer."""
    created = await service_of(request).create(meeting, base_url(request))
    await guard_of(request).created(request, created["join_code"])
    return JSONResponse(created, status_code=201, headers={"Cache-Control": "no-store"})


async def create(request: Request) -> Response:
    await guard_of(request).may_create(request)
    body = validated(meetings.NewMeeting, await read_json(request))
    return await create_from(request, meetings.build(body, meetings.now()))


async def _meeting_for(request: Request, code: str) -> str:
    mid, _normal = await guard_of(request).meeting_for(request, code)
    return mid


async def lookup(request: Request) -> Response:
    mid = await _meeting_for(request, request.path_params["code"])
    stored = await store_of(request).load(mid)
    if stored is None:
        raise MeetingGone(CODE_GONE)
    state = stored.state
    found: Lookup = {
        "title": state["title"],
        "phase": state["phase"],
        "kind": state["kind"],
        "parties": meetings.public_parties(state),
    }
    return JSONResponse(found, headers={"Cache-Control": "no-store"})


class JoinBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    party_id: str


async def join(request: Request) -> Response:
    body = validated(JoinBody, await read_json(request))
    mid = await _meeting_for(request, body.code)
    store = store_of(request)
    stored = await store.load(mid)
    if stored is None:
        raise MeetingGone(CODE_GONE)
    if body.party_id not in stored.state["parties"]:
        raise NotFound("Kies een van de partijen in de lijst.")
    token = access.new_token(mid)
    participant_id = access.new_item_id()
    granted = await store.grant(
        mid,
        access.token_hash(token),
        {"role": "participant", "participant_id": participant_id, "party_id": body.party_id},
        ttl_for(stored.state, settings_of(request), time.time()),
    )
    if not granted:
        raise MeetingGone(CODE_GONE)
    joined: Joined = {
        "token": token,
        "meeting_id": mid,
        "participant_id": participant_id,
        "party_id": body.party_id,
    }
    return JSONResponse(joined, headers={"Cache-Control": "no-store"})


async def qr(request: Request) -> Response:
    _mid, normal = await guard_of(request).meeting_for(request, request.path_params["code"])
    url = f"{base_url(request)}/join#{normal}"
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=10, border=2, xmldecl=False)
    return Response(
        buffer.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "no-store"}
    )


async def healthz(request: Request) -> Response:
    store = store_of(request)
    try:
        await store.ping()
    except StoreUnavailable as exc:
        return JSONResponse(
            {"status": "unavailable", "store": store.kind, "reason": exc.message}, status_code=503
        )
    link = request.app.state.link
    if link is not None and (not link.up or link.dirty):
        # Serving, but devices on other processes may miss events until the link is back.
        reason = "De verbinding tussen de serverprocessen (Redis pub/sub) is verbroken."
        return JSONResponse({"status": "degraded", "store": store.kind, "reason": reason})
    return JSONResponse({"status": "ok", "store": store.kind})


def page(web_dir: Path, path: str, view: str) -> Route:
    index = web_dir / view / "index.html"

    async def serve(request: Request) -> Response:
        if not index.is_file():
            return Response("Deze pagina is niet gevonden.", status_code=404)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    return Route(path, serve, name=f"page-{view}")


def routes(web_dir: Path) -> list[Route]:
    return [
        Route("/healthz", healthz),
        Route("/api/meetings", create, methods=["POST"]),
        Route("/api/join", join, methods=["POST"]),
        Route("/api/join/{code}", lookup),
        Route("/api/join/{code}/qr.svg", qr),
        page(web_dir, "/", "home"),
        page(web_dir, "/facilitator", "facilitator"),
        page(web_dir, "/join", "participant"),
        page(web_dir, "/wall", "wall"),
        page(web_dir, "/intake", "intake"),
    ]
