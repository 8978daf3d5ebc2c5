"""Extraction: page bytes -> `Article`. Pure: no Scrapy, no SQLite, no network.

    from crawler.extract import extract_article
    article = extract_article(page_bytes, "https://tuyengiao.vn/x-130334", rules)   # site rules
    article = extract_article(page_bytes, url)                                       # generic

The same functions run inside a crawl, on a saved file (`python -m crawler extract`) and over
stored captures (`python -m crawler reextract`). Modules: `rules` (site selectors, falling back
field by field to `generic`), `generic` (no rules), `cleaning` (line vocabulary, paragraphs,
bylines), `dates`, `charset`, `templates` (boilerplate learnt across a site's pages), `sanitize`.
"""

from crawler.extract.article import Article
from crawler.extract.generic import extract_generic
from crawler.extract.rules import SiteRules, extract_article
from crawler.extract.sanitize import SANITIZE_ATTRIBUTES, SANITIZE_TAGS, sanitize_html

__all__ = ["SANITIZE_ATTRIBUTES", "SANITIZE_TAGS", "Article", "SiteRules", "extract_article", "extract_generic",
           "sanitize_html"]
