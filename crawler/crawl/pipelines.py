"""Item pipelines: validate, then store. Skips are counted, never fatal."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.crawl.items import PageGone, PageNotModified
from crawler.crawl.storage import crawl_store
from crawler.enrich import enrich_article
from crawler.extract.article import Article
from crawler.extract.validate import has_clock, skip_reason
from crawler.store import ArticleStore


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
    """Write articles to archive.db (setting ARCHIVE_DB) and count what happened."""

    def __init__(self, crawler: Crawler, store: ArticleStore):
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler, crawl_store(crawler))

    def open_spider(self) -> None:
        if hasattr(self.crawler.spider, "site_record"):
            self.store.register_site(**self.crawler.spider.site_record())

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
