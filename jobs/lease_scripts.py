"""The Lua scripts behind a language's lease (see jobs/store.py).

Each runs atomically inside Redis and reads the clock with TIME, so leases
are judged by one clock, Redis's, whatever the skew between worker hosts.
Every script that ends a language also moves it from the `leases` sorted set
to the `outbox` one, in the same step: the sweeper only ever looks at
languages that are still open, and what must follow an end (the webhook
events) is recorded before anyone can miss it. The metrics' `active:*` sets
move with the state, as `JobStore._move_in_indexes` moves them.

KEYS: 1 the language hash, 2 the job hash, 3 `leases`, 4 `outbox`,
      5 active:languages:queued, 6 active:languages:running,
      7 active:jobs:queued, 8 active:jobs:running,
      9 the article key to publish a revision under (WRITE only).
ARGV: 1 the member of `leases` ("<job_id>/<lang>"), 2 the member of the
      active language sets ("<job_id>:<lang>"), 3 the job id; then each
      script's own, from 4.
"""

from __future__ import annotations

_PRELUDE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local stamp = string.format('%.3f', now)
local function move(old, new)
  if old == new then return end
  if old == 'queued' then redis.call('ZREM', KEYS[5], ARGV[2]) end
  if old == 'running' then redis.call('ZREM', KEYS[6], ARGV[2]) end
  if new == 'queued' then redis.call('ZADD', KEYS[5], now, ARGV[2]) end
  if new == 'running' then
    redis.call('ZADD', KEYS[6], now, ARGV[2])
    -- the job runs as soon as one of its languages does
    redis.call('ZREM', KEYS[7], ARGV[3])
    redis.call('ZADD', KEYS[8], 'NX', now, ARGV[3])
  end
end
local function finish(old, state, error)
  redis.call('HSET', KEYS[1], 'state', state, 'finished_at', stamp, 'updated_at', stamp, 'holder', '')
  if error then redis.call('HSET', KEYS[1], 'error', error) end
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('ZADD', KEYS[4], now, ARGV[1])
  move(old, state)
end
local function num(field)
  return tonumber(redis.call('HGET', KEYS[1], field) or '0') or 0
end
"""

# ARGV: 4 holder token, 5 lease seconds, 6 max attempts, 7 hard time limit (0: none),
#       8 reason when the attempts are used up.
# Returns {outcome, attempts}; outcome: claimed | busy | finished | cancelled | exhausted | missing.
CLAIM = (
    _PRELUDE
    + """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing', 0} end
if state == 'running' then
  -- The same claim again (its first reply was lost): it is ours.
  if redis.call('HGET', KEYS[1], 'holder') == ARGV[4] then return {'claimed', num('attempts')} end
  -- Another delivery holds a live lease: this one is a duplicate.
  if num('lease_until') > now then return {'busy', num('attempts')} end
elseif state ~= 'queued' then
  return {'finished', num('attempts')}
end
local attempts = num('attempts')
if redis.call('HGET', KEYS[2], 'cancelled') == '1' then
  finish(state, 'cancelled')
  return {'cancelled', attempts}
end
if attempts >= tonumber(ARGV[6]) then
  finish(state, 'failed', ARGV[8])
  return {'exhausted', attempts}
end
attempts = attempts + 1
local lease = now + tonumber(ARGV[5])
redis.call('HSET', KEYS[1], 'state', 'running', 'holder', ARGV[4], 'attempts', attempts,
  'lease_until', string.format('%.3f', lease), 'time_limit', ARGV[7],
  'started_at', stamp, 'updated_at', stamp, 'done', 0)
redis.call('ZADD', KEYS[3], lease, ARGV[1])
move(state, 'running')
return {'claimed', attempts}
"""
)

# ARGV: 4 holder, 5 lease seconds. Returns ok | lost (another holder, or no longer running).
RENEW = (
    _PRELUDE
    + """
if redis.call('HGET', KEYS[1], 'state') ~= 'running' or redis.call('HGET', KEYS[1], 'holder') ~= ARGV[4] then
  return 'lost'
end
local lease = now + tonumber(ARGV[5])
redis.call('HSET', KEYS[1], 'lease_until', string.format('%.3f', lease))
redis.call('ZADD', KEYS[3], lease, ARGV[1])
return 'ok'
"""
)

# ARGV: 4 holder, 5 new state (running for progress), 6 the revision to publish
# with a success (0: none), then field/value pairs.
# Only the lease holder writes. Returns 1 if written (or already written by the
# same holder: a retried write whose first reply was lost), else 0.
WRITE = (
    _PRELUDE
    + """
local state = redis.call('HGET', KEYS[1], 'state')
if redis.call('HGET', KEYS[1], 'holder') ~= ARGV[4] then
  if state == ARGV[5] and state ~= 'running' and redis.call('HGET', KEYS[1], 'finished_by') == ARGV[4] then
    return 1
  end
  return 0
end
if state ~= 'running' then return 0 end
for i = 7, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'updated_at', stamp)
if ARGV[5] ~= 'running' then
  redis.call('HSET', KEYS[1], 'finished_by', ARGV[4])
  finish(state, ARGV[5])
end
-- A revision of a CMS article is published with its result, unless a newer one already is.
local revision = tonumber(ARGV[6])
if ARGV[5] == 'succeeded' and revision > 0 then
  local current = tonumber(redis.call('HGET', KEYS[9], 'revision') or '0') or 0
  if current <= revision then
    redis.call('HSET', KEYS[9], 'revision', revision, 'job_id', ARGV[3], 'published_at', stamp)
  end
end
return 1
"""
)

# ARGV: 4 max attempts, 5 reason when the attempts are used up, 6 dispatch grace seconds.
# Decides what happens to a language whose score in `leases` has passed:
#   live       its holder renewed meanwhile; nothing to do
#   requeue    its holder is gone: set back to queued; the caller sends a new task
#   queued     queued and not yet claimed; the caller re-sends if its message was lost
#   cancelled / failed   ended here; gone / done: no longer open, dropped from the set
SWEEP = (
    _PRELUDE
    + """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  redis.call('ZREM', KEYS[3], ARGV[1])
  return 'gone'
end
if state == 'queued' then return 'queued' end
if state ~= 'running' then
  redis.call('ZREM', KEYS[3], ARGV[1])
  return 'done'
end
local lease = num('lease_until')
if lease > now then
  redis.call('ZADD', KEYS[3], lease, ARGV[1])
  return 'live'
end
if redis.call('HGET', KEYS[2], 'cancelled') == '1' then
  finish(state, 'cancelled')
  return 'cancelled'
end
local limit = num('time_limit')
if limit > 0 and now >= num('started_at') + limit then
  finish(state, 'failed', string.format('exceeded its time limit of %d s (derived from the article size); ' ..
    'the worker running it was stopped', limit))
  return 'failed'
end
if num('attempts') >= tonumber(ARGV[4]) then
  finish(state, 'failed', ARGV[5])
  return 'failed'
end
redis.call('HSET', KEYS[1], 'state', 'queued', 'holder', '', 'lease_until', '0', 'updated_at', stamp)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[6]), ARGV[1])
move(state, 'queued')
return 'requeue'
"""
)
