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
* Scrapy 2.19: scrapy-redis passes `spider=` to the stats methods, which Scrapy 2.19 deprecates (a warning
  on every request); the enqueue and dequeue paths are rewritten here without it. And its scheduler builds
  a dupefilter not its own with `from_settings`, gone from Scrapy 2.19's: this one builds its own.

The engine is asked about pending requests (`has_pending_requests`): true until the pass is drained, so
a worker whose queue is momentarily empty waits for the requests another worker is about to queue.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from typing import Any

from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet import task
from w3lib.url import canonicalize_url

from crawler.distributed import Keys, codec, connect, redis_url, worker_id
from crawler.distributed.lua import BEGIN_PASS, DRAINED, PUSH_AND_POP, REQUEUE

logger = logging.getLogger(__name__)

# heartbeat keys are per process; the schedulers of one process (one per site) share it
_open_schedulers: dict[str, int] = {}
PUSH_BATCH = 200  # requests queued locally before they are sent without waiting for the next pop
IDLE_POLL = 0.05  # seconds: how soon an idle worker sees requests another worker queued
SEEDED = object()  # signal: the spider's start requests are all enqueued (sent by worker.StartFilter)


class LeasedQueue(PriorityQueue):
    """scrapy-redis' priority queue (a sorted set by -priority) whose pop leases the request, and which queues
    a batch of new requests (checked against the seen-set) in the same step."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None, *,
                 seen: str = "", leases: str = "", worker: str = ""):
        super().__init__(server, spider, key, serializer)
        self.seen_key = seen
        self.leases_key = leases
        self.worker = worker
        self._script = server.register_script(PUSH_AND_POP)
        self.popped: dict[str, float] = {}  # token -> when this worker leased it

    def push_and_pop(self, batch: list[Any], pop: bool = True) -> tuple[int, Any]:
        """Queue `batch` ((fingerprint, score, request) triples), then pop and lease the best request (if
        `pop`): (how many of the batch were seen already, the request or None)."""
        token = uuid.uuid4().hex
        seen, data = self._script(keys=[self.seen_key, self.key, self.leases_key],
                                  args=[self.worker if pop else "", token, *batch])
        if not data:
            return seen, None
        request = self._decode_request(data)
        request.meta["_lease"] = token
        self.popped[token] = time.monotonic()
        return seen, request

    def pop(self, timeout: int = 0) -> Any:
        return self.push_and_pop([])[1]


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
        self._last_sweep = time.monotonic()
        self._loop: task.LoopingCall | None = None
        self.pending: list[Any] = []  # requests to queue: (fingerprint or "", score, encoded request) triples
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
                                 seen=self.keys.seen(self.site), leases=self.keys.leases(self.site), worker=self.worker)
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
            if not self.server.exists(self.keys.published):
                logger.warning("%s: no ingester has published the known articles to this Redis yet: articles "
                               "already in archive.db will be fetched as new (start `python -m crawler ingest` "
                               "before seeding)", self.site, extra={"spider": spider})
        else:
            self._find_pass()
        self._loop = task.LoopingCall(self._tick)
        self._loop.start(IDLE_POLL, now=False)

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

    def flush_requests(self) -> None:
        """Send the requests queued locally."""
        if self.pending:
            batch, self.pending = self.pending, []
            try:
                seen, _ = self.queue.push_and_pop(batch, pop=False)
            except Exception:  # Redis unreachable: keep them (and the leases they came from) for the next try
                self.pending[:0] = batch
                raise
            self._count(len(batch) // 3, seen)

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
        # this process's new requests are queued and the best request popped in one round trip
        batch, self.pending = self.pending, []
        try:
            seen, request = self.queue.push_and_pop(batch)
        except Exception:
            self.pending[:0] = batch
            raise
        if batch:
            self._count(len(batch) // 3, seen)
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

    def _tick(self) -> None:
        """Every IDLE_POLL seconds: an idle engine asks for a request (another worker may have queued some);
        every DISTRIBUTED_HEARTBEAT seconds, the heartbeat."""
        now = time.monotonic()
        if now - self._last_sweep >= self.heartbeat:
            self._last_sweep = now
            self._sweep()
        elif not self._live_tokens():
            self._wake_engine()

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
