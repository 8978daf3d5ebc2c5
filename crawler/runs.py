"""Record every crawl in the `crawl_runs` table, from the Scrapy stats."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.store import ArticleStore, now_iso


def _count(stats: dict[str, Any], prefix: str) -> int:
    return sum(v for k, v in stats.items() if k.startswith(prefix) and isinstance(v, int))


def summarize(spider_name: str, stats: dict[str, Any], started_at: str, reason: str) -> dict[str, Any]:
    """One `crawl_runs` row from a finished crawl's stats."""
    return {
        "spider": spider_name,
        "started_at": started_at,
        "finished_at": now_iso(),
        "finish_reason": reason,
        "pages": stats.get("response_received_count", 0),
        "articles_new": stats.get("archive/articles/new", 0),
        "articles_changed": stats.get("archive/articles/changed", 0),
        "articles_unchanged": stats.get("archive/articles/unchanged", 0),
        "articles_removed": stats.get("archive/articles/removed", 0),
        "skipped": _count(stats, "archive/skipped/"),
        # 404/410 are answers, not failures: counted apart (a removed page, a stale link)
        "not_found": (stats.get("httperror/response_ignored_status_count/404", 0)
                      + stats.get("httperror/response_ignored_status_count/410", 0)),
        "errors": (_count(stats, "downloader/exception_type_count/")
                   + _count(stats, "httperror/response_ignored_status_count/5")
                   + stats.get("log_count/ERROR", 0)),
        "stats": json.dumps({k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in stats.items()},
                            ensure_ascii=False, sort_keys=True, default=str),
    }


class CrawlRunRecorder:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.started_at = now_iso()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started_at = now_iso()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        row = summarize(spider.name, self.crawler.stats.get_stats(), self.started_at, reason)
        store = ArticleStore(self.crawler.settings.get("ARCHIVE_DB"))
        try:
            store.record_run(row)
        finally:
            store.close()
        spider.logger.info(
            "Run recorded: %(pages)s pages, %(articles_new)s new, %(articles_changed)s changed, "
            "%(articles_unchanged)s unchanged, %(skipped)s skipped, %(errors)s errors", row)
