"""Restore capsules: a meeting sealed by the server, kept by facilitator consoles, accepted back.

Meetings live in memory (the embedded store, or a Redis kept off disk on purpose). When that
memory is lost, the facilitator's console holds the way back: a copy of the meeting the server
sealed with authenticated encryption (Fernet: AES-128-CBC with HMAC-SHA256), so the console can
neither read nor change it, and nobody can make one the server would accept without its key.
The capsule holds what the store holds (the state, the token hashes, the join code): never a
token, so a capsule alone logs nobody in.

The key comes from configuration (several processes must share it) or, for the embedded
default, from a file created once in the state folder with mode 0600.
"""

from __future__ import annotations

import json
import logging
import os
import zlib
from pathlib import Path
from typing import TypedDict, cast

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .answers import Written
from .domain.meeting import Meeting
from .errors import Invalid
from .settings import Settings, default_state_dir
from .store.base import AccessRecord

log = logging.getLogger("tijdlijn.capsule")

VERSION = 1
KEY_FILE = "capsule.key"
# A sealed capsule of the largest meeting stays well under this; more is not a capsule of ours.
MAX_CAPSULE_CHARS = 4 * 1024 * 1024


class Contents(TypedDict):
    v: int
    meeting_id: str
    seq: int
    public_seq: int
    state: Meeting
    code: str
    access: dict[str, AccessRecord]
    share: dict[str, str]
    # sender:op id -> answer, for the ops the store still keeps (store.base.OPS_WINDOW).
    ops: dict[str, Written]
    sealed_at: float
    # Unix seconds after which the capsule is refused: the meeting's own lifetime at sealing.
    expires_at: float


class Sealer:
    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one capsule key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, contents: Contents) -> str:
        raw = json.dumps(contents, separators=(",", ":"), ensure_ascii=False).encode()
        return self._fernet.encrypt(zlib.compress(raw, 6)).decode("ascii")

    def open(self, sealed: object, now: float) -> Contents:
        """The contents of a capsule this server sealed and that has not expired, or Invalid."""
        if not isinstance(sealed, str) or not 0 < len(sealed) <= MAX_CAPSULE_CHARS:
            raise Invalid(REFUSED)
        try:
            raw = zlib.decompress(self._fernet.decrypt(sealed.encode("ascii")))
            # Sealed by this server (Fernet authenticates it): the shape is ours to trust.
            contents = cast(Contents, json.loads(raw))
        except (InvalidToken, UnicodeEncodeError, zlib.error, ValueError):
            raise Invalid(REFUSED) from None
        if not isinstance(contents, dict) or contents.get("v") != VERSION:
            raise Invalid(REFUSED)
        if contents["expires_at"] <= now:
            raise Invalid(EXPIRED)
        return contents


REFUSED = "Deze herstelkopie is niet geldig: ze is niet door deze server gemaakt of is beschadigd."
EXPIRED = "Deze herstelkopie is verlopen; de bijeenkomst kan er niet meer mee worden hersteld."


def load_keys(settings: Settings) -> list[bytes]:
    """The configured keys, or the embedded default's own key file (made on first start)."""
    if settings.capsule_keys:
        return [key.encode("ascii") for key in settings.capsule_keys]
    folder = Path(settings.state_dir or default_state_dir())
    path = folder / KEY_FILE
    if not path.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = Fernet.generate_key()
        # O_EXCL: two processes starting together do not overwrite each other's key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(key + b"\n")
            log.info("created a new capsule key in the state folder")
    return [path.read_bytes().strip()]
