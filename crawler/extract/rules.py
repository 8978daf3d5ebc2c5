"""Extraction: (html, url, site rules) -> Article. A pure function.

It runs the same inside a crawl, on a saved file
(`python -m crawler extract FILE --url URL`) and over stored captures.

    article = extract_article(Path("page.html").read_bytes(), "https://tuyengiao.vn/x-1", rules)
    article.title, article.published_at, article.author, article.body_text

A site declares `SiteRules` (CSS selectors, first match wins). Where a rule
finds nothing, the generic path fills in: the densest block of paragraphs
for the body, the page's `<h1>`/OpenGraph title, the publication date from
metadata or the date line next to the title (never the page-header "today").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from lxml import html

from crawler.extract.article import Article
from crawler.extract.cleaning import (
    collapse_captions,
    drop_boilerplate_lines,
    normalize_text,
    paragraphs_of,
    parse_byline,
    split_byline,
    strip_boilerplate,
)
from crawler.extract.dates import parse_vietnamese_date

# the generic extractor: for pages without site rules, and finder by finder where the rules miss
from crawler.extract.generic import extract_generic, find_date, find_main_block, find_title
from crawler.extract.images import absolute_links, dedupe_images, take_images
from crawler.extract.page import _el_text, parse_page, prepare
from crawler.extract.sanitize import sanitize_html
from crawler.extract.tree import css, drop_tree


@dataclass(frozen=True)
class SiteRules:
    """Where a site keeps each part of an article. Every field is a tuple of CSS selectors."""

    title: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    # A date element's text must match this to count (tuyengiao: the "(GMT+7)" stamp,
    # never the header's "today").
    date_pattern: re.Pattern[str] | None = None
    category: tuple[str, ...] = ()  # the LAST match counts: breadcrumbs end in the category
    lead: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    credit: tuple[str, ...] = ()
    # Containers of the lead image and its caption, outside the body.
    lead_image: tuple[str, ...] = ()
    # Caption elements inside an image container (figure, image table …).
    caption: tuple[str, ...] = ("figcaption", "td.td-image-desc", ".image-caption", ".caption",
                                "p.caption", ".img-caption", ".desc")
    # Site-specific boilerplate inside the body, removed before the generic stripping.
    remove: tuple[str, ...] = ()


GENERIC = SiteRules()

def select(node: Any, selectors: tuple[str, ...]) -> list[Any]:
    """Elements matching the selectors, the first selector's matches first (compiled once per selector)."""
    return [el for selector in selectors for el in css(selector)(node)]


def _first(node: Any, selectors: tuple[str, ...]) -> Any:
    for selector in selectors:
        found = css(selector)(node)
        if found:
            return found[0]
    return None


def _last(node: Any, selectors: tuple[str, ...]) -> Any:
    """The last element of the first selector that matches (a breadcrumb's deepest link)."""
    for selector in selectors:
        found = css(selector)(node)
        if found:
            return found[-1]
    return None


def _text(el: Any) -> str | None:
    return (_el_text(el) or None) if el is not None else None


def extract_article(page: str | bytes, url: str, rules: SiteRules | None = None,
                    http_charset: str | None = None) -> Article:
    """Extract one article from a page. Fields not found stay None/empty (validation decides)."""
    if rules is None or rules == GENERIC:  # no site rules: the generic extractor does it all
        return extract_generic(page, url, http_charset)
    doc = parse_page(page, http_charset)
    prepare(doc)
    article = Article(url=url)

    title_el = _first(doc, rules.title)
    article.title = _text(title_el)
    if article.title and article.title.startswith("null "):  # Liferay templates print a null field first
        article.title = article.title[5:].strip() or None
    article.category = _text(_last(doc, rules.category))

    for selector in rules.date:
        for el in css(selector)(doc):
            # a <meta> selector (NukeViet's article:published_time) gives its content
            raw = (normalize_text(el.get("content", "")) or None) if el.tag == "meta" else _text(el)
            if raw and (rules.date_pattern is None or rules.date_pattern.search(raw)):
                if parsed := parse_vietnamese_date(raw):
                    article.published_at, article.published_raw = parsed.isoformat(), raw
                    break
        if article.published_at:
            break

    lead_el = _first(doc, rules.lead)
    article.lead = _text(lead_el)

    images: list[dict[str, str | None]] = []
    for container in select(doc, rules.lead_image):
        if container.getparent() is None:
            continue
        cap_el = _first(container, rules.caption + ("span", "p", "em"))
        for img in container.iter("img"):
            images.append({"src": urljoin(url, img.get("src") or ""), "alt": normalize_text(img.get("alt", "")) or None,
                           "caption": _text(cap_el)})
        drop_tree(container)

    body = _first(doc, rules.body)
    if body is None:
        body = find_main_block(doc)
        article.used_generic.append("body")
    if article.title is None:
        article.title = find_title(doc, body)
        article.used_generic.append("title")
    if article.published_at is None:
        article.published_at, article.published_raw = find_date(doc, title_el)
        article.used_generic.append("published")
    if body is None:
        return article

    author_el = _first_of(body, doc, rules.author)
    credit_el = _first_of(body, doc, rules.credit)
    explicit = parse_byline(_text(author_el) or "") if author_el is not None else None
    explicit_credit = parse_byline(_text(credit_el) or "") if credit_el is not None else None
    for el in (author_el, credit_el, lead_el):
        if el is not None and el.getparent() is not None and body in el.iterancestors():
            drop_tree(el)

    strip_boilerplate(body, rules.remove)
    images += take_images(body, url, lambda container: select(container, rules.caption))
    blocks = drop_boilerplate_lines(paragraphs_of(body))
    if article.title:
        blocks = [b for i, b in enumerate(blocks) if not (i < 3 and b == article.title)]
    if article.lead and blocks and blocks[0] == article.lead:
        blocks.pop(0)
    blocks, byline = split_byline(blocks)

    article.author = (explicit.author if explicit else None) or byline.author
    article.credit = (explicit_credit.credit if explicit_credit else None) or byline.credit
    if explicit and explicit.credit and not article.credit:
        article.credit = explicit.credit
    article.paragraphs = blocks

    article.images = dedupe_images(images, collapse_captions([img["caption"] or "" for img in images]))
    absolute_links(body, url)
    article.body_html = sanitize_html(html.tostring(body, encoding="unicode"))
    return article


def _first_of(body: Any, doc: Any, selectors: tuple[str, ...]) -> Any:
    """The first match inside the body, else in the whole page. (An lxml element without children
    is falsy: never `a or b` on elements.)"""
    found = _first(body, selectors)
    return found if found is not None else _first(doc, selectors)
