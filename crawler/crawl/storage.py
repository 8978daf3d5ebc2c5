"""One `ArticleStore` per crawl, shared by the components that read or write the archive.

The store pipeline, the WARC capture middleware, the run recorder and the spider's loader of
known articles all take it from here, so a crawl holds one SQLite connection:

    store = crawl_store(crawler)     # opened on first use, closed when the engine stops
"""

from __future__ import annotations

from typing import Any

from scrapy import signals

from crawler.store import ArticleStore


def crawl_store(crawler: Any) -> ArticleStore:
    """The crawl's store (setting ARCHIVE_DB), opened on first use and closed when the engine stops; with
    REDIS_URL set, a distributed worker's `RedisArchive` instead (crawler/distributed/worker.py)."""
    store = getattr(crawler, "archive_store", None)
    if store is None and crawler.settings.get("REDIS_URL"):  # a distributed worker: Redis, never SQLite
        from crawler.distributed.worker import RedisArchive

        store = RedisArchive.from_crawler(crawler)
        crawler.archive_store = store
        crawler.signals.connect(store.close, signal=signals.engine_stopped)
    if store is None:
        store = ArticleStore(crawler.settings.get("ARCHIVE_DB"))
        crawler.archive_store = store
        # the bound method is kept alive by the crawler, which holds the store
        crawler.signals.connect(store.close, signal=signals.engine_stopped)
    return store
