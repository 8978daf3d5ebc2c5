"""The Scrapy add-on that turns a crawl into a distributed worker when REDIS_URL is set.

Listed in ADDONS (crawler/settings.py) for every crawl; without REDIS_URL it declines (NotConfigured,
silently) and the crawl is the single-machine crawl, byte for byte. With REDIS_URL it:

* replaces the scheduler by scrapy-redis' (crawler/distributed/scheduler.py: shared queue, seen-set,
  leases, passes);
* moves the per-domain politeness into Redis (crawler/distributed/politeness.py): DOWNLOAD_DELAY,
  DOWNLOAD_DELAY_JITTER, CONCURRENT_REQUESTS_PER_DOMAIN and AutoThrottle become the limits of all workers
  together (DISTRIBUTED_DOMAIN_*, unless set), and the local delay and AutoThrottle are turned off;
* drops the spider's start requests in workers (the pass is seeded once: crawler/distributed/worker.py);
* replaces the run recorder by the one that reports to the ingester.

The store the components share becomes a `RedisArchive` (the switch is in crawler/crawl/storage.py).
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import NotConfigured

from crawler.distributed import redis_url


class DistributedAddon:
    """Worker mode for a crawl whose settings (or environment) have REDIS_URL."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> DistributedAddon:
        if not redis_url(crawler.settings):
            raise NotConfigured  # single-machine mode: nothing to do (and nothing logged)
        return cls(crawler)

    def update_settings(self, settings: Any) -> None:
        from crawler.crawl.runs import CrawlRunRecorder
        from crawler.distributed.politeness import DomainPolitenessMiddleware
        from crawler.distributed.worker import DistributedRunRecorder, StartFilter

        settings.set("SCHEDULER", "crawler.distributed.scheduler.Scheduler", priority="addon")
        # the effective politeness (after the spider's own loopback override) becomes the shared one
        autothrottle = settings.getbool("AUTOTHROTTLE_ENABLED")
        shared = {"DISTRIBUTED_DOMAIN_DELAY": settings.getfloat("DOWNLOAD_DELAY"),
                  "DISTRIBUTED_DOMAIN_JITTER": settings.getfloat("DOWNLOAD_DELAY_JITTER"),
                  "DISTRIBUTED_DOMAIN_CONCURRENCY": settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
                  "DISTRIBUTED_AUTOTHROTTLE": autothrottle}
        for name, value in shared.items():
            if settings.get(name) is None:
                settings.set(name, value, priority="addon")
        # the local per-domain limit must not hold back a request the shared token let through
        local = max(settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
                    settings.getint("DISTRIBUTED_DOMAIN_CONCURRENCY"))
        for name, value in (("DOWNLOAD_DELAY", 0), ("AUTOTHROTTLE_ENABLED", False),
                            ("CONCURRENT_REQUESTS_PER_DOMAIN", local)):
            settings.set(name, value, priority=settings.getpriority(name) or 0)
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", DomainPolitenessMiddleware, 990)
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", StartFilter, 10)
        settings.replace_in_component_priority_dict("EXTENSIONS", CrawlRunRecorder, DistributedRunRecorder)
