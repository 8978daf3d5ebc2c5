"""One request rate and one concurrency per domain for all the workers together: a token in Redis.

Scrapy's own politeness (DOWNLOAD_DELAY, CONCURRENT_REQUESTS_PER_DOMAIN, AutoThrottle) is per process:
two workers on one site would double its load. In worker mode the add-on moves those limits here
and turns the local delay off (one limit, kept in one place):

* before a request leaves, this downloader middleware (nearest the downloader, 990) asks Redis for the
  domain's token, in one Lua call timed by the Redis server's clock (so workers' clocks do not matter):
  granted when fewer than DISTRIBUTED_DOMAIN_CONCURRENCY requests to the domain are in flight across
  all workers and the domain's last grant is at least `delay` × jitter old; otherwise the call says how
  long to wait and the request waits (asyncio sleep: the worker's other sites go on);
* the grant is a lease of DOWNLOAD_TIMEOUT + 30 s in the domain's set of requests in flight: released
  when the response (or the error) comes back, expired when a worker dies holding it;
* the delay is DOWNLOAD_DELAY (±DOWNLOAD_DELAY_JITTER) as configured; with AUTOTHROTTLE_ENABLED it
  adapts like Scrapy's AutoThrottle, in Redis, from every worker's latencies: (delay + latency /
  AUTOTHROTTLE_TARGET_CONCURRENCY) / 2, between DOWNLOAD_DELAY and AUTOTHROTTLE_MAX_DELAY, never lowered
  by an error response.

A loopback mirror (the spider turns delay and AutoThrottle off for it) keeps only the concurrency limit.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals

from crawler.distributed import Keys, redis_url
from crawler.distributed.lua import ACQUIRE

BUSY_POLL = 0.002  # seconds before asking again while other workers hold every slot of the domain …
MAX_BUSY_POLL = 0.05  # … doubling up to this


class DomainPolitenessMiddleware:
    """Downloader middleware: every worker honours one per-domain token in Redis (see the module doc)."""

    def __init__(self, crawler: Any):
        settings = crawler.settings
        self.crawler = crawler
        # asyncio: a request waiting for its token, or a token going back, never blocks the worker
        import redis.asyncio

        self.server = redis.asyncio.Redis.from_url(redis_url(settings), socket_timeout=30, socket_connect_timeout=30)
        self._tasks: set[asyncio.Task[Any]] = set()
        self.keys = Keys(settings.get("DISTRIBUTED_PREFIX") or "vnparty")
        self.delay = settings.getfloat("DISTRIBUTED_DOMAIN_DELAY", 0.0)
        self.jitter = settings.getfloat("DISTRIBUTED_DOMAIN_JITTER", 0.0)
        self.concurrency = max(1, settings.getint("DISTRIBUTED_DOMAIN_CONCURRENCY", 2))
        self.adaptive = settings.getbool("DISTRIBUTED_AUTOTHROTTLE")
        self.start_delay = max(self.delay, settings.getfloat("AUTOTHROTTLE_START_DELAY", 5.0))
        self.max_delay = settings.getfloat("AUTOTHROTTLE_MAX_DELAY", 60.0)
        self.target = settings.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY", 1.0) or 1.0
        self.lease_ms = int((settings.getfloat("DOWNLOAD_TIMEOUT", 180) + 30) * 1000)
        self._acquire = self.server.register_script(ACQUIRE)
        self._local: dict[str, asyncio.Semaphore] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> DomainPolitenessMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    async def spider_closed(self, spider: Any = None, reason: str | None = None) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.server.aclose()

    def _later(self, coroutine: Any) -> None:
        """Run a Redis call in the background (releasing a token, adapting the delay)."""
        future = asyncio.ensure_future(coroutine)
        self._tasks.add(future)
        future.add_done_callback(self._tasks.discard)

    def _domain(self, request: Any) -> str:
        return urlsplit(request.url).hostname or "-"

    async def process_request(self, request: Any) -> None:
        domain = self._domain(request)
        # this worker's own contenders for the domain wait here, not in Redis: at most `concurrency` of them ask
        local = self._local.setdefault(domain, asyncio.Semaphore(self.concurrency))
        await local.acquire()
        token = uuid.uuid4().hex
        keys = [self.keys.politeness(domain), self.keys.politeness_active(domain)]
        pause = BUSY_POLL
        try:
            while True:
                factor = random.uniform(1 - self.jitter, 1 + self.jitter) if self.jitter else 1.0
                base = self.start_delay if self.adaptive else self.delay
                wait = await self._acquire(keys=keys, args=[int(base * 1000), factor, self.concurrency, self.lease_ms,
                                                      token, "1" if self.adaptive else "0"])
                if wait == 0:
                    break
                self.crawler.stats.inc_value("distributed/politeness/waits")
                if wait > 0:  # the domain's delay: wait for exactly that
                    await asyncio.sleep(wait / 1000)
                else:  # other workers hold every slot: ask again, less and less often
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, MAX_BUSY_POLL)
        except BaseException:
            local.release()
            raise
        request.meta["_polite"] = (domain, token)

    def _release(self, request: Any) -> None:
        held = request.meta.pop("_polite", None)
        if held:
            self._later(self.server.zrem(self.keys.politeness_active(held[0]), held[1]))
            self._local[held[0]].release()

    def process_response(self, request: Any, response: Any) -> Any:
        self._release(request)
        latency = request.meta.get("download_latency")
        if self.adaptive and latency is not None:
            self._later(self._adapt(self._domain(request), latency, response.status))
        return response

    def process_exception(self, request: Any, exception: Exception) -> None:
        self._release(request)

    async def _adapt(self, domain: str, latency: float, status: int) -> None:
        """Scrapy's AutoThrottle rule, on the delay all workers share."""
        key = self.keys.politeness(domain)
        current = float(await self.server.hget(key, "delay") or self.start_delay * 1000) / 1000
        new = max(latency / self.target, (current + latency / self.target) / 2)
        new = min(max(self.delay, new), self.max_delay)
        if status != 200 and new <= current:
            return
        await self.server.hset(key, "delay", int(new * 1000))
