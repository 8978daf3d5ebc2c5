"""Item pipelines: validate, then store. Skips are counted, never fatal."""

from __future__ import annotations

import logging
from contextlib import ExitStack
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from twisted.internet.task import LoopingCall

from crawler.crawl.faults import crawl_faults, disk_full_error
from crawler.crawl.items import PageGone, PageNotModified
from crawler.crawl.storage import crawl_store
from crawler.enrich import enrich_article
from crawler.extract.article import Article
from crawler.extract.validate import has_clock, skip_reason
from crawler.store import ArticleStore
from crawler.store.archive import DEFAULT_BATCH_SIZE

logger = logging.getLogger(__name__)

# Seconds between commits of a crawl's batch, however few articles it holds: a slow crawl (a polite delay,
# a site that answers slowly) does not keep its work uncommitted for long.
DEFAULT_BATCH_SECONDS = 10.0


class ValidatePipeline:
    """Drop pages that are not articles, with the reason counted in the run's stats."""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Article):
            self.count_fields(item)
        if isinstance(item, Article) and (reason := skip_reason(item)):
            self.stats.inc_value(f"archive/skipped/{reason}")
            raise DropItem(f"{reason}: {item.url}")
        return item

    def count_fields(self, article: Article) -> None:
        """Field coverage per run: a drop is the sign that a site changed its markup."""
        self.stats.inc_value("archive/fields/pages")
        present = {"title": article.title, "published": article.published_at, "author": article.author,
                   "body": article.body_text, "site_rules_body": "body" not in article.used_generic,
                   "published_time": has_clock(article.published_at), "lead": article.lead,
                   "images": article.images}
        for name, value in present.items():
            if value:
                self.stats.inc_value(f"archive/fields/{name}")


class StorePipeline:
    """Write articles to archive.db (setting ARCHIVE_DB) and count what happened.

    From the spider's opening to its closing, the writes (the WARC captures' rows too) go in batches of
    ARCHIVE_BATCH_SIZE articles, committed at least every ARCHIVE_BATCH_SECONDS seconds
    (`ArticleStore.batch`): a killed crawl loses at most the last batch, fetched again by the next run."""

    def __init__(self, crawler: Crawler, store: ArticleStore):
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = store
        self.batch = ExitStack()
        self.commit_timer: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler, crawl_store(crawler))

    def open_spider(self) -> None:
        if hasattr(self.crawler.spider, "site_record"):
            self.store.register_site(**self.crawler.spider.site_record())
        if isinstance(self.store, ArticleStore):  # not a distributed worker's store (messages, no SQL)
            settings = self.crawler.settings
            self.batch.enter_context(self.store.batch(settings.getint("ARCHIVE_BATCH_SIZE", DEFAULT_BATCH_SIZE)))
            self.commit_timer = LoopingCall(self.commit_pending)
            self.commit_timer.start(settings.getfloat("ARCHIVE_BATCH_SECONDS", DEFAULT_BATCH_SECONDS), now=False)

    def commit_pending(self) -> None:
        """The timer's commit: a failure is logged in one line (a full disk stops the crawl), never raised
        into the reactor; what it held is fetched again by the next run."""
        try:
            self.store.commit()
        except Exception as exc:
            self.stats.inc_value("archive/store/commit_errors")
            if disk_full_error(exc) is not None:
                crawl_faults(self.crawler).disk_full(exc)
            else:
                logger.error("Store: the batch could not be committed (%s): its pages are fetched again next run", exc)

    def close_spider(self) -> None:
        if self.commit_timer is not None and self.commit_timer.running:
            self.commit_timer.stop()
        self.batch.close()  # commits what is pending

    def process_item(self, item: Any) -> Any:
        spider = self.crawler.spider
        if isinstance(item, Article):
            result = self.store.upsert(item, site=spider.site_name, province=getattr(spider, "province", None),
                                       fetched_url=item.url)
            self.stats.inc_value(f"archive/articles/{result.status}")
            if result.status in ("new", "changed"):  # research data: references, places, people (crawler/enrich.py)
                self.store.replace_enrichment(enrich_article(item, result.article_id, spider.site_name,
                                                             getattr(spider, "province", None)))
        elif isinstance(item, PageNotModified):
            if self.store.touch(item.url):
                self.stats.inc_value("archive/articles/not_modified")
        elif isinstance(item, PageGone):
            if self.store.mark_removed(item.url):
                self.stats.inc_value("archive/articles/removed")
                spider.logger.info("Article removed from the site (HTTP %s): %s", item.status, item.url)
        return item
