"""Keeping a meeting safe without a disk: the sealed copy (capsule) a facilitator's console
holds, and bringing a lost meeting back from it (docs/reliability.md).

Part of :class:`tijdlijn.service.Meetings` (a mixin, so the service stays one object for the
hub and the HTTP handlers), kept apart because it is its own concern: what goes into a capsule,
for how long it is good, and what a restore must refuse.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from . import access, meetings
from .answers import Capsule, Restored
from .capsule import Contents, Sealer
from .domain.meeting import Meeting
from .errors import Conflict, Forbidden, MeetingGone, StoreUnavailable, Unauthorized
from .lifetime import DAY, ttl_for
from .logs import meeting_ref
from .settings import Settings
from .store.base import Store, Stored

if TYPE_CHECKING:
    from .service import Broadcaster, Session


class _Service(Protocol):
    """What keeping needs of the service it is part of."""

    settings: Settings
    store: Store
    sealer: Sealer
    clock: Callable[[], float]
    broadcaster: Broadcaster | None

    def forget(self, meeting_id: str) -> None: ...

    async def load(self, meeting_id: str) -> Stored: ...


log = logging.getLogger("tijdlijn.service")


class Keeping:
    """The capsule and restore part of :class:`tijdlijn.service.Meetings`."""

    async def capsule(self: _Service, session: Session) -> Capsule:
        """The meeting sealed for its facilitator's console, and when the meeting expires."""
        if session.actor.role != "facilitator":
            raise Forbidden("Alleen de gespreksbegeleider krijgt een herstelkopie.")
        mid = session.meeting_id
        stored = await self.load(mid)
        grants = await self.store.grants(mid)
        share = await self.store.share(mid) or {}
        # Every answer the store still keeps (its ops window), so a device retrying one after a
        # restore gets its answer instead of applying it twice; but only answers the sealed
        # state holds: an op appended since the load above would be answered "ok" after a
        # restore without being in the meeting.
        ops = {
            key: result
            for key, result in (
                await self.store.ops(mid, stored.seq - self.store.ops_window)
            ).items()
            if result.get("seq", 0) <= stored.seq
        }
        now = self.clock()
        expires_at = now + capsule_seconds(stored.state, self.settings, now)
        contents: Contents = {
            "v": 1,
            "meeting_id": mid,
            "seq": stored.seq,
            "public_seq": stored.public_seq,
            "state": stored.state,
            "code": share.get("join_code", ""),
            "access": grants,
            "share": share,
            "ops": ops,
            "sealed_at": now,
            "expires_at": expires_at,
        }
        return {
            "capsule": self.sealer.seal(contents),
            "seq": stored.seq,
            # When the meeting itself expires if nothing changes, and until when the capsule
            # can bring it back.
            "expires_at": now + ttl_for(stored.state, self.settings, now),
            "capsule_expires_at": expires_at,
        }

    async def restore(self: _Service, token: str, sealed: object) -> Restored:
        """Bring a lost meeting back from its capsule, as it was: same id, tokens, code, seq.

        Only with a capsule this server sealed, not expired, presented with a facilitator token
        of that meeting, and only while no live meeting has the id and it was not ended.
        """
        now = self.clock()
        contents = self.sealer.open(sealed, now)
        mid = contents["meeting_id"]
        record = contents["access"].get(access.token_hash(token))
        if access.meeting_of(token) != mid or record is None or record["role"] != "facilitator":
            raise Unauthorized("Deze herstelkopie hoort niet bij jouw link.")
        status = await self.store.status(mid)
        if status == "live":
            raise Conflict("Deze bijeenkomst loopt nog; herstellen is niet nodig.")
        if status == "ended":
            raise MeetingGone("Deze bijeenkomst is beëindigd en verwijderd; ze komt niet terug.")
        state = contents["state"]
        ttl = ttl_for(state, self.settings, now)
        share = dict(contents["share"])
        code = contents["code"]
        for _ in range(20):
            if await self.store.create(
                state,
                code,
                contents["access"],
                share,
                ttl,
                seq=contents["seq"],
                public_seq=contents["public_seq"],
                ops=contents["ops"],
            ):
                break
            if await self.store.status(mid) == "live":
                raise Conflict("Deze bijeenkomst loopt nog; herstellen is niet nodig.")
            # Only the join code is taken (by a newer meeting): keep everything else.
            code = access.new_join_code()
            share = meetings.with_code(share, code)
        else:
            raise StoreUnavailable("Kon de bijeenkomst niet herstellen.")
        self.forget(mid)
        log.info("restored meeting=%s seq=%d", meeting_ref(mid), contents["seq"])
        if self.broadcaster is not None:
            # A device that stayed connected through the loss may hold events past this seq,
            # which the restored meeting numbers again: it must take the meeting afresh.
            await self.broadcaster.restored(mid, contents["seq"])
        return {"meeting_id": mid, "seq": contents["seq"], "join_code": code}


def capsule_seconds(state: Meeting, settings: Settings, now: float) -> int:
    """How long a capsule may bring its meeting back: a preparation for as long as one may last
    (so an expired preparation can come back from the facilitator's browser), a running meeting
    for a day past its own lifetime."""
    if state["phase"] == "preparation":
        return max(ttl_for(state, settings, now), settings.preparation_days * DAY)
    return ttl_for(state, settings, now) + DAY
