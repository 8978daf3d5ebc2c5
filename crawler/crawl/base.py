"""The base spider: listing pages -> article URLs -> article pages.

Long because the crawl flow every spider shares (listing, pagination, article, retry of a
teaser) is one piece of state; splitting it would scatter one request's path over modules.

A site is declared once, as a row of the registry (crawler/sites/sites.csv): its name, origin,
province, platform and the platform's parameters, start paths. A spider of that name takes
its data from the row (`ArchiveSpider.__init_subclass__`); a site whose pages need more than
its platform adds a module in `spiders/` with only the overrides:

    class TuyengiaoSpider(ArchiveSpider):
        name = "tuyengiao"
        article_path = re.compile(r"^/(?:[a-z0-9-]+/)?[a-z0-9-]+-\\d{3,7}/?$")
        rules = SiteRules(title=("span.story_headline",), ...)

and the base does the rest: the `-a base_url=` override (crawl a mirror
with the same paths), pagination through the pager's own links with a page
limit, category discovery from the start pages, canonical URLs, decoding,
extraction and the counted skips.

Crawls are incremental: articles already in archive.db are fetched again
only when due (crawler/crawl/revisit.py; `-a revisit=all|none|auto`), with
If-None-Match / If-Modified-Since; a listing chain stops after
ARCHIVE_STOP_AFTER_QUIET_PAGES pages that link nothing never attempted (`never_attempted`); a known article
that answers 404/410 or redirects away from an article is marked removed.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy.http import Response
from w3lib.url import safe_url_string

from crawler.crawl.items import PageGone, PageNotModified
from crawler.crawl.pagers import has_page_number, is_pager_link, same_page_size
from crawler.crawl.revisit import KnownArticle
from crawler.crawl.storage import crawl_store
from crawler.extract import SiteRules, extract_article
from crawler.extract.charset import decode_response
from crawler.sites import Site, registry, site_for_host
from crawler.urls import canonicalize_url, origin_of, rebase_url

# Pager containers on the platforms we know, plus the common generic names.
PAGER_LINKS = (".datapager a", ".pager a", ".pagination a", ".paging a", ".page-nav a",
               ".phantrang a", "nav.pagination a", "a.next", "a[rel=next]")
NON_PAGE_LINK = re.compile(r"^(?:javascript:|mailto:|tel:|#)", re.IGNORECASE)
# Links whose site URL (absolute, rebased, canonical) is remembered: a listing's menus and sidebars
# repeat on every page; cleared when full, so a long crawl's memory stays flat.
SITE_URL_MEMO = 4096
DOCUMENT_LINK = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|jpe?g|png|gif|mp4|mp3)$", re.IGNORECASE)


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ArchiveSpider(scrapy.Spider):
    """Crawl one site's listings and archive its articles. The registry row of `name` declares the site."""

    site: Site | None = None  # the registry's declaration (set from the row of the spider's name)
    # the platform's parameters a registry row may set (`params`), with their type
    parameters: dict[str, type] = {}
    # --- from the registry row, or the class ---
    live_origin: str | None = None  # None when the hostname is unknown: configure SITE_ORIGINS
    other_live_hosts: tuple[str, ...] = ()  # e.g. "www.tuyengiao.vn"
    province: str | None = None  # as published (pre-2025-merger names stay)
    organization: str | None = None
    platform: str | None = None
    start_paths: tuple[str, ...] = ("/",)
    article_path: re.Pattern[str] = re.compile(r"$^")  # matched against path (+ ?query)
    listing_path: re.Pattern[str] | None = None  # category pages discovered from start pages
    article_links: tuple[str, ...] = ()  # <a> elements of a listing's items; () = any link
    pager_links: tuple[str, ...] = PAGER_LINKS
    rules: SiteRules = SiteRules()

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        site = registry().get(cls.__dict__.get("name") or "")
        if site is not None:
            cls.declare(site)

    @classmethod
    def declare(cls, site: Site) -> None:
        """Take the site's data from its registry row (values the class sets itself win)."""
        cls.site = site
        given = {"live_origin": site.origin, "other_live_hosts": site.other_hosts, "province": site.province,
                 "organization": site.organization, "start_paths": site.start_paths}
        for name, value in given.items():
            if name not in cls.__dict__:
                setattr(cls, name, value)
        for name, values in site.params.items():
            kind = cls.parameters.get(name)
            if kind is None:
                known = ", ".join(sorted(cls.parameters)) or "none"
                raise ValueError(f"{site.name}: unknown parameter {name!r} for its platform (known: {known})")
            setattr(cls, name, values if kind is tuple else (values[0] if values else ""))

    def __init__(self, start_url: str | None = None, site: str | None = None, province: str | None = None,
                 organization: str | None = None, base_url: str | None = None, origin: str | None = None,
                 max_pages: str | int | None = None, revisit: str | None = None, **kwargs: Any):
        params = {name: kwargs.pop(name) for name in list(kwargs) if name in self.parameters}
        self._where_memo: tuple[tuple, tuple[str, set[str]]] | None = None  # see _where()
        super().__init__(**kwargs)
        for arg, value in (("base_url", base_url), ("origin", origin)):
            if value and not (urlsplit(value).scheme in ("http", "https") and urlsplit(value).netloc):
                raise ValueError(f"{self.name}: -a {arg}={value} is not an http(s) URL "
                                 f"(write it with its scheme, e.g. http://{value.split('://')[-1]})")
        self.base_url = base_url.rstrip("/") if base_url else None
        self._origin_arg = origin
        self._max_pages_arg = int(max_pages) if max_pages else None
        self._revisit_arg = revisit
        self.site_name = self.name  # the site the archive files this crawl under (-a site= for another)
        self.known: dict[str, KnownArticle] = {}  # URL -> article facts, loaded at start
        # the article URLs requested in this run, by their 64-bit hash (a third of the memory of the URLs;
        # a false "already requested" takes ~2^32 URLs)
        self._requested: set[int] = set()
        self._site_urls: dict[str, str | None] = {}  # joined link -> site_url() (SITE_URL_MEMO)
        if self.site is None and not (start_url or base_url or origin):
            raise ValueError(f"{self.name}: pass -a start_url=URL (and -a site=NAME)")
        if start_url:
            parts = urlsplit(start_url)
            if parts.scheme and parts.netloc:
                self.live_origin = origin_of(start_url)
            self.start_paths = ((parts.path or "/") + (f"?{parts.query}" if parts.query else ""),)
        if site or self.site is None:
            # a platform's or the generic spider: the site named by -a site=, else the registry's site of
            # the host, else the host itself
            host = urlsplit(self.live_origin or base_url or origin or "").hostname or "site"
            declared = registry().get(site or "") or site_for_host(host)
            self.site = declared
            self.site_name = site or (declared.name if declared else re.sub(r"^www\.", "", host))
        self.province = province or self.province or (self.site.province if self.site else None)
        self.organization = organization or self.organization or (self.site.organization if self.site else None)
        # platform parameters: given with -a (space separated), else the registry row's of the site this
        # spider was pointed at, else detected on the start page (`detect`)
        given = {name: tuple(value.split()) for name, value in params.items()}
        if not given and self.site is not None and type(self).site is not self.site:
            given = {name: values for name, values in self.site.params.items() if name in self.parameters}
        for name, values in given.items():
            setattr(self, name, values if self.parameters[name] is tuple else (values[0] if values else ""))
        self._detect = bool(self.parameters) and not given and type(self).site is None
        if given:
            self.configure()

    def configure(self) -> None:
        """Rebuild what the platform derives from its parameters (URL patterns) after they changed."""

    def detect(self, response: Response) -> None:
        """Find the platform's parameters on the first page when neither the registry nor -a gives them."""

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ArchiveSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.base_url and _is_loopback(spider.base_url):
            # a mirror on this machine needs no politeness delay
            crawler.settings.set("DOWNLOAD_DELAY", 0, priority="spider")
            crawler.settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
        return spider

    # --- configuration ---

    @property
    def origin(self) -> str:
        """Where requests go: the mirror (`base_url`), else the configured or live origin."""
        return self._where()[0]

    @property
    def live_hosts(self) -> set[str]:
        """The site's live hostnames: links to them are rebased onto `origin`."""
        return self._where()[1]

    def _where(self) -> tuple[str, set[str]]:
        """(origin, live hosts), worked out once per value of the arguments they come from: every link
        of every listing asks (crawl CPU)."""
        key = (self.base_url, self._origin_arg, self.live_origin, self.other_live_hosts)
        if self._where_memo is None or self._where_memo[0] != key:
            site_origin = self.settings.getdict("SITE_ORIGINS").get(self.name)
            origin = self.base_url or self._origin_arg or site_origin or self.live_origin
            if not origin:
                raise ValueError(
                    f"{self.name}: the site's live hostname is unknown. Pass -a base_url=URL (a mirror), "
                    f"-a origin=URL, or set SITE_ORIGINS = {{'{self.name}': 'https://…'}} in the settings.")
            hosts = set(self.other_live_hosts)
            hosts.update(urlsplit(o).hostname or "" for o in (self.live_origin, self._origin_arg, site_origin) if o)
            self._where_memo = (key, (origin_of(origin), hosts))
        return self._where_memo[1]

    @property
    def max_pages(self) -> int:
        return self._max_pages_arg or self.settings.getint("ARCHIVE_MAX_LISTING_PAGES", 50)

    @property
    def allowed_domains(self) -> list[str]:  # read by Scrapy's offsite filtering
        return [urlsplit(self.origin).hostname or ""]

    def site_record(self) -> dict[str, Any]:
        """The row this site gets in the `sites` table: its registry declaration."""
        if self.site is not None and self.site.name == self.site_name:
            return self.site.record()
        return {"name": self.site_name, "origin": self.live_origin, "domain": urlsplit(self.live_origin or "").hostname,
                "province": self.province, "organization": self.organization, "platform": self.platform,
                "spider": self.name, "status": "active",
                "notes": (self.__doc__ or "").strip().splitlines()[0] if self.__doc__ else None}

    # --- URL helpers ---

    def site_url(self, href: str, base: str) -> str | None:
        """Absolute, rebased and canonical URL of a link, or None when it leaves the site."""
        href = (href or "").strip()
        if not href or NON_PAGE_LINK.match(href):
            return None
        joined = urljoin(base, href)
        if joined in self._site_urls:  # menus and sidebars repeat the same links on every page
            return self._site_urls[joined]
        origin = self.origin
        url = canonicalize_url(rebase_url(joined, self.live_hosts, origin))
        parts = urlsplit(url)
        found = url if f"{parts.scheme}://{parts.netloc}" == origin else None
        if len(self._site_urls) >= SITE_URL_MEMO:
            self._site_urls.clear()  # bounded: a long crawl sees ever new article links
        self._site_urls[joined] = found
        return found

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        return bool(self.article_path.match(target)) and not DOCUMENT_LINK.search(parts.path)

    def is_listing_url(self, url: str) -> bool:
        parts = urlsplit(url)
        return bool(self.listing_path and self.listing_path.match(parts.path)) and not self.is_article_url(url)

    # --- crawl flow ---

    @property
    def revisit_policy(self) -> str:
        return self._revisit_arg or self.settings.get("ARCHIVE_REVISIT", "auto")

    def load_known(self) -> None:
        """What archive.db already holds for this site, to crawl incrementally."""
        self.known = {url: KnownArticle.of(row)
                      for url, row in crawl_store(self.crawler).known_articles(self.site_name).items()}

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.load_known()
        for path in self.start_paths:
            yield scrapy.Request(self.origin + path, callback=self.parse_listing,
                                 cb_kwargs={"page": 1, "is_start": True})
        # Known articles that listings no longer show are revisited from the archive itself.
        now = datetime.now(UTC)
        budget = self.settings.getint("ARCHIVE_REVISIT_MAX", 500)
        never = datetime.min.replace(tzinfo=UTC)
        for url, known in sorted(self.known.items(), key=lambda kv: kv[1].last_seen or never):
            if budget <= 0:
                break
            if known.url_is_primary and known.is_due(now, self.revisit_policy):
                if origin_of(url) == self.origin and (request := self.article_request(url)):
                    budget -= 1
                    yield request

    def never_attempted(self, url: str) -> bool:
        """A link no earlier crawl has tried: no archived article, never fetched by an earlier run that
        finished. A 404, a page validation dropped or a site-wide sidebar link was fetched once (the
        `captures` rows remember every fetch), so it makes no listing page look new again. (A link that
        another listing of this run gave first still counts: this listing's next pages may hold more.)"""
        if url in self.known:
            return False
        return not crawl_store(self.crawler).was_fetched(safe_url_string(url))  # as Scrapy requested it

    def wanted(self, url: str, now: datetime) -> bool:
        """A linked article worth requesting: new, removed but linked again, or due for a revisit."""
        known = self.known.get(url)
        return known is None or known.removed or known.is_due(now, self.revisit_policy)

    def is_feed_article(self, url: str) -> bool:
        """Whether a feed item's link is an article of this site (the generic spider trusts feeds)."""
        return self.is_article_url(url)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        """Queue the new (or due) articles an RSS/Atom feed links to."""
        stats = self.crawler.stats
        stats.inc_value("archive/pages/feed")
        if response.status != 200:
            return
        now = datetime.now(UTC)
        for href in feed_links(response.body):
            url = self.site_url(href, response.url)
            if url and self.is_feed_article(url):
                stats.inc_value("archive/links/feed_article")
                if self.wanted(url, now) and (request := self.article_request(url)):
                    yield request

    def article_request(self, url: str) -> scrapy.Request | None:
        """A request for an article page (None if already requested in this run);
        conditional and removal-aware when the article is known."""
        if hash(url) in self._requested:
            return None
        self._requested.add(hash(url))
        known = self.known.get(url)
        if known is None:
            return scrapy.Request(url, callback=self.parse_article, priority=10)
        headers = {}
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        # dont_filter: a revisit redirected to a page already crawled (the home page) must still arrive
        return scrapy.Request(url, callback=self.parse_article, priority=5, headers=headers, dont_filter=True,
                              meta={"revisit": True, "handle_httpstatus_list": [304, 404, 410]})

    def parse_listing(self, response: Response, page: int = 1, is_start: bool = False,
                      quiet: int = 0) -> Iterator[scrapy.Request]:
        """Queue the article links of a listing page, its next pages and (from a start page) categories.

        `quiet` counts the consecutive listing pages of this chain that held nothing new.
        """
        stats = self.crawler.stats
        stats.inc_value("archive/pages/listing")
        if not hasattr(response, "text"):
            return
        if is_start and self._detect:
            self._detect = False
            self.detect(response)
        article_urls = self._article_links(response, self.article_links)
        if not article_urls and self.article_links:  # markup changed: any article-shaped link
            stats.inc_value("archive/warnings/article_links_selector_empty")
            article_urls = self._article_links(response, ())
        article_urls = self._cap_links(article_urls, response.url)
        stats.inc_value("archive/links/article", len(article_urls))
        now = datetime.now(UTC)
        new = 0
        for url in article_urls:
            new += self.never_attempted(url)  # before article_request() marks it requested
            if self.wanted(url, now):
                if request := self.article_request(url):
                    yield request
            else:
                stats.inc_value("archive/incremental/known_skipped")
        quiet = 0 if new else quiet + 1
        pager_urls = self.pager_urls(response)
        if quiet >= self.settings.getint("ARCHIVE_STOP_AFTER_QUIET_PAGES", 1):
            stats.inc_value("archive/incremental/listing_stopped")  # a start page still gives its categories
        elif page < self.max_pages:
            for url in sorted(pager_urls):
                yield scrapy.Request(url, callback=self.parse_listing, cb_kwargs={"page": page + 1, "quiet": quiet})
        elif pager_urls:
            stats.inc_value("archive/pagination/page_limit_reached")

        if is_start and self.listing_path is not None:
            listings = dict.fromkeys(url for href in response.css("a::attr(href)").getall()
                                     if (url := self.site_url(href, response.url)) and url not in pager_urls
                                     and self.is_listing_url(url))
            for url in self._cap_links(list(listings), response.url):
                yield scrapy.Request(url, callback=self.parse_listing, cb_kwargs={"page": 1})

    def pager_urls(self, response: Response) -> set[str]:
        """The listing's other pages: links in the platform's pager containers, and any link that leads to
        the same listing with another page number or says so by its text (crawler.crawl.pagers)."""
        here = canonicalize_url(response.url)
        found = {url for href in response.css(", ".join(self.pager_links)).css("::attr(href)").getall()
                 if (url := self.site_url(href, response.url)) and not self.is_article_url(url)}
        for a in response.css("a[href]"):
            url = self.site_url(a.attrib.get("href", ""), response.url)
            if not url or url in found or url == here or not has_page_number(url) or self.is_article_url(url):
                continue  # is_pager_link() wants a page number: the link's text is read only then
            text = " ".join(a.css("::text").getall()) or " ".join(
                a.css("img::attr(alt), img::attr(title)").getall()) or a.attrib.get("title", "") or a.attrib.get(
                "aria-label", "")
            if is_pager_link(url, here, text):
                found.add(url)
        found.discard(here)
        return same_page_size(found)

    def _article_links(self, response: Response, selectors: tuple[str, ...]) -> list[str]:
        cap = self.settings.getint("ARCHIVE_MAX_LINKS_PER_PAGE", 300)
        urls: list[str] = []
        seen: set[str] = set()
        for href in response.css(", ".join(selectors or ("a",))).css("::attr(href)").getall():
            url = self.site_url(href, response.url)
            if url and url not in seen and self.is_article_url(url):
                seen.add(url)
                urls.append(url)
                if cap and len(urls) > cap:  # enough to know the cap is hit (_cap_links)
                    break
        return urls

    def _cap_links(self, urls: list[str], page_url: str) -> list[str]:
        """At most ARCHIVE_MAX_LINKS_PER_PAGE links taken from one page (10,000 links on a listing are a
        trap or a dump, not a page of news); a page over the cap is counted and logged."""
        cap = self.settings.getint("ARCHIVE_MAX_LINKS_PER_PAGE", 300)
        if not cap or len(urls) <= cap:
            return urls
        self.crawler.stats.inc_value("archive/limits/links_per_page")
        self.logger.warning("More than %d links on %s: only the first %d taken (ARCHIVE_MAX_LINKS_PER_PAGE)",
                            cap, page_url, cap)
        return urls[:cap]

    def extract(self, text: str, url: str) -> Any:
        """The Article of a decoded page (the generic spider passes its site template)."""
        return extract_article(text, url, self.rules)

    def parse_article(self, response: Response) -> Iterator[Any]:
        """Extract the article; bad pages are logged and counted, never fatal."""
        stats = self.crawler.stats
        stats.inc_value("archive/pages/article")
        requested = canonicalize_url((response.meta.get("redirect_urls") or [response.url])[0])
        if response.status == 304:
            yield PageNotModified(requested)
            return
        if response.status in (404, 410):
            yield PageGone(requested, response.status)
            return
        if response.meta.get("revisit") and not self.is_article_url(canonicalize_url(response.url)):
            yield PageGone(requested, response.status)  # redirected to the home page or a listing
            return
        body = response.body
        if not body.strip():
            stats.inc_value("archive/skipped/empty_page")
            self.logger.warning("Empty page: %s", response.url)
            return
        text, codec = decode_response(body, response.headers.get("Content-Type", b"").decode("latin-1"))
        if codec != "utf-8":
            stats.inc_value(f"archive/charset/{codec}")
            self.logger.info("Decoded %s as %s", response.url, codec)
        if "</html" not in text[-2048:].lower():
            stats.inc_value("archive/warnings/truncated_html")
            self.logger.warning("Truncated HTML (no </html>): %s", response.url)
        try:
            article = self.extract(text, canonicalize_url(response.url))
        except Exception:  # malformed beyond lxml's repair: count it and carry on
            stats.inc_value("archive/skipped/extract_error")
            self.logger.exception("Extraction failed: %s", response.url)
            return
        for field_name in article.used_generic:
            stats.inc_value(f"archive/generic_fallback/{field_name}")
        article.etag = _header(response, "ETag")
        article.last_modified = _header(response, "Last-Modified")
        article.capture_id = response.meta.get("capture_id")  # set by crawler.crawl.capture.WarcCaptureMiddleware
        yield article


def feed_links(body: bytes) -> list[str]:
    """The item links of an RSS or Atom feed (recovering from broken XML; [] when it is not XML).

    >>> feed_links(b"<rss><channel><item><link> https://x.vn/a-1.html </link></item></channel></rss>")
    ['https://x.vn/a-1.html']
    """
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    links = root.xpath("//*[local-name()='item']/*[local-name()='link']/text()"
                       "|//*[local-name()='entry']/*[local-name()='link']/@href")
    return [str(link).strip() for link in links if str(link).strip()]


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None

