"""The generic extractor: an article from any Vietnamese news or Party page, with no site rules.

Used for unknown hosts (`extract_article(page, url)` with no rules, `python -m
crawler extract`, the generic spider) and, finder by finder, as the fallback
when a site's selectors miss (`find_main_block`, `find_title`, `find_date`).

    article = extract_generic(page_bytes, "https://tinhuy.example.vn/tin-tuc/abc-123.html")
    article = extract_generic(page_bytes, url, template=SiteTemplate.load(directory, "site"))

How it decides (docs/extraction.md has the long version):

* **main block**: one pass over the tree attributes every run of text to its
  nearest block element, split at `<br>`; each paragraph-sized run scores by
  its length and credits its containers (readability-style), except text in
  links, in page chrome (header/footer/menu/sidebar/comments/related lists …,
  by tag or class/id words), or in blocks the site template learnt as repeated
  across the site's pages. The best container times (1 - link density) wins.
* **cleaning**: inside that block, chrome and tool bars, link-dense lists,
  "Tin liên quan"/"Xem thêm:" boxes and template blocks are removed, then the
  line vocabulary of crawler.extract.cleaning (counters, view counts, pagers, feedback
  forms) and edge lines (a date line, the title repeated).
* **title**: the heading that best matches the page's og:title/`<title>`
  (which carry a site suffix) and the URL slug, and sits right before the body.
* **date**: the date line nearest the title; never one in the page header or
  chrome, a "today" element, a licence/copyright line or a related-list entry;
  metadata (article:published_time, itemprop datePublished, JSON-LD) gives the
  time when the visible line has none, and the date when there is no visible
  line (NukeViet writes the *edit* time into datePublished).
* **author**: the trailing byline of the body (crawler.extract.bylines.split_byline),
  else "Tác giả:"/"Nguồn tin:" lines right after the body or an author-classed
  element in the meta line under the title; a metadata author only when it is a
  person's name (never "admin", the site name or an organisation).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lxml import html

from crawler.extract.article import Article
from crawler.extract.bylines import take_bylines
from crawler.extract.cleaning import collapse_captions, paragraphs_of
from crawler.extract.generic.analysis import _root, find_main_block, read_main_text
from crawler.extract.generic.blocks import clean_block, clean_lines
from crawler.extract.generic.byline import (
    byline_near_body,
    find_lead,
    images_before_body,
    meta_author,
)
from crawler.extract.generic.dateline import find_date
from crawler.extract.generic.metadata import read_metadata
from crawler.extract.generic.title import find_title, find_title_element
from crawler.extract.images import absolute_links, dedupe_images, take_images
from crawler.extract.page import _el_text, parse_page, prepare
from crawler.extract.sanitize import sanitize_html
from crawler.extract.tree import count_headline_links, drop_tree, opens_with_link

if TYPE_CHECKING:
    from crawler.extract.templates import SiteTemplate

__all__ = ["extract_generic", "find_date", "find_main_block", "find_title", "parse_page", "prepare"]



def extract_generic(page: str | bytes, url: str, http_charset: str | None = None,
                    template: SiteTemplate | None = None) -> Article:
    """Extract an article from a page with no site rules (see the module docstring)."""
    doc = parse_page(page, http_charset)
    meta = read_metadata(doc)
    prepare(doc)
    article = Article(url=url)
    article.used_generic = ["body", "title", "published"]
    marks = template.boilerplate_elements(doc) if template is not None else frozenset()
    analysis, body_node, article.extraction_method = read_main_text(_root(doc), marks)
    body = body_node.el if body_node is not None else None
    article.title, title_el = find_title_element(doc, body, meta, url, analysis)
    title_node = analysis.nodes.get(title_el) if title_el is not None else None
    article.published_at, article.published_raw = find_date(doc, title_el, body, meta, analysis)
    if body_node is None:
        return article

    lead_el = find_lead(analysis, title_node, body_node)
    if lead_el is not None:
        article.lead = _el_text(lead_el) or None
    outside = byline_near_body(analysis, body_node, title_node, meta)
    images = images_before_body(analysis, title_node, body_node, url)

    if title_el is not None and body in title_el.iterancestors():
        drop_tree(title_el)  # the headline inside the chosen block
    clean_block(body_node, analysis)
    images += take_images(body, url)
    blocks = clean_lines(paragraphs_of(body), article.title, article.lead)
    blocks, byline = take_bylines(blocks)
    article.author = byline.author or outside.author or meta_author(meta)
    article.credit = byline.credit or outside.credit
    article.paragraphs = blocks
    return finish_article(article, body, images, url)


def finish_article(article: Article, body: Any, images: list[dict], url: str) -> Article:
    """What every extraction path does last: the images with their captions, the body's link
    shape (for validation), and the sanitised body HTML with absolute links."""
    article.images = dedupe_images(images, collapse_captions([img["caption"] or "" for img in images]))
    article.headline_links = count_headline_links(body)
    article.opens_with_link = opens_with_link(body)
    absolute_links(body, url)
    article.body_html = sanitize_html(html.tostring(body, encoding="unicode"))
    return article
