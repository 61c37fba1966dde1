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
import json
from collections.abc import Iterator
from typing import Any, Literal

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ..domain.evolve import Event
from ..domain.model import Meeting
from ..errors import StoreUnavailable
from .base import (
    OPS_WINDOW,
    TOMBSTONE_SECONDS,
    AccessRecord,
    Appended,
    AppendResult,
    Deletion,
    Duplicate,
    Gone,
    Stale,
    Status,
    Stored,
    change_parts,
    decoded,
    joined,
    split_presence,
    state_parts,
    tombstone_key,
)

# Shared by the write scripts: KEYS are the meeting's keys, the code key is named in :meta.
_TOUCH = f"""
local function touch(ttl)
  for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ttl) end
  local codekey = redis.call('HGET', KEYS[1], 'codekey')
  if codekey then redis.call('EXPIRE', codekey, ttl) end
  local knownkey = redis.call('HGET', KEYS[1], 'knownkey')
  if knownkey then redis.call('EXPIRE', knownkey, ttl + {TOMBSTONE_SECONDS}) end
end
"""

# KEYS meta log ops access presence state opseq codekey knownkey;
# ARGV id code share ttl seq pseq base n_access, access pairs..., n_ops, op pairs (key, result,
# seq)..., n_parts, state parts (name, value)...
_CREATE = f"""
if redis.call('EXISTS', KEYS[8]) == 1 or redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local ttl = tonumber(ARGV[4])
redis.call('SET', KEYS[8], ARGV[1], 'EX', ttl)
redis.call('SET', KEYS[9], 'live', 'EX', ttl + {TOMBSTONE_SECONDS})
redis.call('HSET', KEYS[1], 'seq', ARGV[5], 'pseq', ARGV[6], 'base', ARGV[7], 'code', ARGV[2],
  'codekey', KEYS[8], 'knownkey', KEYS[9], 'share', ARGV[3])
redis.call('EXPIRE', KEYS[1], ttl)
local at = 8
local n = tonumber(ARGV[at])
for i = 0, n - 1 do redis.call('HSET', KEYS[4], ARGV[at + 1 + 2 * i], ARGV[at + 2 + 2 * i]) end
if n > 0 then redis.call('EXPIRE', KEYS[4], ttl) end
at = at + 1 + 2 * n
n = tonumber(ARGV[at])
for i = 0, n - 1 do
  redis.call('HSET', KEYS[3], ARGV[at + 1 + 3 * i], ARGV[at + 2 + 3 * i])
  redis.call('ZADD', KEYS[7], ARGV[at + 3 + 3 * i], ARGV[at + 1 + 3 * i])
end
if n > 0 then redis.call('EXPIRE', KEYS[3], ttl); redis.call('EXPIRE', KEYS[7], ttl) end
at = at + 1 + 3 * n
n = tonumber(ARGV[at])
for i = 0, n - 1 do redis.call('HSET', KEYS[6], ARGV[at + 1 + 2 * i], ARGV[at + 2 + 2 * i]) end
redis.call('HSET', KEYS[1], 'n', n)
redis.call('EXPIRE', KEYS[6], ttl)
return 1
"""

# KEYS meta log ops access presence state opseq;
# ARGV op_id ('' = none) seq event result ttl log_max public ('1' or '') window,
# then the state parts the event changes (name, JSON or '' = remove).
_APPEND = (
    _TOUCH
    + """
local current = redis.call('HGET', KEYS[1], 'seq')
if not current then return {'gone'} end
if ARGV[1] ~= '' then
  local prior = redis.call('HGET', KEYS[3], ARGV[1])
  if prior then return {'duplicate', prior} end
end
local seq = tonumber(ARGV[2])
if tonumber(current) + 1 ~= seq then return {'stale', tonumber(current)} end
redis.call('HSET', KEYS[1], 'seq', ARGV[2])
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'pseq', ARGV[2]) end
for i = 9, #ARGV, 2 do
  local name, value = ARGV[i], ARGV[i + 1]
  if value == '' then
    redis.call('HDEL', KEYS[6], name)
  elseif string.sub(name, 1, 2) == 'i:' then
    local old = redis.call('HGET', KEYS[6], name)
    local n = old and string.match(old, '^(%d+) ') or redis.call('HINCRBY', KEYS[1], 'n', 1)
    redis.call('HSET', KEYS[6], name, n .. ' ' .. value)
  else
    redis.call('HSET', KEYS[6], name, value)
  end
end
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[6]), -1)
if ARGV[1] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
  redis.call('ZADD', KEYS[7], seq, ARGV[1])
end
local floor = seq - tonumber(ARGV[8])
local old_ops = redis.call('ZRANGEBYSCORE', KEYS[7], '-inf', floor)
if #old_ops > 0 then
  redis.call('HDEL', KEYS[3], unpack(old_ops))
  redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', floor)
end
touch(tonumber(ARGV[5]))
return {'ok', seq}
"""
)

# KEYS meta log ops access presence; ARGV ttl hash-index, then field value ('' = remove) pairs.
_HASH_WRITE = (
    _TOUCH
    + """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local target = KEYS[tonumber(ARGV[2])]
for i = 3, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', target, ARGV[i])
  else redis.call('HSET', target, ARGV[i], ARGV[i + 1]) end
end
touch(tonumber(ARGV[1]))
return 1
"""
)

# KEYS meta log; ARGV seq. The one event, while the log holds it.
_EVENT_AT = """
local current = redis.call('HGET', KEYS[1], 'seq')
if not current then return false end
local back = tonumber(current) - tonumber(ARGV[1])
if back < 0 or back >= redis.call('LLEN', KEYS[2]) then return false end
return redis.call('LINDEX', KEYS[2], -1 - back)
"""

# KEYS meta log; ARGV seq. Nil when the log does not reach back to seq, seq is ahead, or seq is
# past the point a restored meeting was restored at (base).
_SINCE = """
local current, base = unpack(redis.call('HMGET', KEYS[1], 'seq', 'base'))
if not current then return false end
local wanted = tonumber(current) - tonumber(ARGV[1])
if wanted < 0 or wanted > redis.call('LLEN', KEYS[2]) then return false end
base = tonumber(base or '-1')
if base >= 0 and tonumber(ARGV[1]) > base then return false end
if wanted == 0 then return {} end
return redis.call('LRANGE', KEYS[2], -wanted, -1)
"""

# KEYS meta log ops access presence state opseq knownkey; returns the number of keys deleted
# and the code.
_DELETE = f"""
local code = redis.call('HGET', KEYS[1], 'code') or ''
local codekey = redis.call('HGET', KEYS[1], 'codekey')
local removed = redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7])
if codekey then removed = removed + redis.call('DEL', codekey) end
redis.call('SET', KEYS[8], 'ended', 'EX', {TOMBSTONE_SECONDS})
return {{removed, code}}
"""

# KEYS meta state. A meeting stored whole by an earlier version (meta ``state``, one JSON) is
# split into parts once, by the first process of this version that loads it; ARGV the parts.
_SPLIT = """
if redis.call('HEXISTS', KEYS[1], 'state') == 0 then return 0 end
local ttl = redis.call('TTL', KEYS[1])
for i = 1, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'n', #ARGV / 2)
redis.call('HDEL', KEYS[1], 'state')
if ttl > 0 then redis.call('EXPIRE', KEYS[2], ttl) end
return 1
"""

_PARTS = ("meta", "log", "ops", "access", "presence", "state", "opseq")
_OPS, _ACCESS, _PRESENCE, _STATE = 3, 4, 5, 6


def _dump(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


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
        self._create = client.register_script(_CREATE)
        self._append = client.register_script(_APPEND)
        self._hash_write = client.register_script(_HASH_WRITE)
        self._since = client.register_script(_SINCE)
        self._event_at = client.register_script(_EVENT_AT)
        self._delete = client.register_script(_DELETE)
        self._split = client.register_script(_SPLIT)
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
        ops: dict[str, dict[str, Any]] | None = None,
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
        result: dict[str, Any],
        ttl: int,
    ) -> AppendResult:
        args: list[str | int] = [
            op_id or "",
            event["seq"],
            _dump(event),
            _dump(result),
            ttl,
            self._log_max,
            "1" if event["public"] else "",
            self.ops_window,
        ]
        for name, text in change_parts(event["changes"]):
            args += [name, text]
        with _reachable():
            reply = await self._append(keys=self._keys(meeting_id), args=args)
        outcome, *rest = reply
        if outcome == "ok":
            return Appended(seq=int(rest[0]))
        if outcome == "stale":
            return Stale(seq=int(rest[0]))
        if outcome == "duplicate":
            return Duplicate(result=json.loads(rest[0]))
        return Gone()

    async def recall(self, meeting_id: str, op_id: str) -> dict[str, Any] | None:
        with _reachable():
            raw = await self.client.hget(self._keys(meeting_id)[2], op_id)
        return None if raw is None else decoded(raw, dict[str, Any])

    async def ops(self, meeting_id: str, after: int) -> dict[str, dict[str, Any]]:
        with _reachable():
            found = await self.client.hgetall(self._keys(meeting_id)[2])
        results = {str(k): json.loads(v) for k, v in found.items()}
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
