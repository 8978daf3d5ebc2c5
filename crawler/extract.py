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
from urllib.parse import urljoin

import nh3
from lxml import html

from crawler.charset import decode_html
from crawler.cleaning import (
    collapse_captions,
    drop_boilerplate_lines,
    normalize_text,
    paragraphs_of,
    parse_byline,
    split_byline,
    strip_boilerplate,
)
from crawler.dates import parse_vietnamese_date

# the generic extractor: for pages without site rules, and finder by finder where the rules miss
from crawler.generic import extract_generic, find_date, find_main_block, find_title
from crawler.items import Article


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

SANITIZE_TAGS = {"p", "br", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i", "u", "sup",
                 "sub", "ul", "ol", "li", "blockquote", "table", "thead", "tbody", "tfoot", "tr",
                 "th", "td", "caption", "figure", "figcaption", "img", "a", "span", "div", "pre"}
SANITIZE_ATTRIBUTES = {"img": {"src", "alt", "title"}, "a": {"href", "title"},
                       "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def sanitize_html(fragment: str) -> str:
    """Keep structure, drop everything that could run (scripts, handlers, javascript: URLs)."""
    return nh3.clean(fragment, tags=SANITIZE_TAGS, attributes=SANITIZE_ATTRIBUTES,
                     url_schemes={"http", "https"}, link_rel="noopener noreferrer nofollow")


def parse_document(page: str | bytes, http_charset: str | None = None) -> html.HtmlElement:
    """Parse a page (bytes are decoded with `decode_html`). Raises ValueError on an empty page."""
    if isinstance(page, bytes):
        page = decode_html(page, http_charset)[0]
    if not page.strip():
        raise ValueError("empty page")
    # lxml refuses str input with an encoding declaration; the text is already decoded
    page = re.sub(r"^\s*<\?xml[^>]*>", "", page)
    return html.document_fromstring(page)


def _first(doc: html.HtmlElement, selectors: tuple[str, ...]) -> html.HtmlElement | None:
    for selector in selectors:
        found = doc.cssselect(selector)
        if found:
            return found[0]
    return None


def _last(doc: html.HtmlElement, selectors: tuple[str, ...]) -> html.HtmlElement | None:
    """The last element of the first selector that matches (a breadcrumb's deepest link)."""
    for selector in selectors:
        found = doc.cssselect(selector)
        if found:
            return found[-1]
    return None


def _text(el: html.HtmlElement | None) -> str | None:
    if el is None:
        return None
    text = normalize_text(el.text_content()).replace("\n", " ")
    return text or None


# ---------------------------------------------------------------------------
# Images and captions

def _caption_container(img: html.HtmlElement, body: html.HtmlElement) -> html.HtmlElement | None:
    """The figure or image table an image sits in, if it has a caption area."""
    for anc in img.iterancestors():
        if anc is body:
            return None
        if anc.tag == "figure":
            return anc
        if anc.tag == "table" and len(anc.findall(".//img")) >= 1:
            text_len = len(normalize_text(anc.text_content()))
            if text_len < 400 and len(anc.findall(".//tr")) <= 4:
                return anc
    return None


def take_images(node: html.HtmlElement, rules: SiteRules, base_url: str) -> list[dict[str, str | None]]:
    """Collect images with their captions from `node` and remove the caption areas from it."""
    images = []
    for img in list(node.iter("img")):
        src = img.get("src") or img.get("data-src") or ""
        if not src or img.getparent() is None:
            continue
        container = _caption_container(img, node)
        caption = None
        if container is not None:
            cap_el = _first(container, rules.caption)
            caption = _text(cap_el) if cap_el is not None else None
            if caption is None:
                caption = _text(container)
            container.drop_tree()
        else:
            following = img.getparent().getnext() if img.getparent() is not None else None
            for selector in rules.caption:
                if following is not None and following in following.getparent().cssselect(selector):
                    caption = _text(following)
                    following.drop_tree()
                    break
            img.drop_tree()
        images.append({"src": urljoin(base_url, src), "alt": normalize_text(img.get("alt", "")) or None,
                       "caption": caption})
    return images


# ---------------------------------------------------------------------------

def extract_article(page: str | bytes, url: str, rules: SiteRules | None = None,
                    http_charset: str | None = None) -> Article:
    """Extract one article from a page. Fields not found stay None/empty (validation decides)."""
    if rules is None or rules == GENERIC:  # no site rules: the generic extractor does it all
        return extract_generic(page, url, http_charset)
    doc = parse_document(page, http_charset)
    doc.make_links_absolute(url, handle_failures="ignore")
    article = Article(url=url)

    title_el = _first(doc, rules.title)
    article.title = _text(title_el)
    if article.title and article.title.startswith("null "):  # Liferay templates print a null field first
        article.title = article.title[5:].strip() or None
    article.category = _text(_last(doc, rules.category))

    for selector in rules.date:
        for el in doc.cssselect(selector):
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
    for selector in rules.lead_image:
        for container in doc.cssselect(selector):
            cap_el = _first(container, rules.caption + ("span", "p", "em"))
            for img in container.iter("img"):
                images.append({"src": img.get("src"), "alt": normalize_text(img.get("alt", "")) or None,
                               "caption": _text(cap_el)})
            container.drop_tree()

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

    author_el = _first(body, rules.author) or _first(doc, rules.author)
    credit_el = _first(body, rules.credit) or _first(doc, rules.credit)
    explicit = parse_byline(_text(author_el) or "") if author_el is not None else None
    explicit_credit = parse_byline(_text(credit_el) or "") if credit_el is not None else None
    for el in (author_el, credit_el, lead_el):
        if el is not None and el.getparent() is not None and body in el.iterancestors():
            el.drop_tree()

    strip_boilerplate(body, rules.remove)
    images += take_images(body, rules, url)
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

    captions = collapse_captions([img["caption"] or "" for img in images])
    for img in images:
        if img["caption"] is not None:
            img["caption"] = normalize_text(img["caption"]).replace("\n", " ")
            if img["caption"] not in captions:
                img["caption"] = None
    article.images = _dedupe_images(images)
    article.body_html = sanitize_html(html.tostring(body, encoding="unicode"))
    return article


def _dedupe_images(images: list[dict[str, str | None]]) -> list[dict[str, str | None]]:
    seen: set[tuple[str | None, str | None]] = set()
    kept = []
    for img in images:
        key = (img["src"], img["caption"])
        if key not in seen:
            seen.add(key)
            kept.append(img)
    return kept
