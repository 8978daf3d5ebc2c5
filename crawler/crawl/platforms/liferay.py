"""Liferay portal sites with the Asset Publisher portlet (btg.dongthap.gov.vn, baobacninh.com.vn).

A category page (`/web/{site}/{page}`) holds an Asset Publisher listing abstracts; each
title links to the full content, shown by an Asset Publisher instance on the same page
or on a display page (`chi-tiet-bai-viet`):

    /web/btg/chi-tiet-bai-viet/-/asset_publisher/1mOzUrGkrdAE/content/id/7337177
    /web/bbn/xay-ang/-/asset_publisher/AbCdEf123456/content/some-url-title

Listing links carry navigation parameters (`?redirect=…&inheritRedirect=true`,
`p_p_id=…`); on a content URL they never change the content, so they are dropped and
one article keeps one URL. Pagination is `…_INSTANCE_{id}_cur=N&…_delta=10` on the
category URL: the pager's own links are followed (`.lfr-pagination-buttons`), not the
page-size menu next to them (`_delta=20, 30 …` would list the same articles again).

Page chrome that reaches the text: the portlet titles (`Xuất bản thông tin`, the
Vietnamese default title of the Asset Publisher, and custom ones such as
`Chi tiết bài viết Tin tức`) and a stray `null` a template prints before the title;
the extractor drops a leading `null` from titles and body edges.

>>> class Demo(LiferaySpider):
...     name = "demo"
...     site_path = "/web/btg"
>>> url = without_navigation(
...     "https://btg.dongthap.gov.vn/web/btg/chi-tiet-bai-viet/-/asset_publisher/1mOzUrGkrdAE/content/id/7337177"
...     "?redirect=https%3A%2F%2Fbtg.dongthap.gov.vn%2Fweb%2Fbtg%2Ftin-tuc&inheritRedirect=true", Demo.article_path)
>>> url
'https://btg.dongthap.gov.vn/web/btg/chi-tiet-bai-viet/-/asset_publisher/1mOzUrGkrdAE/content/id/7337177'
>>> bool(Demo.article_path.match(url[len("https://btg.dongthap.gov.vn"):]))
True
>>> bool(Demo.listing_path.match("/web/btg/tin-tuc"))
True
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit, urlunsplit

from scrapy.http import Response

from crawler.crawl.base import ArchiveSpider
from crawler.extract import SiteRules

# the portlet instance id is sometimes left out of the URL (/-/asset_publisher/content/{slug})
_CONTENT = r"/-/asset_publisher/(?:[A-Za-z0-9]+/)?content/(?:id/\d+|[A-Za-z0-9_.%-]+)(?:/\d+)?/?"
_SITE_OF_CONTENT = re.compile(r"^(?P<site>/web/[A-Za-z0-9_-]+)?(?:/[A-Za-z0-9_-]+)*?/-/asset_publisher/")


def _patterns(site_path: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(article URLs, category pages) of a Liferay site at `site_path` ("/web/btg", or "" at the root)."""
    site = re.escape(site_path.rstrip("/"))
    return (re.compile(rf"^{site}(?:/[A-Za-z0-9_-]+)*{_CONTENT}$"), re.compile(rf"^{site}/[A-Za-z0-9_-]+/?$"))

LIFERAY_RULES = SiteRules(
    # a web content template's own title first (it may carry the stray "null"), then the portlet header
    title=(".journal-content-article .news-title", ".journal-content-article .title-news",
           ".asset-full-content .header-title", ".journal-content-article h1", ".journal-content-article h2",
           ".asset-full-content .asset-title"),
    date=(".journal-content-article .news-date", ".journal-content-article .date",
          ".asset-full-content .metadata-publish-date", ".asset-full-content .metadata-modified-date"),
    lead=(".journal-content-article .news-summary", ".journal-content-article .sapo",
          ".asset-full-content .asset-summary"),
    author=(".journal-content-article .news-author", ".journal-content-article .author"),
    credit=(".journal-content-article .news-source",),
    # CKEditor's figure, an image table, or <p center><img></p> followed by <p center><em>caption</em></p>
    caption=("figcaption", ".caption", ".image-caption", "td.image_caption",
             'p[style*="center"]:has(> em:only-child)'),
    category=(".journal-content-article .news-category",),
    body=(".journal-content-article .news-content", ".journal-content-article .noi-dung",
          ".asset-full-content .journal-content-article", ".journal-content-article",
          ".asset-full-content .asset-content"),
    remove=(".news-title", ".title-news", ".news-date", ".date", ".news-summary", ".news-category", ".asset-metadata",
            ".taglib-social-bookmarks", ".asset-links", ".asset-ratings", ".taglib-ratings", ".lfr-discussion",
            ".taglib-discussion", ".print-action", ".asset-actions", ".lfr-meta-actions"),
)


class LiferaySpider(ArchiveSpider):
    """The Liferay platform: the base of its sites, and a spider of its own for a site not in the registry:

        scrapy crawl liferay -a start_url=https://HOST/web/btg -a site=NAME [-a site_path=/web/btg]

    `site_path` comes from the registry row, from -a, or from the start page's content links."""

    name = "liferay"
    platform = "liferay"
    parameters = {"site_path": str}
    site_path = "/web/guest"
    # 6.2: ul.lfr-pagination-buttons (first, previous, next, last); 7.x: ul.pagination. Never the
    # page-size menus beside them (.lfr-pagination-delta-selector, .pagination-items-per-page).
    pager_links = (".lfr-pagination-buttons a", "ul.pager a", "ul.pagination a")
    rules = LIFERAY_RULES

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        article_path, listing_path = _patterns(cls.site_path)
        if "article_path" not in cls.__dict__:
            cls.article_path = article_path
        if "listing_path" not in cls.__dict__:
            cls.listing_path = listing_path

    def configure(self) -> None:
        self.article_path, self.listing_path = _patterns(self.site_path)

    def detect(self, response: Response) -> None:
        """The site's path: what its content links (`…/-/asset_publisher/…/content/…`) start with."""
        sites: Counter[str] = Counter()
        for href in response.css("a::attr(href)").getall():
            url = self.site_url(href, response.url)
            if url and (m := _SITE_OF_CONTENT.match(urlsplit(url).path)):
                sites[m.group("site") or ""] += 1
        if sites:
            self.site_path = max(sites, key=lambda site: (sites[site], site))
            self.configure()
            self.logger.info("Liferay site detected at %r", self.site_path or "/")

    def is_listing_url(self, url: str) -> bool:
        """A category page is its bare friendly URL; with a query it is a pager or page-size variant."""
        return not urlsplit(url).query and super().is_listing_url(url)

    def site_url(self, href: str, base: str) -> str | None:
        """As the base, but a content URL loses its query (redirect, inheritRedirect, p_p_* …)."""
        url = super().site_url(href, base)
        return without_navigation(url, self.article_path) if url else None


def without_navigation(url: str, article_path: re.Pattern[str]) -> str:
    """A content URL without its query: on Liferay it only says where to go back to."""
    parts = urlsplit(url)
    if parts.query and "/-/asset_publisher/" in parts.path and article_path.match(parts.path):
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return url
