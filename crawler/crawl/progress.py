"""A live progress line per site every ARCHIVE_PROGRESS_INTERVAL seconds (default 30) during a crawl.

    progress tuyengiao: 120 pages, 35 new, 2 changed, 0 errors, 48 queued, 4 in flight

Always logged (INFO, logger `crawler.crawl.progress`); also printed on stderr when it is a
terminal and the log goes to a file (`python -m crawler crawl`), so an operator watching a
crawl sees it move while cron's mail and the journal get only the log. A last line is
written when the spider closes. `ARCHIVE_PROGRESS_INTERVAL = 0` turns it off.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger(__name__)


def queue_sizes(crawler: Any) -> tuple[int, int]:
    """(requests waiting in the scheduler, requests being downloaded) of a running crawler."""
    engine = getattr(crawler, "engine", None)
    scheduler = getattr(engine, "scheduler", None) if engine is not None else None
    downloader = getattr(engine, "downloader", None) if engine is not None else None
    try:
        queued = len(scheduler) if scheduler is not None else 0
    except TypeError:  # a scheduler without __len__
        queued = 0
    return queued, len(getattr(downloader, "active", ()) or ())


def progress_line(site: str, stats: dict[str, Any], queued: int, in_flight: int) -> str:
    from crawler.crawl.runs import _count, _filtered

    errors = (_count(stats, "downloader/exception_type_count/") - stats.get("archive/faults/not_requested", 0)
              - _filtered(stats) + _count(stats, "httperror/response_ignored_status_count/5")
              + stats.get("retry/max_reached", 0))
    return (f"progress {site}: {stats.get('response_received_count', 0)} pages, "
            f"{stats.get('archive/articles/new', 0)} new, {stats.get('archive/articles/changed', 0)} changed, "
            f"{max(errors, 0)} errors, {queued} queued, {in_flight} in flight")


class CrawlProgress:
    """Extension (settings EXTENSIONS): the progress line, on a timer, while the spider runs."""

    def __init__(self, crawler: Any, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        self.spider: Spider | None = None
        # the terminal gets the line too when it does not already get the log
        self.tty = bool(crawler.settings.get("LOG_FILE")) and sys.stderr.isatty()

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlProgress:
        interval = crawler.settings.getfloat("ARCHIVE_PROGRESS_INTERVAL", 30.0)
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.spider = spider
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.report()

    def report(self) -> None:
        site = getattr(self.spider, "site_name", None) or getattr(self.spider, "name", "?")
        line = progress_line(site, self.crawler.stats.get_stats(), *queue_sizes(self.crawler))
        logger.info(line)
        if self.tty:
            print(line, file=sys.stderr, flush=True)
