"""The Lua scripts of the Redis store (store/redis.py has the layout of the keys).

Each write is one script, so it is atomic across processes and costs one round trip; every
write gives every key of the meeting the same new TTL (``TOUCH``), so a meeting expires as a
whole.
"""

from __future__ import annotations

from .base import TOMBSTONE_SECONDS

# Shared by the write scripts: KEYS are the meeting's keys, the code key is named in :meta.
TOUCH = f"""
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
CREATE = f"""
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
APPEND = (
    TOUCH
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
HASH_WRITE = (
    TOUCH
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
EVENT_AT = """
local current = redis.call('HGET', KEYS[1], 'seq')
if not current then return false end
local back = tonumber(current) - tonumber(ARGV[1])
if back < 0 or back >= redis.call('LLEN', KEYS[2]) then return false end
return redis.call('LINDEX', KEYS[2], -1 - back)
"""

# KEYS meta log; ARGV seq. Nil when the log does not reach back to seq, seq is ahead, or seq is
# past the point a restored meeting was restored at (base).
SINCE = """
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
DELETE = f"""
local code = redis.call('HGET', KEYS[1], 'code') or ''
local codekey = redis.call('HGET', KEYS[1], 'codekey')
local removed = redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7])
if codekey then removed = removed + redis.call('DEL', codekey) end
redis.call('SET', KEYS[8], 'ended', 'EX', {TOMBSTONE_SECONDS})
return {{removed, code}}
"""

# KEYS meta state. A meeting stored whole by an earlier version (meta ``state``, one JSON) is
# split into parts once, by the first process of this version that loads it; ARGV the parts.
SPLIT = """
if redis.call('HEXISTS', KEYS[1], 'state') == 0 then return 0 end
local ttl = redis.call('TTL', KEYS[1])
for i = 1, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'n', #ARGV / 2)
redis.call('HDEL', KEYS[1], 'state')
if ttl > 0 then redis.call('EXPIRE', KEYS[2], ttl) end
return 1
"""
