"""The provincial portal platform of Trà Vinh and Lào Cai sub-sites.

Two URL schemes live side by side, with unrelated ids for the same article:
legacy `/{siteId}/{pageId}/{categoryId}/{articleId}/{category-slug}/{title-slug}`
and newer `/{category-slug}/{title-slug}-{id}`; the store folds them into one
article (same site, title and publication day). Listings are the legacy path
cut after the category slug; their page parameter is unknown, so the pager's
own links are followed.

No class names of this platform were ever seen: the selectors follow the
reconstruction from saved page texts and list the usual alternatives; where they all
miss, the generic extractor fills in.
"""

import re

from crawler.crawl.base import ArchiveSpider
from crawler.extract import SiteRules

LEGACY_ARTICLE = r"/\d+/\d+/\d+/\d+/[a-z0-9-]+/[a-z0-9-]+/?"
SLUG_ID_ARTICLE = r"/[a-z0-9-]+/[a-z0-9-]+-\d{5,8}/?"


class ProvincialPortalSpider(ArchiveSpider):
    """The provincial portal platform: the base of its sites, and a spider of its own:

        scrapy crawl portal -a start_url=https://HOST/ -a site=NAME"""

    name = "portal"
    platform = "vn-provincial-portal"
    start_paths = ("/",)
    article_path = re.compile(rf"^(?:{LEGACY_ARTICLE}|{SLUG_ID_ARTICLE})$")
    # legacy `/{siteId}/{pageId}/{categoryId}/{slug}`, or the newer scheme's bare `/{category-slug}`
    listing_path = re.compile(r"^(?:/\d+/\d+/\d+/[a-z0-9-]+|/[a-z][a-z0-9-]*[a-z])/?$")
    rules = SiteRules(
        title=("h1.title", ".news-detail h1", ".article-title", ".title-news", ".news-title", ".detail-title"),
        date=(".meta .date", ".news-detail .date", "span.date", ".date", ".news-date", ".time", ".meta"),
        category=(".breadcrumb a", ".category-name", ".cat-name"),
        author=(".news-author", ".author", ".tac-gia", ".tacgia"),
        lead=(".news-detail .sapo", ".sapo", ".summary", ".lead", ".news-summary"),
        body=(".content .news-content", ".news-content", ".article-content", ".news-detail .content",
              "div.content", ".detail-content", ".noidung", ".news-body"),
        remove=(".other-news", ".meta", ".views", ".breadcrumb", ".attachments", ".file-attach"),
    )
