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

from crawler.extract.article import Article
from crawler.extract.bylines import parse_byline, take_bylines
from crawler.extract.cleaning import (
    drop_boilerplate_lines,
    normalize_text,
    paragraphs_of,
    strip_boilerplate,
)
from crawler.extract.datelines import Dateline, Rank, datelines

# the generic extractor: for pages without site rules, and finder by finder where the rules miss
from crawler.extract.generic import extract_generic, find_date, find_title, finish_article
from crawler.extract.generic.analysis import Analysis, _root, read_main_text
from crawler.extract.generic.byline import byline_near_body, find_lead
from crawler.extract.generic.metadata import read_metadata
from crawler.extract.images import take_images
from crawler.extract.page import _el_text, parse_page, prepare
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
    meta = read_metadata(doc)  # before prepare(): JSON-LD sits in <script>
    prepare(doc)
    article = Article(url=url)

    title_el = _first(doc, rules.title)
    article.title = _text(title_el)
    if article.title and article.title.startswith("null "):  # Liferay templates print a null field first
        article.title = article.title[5:].strip() or None
    article.category = _text(_last(doc, rules.category))

    dateline = _site_dateline(doc, rules)
    if dateline is not None:
        article.published_at, article.published_raw = dateline.value.isoformat(), dateline.raw

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
    article.extraction_method = "site-rules"
    analysis = None  # the generic reading of the page, made only when a rule misses
    if body is None:
        analysis, node, article.extraction_method = read_main_text(_root(doc))
        body = node.el if node is not None else None
        article.used_generic.append("body")
    if article.title is None:
        article.title = find_title(doc, body)
        article.used_generic.append("title")
    if article.published_at is None:
        article.published_at, article.published_raw = find_date(doc, title_el, body)
        article.used_generic.append("published")
        if article.published_at is None:  # a date line that cannot be read is kept raw
            article.published_raw = _unreadable_date(doc, rules) or article.published_raw
    if body is None:
        return article
    # Where a rule misses, the generic finders, with the same evidence they use alone: a sapo between
    # the title and the text; a byline under the title or right after the text (on the generic
    # reading of the page, made once and only when needed).
    def generic_nodes() -> tuple[Any, Any, Any]:
        nonlocal analysis
        if analysis is None:
            analysis = Analysis(_root(doc))
        return analysis, analysis.nodes.get(body), analysis.nodes.get(title_el) if title_el is not None else None

    if article.lead is None:
        found_analysis, body_node, title_node = generic_nodes()
        if body_node is not None and (lead_el := find_lead(found_analysis, title_node, body_node)) is not None:
            article.lead = _text(lead_el)
            article.used_generic.append("lead")

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
    blocks, byline = take_bylines(blocks)

    article.author = (explicit.author if explicit else None) or byline.author
    article.credit = (explicit_credit.credit if explicit_credit else None) or byline.credit
    if article.author is None or article.credit is None:
        found_analysis, body_node, title_node = generic_nodes()
        if body_node is not None:
            outside = byline_near_body(found_analysis, body_node, title_node, meta)
            article.author = article.author or outside.author
            article.credit = article.credit or outside.credit
    if explicit and explicit.credit and not article.credit:
        article.credit = explicit.credit
    article.paragraphs = blocks
    return finish_article(article, body, images, url)


def _site_dateline(doc: Any, rules: SiteRules) -> Dateline | None:
    """The publication date line the site's date selectors find (crawler.extract.datelines ranks them):
    the first selector with a publication or plain date line wins; an update line only when no
    selector finds better; an edit line never (the generic finder gets its turn first)."""
    updated = None
    for selector in rules.date:
        lines = []
        for el in css(selector)(doc):
            # a <meta> selector (NukeViet's article:published_time) gives its content
            raw = (normalize_text(el.get("content", "")) or None) if el.tag == "meta" else _text(el)
            if raw and (rules.date_pattern is None or rules.date_pattern.search(raw)):
                lines += datelines(raw)
        best = min(lines, key=lambda d: (d.rank, not d.has_time), default=None)
        if best is not None and best.rank <= Rank.PLAIN:
            return best
        if best is not None and best.rank == Rank.UPDATED and updated is None:
            updated = best
    return updated


def _first_of(body: Any, doc: Any, selectors: tuple[str, ...]) -> Any:
    """The first match inside the body, else in the whole page. (An lxml element without children
    is falsy: never `a or b` on elements.)"""
    found = _first(body, selectors)
    return found if found is not None else _first(doc, selectors)


_DATE_SHAPE = re.compile(r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}|\d{4}-\d{1,2}-\d{1,2}")


def _unreadable_date(doc: Any, rules: SiteRules) -> str | None:
    """The text of the first date element the site's selectors find that looks like a date line but
    cannot be read (`31/2/2023 25:61`), to keep as `published_raw`."""
    for selector in rules.date:
        for el in css(selector)(doc):
            raw = (normalize_text(el.get("content", "")) or None) if el.tag == "meta" else _text(el)
            if (raw and len(raw) <= 120 and _DATE_SHAPE.search(raw)
                    and (rules.date_pattern is None or rules.date_pattern.search(raw))):
                return raw
    return None
