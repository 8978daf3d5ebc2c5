"""NukeViet 4 (and 3) news module: the CMS of many provincial Party sites.

URL routing (NukeViet `modules/news/functions.php`, `funcs/detail.php`):

* article: `[/index.php][/{lang}][/{module}]/{cat-alias}/{alias}-{id}{.html|/}`. The
  module segment is absent when `news` is the site's home module; NukeViet 3-era
  sites end URLs with `/` instead of `.html` and keep capitalised aliases
  (`/news/Tuyen-truyen/Phoi-hop-…-3769/`);
* non-rewritten (NukeViet 3, or rewriting off): `index.php?language=vi&nv=news&op={Cat}/{Alias}-{id}`;
* category page N: `{module}/{cat-alias}/page-{N}`, tags `{module}/tag/{tag}[/page-N]`;
  the pager is `ul.pagination`, followed through its own links;
* RSS: `{module}/rss/[{cat-alias}/]`, links in `<item><link>`: extra article discovery.

Dates: the visible publication line (`Thứ hai - 04/07/2022 04:34`) wins. NukeViet 4.5
assigns the schema.org `datePublished` twice, so on an edited article it holds the
edit time; `article:published_time` holds the publication time but
in PHP's `Y-m-dTH:i:s` form, where `T` is the zone name (`2022-07-04ICT04:34:00`).
Order: visible line, then that meta, then `datePublished`.

A site's registry row gives the URL prefixes of its news module(s) in `news_paths`
(`news_paths=/vi/news`, `/news`, `/` when news is the home module; `/index.php`
is always optional) and the base builds the URL patterns:

>>> class Demo(NukeVietSpider):
...     name = "demo"
...     news_paths = ("/vi/news",)
>>> [bool(Demo.article_path.match(p)) for p in (
...     "/vi/news/tai-lieu-tuyen-truyen/huong-dan-tuyen-truyen-241.html",
...     "/index.php/vi/news/tai-lieu-tuyen-truyen/huong-dan-tuyen-truyen-241.html",
...     "/index.php?language=vi&nv=news&op=Tin-tuc%2FGiao-ban-bao-chi-2221",
...     "/vi/news/tai-lieu-tuyen-truyen/page-2",
...     "/vi/news/savefile/tai-lieu-tuyen-truyen/huong-dan-241.html",
...     "/vi/news/tag/tuyen-giao-2",
...     "/vi/about/gioi-thieu-1.html")]
[True, True, True, False, False, False, False]
>>> bool(Demo.listing_path.match("/vi/news/tai-lieu-tuyen-truyen/"))
True
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from crawler.crawl.base import ArchiveSpider
from crawler.extract import SiteRules

# Operations of the news module that share the URL space of categories: never articles or categories.
NV_OPS = ("savefile", "print", "sendmail", "rss", "tag", "topic", "topics", "search", "groups", "content",
          "author", "rating", "viewcat", "detail", "page", "instant-rss", "comment", "laws", "sitemap")
_SEGMENT = r"[A-Za-z0-9_-]+"
_NOT_OP = rf"(?!(?:{'|'.join(NV_OPS)})(?:/|$))"


def _prefix(news_paths: tuple[str, ...]) -> str:
    alternatives = "|".join(sorted({re.escape(p.removeprefix("/index.php").rstrip("/")) for p in news_paths}))
    return rf"(?:/index\.php)?(?:{alternatives})"


def _modules(news_paths: tuple[str, ...]) -> str:
    names = {p.rstrip("/").rsplit("/", 1)[-1] for p in news_paths}
    names = {n for n in names if n and n not in ("index.php", "vi", "en")} or {"news"}
    return "|".join(sorted(re.escape(n) for n in names))


def article_pattern(news_paths: tuple[str, ...]) -> re.Pattern[str]:
    """Article URLs (path + ?query, as canonicalised) of a NukeViet news module."""
    rewritten = rf"{_prefix(news_paths)}/{_NOT_OP}{_SEGMENT}/(?!page-\d+(?:/|$)){_SEGMENT}-\d+(?:\.html|/)?"
    # NukeViet 3 / no rewriting; the canonical URL has "/" in op= encoded as %2F
    query = (rf"/(?:index\.php)?\?(?:language=[a-z]{{2}}&)?nv=(?:{_modules(news_paths)})"
             rf"&op={_NOT_OP}{_SEGMENT}(?:/|%2F){_SEGMENT}-\d+(?:\.html)?")
    return re.compile(rf"^(?:{rewritten}|{query})$")


def listing_pattern(news_paths: tuple[str, ...]) -> re.Pattern[str]:
    """Category pages of the news module (page 1; later pages come from the pager)."""
    return re.compile(rf"^{_prefix(news_paths)}/{_NOT_OP}{_SEGMENT}(?:/page-\d+)?/?$")


# an article link of any news module: the prefix is what stands before `/{cat}/{alias}-{id}`
_ARTICLE_LINK = re.compile(r"^(?P<prefix>(?:/index\.php)?(?:/[A-Za-z0-9_-]+){0,2}?)/(?!page-)[A-Za-z0-9_-]+/"
                           r"[A-Za-z0-9_-]+-\d+(?:\.html|/)?$")

NUKEVIET_RULES = SiteRules(
    # NukeViet 4 default theme (detail.tpl), then NukeViet 3 (#news_detail)
    title=(".news_column [itemprop=headline]", ".news_column h1.title", "#news_detail h1", ".news_column h1"),
    date=(".news_column .row .col-md-12 > span.h5", ".news_column span.h5", "#news_detail span.time",
          ".news_column .time", 'meta[property="article:published_time"]',
          '.news_column [itemprop="datePublished"]', '[itemprop="datePublished"]'),
    # the hidden schema.org breadcrumb list ends with the article's category
    category=(".temp-breadcrumbs [itemprop=name]", ".breadcrumbs a", ".breadcrumb a"),
    lead=(".news_column .hometext", "#news_detail #hometext", ".hometext"),
    # "Tác giả:" / "Nguồn tin:" lines under the body (NukeViet 4), or children of #news_detail (3)
    author=('p.h5.text-right:contains("Tác giả")', '#news_detail > p:contains("Tác giả:")'),
    credit=('p.h5.text-right:contains("Nguồn tin")', '#news_detail > p:contains("Nguồn tin:")'),
    lead_image=(".news_column .clearfix > figure.article", ".news_column figure.article", "#imghome"),
    body=("#news-bodyhtml", ".news_column .bodytext", "#news_detail .bodytext", ".bodytext"),
    caption=("figcaption", "td.td-image-desc", ".image-caption", ".caption", "p.caption", ".img-caption",
             ".desc", "td.image_caption",
             # CKEditor without image2: <p center><img></p> then <p center><em>caption</em></p>
             'p[style*="center"]:has(> em:only-child)'),
    remove=(".news-download-file", ".other-news", "#form3B", ".fb-like", ".zalo-share-button", ".copyright"),
)


class NukeVietSpider(ArchiveSpider):
    """The NukeViet platform: the base of its sites, and a spider of its own for a site not in the registry:

        scrapy crawl nukeviet -a start_url=https://HOST/ -a site=NAME [-a news_paths=/vi/news]

    `news_paths` (and `feed_paths`) come from the registry row, from -a, or from the start page's links."""

    name = "nukeviet"
    platform = "nukeviet"
    parameters = {"news_paths": tuple, "feed_paths": tuple}
    # URL prefixes of the site's news module(s), without /index.php: "/vi/news", "/news", "" (home module)
    news_paths: tuple[str, ...] = ("/news",)
    # RSS feeds of the module ("/news/rss/"), read for article links beside the listings
    feed_paths: tuple[str, ...] = ()
    rules = NUKEVIET_RULES

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "article_path" not in cls.__dict__:
            cls.article_path = article_pattern(cls.news_paths)
        if "listing_path" not in cls.__dict__:
            cls.listing_path = listing_pattern(cls.news_paths)

    def configure(self) -> None:
        self.article_path = article_pattern(self.news_paths)
        self.listing_path = listing_pattern(self.news_paths)

    def detect(self, response: Response) -> None:
        """The news module's prefix: what article-shaped links (`…/{cat}/{alias}-{id}.html`) share."""
        prefixes: Counter[str] = Counter()
        for href in response.css("a::attr(href)").getall():
            url = self.site_url(href, response.url)
            if url and (m := _ARTICLE_LINK.match(urlsplit(url).path)):
                prefixes[m.group("prefix").removeprefix("/index.php")] += 1
        if prefixes:
            best = max(prefixes, key=lambda prefix: (prefixes[prefix], -len(prefix)))
            self.news_paths = (best or "/",)
            self.configure()
            self.logger.info("NukeViet news module detected at %r", self.news_paths[0])

    async def start(self) -> AsyncIterator[scrapy.Request]:
        async for request in super().start():
            yield request
        for path in self.feed_paths:
            yield scrapy.Request(self.origin + path, callback=self.parse_feed)
