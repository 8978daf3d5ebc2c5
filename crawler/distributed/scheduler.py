"""The shared frontier: scrapy-redis' scheduler, priority queue and dupefilter, per site and per pass.

Thin subclasses of scrapy-redis 0.9.1 (docs/distributed.md says why each is needed):

* **keys per site**, not per spider class: the generic spider crawls many sites under one name;
* **passes**: a pass is one crawl of a site. `--seed` starts one (the previous pass's seen-set is dropped,
  so listings and due revisits are fetched again) or joins the one running; the seen-set then lasts the
  whole pass, across worker restarts. A worker closes when the pass is drained: queue empty, no request
  leased, no seeder alive;
* **leases**: scrapy-redis pops a request and forgets it, so a worker killed mid-download loses it. Here
  the pop moves it into a lease (a Redis hash, atomically, in Lua) naming the worker; the lease is
  dropped once the engine is done with the request (downloaded, parsed, its items pushed, its follow-up
  requests queued) and a worker whose heartbeat expired has its leases put back in the queue by any
  other worker. At least once: a page the dead worker had fetched but not finished is fetched again;
* **revisits**: the spider sends revisits of known articles with `dont_filter=True` (a revisit that
  redirects to the home page must still arrive). Every worker and the seeder may send the same one, so
  here they are checked against the seen-set after all, under a fingerprint of their own: the pass
  number (the revisit epoch), the article URL asked for and the URL reached. One revisit per article per
  pass; the next pass has a new epoch and a new seen-set;
* Scrapy 2.19: scrapy-redis passes `spider=` to the stats methods, deprecated since Scrapy 2.15 (a
  warning per call); the enqueue and dequeue paths are rewritten here without it.

The engine is asked about pending requests (`has_pending_requests`): true until the pass is drained, so
a worker whose queue is momentarily empty waits for the requests another worker is about to queue.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from functools import partial
from typing import Any

from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet import task
from w3lib.url import canonicalize_url

from crawler.distributed import Keys, codec, connect, redis_url, worker_id

logger = logging.getLogger(__name__)

# pop the best request and lease it to ARGV[1] (worker) under ARGV[2] (token), in one step
POP_AND_LEASE = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREM', KEYS[1], item[1])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1] .. '|' .. item[2] .. '|' .. item[1])
return item[1]
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
# queue a batch of requests: ARGV holds (fingerprint, score, request) triples; an empty fingerprint is not
# checked (dont_filter), another is queued only if the seen-set did not have it. Returns how many were seen.
PUSH = """
local seen = 0
for i = 1, #ARGV, 3 do
  if ARGV[i] == '' or redis.call('SADD', KEYS[1], ARGV[i]) == 1 then
    redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i + 2])
  else
    seen = seen + 1
  end
end
return seen
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

# heartbeat keys are per process; the schedulers of one process (one per site) share it
_open_schedulers: dict[str, int] = {}
PUSH_BATCH = 200  # requests queued locally before they are sent without waiting for the next pop
SEEDED = object()  # signal: the spider's start requests are all enqueued (sent by worker.StartFilter)


class LeasedQueue(PriorityQueue):
    """scrapy-redis' priority queue (a sorted set by -priority) whose pop leases the request."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None, *,
                 leases: str = "", worker: str = ""):
        super().__init__(server, spider, key, serializer)
        self.leases_key = leases
        self.worker = worker
        self._pop = server.register_script(POP_AND_LEASE)
        self.popped: dict[str, float] = {}  # token -> when this worker leased it

    def pop(self, timeout: int = 0, client: Any = None) -> Any:
        """The best request, leased to this worker (or, with a pipeline as `client`, a callable that takes the
        pipeline's answer and gives the request)."""
        token = uuid.uuid4().hex
        answer = self._pop(keys=[self.key, self.leases_key], args=[self.worker, token], client=client)
        take = partial(self._take, token)
        return take if client is not None else take(answer)

    def _take(self, token: str, data: Any) -> Any:
        if not data:
            return None
        request = self._decode_request(data)
        request.meta["_lease"] = token
        self.popped[token] = time.monotonic()
        return request


class DupeFilter(RFPDupeFilter):
    """scrapy-redis' seen-set; revisits get a fingerprint of their own: pass, article asked for, URL reached."""

    epoch = 0  # the pass number, set by the scheduler

    def request_fingerprint(self, request: Any) -> str:
        if not request.meta.get("revisit"):
            return super().request_fingerprint(request)
        asked = (request.meta.get("redirect_urls") or [request.url])[0]
        data = {"revisit": self.epoch, "url": canonicalize_url(asked), "at": canonicalize_url(request.url)}
        return hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()


class Scheduler(RedisScheduler):
    """scrapy-redis' scheduler with passes, leases, revisit fingerprints and keys per site."""

    def __init__(self, server: Any, crawler: Any):
        super().__init__(server, persist=True, serializer=codec)
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.keys = Keys(settings.get("DISTRIBUTED_PREFIX") or "vnparty")
        self.worker = worker_id()
        self.seed = (settings.get("DISTRIBUTED_SEED") or "no").lower()  # no | yes | only
        self.new_pass = settings.getbool("DISTRIBUTED_NEW_PASS")
        self.heartbeat = settings.getfloat("DISTRIBUTED_HEARTBEAT", 1.0)
        self.ttl = max(settings.getint("DISTRIBUTED_WORKER_TTL", 10), int(3 * self.heartbeat) + 1)
        self.wait_for_pass = settings.getfloat("DISTRIBUTED_WAIT_FOR_PASS", 30.0)
        self.pass_number: int | None = None
        self.drained = False
        self.stale = False  # a newer pass of the site was started: this worker stops taking requests
        self.opened = time.monotonic()
        self._drained_checked = 0.0
        self._loop: task.LoopingCall | None = None
        self.pending: list[Any] = []  # requests to queue: (fingerprint or "", score, encoded request) triples
        self._push = server.register_script(PUSH)
        self._requeue = server.register_script(REQUEUE)
        self._begin = server.register_script(BEGIN_PASS)
        self._drained = server.register_script(DRAINED)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Scheduler:
        server = connect(redis_url(crawler.settings))
        server.ping()
        scheduler = cls(server, crawler)
        crawler.signals.connect(scheduler.seeded, signal=SEEDED)
        return scheduler

    # --- opening and closing ---

    def open(self, spider: Any) -> None:
        self.spider = spider
        self.site = spider.site_name
        self.queue = LeasedQueue(self.server, spider, self.keys.queue(self.site), self.serializer,
                                 leases=self.keys.leases(self.site), worker=self.worker)
        self.df = DupeFilter(self.server, self.keys.seen(self.site), debug=spider.settings.getbool("DUPEFILTER_DEBUG"))
        _open_schedulers[self.worker] = _open_schedulers.get(self.worker, 0) + 1
        self._beat()
        if self.seed in ("yes", "only"):
            from crawler.store import now_iso

            started = now_iso()
            number, new = self._begin(
                keys=[self.keys.pass_number(self.site), self.keys.queue(self.site), self.keys.leases(self.site),
                      self.keys.seen(self.site), self.keys.sites, self.keys.stream],
                args=[self.site, started, self.worker, "1" if self.new_pass else "0",
                      self.keys.pass_info(self.site, ""), self.keys.worker(""),
                      codec.dumps({"started_at": started})])
            self._set_pass(int(number))
            logger.info("%s: %s pass %s", self.site, "started" if new else "joined", number,
                        extra={"spider": spider})
        else:
            self._find_pass()
        self._loop = task.LoopingCall(self._sweep)
        self._loop.start(self.heartbeat, now=False)

    def close(self, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.flush()
        # the engine closes the spider once no request is in progress: every lease of ours is done with
        if self.queue.popped:
            self.server.hdel(self.queue.leases_key, *self.queue.popped)
            self.queue.popped.clear()
        if self.pass_number is not None:
            self.server.hdel(self.keys.pass_info(self.site, self.pass_number), f"seeder:{self.worker}")
        self.stats.set_value("distributed/drained", self._is_drained(force=True))
        _open_schedulers[self.worker] -= 1
        if _open_schedulers[self.worker] <= 0:  # the last site of this process: the worker is gone
            self.server.delete(self.keys.worker(self.worker))

    def seeded(self, count: int = 0) -> None:
        """The seeder's start requests are all queued: send them, then stop holding the pass open."""
        self.flush_requests()
        if self.pass_number is not None:
            self.server.hdel(self.keys.pass_info(self.site, self.pass_number), f"seeder:{self.worker}")
        self.stats.set_value("distributed/seeded", count)
        logger.info("%s: %s start requests seeded into pass %s", self.site, count, self.pass_number,
                    extra={"spider": self.spider})

    def _set_pass(self, number: int) -> None:
        self.pass_number = number
        self.df.epoch = number
        self.stats.set_value("distributed/pass", number)
        # names this worker's WARC files and stands for the run in its capture rows (the ingester knows the
        # pass's crawl_runs id): <site>-<time>-rp<pass>-<worker>-<serial>.warc.gz
        self.stats.set_value("archive/run_id", f"p{number}-{self.worker}")
        self.server.hset(self.keys.pass_info(self.site, number), f"worker:{self.worker}", time.time())

    def _find_pass(self) -> None:
        number = self.server.get(self.keys.pass_number(self.site))
        if number is not None:
            self._set_pass(int(number))
            logger.info("%s: working on pass %s", self.site, self.pass_number, extra={"spider": self.spider})

    # --- the engine's interface ---

    def enqueue_request(self, request: Any) -> bool:
        """Queue a request (checked against the pass's seen-set in Redis when the batch is sent: at the next
        pop, at the heartbeat, and always before the lease of the request it came from is released)."""
        if self.pass_number is None:
            return False
        request.meta.pop("_lease", None)  # a retry or a redirect of a leased request: queued on its own
        check = not request.dont_filter or (request.meta.get("revisit") and not request.meta.get("retry_times"))
        self.pending.extend((self.df.request_fingerprint(request) if check else "", -request.priority,
                             self.queue._encode_request(request)))
        if len(self.pending) >= 3 * PUSH_BATCH:
            self.flush_requests()
        return True

    def flush_requests(self, client: Any = None) -> int:
        """Send the queued requests (into `client`, a pipeline, when given: its caller executes it and counts)."""
        if not self.pending:
            return 0
        batch, self.pending = self.pending, []
        seen = self._push(keys=[self.df.key, self.queue.key], args=batch, client=client)
        if client is None:
            self._count(len(batch) // 3, seen)
        return len(batch) // 3

    def _count(self, sent: int, seen: int) -> None:
        self.stats.inc_value("scheduler/enqueued/redis", sent - seen)
        if seen:
            self.stats.inc_value("dupefilter/filtered", seen)

    def flush(self) -> None:
        """Everything this process owes Redis for its requests: the requests they queued, then the items
        and captures they produced (the store's outbox). Called before any lease is released."""
        self.flush_requests()
        store = getattr(self.crawler, "archive_store", None)
        if store is not None and hasattr(store, "flush"):
            store.flush()

    def next_request(self) -> Any:
        if self.seed == "only" or self.pass_number is None or self.stale:
            return None
        if self.pending:  # queue this process's new requests and pop the best one in one round trip
            pipe = self.server.pipeline(transaction=False)
            sent = self.flush_requests(client=pipe)
            take = self.queue.pop(client=pipe)
            seen, answer = pipe.execute()
            self._count(sent, seen)
            request = take(answer)
        else:
            request = self.queue.pop()
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        if self.seed == "only" or self.stale:
            return False
        if self.pass_number is None:
            if time.monotonic() - self.opened < self.wait_for_pass:
                return True
            logger.warning("%s: no pass was seeded within %s s: nothing to do (seed one with --seed)",
                           self.site, self.wait_for_pass, extra={"spider": self.spider})
            return False
        return not self._is_drained()

    def __len__(self) -> int:
        return len(self.queue)

    # --- the heartbeat ---

    def _beat(self) -> None:
        pipe = self.server.pipeline(transaction=False)
        pipe.set(self.keys.worker(self.worker), self.site, ex=self.ttl)
        pipe.sadd(self.keys.workers, self.worker)
        pipe.execute()

    def _is_drained(self, force: bool = False) -> bool:
        if self.pass_number is None:
            return False
        if force or time.monotonic() - self._drained_checked > 0.25:
            self._drained_checked = time.monotonic()
            self.drained = bool(self._drained(
                keys=[self.queue.key, self.queue.leases_key, self.keys.pass_info(self.site, self.pass_number)],
                args=[self.keys.worker("")]))
        return self.drained

    def _live_tokens(self) -> set[str] | None:
        """The leases of the requests the engine still works on. The engine's own set of requests in progress
        (from the pop to the end of the parse, items and follow-ups included) is the one exact record;
        None when a Scrapy version renames it (then no lease is released before the spider closes)."""
        slot = getattr(getattr(self.crawler, "engine", None), "_slot", None)
        inprogress = getattr(slot, "inprogress", None)
        if inprogress is None:
            return None
        return {token for request in list(inprogress) if (token := request.meta.get("_lease"))}

    def _sweep(self) -> None:
        try:
            self._beat()
            live = self._live_tokens()
            done = [] if live is None else [t for t in self.queue.popped if t not in live]
            # what the finished requests queued and produced goes to Redis before their leases go
            self.flush()
            if done:
                self.server.hdel(self.queue.leases_key, *done)
                for token in done:
                    del self.queue.popped[token]
            reclaimed = self._requeue(keys=[self.queue.key, self.queue.leases_key], args=[self.keys.worker("")])
            if reclaimed:
                self.stats.inc_value("distributed/reclaimed", reclaimed)
                if self.pass_number is not None:
                    self.server.hincrby(self.keys.pass_info(self.site, self.pass_number), "reclaimed", reclaimed)
                logger.warning("%s: %s requests of a lost worker put back in the queue", self.site, reclaimed,
                               extra={"spider": self.spider})
            if self.pass_number is None:
                self._find_pass()
            elif self.seed != "only":
                current = self.server.get(self.keys.pass_number(self.site))
                if current is not None and int(current) != self.pass_number:
                    self.stale = True
                    logger.info("%s: pass %s started: this worker leaves pass %s", self.site, int(current),
                                self.pass_number, extra={"spider": self.spider})
            self._is_drained(force=True)
            self._wake_engine()
        except Exception:  # the heartbeat must go on (a Redis hiccup): log and retry at the next beat
            logger.exception("%s: distributed heartbeat failed", self.site)

    def _wake_engine(self) -> None:
        """Let the engine ask for requests now rather than at its next 5-second heartbeat (other workers may
        have queued some, or the pass may be drained)."""
        nextcall = getattr(getattr(getattr(self.crawler, "engine", None), "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()
