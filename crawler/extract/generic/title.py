"""The article title: the heading that best matches the page title and the URL slug, right before the body."""

from __future__ import annotations

import re
from typing import Any

from crawler.extract.generic.analysis import Analysis, _root
from crawler.extract.generic.markup import _TITLE_CLASS, STRONG, _fold, _is_boilerplate_heading, _marker
from crawler.extract.generic.metadata import PageMeta, read_metadata
from crawler.extract.page import _el_text, _words


def _strip_site_suffix(title: str) -> str:
    parts = [p for p in re.split(r"\s+[-|–»:]\s+|\s*[|»]\s*", title) if p.strip()]
    return max(parts, key=len).strip() if parts else title


# a template's empty field printed as text ("<span class='subtitle'>null</span> Title" on Liferay)
_PLACEHOLDER = re.compile(r"^(?:(?:null|undefined|None)\s+)+|(?:\s+(?:null|undefined|None))+$")
_TITLE_TAGS = frozenset({"h1", "h2", "h3", "h4", "span", "div", "td", "p", "strong", "b", "font", "a"})


def find_title_element(doc: Any, body: Any, meta: PageMeta | None = None, url: str | None = None,
                       analysis: Analysis | None = None) -> tuple[str | None, Any]:
    """(title text, heading element) of the article."""
    meta = meta or read_metadata(doc)
    if analysis is None:
        analysis = Analysis(_root(doc))
    page_titles = [t.casefold() for t in meta.titles if t]
    title_lengths = [len(t) for t in page_titles]
    slug_words: set[str] = set()
    if url:
        path = re.sub(r"^[a-z]+://[^/]+", "", url)
        slug_words = {w for w in _fold(path).split() if len(w) > 1 and not w.isdigit()}
    body_node = analysis.nodes.get(body) if body is not None else None
    best, best_el, best_score = None, None, float("-inf")
    for node in analysis.order:
        tag = node.tag
        if tag not in _TITLE_TAGS or not 10 <= node.agg <= 300 or node.chrome == STRONG or node.template:
            continue
        el = node.el
        marker = _marker(el)
        itemprop = el.get("itemprop")
        titled = bool(marker) and bool(_TITLE_CLASS.search(marker)) or itemprop == "headline"
        headed = tag in ("h1", "h2", "h3") or titled
        if not headed and (tag not in ("b", "strong", "font", "span", "td", "div", "p")
                           or not any(0.4 * n <= node.agg <= n + 4 for n in title_lengths)):
            continue
        if node.links and tag != "h1" and node.agg_link * 2 > node.agg:
            continue  # a link to another article (related lists)
        text = _PLACEHOLDER.sub("", _el_text(el))
        if not 10 <= len(text) <= 260 or _words(text) > 45 or _is_boilerplate_heading(text):
            continue
        folded = text.casefold()
        if any(folded == t for t in page_titles):
            match = 4
        elif any(folded in t for t in page_titles):
            match = 3
        elif any(t in folded for t in page_titles if len(t) > 20):
            match = 2
        else:
            match = 0
        if not headed and match < 3:
            continue  # plain bold text counts only when it is the page's <title>
        score = {"h1": 2.5, "h2": 1.0, "h3": 0.5}.get(tag, 0.0) + (1.5 if titled else 0.0) + match
        if itemprop == "headline":
            score += 3
        if node.chrome:
            score -= 2
        if slug_words:
            words = set(_fold(text).split())
            if words and len(words & slug_words) / len(words) >= 0.5:
                score += 2
        score += min(_words(text), 15) / 10
        if body_node is not None:
            pos = node.order
            if pos < body_node.order:
                score += 2.5 / (1 + (body_node.order - pos) / 25)
            elif pos <= body_node.end:
                score += 1.0 if pos - body_node.order < 15 else -1.0
            else:
                score -= 2
        if score > best_score:
            best, best_el, best_score = text, el, score
    if best:
        return best, best_el
    for title in meta.titles:
        if title:
            return _strip_site_suffix(title), None
    return None, None


def find_title(doc: Any, body: Any) -> str | None:
    """The article heading (see find_title_element)."""
    return find_title_element(doc, body)[0]
