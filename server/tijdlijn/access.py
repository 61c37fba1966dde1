"""Tokens, join codes and roles.

A token is ``<meeting id>.<secret>``: the meeting id routes the lookup to that meeting's keys (so
every key of a meeting stays under its prefix) and the secret (128 bits from ``secrets``) is
what grants access. The store keeps only a SHA-256 of each token, never the token.

Intake links (uitvraag) are the one exception to "the server makes the token": the facilitator's
browser makes the secret and sends only its hash with ``intake.open``, and the hash lives in the
meeting's state. So the grant ends with the intake: when it is closed, replaced by a new link, the
meeting starts, or the meeting is deleted, the link no longer opens anything.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from .domain.meeting import Meeting
from .domain.method import intake_for_token
from .errors import MeetingGone, Unauthorized
from .store.base import AccessRecord, Store

INTAKE_CLOSED = (
    "Deze uitvraag is gesloten: de link werkt niet meer. Neem contact op met de "
    "gespreksbegeleider als je nog iets wilt aanvullen."
)

# No look-alikes: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
_CODE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
_TOKEN = re.compile(r"^([A-Za-z0-9_-]{16,40})\.([A-Za-z0-9_-]{22,64})$")


def new_meeting_id() -> str:
    return secrets.token_urlsafe(12)


def new_item_id() -> str:
    # Ids of moments, interpretations, ...: unguessable, so a participant cannot probe drafts.
    return secrets.token_urlsafe(9)


def new_token(meeting_id: str) -> str:
    return f"{meeting_id}.{secrets.token_urlsafe(16)}"


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str | None:
    """Accept what people type ("abc 234", "abc-234"); None when it cannot be a code."""
    cleaned = re.sub(r"[\s-]", "", code).upper()
    return cleaned if _CODE.match(cleaned) else None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def meeting_of(token: str) -> str | None:
    match = _TOKEN.match(token)
    return match.group(1) if match else None


async def authenticate(store: Store, token: object) -> tuple[str, AccessRecord]:
    """The meeting and grant behind a token, or Unauthorized / MeetingGone."""
    if not isinstance(token, str):
        raise Unauthorized()
    meeting_id = meeting_of(token)
    if meeting_id is None:
        raise Unauthorized()
    hashed = token_hash(token)
    record = await store.access(meeting_id, hashed)
    if record is None:
        # Tell a deleted meeting apart from a wrong token: people need to know which it is.
        stored = await store.load(meeting_id)
        if stored is None:
            raise MeetingGone()
        return meeting_id, intake_grant(stored.state, hashed)
    return meeting_id, record


def intake_grant(state: Meeting, hashed: str) -> AccessRecord:
    """What an intake link grants, found by its hash in the meeting's state; Unauthorized when
    it is no intake link, or (with a message saying so) when its intake is closed."""
    intake = intake_for_token(state, hashed)
    if intake is None:
        raise Unauthorized()
    if intake["status"] != "open" or state["phase"] != "preparation":
        raise Unauthorized(INTAKE_CLOSED)
    return {"role": "intake", "participant_id": intake["id"], "party_id": intake["party_id"]}
