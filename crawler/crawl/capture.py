"""Downloader middleware: every response the spider receives goes to WARC and the `captures` index.

It sits at 950, nearer the downloader than every built-in middleware, so it sees what the
server sent: before HttpCompressionMiddleware (590) decompresses, before RedirectMiddleware
(600) and RetryMiddleware (550) turn a 301 or a 503 into a new request, and after the request
headers (User-Agent, Accept-Encoding, cookies, conditional headers) are final. Responses served
from Scrapy's HTTP cache are not captures and are skipped. Each capture row's id travels in
`request.meta["capture_id"]` to the item, so each article version names its capture.

Inside the store's batch (crawler/crawl/pipelines.py) each capture row is committed with the articles
extracted from it, and the WARC file is synced to disk before every commit (`before_commit`): a
committed row never names a record that is not on disk.

Settings: WARC_ENABLED (default True), WARC_DIR (env ARCHIVE_WARC_DIR; default: `warc/` beside
ARCHIVE_DB), WARC_MAX_SIZE (default 1 GB).
"""

from __future__ import annotations

import logging
import socket
from collections import OrderedDict
from typing import Any
from urllib.parse import urlsplit

from crawler import __version__
from crawler.capture.paths import warc_root
from crawler.capture.writer import DEFAULT_MAX_SIZE, WARC_VERSION, LastCapture, RotatingWarcWriter
from crawler.crawl.storage import crawl_store
from crawler.store import ArticleStore

logger = logging.getLogger(__name__)

# URLs whose last capture is remembered in memory, most recent first (a page fetched again in the same run:
# a redirect target, a listing revisited); older ones are read from `captures` when met again. Bounded, so
# a run's memory does not grow with its pages (a dict of every URL was ~54 MB per 100k pages).
RECENT_CAPTURES = 2_000


class WarcCaptureMiddleware:
    """Downloader middleware: every response the spider receives goes to WARC and `captures`."""

    def __init__(self, crawler: Any, store: ArticleStore):
        settings = crawler.settings
        self.crawler = crawler
        self.root = warc_root(settings.get("WARC_DIR"), settings.get("ARCHIVE_DB"))
        self.max_size = settings.getint("WARC_MAX_SIZE", DEFAULT_MAX_SIZE)
        self.store = store
        self.writer: RotatingWarcWriter | None = None
        self.last: OrderedDict[str, LastCapture] = OrderedDict()  # recent captures by URL, oldest first

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcCaptureMiddleware:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("WARC_ENABLED", True):
            raise NotConfigured("WARC_ENABLED is off")
        middleware = cls(crawler, crawl_store(crawler))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        if isinstance(middleware.store, ArticleStore):  # not a distributed worker's store (no SQL)
            middleware.store.before_commit(middleware.sync)
        return middleware

    def _run_id(self) -> int | None:
        return self.crawler.stats.get_value("archive/run_id")  # set by crawler.crawl.runs.CrawlRunRecorder

    def _writer(self) -> RotatingWarcWriter:
        if self.writer is None:
            spider = self.crawler.spider
            settings = self.crawler.settings
            import scrapy

            info = {
                "software": f"vnparty-archive/{__version__} (Scrapy {scrapy.__version__}, warcio)",
                "format": f"WARC File Format {WARC_VERSION}",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                "isPartOf": spider.site_name,
                "description": f"crawl of {spider.origin}",
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "http-header-user-agent": settings.get("USER_AGENT"),
                "hostname": socket.gethostname(),
            }
            self.writer = RotatingWarcWriter(self.root, spider.site_name, self._run_id(), self.max_size, info)
        return self.writer

    def process_response(self, request: Any, response: Any) -> Any:
        request.meta.pop("capture_id", None)
        if "cached" in response.flags or urlsplit(response.url).scheme not in ("http", "https"):
            return response
        stats = self.crawler.stats
        try:
            last = self._recent(response.url) or self._last_capture(response.url)
            row = self._writer().write(request, response, last)
            row.update(spider=self.crawler.spider.site_name, run_id=self._writer().run_id)
            capture_id = self.store.add_capture(row)
        except Exception:  # never lose the page over its copy: count it, log it, carry on
            stats.inc_value("warc/errors")
            logger.exception("WARC capture failed: %s", response.url)
            return response
        request.meta["capture_id"] = capture_id
        if row["record_type"] == "response" and row["payload_length"]:
            self._remember(response.url, LastCapture(capture_id, row["payload_digest"], row["record_id"],
                                                     row["warc_date"]))
        stats.inc_value(f"warc/records/{row['record_type']}")
        stats.inc_value("warc/bytes", row["warc_length"])
        return response

    def _recent(self, url: str) -> LastCapture | None:
        found = self.last.get(url)
        if found is not None:
            self.last.move_to_end(url)
        return found

    def _remember(self, url: str, capture: LastCapture) -> None:
        self.last[url] = capture
        self.last.move_to_end(url)
        if len(self.last) > RECENT_CAPTURES:
            self.last.popitem(last=False)

    def sync(self) -> None:
        """The WARC records written so far, on disk (the store calls it before committing their rows)."""
        if self.writer is not None:
            self.writer.sync()

    def spider_closed(self, spider: Any = None, reason: str | None = None) -> None:
        if self.writer is not None:
            self.writer.close()
            self.crawler.stats.set_value("warc/files", len(self.writer.files))

    def _last_capture(self, url: str) -> LastCapture | None:
        found = self.store.last_payload_capture(url)
        return LastCapture(*found) if found else None
