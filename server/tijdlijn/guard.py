"""The HTTP guards: join-code guessing, and who may create meetings (docs/security.md).

Join codes: every endpoint that answers differently for a live code (``GET /api/join/{code}``,
``GET /api/join/{code}/qr.svg``, ``POST /api/join``) goes through :meth:`Guard.meeting_for`.
Wrong codes count per client address per minute; past the limit the address gets
``rate_limited``, except for a code that already worked from that address (so the meeting's own
room keeps working behind a shared address) -- that tells a guesser nothing new.

Creating meetings (``POST /api/meetings``, ``/api/import``, ``/api/followup/start``):
:meth:`Guard.may_create` runs before the body is read. Open only on a loopback address (settings
refuse anything else), else a facilitator key (``Authorization: Bearer <key>``) or the header an
authenticating proxy sets, believed only from a trusted proxy. Then a limit per address per hour
and one on live meetings per server.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from collections.abc import Iterable, Iterator
from typing import Any

from starlette.requests import Request

from . import access, proxy
from .errors import (
    ErrorBody,
    LimitReached,
    MeetingGone,
    RateLimited,
    StoreUnavailable,
    Unauthorized,
)
from .limiter import Limits, MemoryLimits, RedisLimits
from .settings import Settings
from .store.base import Store

CODE_GONE = (
    "Deze code hoort niet bij een lopende bijeenkomst. Misschien is de bijeenkomst al "
    "afgelopen en verwijderd; vraag de gespreksbegeleider om de code."
)
KEY_NEEDED = (
    "Voor een nieuwe bijeenkomst is een toegangssleutel nodig. Vraag die aan de beheerder van "
    "Tijdlijn in je organisatie."
)
LOGIN_NEEDED = "Log eerst in via de inlogpagina van je organisatie om een bijeenkomst te maken."
KEY_REQUIRED_CODE = "facilitator_key"


class ServerFull(LimitReached):
    """``limit_reached`` for the server as a whole, answered with HTTP 503."""


class FacilitatorKeyNeeded(Unauthorized):
    """``unauthorized`` with a detail the console acts on: ask for the key."""

    def as_error(self) -> ErrorBody:
        return {**super().as_error(), "detail": KEY_REQUIRED_CODE}


@contextlib.contextmanager
def _reachable() -> Iterator[None]:
    try:
        yield
    except StoreUnavailable:
        raise
    except Exception as exc:
        # Redis errors (connection, timeout, ACL): the coded answer, never a 500.
        if type(exc).__module__.startswith("redis"):
            raise StoreUnavailable() from exc
        raise


def open_limits(settings: Settings, store: Store) -> Limits:
    if settings.redis_url and store.kind == "redis":
        return RedisLimits(lambda: store.client, settings.key_prefix)  # type: ignore[attr-defined]
    return MemoryLimits()


class Guard:
    def __init__(self, settings: Settings, store: Store, limits: Limits) -> None:
        self.settings = settings
        self.store = store
        self.limits = limits
        self.nets = proxy.networks(settings.trusted_proxies)
        self.keys = [hashlib.sha256(k.encode()).digest() for k in settings.facilitator_keys]

    @staticmethod
    def address(request: Request) -> str:
        # ProxyHeaders has already put a trusted proxy's client address here.
        return proxy.address_key(proxy.peer(request.scope))

    # join codes
    async def meeting_for(self, request: Request, code: str) -> tuple[str, str]:
        """The meeting id and the normalised code, or ``meeting_gone`` / ``rate_limited``."""
        address = self.address(request)
        normal = access.normalise_code(code)
        with _reachable():
            if normal and await self.limits.known(address, normal):
                mid = await self.store.meeting_for_code(normal)
                if mid is not None:
                    return mid, normal
            window = 60
            if (
                await self.limits.count("join", address, window)
                >= self.settings.join_failures_per_minute
            ):
                raise RateLimited(
                    "Te veel onjuiste codes. Wacht een minuut en probeer het opnieuw."
                )
            mid = await self.store.meeting_for_code(normal) if normal else None
            if mid is None or normal is None:
                await self.limits.hit("join", address, window)
                raise MeetingGone(CODE_GONE)
            await self.limits.remember(address, normal, self.settings.ttl_seconds)
        return mid, normal

    async def created(self, request: Request, code: str) -> None:
        """The creator's address may use the new code even when its room is locked out."""
        with _reachable():
            await self.limits.remember(self.address(request), code, self.settings.ttl_seconds)

    # creating meetings
    def _authorised(self, request: Request) -> bool:
        settings = self.settings
        if settings.facilitator_access == "open":
            return True
        if self.keys:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() == "bearer" and given.strip():
                digest = hashlib.sha256(given.strip().encode()).digest()
                # Compare with every key, always: the time taken says nothing about which.
                matches = [hmac.compare_digest(digest, key) for key in self.keys]
                if any(matches):
                    return True
        if settings.facilitator_header:
            # The direct peer, before ProxyHeaders put the forwarded client address in its place.
            direct = request.scope.get("tijdlijn.peer") or proxy.peer(request.scope)
            from_proxy = proxy.trusted(direct, self.nets)
            if from_proxy and request.headers.get(settings.facilitator_header, "").strip():
                return True
        return False

    async def may_create(self, request: Request) -> None:
        if not self._authorised(request):
            if self.keys:
                raise FacilitatorKeyNeeded(KEY_NEEDED)
            raise Unauthorized(LOGIN_NEEDED)
        with _reachable():
            made = await self.limits.hit("create", self.address(request), 3600)
            if made > self.settings.creations_per_hour:
                raise RateLimited(
                    "Vanaf dit adres zijn het afgelopen uur te veel bijeenkomsten gemaakt. "
                    "Probeer het later opnieuw."
                )
            if await live_meetings(self.store) >= self.settings.max_live_meetings:
                raise ServerFull(
                    "Deze server heeft het maximum aantal lopende bijeenkomsten bereikt. "
                    "Probeer het later opnieuw of vraag de beheerder."
                )


async def live_meetings(store: Any) -> int:
    """Meetings held now: the embedded store counts itself; in Redis, one join code each."""
    if getattr(store, "kind", "") == "redis":
        pattern = f"{store._prefix}code:*"
        return sum([1 async for _ in store.client.scan_iter(match=pattern, count=1000)])
    return len(store)


def admit_to_meeting(meeting_ids: Iterable[str], meeting_id: str, settings: Settings) -> None:
    """``limit_reached`` when the meeting has its maximum of connections in this process (a
    meeting has 10-12 participants; the cap stops one token from opening thousands)."""
    present = sum(1 for mid in meeting_ids if mid == meeting_id)
    if present >= settings.max_connections_per_meeting:
        raise LimitReached("Deze bijeenkomst heeft het maximum aantal verbindingen bereikt.")
