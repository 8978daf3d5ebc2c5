"""Any site without a site spider: discover its listings and articles, archive them generically.

    scrapy crawl generic -a start_url=https://tinhuy.example.vn/tin-tuc -a site=tinhuy-example \\
        -a province="Hậu Giang" [-a organization="Tỉnh ủy Hậu Giang"] [-a base_url=http://127.0.0.1:8000]

* Start: the start URL (its origin is the site; `-a base_url=` points the same
  paths at a mirror), the site's sitemaps (robots.txt `Sitemap:` lines, else
  /sitemap.xml) and the RSS/Atom feeds the start page announces.
* Articles: links whose URL carries an article id (`slug-123456`, `-123.html`,
  `?newsid=`, `/ArticleID/`, Liferay `/content/id/`, date paths …); on sites
  without ids, links of a URL shape that a listing repeats with headline-long
  anchor texts (outside menus); feed items; sitemap entries.
* Listings: the start page's other same-site links (at most `max_categories`),
  followed through their pagers (`?page=N`, `/page-N`, `trang-N`, Liferay
  `_cur=N`, numbered and "»"/"Trang sau" links), ARCHIVE_MAX_LISTING_PAGES deep.
* Extraction: crawler.extract.generic with the site's template (crawler.extract.templates),
  learnt from every page fetched and kept in ARCHIVE_TEMPLATE_DIR/<site>.json.
  Until `warmup` pages are learnt, article pages wait in memory, so the first
  articles of a new site are cleaned with the same evidence as the rest.
* Storage, politeness, robots.txt, incremental revisits and WARC capture are
  the base spider's (crawler/crawl/base.py); articles are stored under `-a site=`.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawler.crawl.base import DOCUMENT_LINK, ArchiveSpider
from crawler.crawl.pagers import has_page_number
from crawler.extract.article import Article
from crawler.extract.charset import decode_response
from crawler.extract.generic import extract_generic
from crawler.extract.templates import SiteTemplate, template_dir
from crawler.urls import canonicalize_url

# URL paths (+ query) that carry an article id on the platforms of Party sites and common CMSs.
ARTICLE_URL = re.compile(
    r"""(?:[-_/]\d{3,}(?:\.(?:html?|aspx?|php|jsp|cfm|vn))?/?$)      # slug-123456, /123456, -1825.html
    |(?:-post\d+\.html?$)|(?:/post/\d+)
    |(?:/\d{4}/\d{1,2}/(?:\d{1,2}/)?[a-z0-9-]{8,}(?:\.html?)?/?$)      # /2023/05/14/slug/
    |(?:[?&](?:id|newsid|news_id|itemid|articleid|article_id|nid|tinid|idnews|postid|newsdetailid)=\d+)
    |(?:[?&]p=\d{2,}(?:&|$))
    |(?:/articleid/\d+)|(?:/content/id/\d+)|(?:/asset_publisher/[^/]+/content/)
    |(?:^/\d+/\d+/\d+/\d+/[a-z0-9-]+/[a-z0-9-]+/?$)                   # provincial portals, legacy scheme
    """, re.VERBOSE | re.IGNORECASE)
# Never articles, never worth following as listings.
NOT_PAGE = re.compile(
    r"/(?:tim-kiem|search|login|dang-nhap|dang-ky|register|print|in-bai|savefile|sendmail|lien-he|contact|"
    r"author|tac-gia|wp-admin|wp-login|admin|cart|share)(?:[-/.?]|$)|[?&](?:s|q|keyword|search|print|share)=",
    re.IGNORECASE)
# A category page sits a few segments deep (DNN: /tin-hoat-dong/tabid/96/catid/12/Default.aspx);
# deeper links from the start page are articles, files or application pages.
MAX_LISTING_DEPTH = 6
FEEDS = re.compile(r"(?:^|/)(?:rss|feed|atom)(?:/|\.xml|\.rss|$)|\.rss$", re.IGNORECASE)
MENU_ANCESTORS = ("ancestor::nav or ancestor::header or ancestor::footer or ancestor::*[contains(@class,'menu') "
                  "or contains(@id,'menu') or contains(@class,'nav') or contains(@class,'breadcrumb')]")


def url_shape(url: str) -> str:
    """The shape of a URL path: digit segments -> N, slug segments (>= 3 hyphens) -> S."""
    parts = urlsplit(url)
    shape = []
    for segment in parts.path.strip("/").split("/"):
        if not segment:
            continue
        stem, dot, ext = segment.rpartition(".") if "." in segment else (segment, "", "")
        if segment.isdigit():
            shape.append("N")
        elif stem.count("-") >= 3:  # a slug (a trailing number is often a year: "…-nam-2021")
            shape.append("S" + (dot + ext.lower() if dot else ""))
        else:
            shape.append(segment.lower())
    return "/" + "/".join(shape) + ("?" + "&".join(sorted(k for k, _, _ in (
        p.partition("=") for p in parts.query.split("&") if p))) if parts.query else "")


class GenericSpider(ArchiveSpider):
    """Generic spider: a site with no site spider, archived with the generic extractor."""

    name = "generic"
    platform = "generic"
    listing_path = re.compile(r".*")  # any same-site page linked from the start page (see is_listing_url)

    def __init__(self, max_categories: str | int = 40, warmup: str | int = 4, **kwargs: Any):
        super().__init__(**kwargs)
        self.max_categories = int(max_categories)
        self.warmup = int(warmup)
        self.template = SiteTemplate(self.site_name)
        self._listings_followed = 0
        self._article_shapes: set[str] = set()
        self._feed_articles: set[str] = set()
        self._buffer: list[Response] = []
        self._articles_learnt = 0
        self._sitemaps_seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> GenericSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        # every body here comes from the generic extractor: the "selectors" alarm means nothing
        thresholds = dict(crawler.settings.getdict("ARCHIVE_ALARM_THRESHOLDS"))
        thresholds.setdefault("min_site_rules_body", 0)
        crawler.settings.set("ARCHIVE_ALARM_THRESHOLDS", thresholds, priority="spider")
        return spider

    def load_known(self) -> None:
        super().load_known()
        for url in self.known:  # id-less sites: their article URLs are known by shape
            if not ARTICLE_URL.search(_target(url)):
                self._article_shapes.add(url_shape(url))

    # --- which URL is what ---------------------------------------------------------

    def is_article_url(self, url: str) -> bool:
        target = _target(url)
        if NOT_PAGE.search(target) or DOCUMENT_LINK.search(urlsplit(url).path) or FEEDS.search(urlsplit(url).path):
            return False
        if url in self._feed_articles:
            return True
        if has_page_number(url) and not re.search(r"[?&]p=\d{2,}", target):
            return False  # a listing's page, never an article
        return bool(ARTICLE_URL.search(target)) or url_shape(url) in self._article_shapes

    def is_listing_url(self, url: str) -> bool:
        path = urlsplit(url).path
        if (self.is_article_url(url) or NOT_PAGE.search(_target(url)) or DOCUMENT_LINK.search(path)
                or FEEDS.search(path) or path.count("/") > MAX_LISTING_DEPTH):
            return False
        if self._listings_followed >= self.max_categories:
            return False
        self._listings_followed += 1
        return True

    def _article_links(self, response: Response, selectors: tuple[str, ...]) -> list[str]:
        urls = super()._article_links(response, selectors)
        if not hasattr(response, "xpath"):
            return urls
        # Sites without ids in their URLs: learn the URL shape that a listing repeats with
        # headline-long anchor texts (menus left out).
        by_shape: dict[str, dict[str, int]] = defaultdict(dict)
        for a in response.xpath(f"//a[@href and not({MENU_ANCESTORS})]"):
            url = self.site_url(a.attrib.get("href", ""), response.url)
            if not url or NOT_PAGE.search(_target(url)) or has_page_number(url):
                continue
            if DOCUMENT_LINK.search(urlsplit(url).path) or FEEDS.search(urlsplit(url).path):
                continue
            words = len(" ".join(a.xpath(".//text()").getall()).split())
            shape = url_shape(url)
            if re.search(r"/S(?:\.\w+)?(?:\?.*)?$", shape):  # ends in a slug
                by_shape[shape][url] = max(words, by_shape[shape].get(url, 0))
        for shape, found in by_shape.items():
            if len(found) >= 3 and statistics.median(found.values()) >= 6:
                self._article_shapes.add(shape)
                urls.extend(u for u in found if u not in urls)
        return urls

    # --- start: pages, sitemaps, feeds -----------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.template = SiteTemplate.load(template_dir(self.settings), self.site_name)
        async for request in super().start():
            yield request
        yield scrapy.Request(self.origin + "/robots.txt", callback=self.parse_robots, priority=-5,
                             meta={"handle_httpstatus_list": [403, 404, 410]}, dont_filter=True)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        sitemaps = []
        if response.status == 200:
            sitemaps = [url for href in sitemap_urls_from_robots(response.text, base_url=response.url)
                        if (url := self.site_url(href, response.url))]
        for url in sitemaps or [self.origin + "/sitemap.xml"]:
            yield self._sitemap_request(url)

    def _sitemap_request(self, url: str) -> scrapy.Request:
        self._sitemaps_seen.add(url)
        return scrapy.Request(url, callback=self.parse_sitemap, priority=-5,
                              meta={"handle_httpstatus_list": [403, 404, 410]})

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        if response.status != 200 or not response.body.strip():
            return
        self.crawler.stats.inc_value("archive/generic/sitemaps")
        try:
            sitemap = Sitemap(response.body)
        except Exception:  # not XML: a soft 404 page
            return
        budget = self.settings.getint("ARCHIVE_GENERIC_MAX_SITEMAP_URLS", 5000)
        for entry in sitemap:
            url = self.site_url(entry.get("loc", ""), response.url)
            if not url:
                continue
            if sitemap.type == "sitemapindex":
                if url not in self._sitemaps_seen and len(self._sitemaps_seen) < 50:
                    yield self._sitemap_request(url)
            elif self.is_article_url(url) and budget > 0:
                budget -= 1
                self.crawler.stats.inc_value("archive/generic/sitemap_articles")
                if url not in self.known and (request := self.article_request(url)):
                    yield request

    def is_feed_article(self, url: str) -> bool:
        """A feed item of the site is an article, whatever its URL looks like."""
        if NOT_PAGE.search(_target(url)) or DOCUMENT_LINK.search(urlsplit(url).path):
            return False
        self._feed_articles.add(url)
        self.crawler.stats.inc_value("archive/generic/feed_articles")
        return True

    # --- listings and articles, with the site template ----------------------------------

    def parse_listing(self, response: Response, page: int = 1, is_start: bool = False,
                      quiet: int = 0) -> Iterator[scrapy.Request]:
        self._learn(response)
        if is_start and hasattr(response, "css"):
            for href in response.css("link[rel=alternate][type*=rss]::attr(href), "
                                     "link[rel=alternate][type*=atom]::attr(href)").getall():
                if url := self.site_url(href, response.url):
                    yield scrapy.Request(url, callback=self.parse_feed, priority=-5,
                                         meta={"handle_httpstatus_list": [404, 410]})
        yield from super().parse_listing(response, page=page, is_start=is_start, quiet=quiet)

    def parse_article(self, response: Response) -> Iterator[Any]:
        if response.status == 200 and not response.meta.get("revisit"):
            if self._learn(response):
                self._articles_learnt += 1
            # wait until the template has seen `warmup` article pages (a repeated block inside the
            # article template shows only there), unless it already knew the site
            ready = self._articles_learnt >= self.warmup or self.template.pages >= 10 * self.warmup
            if not ready and len(self._buffer) < 200:
                self._buffer.append(response)  # extracted once the template has seen enough pages
                self.crawler.stats.inc_value("archive/generic/waited_for_template")
                return
        yield from self._drain()
        yield from super().parse_article(response)

    def extract(self, text: str, url: str) -> Article:
        return extract_generic(text, url, template=self.template)

    def _learn(self, response: Response) -> bool:
        """Count the page's blocks in the site template (once per URL)."""
        if response.status != 200 or not isinstance(response.body, bytes) or b"<" not in response.body[:2048]:
            return False
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        if content_type and "html" not in content_type:
            return False
        if self.template.learn(decode_response(response.body, content_type)[0], canonicalize_url(response.url)):
            self.crawler.stats.inc_value("archive/generic/template_pages")
            return True
        return False

    def _drain(self) -> Iterator[Any]:
        while self._buffer:
            yield from super().parse_article(self._buffer.pop(0))

    def _on_idle(self) -> None:
        if self._buffer:  # a small site: fewer pages than the warm-up, extract what waits
            self.crawler.engine.crawl(scrapy.Request("data:,", callback=self._flush, dont_filter=True,
                                                     priority=100))
            raise DontCloseSpider

    def _flush(self, response: Response) -> Iterator[Any]:
        yield from self._drain()

    def closed(self, reason: str) -> None:
        path = self.template.save(template_dir(self.settings))
        self.logger.info("Site template of %s: %d pages learnt, saved to %s", self.site_name, self.template.pages,
                         path)


def _target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
