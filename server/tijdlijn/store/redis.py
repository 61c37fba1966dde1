"""Redis: the store for several server processes, or for meetings that outlive a restart.

Every key of a meeting lives under ``{prefix}m:{meeting id}:`` so deleting or inspecting a meeting
is one prefix; the join code is the one key outside it (``{prefix}code:{CODE}`` -> meeting id).

    :meta      hash   seq, pseq (last public seq), base, n (item counter), code, codekey,
                      knownkey, share
    :log       list   the last ``log_max`` events (JSON), oldest first
    :ops       hash   sender:op id -> the result it answered (JSON)
    :opseq     zset   sender:op id scored by its seq: which answers leave the window
    :access    hash   token hash -> AccessRecord (JSON)
    :presence  hash   socket id -> "label until"
    :state     hash   the state in parts (base.state_parts): ``f:<field>`` -> JSON and
                      ``i:<collection>:<id>`` -> "<n> JSON", n keeping the items' order

A write rewrites only the parts of the state its event changes (HSET/HDEL), so its cost does
not grow with the meeting.

Each write is one Lua script, so it is atomic across processes and costs one round trip, and
every write gives every key of the meeting (the code key too) the same new TTL, so a meeting
expires as a whole. Outside the prefix: ``{prefix}code:{CODE}`` -> meeting id, and
``{prefix}known:{hash}`` -> ``live`` or ``ended``, which outlives the meeting by a day so that a
device coming back can be told whether its meeting ended, expired, or was lost with Redis's
memory (then the key is missing too). Scripts reach both through the names kept in :meta, which
standalone Redis allows; this layout is not meant for Redis Cluster.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Literal

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ..answers import Written
from ..domain.evolve import Event
from ..domain.meeting import Meeting
from ..errors import StoreUnavailable
from . import redis_scripts as scripts
from .base import (
    OPS_WINDOW,
    AccessRecord,
    Appended,
    AppendResult,
    Deletion,
    Duplicate,
    Gone,
    Stale,
    Status,
    Stored,
    decoded,
    joined,
    split_presence,
    state_parts,
    tombstone_key,
)
from .encoding import dump, encoded_event

_PARTS = ("meta", "log", "ops", "access", "presence", "state", "opseq")
_OPS, _ACCESS, _PRESENCE, _STATE = 3, 4, 5, 6

_dump = dump


def _numbered(parts: list[tuple[str, str]]) -> list[str]:
    """State parts as the scripts store them: flat name, value pairs; items numbered in order."""
    return [
        x
        for n, (name, text) in enumerate(parts, 1)
        for x in (name, f"{n} {text}" if name.startswith("i:") else text)
    ]


def _glob_escape(text: str) -> str:
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in text)


@contextlib.contextmanager
def _reachable() -> Iterator[None]:
    """Turn a lost connection into the coded error the hub answers with."""
    try:
        yield
    except (RedisConnectionError, RedisTimeoutError) as exc:
        raise StoreUnavailable() from exc


class RedisStore:
    kind: Literal["memory", "redis"] = "redis"

    def __init__(
        self,
        url: str,
        prefix: str = "tijdlijn:",
        log_max: int = 5000,
        *,
        timeout: float = 5.0,
        retries: int = 3,
        ops_window: int = OPS_WINDOW,
    ) -> None:
        self.ops_window = ops_window
        self._url = url
        self._prefix = prefix
        self._log_max = log_max
        self._timeout = timeout
        self._retries = retries
        self._client: aioredis.Redis | None = None

    @property
    def client(self) -> aioredis.Redis:
        if self._client is None:
            raise RuntimeError("RedisStore used before open()")
        return self._client

    async def open(self) -> None:
        """Set up the connection pool; connecting happens on first use (see :meth:`ping`)."""
        # A few quick retries ride out a blip; a Redis that stays away fails within a second or
        # two instead of stalling writes behind redis-py's default of ten.
        retry = Retry(ExponentialWithJitterBackoff(base=0.01, cap=0.25), self._retries)
        client = aioredis.Redis.from_url(
            self._url,
            decode_responses=True,
            socket_timeout=self._timeout,
            socket_connect_timeout=self._timeout,
            retry=retry,
        )
        self._create = client.register_script(scripts.CREATE)
        self._append = client.register_script(scripts.APPEND)
        self._hash_write = client.register_script(scripts.HASH_WRITE)
        self._since = client.register_script(scripts.SINCE)
        self._event_at = client.register_script(scripts.EVENT_AT)
        self._delete = client.register_script(scripts.DELETE)
        self._split = client.register_script(scripts.SPLIT)
        self._client = client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def ping(self) -> None:
        with _reachable():
            await self.client.ping()

    def _keys(self, meeting_id: str) -> list[str]:
        base = f"{self._prefix}m:{meeting_id}:"
        return [base + part for part in _PARTS]

    def _code_key(self, code: str) -> str:
        return f"{self._prefix}code:{code}"

    def _known_key(self, meeting_id: str) -> str:
        return f"{self._prefix}known:{tombstone_key(meeting_id)}"

    async def create(
        self,
        meeting: Meeting,
        code: str,
        access: dict[str, AccessRecord],
        share: dict[str, str],
        ttl: int,
        *,
        seq: int = 0,
        public_seq: int = 0,
        ops: dict[str, Written] | None = None,
    ) -> bool:
        meeting_id = meeting["id"]
        pairs = [x for token, record in access.items() for x in (token, _dump(record))]
        answers = sorted((ops or {}).items(), key=lambda pair: int(pair[1].get("seq", 0)))
        op_triples = [
            x for key, result in answers for x in (key, _dump(result), int(result.get("seq", 0)))
        ]
        parts = state_parts(meeting)
        args: list[str | int] = [
            meeting_id,
            code,
            _dump(share),
            ttl,
            seq,
            public_seq,
            -1 if ops is None else seq,
            len(access),
            *pairs,
            len(answers),
            *op_triples,
            len(parts),
            *_numbered(parts),
        ]
        keys = [*self._keys(meeting_id), self._code_key(code), self._known_key(meeting_id)]
        with _reachable():
            created = await self._create(keys=keys, args=args)
        return bool(created)

    async def share(self, meeting_id: str) -> dict[str, str] | None:
        with _reachable():
            raw = await self.client.hget(self._keys(meeting_id)[0], "share")
        return None if raw is None else decoded(raw, dict[str, str])

    async def meeting_for_code(self, code: str) -> str | None:
        with _reachable():
            found = await self.client.get(self._code_key(code))
        return None if found is None else str(found)

    async def access(self, meeting_id: str, token_hash: str) -> AccessRecord | None:
        with _reachable():
            raw = await self.client.hget(self._keys(meeting_id)[_ACCESS - 1], token_hash)
        return None if raw is None else decoded(raw, AccessRecord)

    async def grants(self, meeting_id: str) -> dict[str, AccessRecord]:
        with _reachable():
            found = await self.client.hgetall(self._keys(meeting_id)[_ACCESS - 1])
        return {str(k): decoded(v, AccessRecord) for k, v in found.items()}

    async def grant(self, meeting_id: str, token_hash: str, record: AccessRecord, ttl: int) -> bool:
        args: list[str | int] = [ttl, _ACCESS, token_hash, _dump(record)]
        with _reachable():
            done = await self._hash_write(keys=self._keys(meeting_id), args=args)
        return bool(done)

    async def load(self, meeting_id: str) -> Stored | None:
        keys = self._keys(meeting_id)
        with _reachable():
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.hmget(keys[0], ["seq", "pseq", "base", "state"])
                pipe.hgetall(keys[_STATE - 1])
                (seq, pseq, base, whole), found = await pipe.execute()
            if seq is not None and whole is not None:
                await self._split(
                    keys=[keys[0], keys[_STATE - 1]],
                    args=_numbered(state_parts(decoded(whole, Meeting))),
                )
                return await self.load(meeting_id)
        if seq is None:
            return None
        items: list[tuple[int, str, str]] = []
        fields: list[tuple[str, str]] = []
        for name, value in found.items():
            if name.startswith("i:"):
                n, _, text = value.partition(" ")
                items.append((int(n), name, text))
            else:
                fields.append((name, value))
        items.sort()
        return Stored(
            seq=int(seq),
            state=joined(fields + [(name, text) for _, name, text in items]),
            public_seq=int(pseq or 0),
            base=int(base or -1),
        )

    async def append(
        self,
        meeting_id: str,
        event: Event,
        op_id: str | None,
        result: Written,
        ttl: int,
    ) -> AppendResult:
        encoded, parts = encoded_event(event)
        args: list[str | int] = [
            op_id or "",
            event["seq"],
            encoded,
            _dump(result),
            ttl,
            self._log_max,
            "1" if event["public"] else "",
            self.ops_window,
        ]
        for name, text in parts:
            args += [name, text]
        with _reachable():
            reply = await self._append(keys=self._keys(meeting_id), args=args)
        outcome, *rest = reply
        if outcome == "ok":
            return Appended(seq=int(rest[0]))
        if outcome == "stale":
            return Stale(seq=int(rest[0]))
        if outcome == "duplicate":
            return Duplicate(result=decoded(rest[0], Written))
        return Gone()

    async def recall(self, meeting_id: str, op_id: str) -> Written | None:
        with _reachable():
            raw = await self.client.hget(self._keys(meeting_id)[2], op_id)
        return None if raw is None else decoded(raw, Written)

    async def ops(self, meeting_id: str, after: int) -> dict[str, Written]:
        with _reachable():
            found = await self.client.hgetall(self._keys(meeting_id)[2])
        results = {str(k): decoded(v, Written) for k, v in found.items()}
        return {key: result for key, result in results.items() if result.get("seq", 0) > after}

    async def since(self, meeting_id: str, seq: int) -> list[Event] | None:
        with _reachable():
            raw = await self._since(keys=self._keys(meeting_id)[:2], args=[seq])
        if raw is None:
            return None
        return [decoded(item, Event) for item in raw]

    async def event_at(self, meeting_id: str, seq: int) -> Event | None:
        with _reachable():
            raw = await self._event_at(keys=self._keys(meeting_id)[:2], args=[seq])
        return None if raw is None else decoded(raw, Event)

    async def status(self, meeting_id: str) -> Status:
        with _reachable():
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.exists(self._keys(meeting_id)[0])
                pipe.get(self._known_key(meeting_id))
                exists, known = await pipe.execute()
        if exists:
            return "live"
        return {"live": "expired", "ended": "ended"}.get(known or "", "unknown")  # type: ignore[return-value]

    async def missing(self, meeting_ids: list[str]) -> set[str]:
        if not meeting_ids:
            return set()
        with _reachable():
            async with self.client.pipeline(transaction=False) as pipe:
                for meeting_id in meeting_ids:
                    pipe.exists(self._keys(meeting_id)[0])
                found = await pipe.execute()
        return {mid for mid, exists in zip(meeting_ids, found, strict=True) if not exists}

    async def set_presence(
        self, meeting_id: str, entries: dict[str, str | None], until: int, ttl: int
    ) -> None:
        args: list[str | int] = [ttl, _PRESENCE]
        for sid, label in entries.items():
            args += [sid, "" if label is None else f"{label} {until}"]
        with _reachable():
            await self._hash_write(keys=self._keys(meeting_id), args=args)

    async def presence(self, meeting_id: str, now: float) -> dict[str, str]:
        key = self._keys(meeting_id)[_PRESENCE - 1]
        with _reachable():
            found = await self.client.hgetall(key)
            current, stale = split_presence({str(k): str(v) for k, v in found.items()}, now)
            if stale:
                await self.client.hdel(key, *stale)
        return current

    async def delete(self, meeting_id: str) -> Deletion:
        keys = [*self._keys(meeting_id), self._known_key(meeting_id)]
        with _reachable():
            removed, code = await self._delete(keys=keys)
            remaining = await self._remaining(meeting_id, str(code))
        return Deletion(removed=int(removed), remaining=remaining)

    async def _remaining(self, meeting_id: str, code: str) -> int:
        """Scan for anything of the meeting left behind, whatever its key is called."""
        pattern = _glob_escape(f"{self._prefix}m:{meeting_id}:") + "*"
        left = 0
        async for _key in self.client.scan_iter(match=pattern, count=1000):
            left += 1
        if code and await self.client.get(self._code_key(code)) == meeting_id:
            left += 1
        return left
