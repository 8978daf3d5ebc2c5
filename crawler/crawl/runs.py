"""Record every crawl in the `crawl_runs` table, from the Scrapy stats, and raise alarms.

A row is written when the spider opens (so a run killed mid-way stays
visible, and is marked `killed` by the next run) and completed when it closes.
"""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.crawl.alarms import evaluate_alarms, notify
from crawler.crawl.faults import disk_full_error
from crawler.crawl.storage import crawl_store
from crawler.store import ArticleStore, now_iso


def _count(stats: dict[str, Any], prefix: str) -> int:
    return sum(v for k, v in stats.items() if k.startswith(prefix) and isinstance(v, int))


def _filtered(stats: dict[str, Any]) -> int:
    """Requests dropped by robots.txt or as offsite (each also counted as an IgnoreRequest exception)."""
    filtered = stats.get("robotstxt/forbidden", 0) + stats.get("offsite/filtered", 0)
    return min(filtered, stats.get("downloader/exception_type_count/scrapy.exceptions.IgnoreRequest", 0))


def summarize(stats: dict[str, Any], reason: str, duration: float) -> dict[str, Any]:
    """The `crawl_runs` columns of a finished crawl, from its stats."""
    return {
        "finished_at": now_iso(),
        "finish_reason": reason,
        "duration_seconds": round(duration, 3),
        "pages": stats.get("response_received_count", 0),
        "articles_new": stats.get("archive/articles/new", 0),
        "articles_changed": stats.get("archive/articles/changed", 0),
        "articles_unchanged": (stats.get("archive/articles/unchanged", 0)
                               + stats.get("archive/articles/not_modified", 0)),
        "articles_removed": stats.get("archive/articles/removed", 0),
        "skipped": _count(stats, "archive/skipped/"),
        # 404/410 are answers, not failures: counted apart (a removed page, a stale link)
        "not_found": (stats.get("httperror/response_ignored_status_count/404", 0)
                      + stats.get("httperror/response_ignored_status_count/410", 0)),
        # robots.txt and offsite filtering: requests the crawl chose not to make, not failures
        "filtered": _filtered(stats),
        "errors": (_count(stats, "downloader/exception_type_count/")
                   - stats.get("archive/faults/not_requested", 0)  # held back by a full disk: no failure
                   - _filtered(stats)  # Scrapy counts their IgnoreRequest as a download exception
                   + _count(stats, "httperror/response_ignored_status_count/5")
                   + stats.get("retry/max_reached", 0)),
        # field quality: how many stored pages had each field (docs/data-model.md, view site_field_quality)
        **{f"with_{name}": stats.get(f"archive/fields/{name}", 0)
           for name in ("author", "published", "published_time", "lead", "images")},
        "stats": json.dumps({k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in stats.items()},
                            ensure_ascii=False, sort_keys=True, default=str),
    }


class CrawlRunRecorder:
    """Extension: a `crawl_runs` row per crawl (written at start, finished at close, with alarms).

    The run id goes into the stats (`archive/run_id`) for the components that name it."""

    def __init__(self, crawler: Crawler, store: ArticleStore):
        self.crawler = crawler
        self.store = store
        self.run_id: int | None = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        ext = cls(crawler, crawl_store(crawler))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        self.run_id = self.store.start_run(spider.site_name, now_iso(), self.crawler.settings.get("LOG_FILE"))
        self.crawler.stats.set_value("archive/run_id", self.run_id)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        settings = self.crawler.settings
        row = summarize(self.crawler.stats.get_stats(), reason, time.monotonic() - self.started)
        previous = [r for r in self.store.previous_runs(spider.site_name) if r["id"] != self.run_id]
        alarms = evaluate_alarms(row, previous, settings.getdict("ARCHIVE_ALARM_THRESHOLDS") or None)
        row["alarms"] = json.dumps(alarms, ensure_ascii=False)
        try:
            if self.run_id is not None:
                self.store.finish_run(self.run_id, row)
        except sqlite3.Error as exc:  # even the run's own record did not fit: say so in one line
            if disk_full_error(exc) is None:
                raise
            spider.logger.error("Run %s not recorded: disk full (%s)", self.run_id, exc)
        self.crawler.stats.set_value("archive/alarms", len(alarms))
        spider.logger.info(
            "Run recorded: %(pages)s pages, %(articles_new)s new, %(articles_changed)s changed, "
            "%(articles_unchanged)s unchanged, %(articles_removed)s removed, %(skipped)s skipped, "
            "%(not_found)s not found, %(filtered)s filtered (robots.txt, offsite), %(errors)s errors", row)
        for alarm in alarms:
            spider.logger.error("ALARM %s: %s", spider.site_name, alarm)
        notify(spider.site_name, alarms, settings.get("ARCHIVE_ALERT_WEBHOOK"), settings.get("ARCHIVE_ALERT_EMAIL"),
               settings.get("ARCHIVE_ALERT_SMTP_HOST", "localhost"))
