"""The Lua scripts the workers run in Redis: each is one atomic step of the shared frontier or of politeness.

Redis runs a script alone, so a pop and its lease, a lost worker's leases going back, a pass starting, a
batch of requests checked and queued, a domain's token granted, each happen all at once or not at all.
Some touch keys they are not passed (a worker's heartbeat key, a pass's hash): Redis Cluster would refuse
them; a single Redis (with replicas) is what they are for.
"""

# put back in the queue the leases of the workers whose heartbeat key (ARGV[1] .. worker) is gone
REQUEUE = """
local n = 0
local leases = redis.call('HGETALL', KEYS[2])
for i = 1, #leases, 2 do
  local lease = leases[i + 1]
  local a = string.find(lease, '|', 1, true)
  local b = string.find(lease, '|', a + 1, true)
  if redis.call('EXISTS', ARGV[1] .. string.sub(lease, 1, a - 1)) == 0 then
    redis.call('ZADD', KEYS[1], string.sub(lease, a + 1, b - 1), string.sub(lease, b + 1))
    redis.call('HDEL', KEYS[2], leases[i])
    n = n + 1
  end
end
return n
"""
# KEYS: seen-set, queue, leases. ARGV: worker, token, then (fingerprint, score, request) triples to queue
# first: an empty fingerprint is not checked (dont_filter), another is queued only if the seen-set did not
# have it. Then, unless the worker is '', pop the best request and lease it to the worker under the token,
# in the same step. Returns {how many were seen already, the request popped or nil}.
PUSH_AND_POP = """
local seen = 0
for i = 3, #ARGV, 3 do
  if ARGV[i] == '' or redis.call('SADD', KEYS[1], ARGV[i]) == 1 then
    redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i + 2])
  else
    seen = seen + 1
  end
end
if ARGV[1] == '' then return {seen, false} end
local item = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if #item == 0 then return {seen, false} end
redis.call('ZREM', KEYS[2], item[1])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[1] .. '|' .. item[2] .. '|' .. item[1])
return {seen, item[1]}
"""
# start a new pass of site ARGV[1], or join the one running (queue or leases not empty, or being seeded by
# a live seeder); ARGV[4] = '1' discards the running one. Returns {pass, 1 if new}.
BEGIN_PASS = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 and ARGV[4] ~= '1' then
  local busy = redis.call('ZCARD', KEYS[2]) > 0 or redis.call('HLEN', KEYS[3]) > 0
  if not busy then
    local fields = redis.call('HKEYS', ARGV[5] .. n)
    for _, f in ipairs(fields) do
      if string.sub(f, 1, 7) == 'seeder:' and redis.call('EXISTS', ARGV[6] .. string.sub(f, 8)) == 1 then
        busy = true
      end
    end
  end
  if busy then
    redis.call('HSET', ARGV[5] .. n, 'seeder:' .. ARGV[3], ARGV[2])
    return {n, 0}
  end
end
redis.call('DEL', KEYS[2], KEYS[3])
n = redis.call('INCR', KEYS[1])
redis.call('UNLINK', KEYS[4])
redis.call('HSET', ARGV[5] .. n, 'started_at', ARGV[2], 'seeder:' .. ARGV[3], ARGV[2])
redis.call('SADD', KEYS[5], ARGV[1])
redis.call('XADD', KEYS[6], '*', 'kind', 'pass_start', 'site', ARGV[1], 'pass', n, 'worker', ARGV[3],
           'body', ARGV[7])
return {n, 1}
"""
# 1 when the pass is drained: nothing queued, nothing leased, no live seeder
DRAINED = """
if redis.call('ZCARD', KEYS[1]) > 0 or redis.call('HLEN', KEYS[2]) > 0 then return 0 end
for _, f in ipairs(redis.call('HKEYS', KEYS[3])) do
  if string.sub(f, 1, 7) == 'seeder:' and redis.call('EXISTS', ARGV[1] .. string.sub(f, 8)) == 1 then
    return 0
  end
end
return 1
"""

# KEYS: domain state (hash: next, delay), requests in flight (sorted set: token -> expiry, ms)
# ARGV: delay ms if not adaptive / start delay ms if adaptive, jitter factor, concurrency, lease ms, token,
#       '1' when adaptive. Returns 0 (granted), a wait in ms, or -1 (at the concurrency limit).
ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return -1 end
local nxt = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
if now < nxt then return nxt - now end
local delay = tonumber(ARGV[1])
if ARGV[6] == '1' then delay = tonumber(redis.call('HGET', KEYS[1], 'delay') or ARGV[1]) end
redis.call('HSET', KEYS[1], 'next', now + math.floor(delay * tonumber(ARGV[2])))
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[5])
redis.call('PEXPIRE', KEYS[1], 86400000)
redis.call('PEXPIRE', KEYS[2], 86400000)
return 0
"""
