"""A worker: what it has instead of archive.db, and `python -m crawler crawl --distributed`.

A worker never opens SQLite. `crawl_store(crawler)` (crawler/crawl/storage.py) gives it a `RedisArchive`,
which answers the part of `ArticleStore` the crawl uses, so the spider, the store pipeline and the WARC
capture middleware run unchanged:

* what the crawl writes (`register_site`, `add_capture`, `upsert`, `touch`, `mark_removed`) becomes a message
  on the Redis stream, in the order the crawl wrote it (a capture before the article extracted from it);
  the ingester applies them to archive.db (crawler/distributed/ingest.py). A capture's id is not known
  yet: `add_capture` returns the record's place, `"<warc file>@<offset>"`, which travels in
  `request.meta["capture_id"]` to the article (and into a revisit record's `refers_to`) as the id does in
  single-machine mode, and the ingester resolves it;
* what the crawl reads (`known_articles`, `last_payload_capture`) comes from hashes the ingester publishes
  in Redis: the known articles of each site, and the last payload capture of each URL (for WARC revisit
  records). Workers run on other machines than archive.db, and SQLite is not made for network file
  systems, so they get no connection to it at all, not even a read-only one.

The WARC files themselves stay files: each worker writes its own (named with its pass and worker id)
under WARC_DIR, which should be one shared directory (docs/distributed.md).
"""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import datetime
from typing import Any

from scrapy import signals
from twisted.internet import task

from crawler.distributed import Keys, codec, connect, redis_url, worker_id
from crawler.store.archive import UpsertResult, now_iso

logger = logging.getLogger(__name__)

OUTBOX = 100  # messages a worker gathers before it sends them in one round trip


def _json_stats(stats: dict[str, Any]) -> str:
    return json.dumps({k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in stats.items()},
                      ensure_ascii=False, sort_keys=True, default=str)


class RedisArchive:
    """A worker's archive: writes go to the ingester's stream, reads come from what the ingester published."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.server = connect(redis_url(crawler.settings))
        self.keys = Keys(crawler.settings.get("DISTRIBUTED_PREFIX") or "vnparty")
        self.worker = worker_id()
        self.outbox: list[tuple[str, str, int, bytes, str | None]] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedisArchive:
        return cls(crawler)

    def close(self) -> None:
        self.flush()
        self.server.close()

    @property
    def site(self) -> str:
        return self.crawler.spider.site_name

    @property
    def pass_number(self) -> int | None:
        return self.crawler.stats.get_value("distributed/pass")

    def push(self, kind: str, body: dict[str, Any], counter: str | None = None) -> None:
        """Queue a message for the ingester. Messages go out in batches (OUTBOX messages, or at the scheduler's
        next heartbeat); the scheduler sends them before it releases the lease of the request they came from,
        so a worker killed with messages unsent has its requests fetched again by another."""
        self.outbox.append((kind, self.site, self.pass_number or 0, codec.dumps(body), counter))
        if len(self.outbox) >= OUTBOX:
            self.flush()

    def flush(self) -> None:
        if not self.outbox:
            return
        batch, self.outbox = self.outbox, []
        pipe = self.server.pipeline(transaction=False)
        counters: Counter[tuple[str, int, str]] = Counter()
        for kind, site, number, body, counter in batch:
            pipe.xadd(self.keys.stream, {"kind": kind, "site": site, "pass": number, "worker": self.worker,
                                         "body": body})
            if counter and number:
                counters[(site, number, counter)] += 1
        for (site, number, counter), n in counters.items():
            pipe.hincrby(self.keys.pass_info(site, number), counter, n)
        try:
            pipe.execute()
        except Exception:  # Redis unreachable: keep the messages (and the leases) for the next try
            self.outbox[:0] = batch
            raise

    # --- what the crawl writes ---

    def register_site(self, **site: Any) -> None:
        self.push("site", site)

    def add_capture(self, row: dict[str, Any]) -> str:
        self.push("capture", row, counter="fetched")
        return f"{row['warc_file']}@{row['warc_offset']}"

    def upsert(self, article: Any, *, site: str, province: str | None = None, fetched_url: str | None = None,
               **_: Any) -> UpsertResult:
        self.push("article", {"article": asdict(article), "site": site, "province": province,
                              "fetched_url": fetched_url}, counter="items")
        return UpsertResult("queued", 0, 0)

    def touch(self, url: str, seen_at: str | None = None, **_: Any) -> bool:
        self.push("not_modified", {"url": url, "seen_at": seen_at or now_iso()}, counter="items")
        return True

    def mark_removed(self, url: str, removed_at: str | None = None) -> bool:
        self.push("gone", {"url": url, "removed_at": removed_at or now_iso()}, counter="items")
        return True

    # --- what the crawl reads ---

    def known_articles(self, site: str) -> dict[str, dict[str, Any]]:
        return {url.decode(): json.loads(row) for url, row in self.server.hgetall(self.keys.known(site)).items()}

    def last_payload_capture(self, url: str) -> tuple[int, str, str, str] | None:
        found = self.server.hget(self.keys.captured(self.site), url)
        return tuple(json.loads(found)) if found else None

    def was_fetched(self, url: str) -> bool:
        """Whether a crawl fetched `url`: the captures the ingester published hold the pages with a body
        (a 404 page included, an empty redirect not)."""
        return bool(self.server.hexists(self.keys.captured(self.site), url))


class StartFilter:
    """Spider middleware: a worker runs the spider's `start()` (it loads the known articles) but drops its
    requests, since the pass was seeded once; a seeder (DISTRIBUTED_SEED yes or only) passes them on, then
    tells the scheduler it is done seeding."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.seeding = (crawler.settings.get("DISTRIBUTED_SEED") or "no").lower() in ("yes", "only")

    @classmethod
    def from_crawler(cls, crawler: Any) -> StartFilter:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        from crawler.distributed.scheduler import SEEDED

        count = 0
        async for item in start:
            if self.seeding:
                count += 1
                yield item
        if self.seeding:
            self.crawler.signals.send_catch_log(SEEDED, count=count)


class DistributedRunRecorder:
    """Extension, in place of CrawlRunRecorder: a worker's share of the pass's `crawl_runs` row.

    The ingester writes the row (one per site and pass): it starts it from the seeder's `pass_start`
    message and completes it from the workers' stats (each worker keeps its own in the pass's hash,
    refreshed every few seconds, so a killed worker's work up to then is counted) and its own counts of
    new, changed and removed articles, with the alarms."""

    STATS_EVERY = 5.0  # seconds

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.server = connect(redis_url(crawler.settings))
        self.keys = Keys(crawler.settings.get("DISTRIBUTED_PREFIX") or "vnparty")
        self.worker = worker_id()
        self.seed_only = (crawler.settings.get("DISTRIBUTED_SEED") or "no").lower() == "only"
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> DistributedRunRecorder:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def _info(self, spider: Any) -> str | None:
        number = self.crawler.stats.get_value("distributed/pass")
        return self.keys.pass_info(spider.site_name, number) if number else None

    def spider_opened(self, spider: Any) -> None:
        if not self.seed_only:
            self._loop = task.LoopingCall(self.save_stats, spider)
            self._loop.start(self.STATS_EVERY, now=False)

    def save_stats(self, spider: Any) -> None:
        info = self._info(spider)
        if info:
            try:
                self.server.hset(info, f"stats:{self.worker}", _json_stats(self.crawler.stats.get_stats()))
            except Exception:  # a Redis hiccup: the next save will do
                logger.exception("Saving the worker's stats failed")

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self.seed_only:
            return
        store = getattr(self.crawler, "archive_store", None)
        if store is not None and hasattr(store, "flush"):
            store.flush()  # the worker's last items go before its report
        stats = self.crawler.stats.get_stats()
        self.save_stats(spider)
        drained = bool(stats.get("distributed/drained"))
        pipe = self.server.pipeline(transaction=False)
        pipe.xadd(self.keys.stream, {"kind": "worker_done", "site": spider.site_name,
                                     "pass": stats.get("distributed/pass") or 0, "worker": self.worker,
                                     "body": codec.dumps({"reason": reason, "drained": drained})})
        pipe.execute()
        spider.logger.info(
            "Worker done (%s, pass %s %s): %s pages, %s items queued, %s requests of lost workers taken over",
            reason, stats.get("distributed/pass"), "drained" if drained else "not drained",
            stats.get("response_received_count", 0), stats.get("archive/articles/queued", 0),
            stats.get("distributed/reclaimed", 0))


def run_workers(sites: list[str], base_urls: dict[str, str], url: str, seed: str = "no", new_pass: bool = False,
                log_file: str | None = None, overrides: dict[str, Any] | None = None, out: Any = sys.stdout) -> int:
    """`python -m crawler crawl --distributed`: the sites' spiders in one worker process, in worker mode.
    Returns 0 when every spider finished its pass, else 1."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    values = {"REDIS_URL": url, "DISTRIBUTED_SEED": seed, "DISTRIBUTED_NEW_PASS": new_pass, **(overrides or {})}
    if log_file:
        values["LOG_FILE"] = log_file
    for key, value in values.items():
        settings.set(key, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawlers = []
    for site in sites:
        crawler = process.create_crawler(site)
        crawlers.append((site, crawler))
        process.crawl(crawler, **({"base_url": base_urls[site]} if site in base_urls else {}))
    process.start()
    ok = True
    print(f"\n{'spider':<22}{'finish':<11}{'pass':>5}{'pages':>7}{'items':>7}{'seeded':>7}{'taken over':>11}", file=out)
    for site, crawler in crawlers:
        stats = crawler.stats.get_stats()
        reason = stats.get("finish_reason") or "?"
        ok = ok and reason == "finished"
        items = sum(stats.get(f"archive/articles/{k}", 0) for k in ("queued", "not_modified", "removed"))
        print(f"{site:<22}{reason:<11}{stats.get('distributed/pass') or '-':>5}"
              f"{stats.get('response_received_count', 0):>7}{items:>7}{stats.get('distributed/seeded', '-'):>7}"
              f"{stats.get('distributed/reclaimed', 0):>11}", file=out)
    return 0 if ok else 1
