"""HTTP: create a meeting, look up and join with a code, the QR code, health, and the pages."""

from __future__ import annotations

import io
import json
import time
from collections import deque
from pathlib import Path
from typing import Any, TypeVar

import segno
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from . import access, meetings
from .errors import Invalid, MeetingGone, NotFound, RateLimited, StoreUnavailable, TijdlijnError
from .lifetime import ttl_for
from .service import Meetings
from .settings import Settings
from .store.base import Store

M = TypeVar("M", bound=BaseModel)
MAX_BODY = 64 * 1024
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
CODE_GONE = (
    "Deze code hoort niet bij een lopende bijeenkomst. Misschien is de bijeenkomst al "
    "afgelopen en verwijderd; vraag de gespreksbegeleider om de code."
)


def error_response(exc: TijdlijnError) -> JSONResponse:
    return JSONResponse({"error": exc.as_error()}, status_code=STATUS.get(exc.code, 400))


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


async def read_json(request: Request, limit: int = MAX_BODY) -> Any:
    body = await request.body()
    if len(body) > limit:
        raise Invalid(f"Het verzoek is te groot (maximaal {limit // 1024} KB).")
    try:
        return json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise Invalid("Het verzoek is geen geldige JSON.") from None


def validate(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors()})
        raise Invalid("Ongeldige invoer in: " + ", ".join(fields[:5]) + ".") from None


class FailureLimiter:
    """Slows down guessing join codes: a few wrong codes a minute per client address."""

    def __init__(self, per_minute: int = 30) -> None:
        self.per_minute = per_minute
        self.failures: dict[str, deque[float]] = {}

    def check(self, client: str) -> None:
        now = time.monotonic()
        seen = self.failures.get(client)
        if seen is None:
            return
        while seen and now - seen[0] > 60:
            seen.popleft()
        if not seen:
            del self.failures[client]
        elif len(seen) >= self.per_minute:
            raise RateLimited("Te veel onjuiste codes. Wacht een minuut en probeer het opnieuw.")

    def fail(self, client: str) -> None:
        if len(self.failures) > 10_000:
            self.failures.clear()  # bounded memory under a flood; the limit resets, nothing breaks
        self.failures.setdefault(client, deque()).append(time.monotonic())


async def create(request: Request) -> Response:
    try:
        body = validate(meetings.NewMeeting, await read_json(request))
        state = meetings.build(body, meetings.now())
        created = await service_of(request).create(state, base_url(request))
    except TijdlijnError as exc:
        return error_response(exc)
    return JSONResponse(created, status_code=201, headers={"Cache-Control": "no-store"})


async def _meeting_for(request: Request, code: str) -> str:
    limiter: FailureLimiter = request.app.state.join_limiter
    client = request.client.host if request.client else "?"
    limiter.check(client)
    normal = access.normalise_code(code)
    mid = await store_of(request).meeting_for_code(normal) if normal else None
    if mid is None:
        limiter.fail(client)
        raise MeetingGone(CODE_GONE)
    return mid


async def lookup(request: Request) -> Response:
    try:
        mid = await _meeting_for(request, request.path_params["code"])
        stored = await store_of(request).load(mid)
        if stored is None:
            raise MeetingGone(CODE_GONE)
    except TijdlijnError as exc:
        return error_response(exc)
    state = stored.state
    return JSONResponse(
        {
            "title": state["title"],
            "phase": state["phase"],
            "kind": state["kind"],
            "parties": meetings.public_parties(state),
        },
        headers={"Cache-Control": "no-store"},
    )


class JoinBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    party_id: str


async def join(request: Request) -> Response:
    try:
        body = validate(JoinBody, await read_json(request))
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
    except TijdlijnError as exc:
        return error_response(exc)
    return JSONResponse(
        {
            "token": token,
            "meeting_id": mid,
            "participant_id": participant_id,
            "party_id": body.party_id,
        },
        headers={"Cache-Control": "no-store"},
    )


async def qr(request: Request) -> Response:
    try:
        normal = access.normalise_code(request.path_params["code"])
        if normal is None or await store_of(request).meeting_for_code(normal) is None:
            raise MeetingGone(CODE_GONE)
    except TijdlijnError as exc:
        return error_response(exc)
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
    ]
