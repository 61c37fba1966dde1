"""The links a facilitator hands out, rebuilt from their own token instead of kept at rest.

The store keeps only hashes of tokens. The co-facilitator and wall tokens are derived from the
facilitator token (HMAC-SHA256, one way): ``cofacilitator = derive(facilitator)`` and
``wall = derive(cofacilitator)``. So whoever connects with the facilitator token can be given
both links again, the co-facilitator (same rights) the wall link, and the store never holds
anything that opens a meeting: what it keeps as "share" is the join code and its link only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from . import access
from .store.base import AccessRecord, Store


def derive(token: str, purpose: str) -> str:
    """A token for the same meeting, derived from ``token``: 128 bits, like a fresh one."""
    meeting_id = access.meeting_of(token) or ""
    mac = hmac.new(token.encode(), f"tijdlijn/{purpose}".encode(), hashlib.sha256).digest()
    return f"{meeting_id}.{base64.urlsafe_b64encode(mac[:16]).decode().rstrip('=')}"


def tokens(facilitator: str) -> tuple[str, str]:
    """The co-facilitator and wall tokens that belong to a facilitator token."""
    cofacilitator = derive(facilitator, "cofacilitator")
    return cofacilitator, derive(cofacilitator, "wall")


def base_of(join_url: str) -> str:
    return join_url.split("/join#", 1)[0]


async def links_for(
    store: Store, meeting_id: str, token: str, record: AccessRecord
) -> dict[str, str]:
    """The co-facilitator and wall links a facilitator connection may see again, checked
    against the store's hashes (a meeting made before this scheme simply has none)."""
    if record["role"] != "facilitator":
        return {}
    share = await store.share(meeting_id) or {}
    base = base_of(share.get("join_url", ""))
    cofacilitator = derive(token, "cofacilitator")
    if await store.access(meeting_id, access.token_hash(cofacilitator)) is None:
        cofacilitator = token  # this is the co-facilitator's own token
    wall = derive(cofacilitator, "wall")
    if await store.access(meeting_id, access.token_hash(wall)) is None:
        return {}
    return {
        "cofacilitator_url": f"{base}/facilitator#{cofacilitator}",
        "wall_url": f"{base}/wall#{wall}",
    }
