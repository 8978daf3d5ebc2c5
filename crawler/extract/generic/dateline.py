"""The publication date line: nearest the title, never in chrome, a "today" element or a related list."""

from __future__ import annotations

from typing import Any

from lxml import etree

from crawler.extract.cleaning import (
    normalize_text,
)
from crawler.extract.dates import has_time, parse_vietnamese_date
from crawler.extract.generic.analysis import Analysis, Node, _root
from crawler.extract.generic.markup import (
    _DATE_CLASS,
    _DATE_LABEL,
    _HAS_DATE,
    _NOT_PUBLICATION,
    _TODAY_CLASS,
    STRONG,
    _marker,
)
from crawler.extract.generic.metadata import PageMeta, read_metadata
from crawler.extract.page import _clean, _el_text
from crawler.extract.tree import _string


def find_date(doc: Any, title_el: Any = None, body: Any = None, meta: PageMeta | None = None,
              analysis: Analysis | None = None) -> tuple[str | None, str | None]:
    """(ISO publication date, raw string): the date line nearest the title, completed by metadata."""
    meta = meta or read_metadata(doc)
    if analysis is None:
        analysis = Analysis(_root(doc))
    nodes = analysis.nodes
    title_node = nodes.get(title_el) if title_el is not None else None
    body_node = nodes.get(body) if body is not None else None
    anchor = title_node.order if title_node is not None else (body_node.order if body_node is not None else None)
    best = None
    best_score = float("-inf")
    body_start = body_node.order if body_node is not None else -1
    body_end = body_node.end if body_node is not None else -1
    for node in analysis.order:
        if node.chrome == STRONG or node.template or node.agg > 110 or node.agg < 6 and node.tag != "time":
            continue
        tag = node.tag
        if tag in ("a", "html", "body", "br") or node.agg_link * 2 > node.agg:
            continue
        if body_start < node.order <= body_end and node.order - body_start > 12:
            continue  # a date inside the text is not the dateline
        el = node.el
        if tag == "time" and el.get("datetime"):
            source = el.get("datetime")
            raw = _el_text(el) or source
        else:
            raw = _string(el)
            if not _HAS_DATE.search(raw):
                continue
            if any(child.__class__ is not etree._Comment and _HAS_DATE.search(_string(child) or "")
                   for child in el if isinstance(child.tag, str) and child.tag not in ("br",)):
                continue  # a wrapper: its child holds the date line
            raw = _clean(raw)
            source = raw
        if _NOT_PUBLICATION.search(raw):
            continue
        parent = node.parent
        if _TODAY_CLASS.search(_marker(el)) or parent is not None and _TODAY_CLASS.search(_marker(parent.el)):
            continue
        if _in_link_list(node):
            continue  # a related-list entry "(19/11/2021)"
        parsed = parse_vietnamese_date(source)
        if parsed is None:
            continue
        pos = node.order
        score = 0.0
        if anchor is not None:
            distance = pos - anchor
            score -= distance / 40 if distance >= 0 else 1 + (-distance) / 15
        if body_node is not None:
            if body_node.order < pos <= body_node.end:
                if pos - body_node.order > 12:
                    continue  # a date inside the text is not the dateline
                score -= 0.5
            elif pos > body_node.end:
                score -= 2 + (pos - body_node.end) / 20
        if _DATE_LABEL.search(raw):
            score += 0.7
        marker = _marker(el) + " " + (_marker(parent.el) if parent is not None else "")
        if tag == "time" or _DATE_CLASS.search(marker):
            score += 0.7
        if has_time(source):
            score += 0.5
        if node.chrome:
            score -= 0.3
        if score > best_score:
            best, best_score = (parsed, source, raw), score
    meta_date = None
    for raw in meta.dates:
        if (parsed := parse_vietnamese_date(raw)) is not None:
            meta_date = (parsed, raw)
            break
    if best is not None:
        parsed, source, raw = best
        if not has_time(source) and meta_date and has_time(meta_date[1]) and meta_date[0].date() == parsed.date():
            return meta_date[0].isoformat(), raw
        return parsed.isoformat(), raw
    if meta_date:
        return meta_date[0].isoformat(), normalize_text(meta_date[1])
    return None, None


def _in_link_list(node: Node) -> bool:
    """Inside a link, or in a list item / table row that holds a link (related lists)."""
    up: Node | None = node
    depth = 0
    while up is not None and depth < 6:
        if up.tag == "a":
            return True
        if up.tag in ("li", "tr", "dd", "dt") and up.links:
            return True
        up = up.parent
        depth += 1
    return False
