"""One `ArticleStore` per archive.db in a crawling process, shared by the components that read or write it.

The store pipeline, the WARC capture middleware, the run recorder and the spider's loader of
known articles all take it from here. The spiders of one process (`python -m crawler crawl` runs
every site in one) share it too: one SQLite connection, so one write batch; two connections would
each hold a batch's write lock while the other waited for it on the same reactor thread.

    store = crawl_store(crawler)     # opened on first use, closed when the last engine using it stops
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import signals

from crawler.store import ArticleStore


class SharedStore:
    """An open `ArticleStore` and the crawlers using it: closed when the last one's engine stops."""

    open: dict[str, SharedStore] = {}  # resolved database path -> its shared store

    def __init__(self, path: str):
        self.path = path
        self.store = ArticleStore(path)
        self.users = 0

    @classmethod
    def join(cls, crawler: Any) -> ArticleStore:
        path = str(Path(crawler.settings.get("ARCHIVE_DB") or "archive.db").resolve())
        shared = cls.open.get(path)
        if shared is None:
            shared = cls.open[path] = cls(path)
        shared.users += 1
        crawler.archive_store_share = shared  # the crawler keeps the bound method below alive
        crawler.signals.connect(shared.leave, signal=signals.engine_stopped)
        return shared.store

    def leave(self) -> None:
        self.users -= 1
        if self.users == 0:
            self.store.close()
            del SharedStore.open[self.path]


def crawl_store(crawler: Any) -> ArticleStore:
    """The crawl's store (setting ARCHIVE_DB), opened on first use and closed when the last engine using it
    stops; with REDIS_URL set, a distributed worker's `RedisArchive` instead (crawler/distributed/worker.py)."""
    store = getattr(crawler, "archive_store", None)
    if store is None and crawler.settings.get("REDIS_URL"):  # a distributed worker: Redis, never SQLite
        from crawler.distributed.worker import RedisArchive

        store = RedisArchive.from_crawler(crawler)
        crawler.archive_store = store
        crawler.signals.connect(store.close, signal=signals.engine_stopped)
    if store is None:
        store = crawler.archive_store = SharedStore.join(crawler)
    return store
