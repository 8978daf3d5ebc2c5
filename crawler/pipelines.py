"""Item pipelines: validate, then store. Skips are counted, never fatal."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.items import Article, PageGone, PageNotModified
from crawler.store import ArticleStore

MIN_BODY_WORDS = 15  # below this the body is a stub ("Xem chi tiết trong file đính kèm")
MIN_GENERIC_WORDS = 80  # when the site's selectors found neither title nor body


# Static pages of a site's menu: never articles, whatever their URL looks like.
STATIC_PAGE_TITLES = {
    "giới thiệu", "giới thiệu chung", "liên hệ", "sơ đồ site", "sơ đồ cổng thông tin", "sơ đồ trang",
    "lịch công tác", "văn bản", "văn bản mới", "thư viện ảnh", "thư viện video", "hỏi đáp", "góp ý",
    "chức năng nhiệm vụ", "chức năng, nhiệm vụ", "cơ cấu tổ chức", "lãnh đạo", "đăng nhập", "tìm kiếm",
}


def skip_reason(article: Article) -> str | None:
    """Why a page must not be stored as an article, or None."""
    words = len(article.body_text.split())
    all_generic = {"title", "body"} <= set(article.used_generic)
    if not article.title or (all_generic and words < MIN_GENERIC_WORDS):
        return "no_article"
    if article.title.casefold().strip(" :.") in STATIC_PAGE_TITLES:
        return "static_page"
    if words < MIN_BODY_WORDS:
        return "empty_body"
    return None


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
                   "body": article.body_text, "site_rules_body": "body" not in article.used_generic}
        for name, value in present.items():
            if value:
                self.stats.inc_value(f"archive/fields/{name}")


class StorePipeline:
    """Write articles to archive.db (setting ARCHIVE_DB) and count what happened."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.store: ArticleStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.store = ArticleStore(self.crawler.settings.get("ARCHIVE_DB"))
        if hasattr(self.crawler.spider, "site_record"):
            self.store.register_site(**self.crawler.spider.site_record())

    def close_spider(self) -> None:
        if self.store:
            self.store.close()

    def process_item(self, item: Any) -> Any:
        spider = self.crawler.spider
        if self.store is None:
            return item
        if isinstance(item, Article):
            # the generic spider archives many sites: it names the one it crawls in `site_name`
            site = getattr(spider, "site_name", None) or spider.name
            result = self.store.upsert(item, site=site, province=getattr(spider, "province", None),
                                       fetched_url=item.url)
            self.stats.inc_value(f"archive/articles/{result.status}")
        elif isinstance(item, PageNotModified):
            if self.store.touch(item.url):
                self.stats.inc_value("archive/articles/not_modified")
        elif isinstance(item, PageGone):
            if self.store.mark_removed(item.url):
                self.stats.inc_value("archive/articles/removed")
                spider.logger.info("Article removed from the site (HTTP %s): %s", item.status, item.url)
        return item
