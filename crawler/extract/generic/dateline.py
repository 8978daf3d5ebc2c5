"""The publication date line: nearest the title, never in chrome, a "today" element or a related list."""

from __future__ import annotations

from typing import Any

from lxml import etree

from crawler.extract.cleaning import (
    normalize_text,
)
from crawler.extract.datelines import Rank, best_dateline, plausible
from crawler.extract.dates import has_time, parse_vietnamese_date
from crawler.extract.generic.analysis import Analysis, Node, _root
from crawler.extract.generic.markup import (
    _DATE_CLASS,
    _HAS_DATE,
    _NOT_PUBLICATION,
    _TODAY_CLASS,
    STRONG,
    _marker,
)
from crawler.extract.generic.metadata import PageMeta, read_metadata
from crawler.extract.generic.weights import (
    DATE_AFTER_BODY_PENALTY,
    DATE_BEFORE_ANCHOR_PENALTY,
    DATE_BODY_HEAD_NODES,
    DATE_CLASS_POINTS,
    DATE_IN_TOOLBAR_PENALTY,
    DATE_INSIDE_BODY_PENALTY,
    DATE_LINE_MAX_CHARS,
    DATE_LINE_MIN_CHARS,
    DATE_NODES_AFTER_BODY_PER_POINT,
    DATE_NODES_AFTER_PER_POINT,
    DATE_NODES_BEFORE_PER_POINT,
    DATE_RANK_POINTS,
    DATE_TIME_POINTS,
    LABEL_MAX_CHARS,
    LIST_ENTRY_MAX_CHARS,
)
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
    unread = None  # the first date line that cannot be read (31/2/2023 25:61): kept raw
    best_score = float("-inf")
    body_start = body_node.order if body_node is not None else -1
    body_end = body_node.end if body_node is not None else -1
    # where the text starts: after the title when the chosen block holds the title too (table layouts)
    text_start = (title_node.order if title_node is not None and body_start < title_node.order <= body_end
                  else body_start)
    for node in analysis.order:
        if (node.chrome == STRONG or node.template or node.agg > DATE_LINE_MAX_CHARS
                or node.agg < DATE_LINE_MIN_CHARS and node.tag != "time"):
            continue
        tag = node.tag
        if tag in ("a", "html", "body", "br") or node.agg_link * 2 > node.agg:
            continue
        # deep inside the text a date is the text's own (history, deadlines), unless a publication
        # label stands before it ("Ngày xuất bản: …" printed under the text)
        deep = body_start < node.order <= body_end and node.order - text_start > DATE_BODY_HEAD_NODES
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
        line = best_dateline(_label_before(el) + source)
        if line is None or deep and line.rank != Rank.PUBLISHED:
            unread = unread or (source if line is None and not deep else None)
            continue
        parsed, source = line.value, line.raw
        pos = node.order
        score = DATE_RANK_POINTS[line.rank]
        if anchor is not None:
            distance = pos - anchor
            score -= (distance / DATE_NODES_AFTER_PER_POINT if distance >= 0
                      else DATE_BEFORE_ANCHOR_PENALTY + (-distance) / DATE_NODES_BEFORE_PER_POINT)
        if body_node is not None:
            if body_node.order < pos <= body_node.end:
                score -= DATE_INSIDE_BODY_PENALTY
            elif pos > body_node.end:
                score -= DATE_AFTER_BODY_PENALTY + (pos - body_node.end) / DATE_NODES_AFTER_BODY_PER_POINT
        marker = _marker(el) + " " + (_marker(parent.el) if parent is not None else "")
        if tag == "time" or _DATE_CLASS.search(marker):
            score += DATE_CLASS_POINTS
        if line.has_time:
            score += DATE_TIME_POINTS
        if node.chrome:
            score -= DATE_IN_TOOLBAR_PENALTY
        if score > best_score:
            best, best_score = (parsed, source, source), score
    meta_date = None
    for raw in meta.dates:
        if (parsed := parse_vietnamese_date(raw)) is not None and plausible(parsed):
            meta_date = (parsed, raw)
            break
    if best is not None:
        parsed, source, raw = best
        if not has_time(source) and meta_date and has_time(meta_date[1]) and meta_date[0].date() == parsed.date():
            return meta_date[0].isoformat(), raw
        return parsed.isoformat(), raw
    if meta_date:
        return meta_date[0].isoformat(), normalize_text(meta_date[1])
    return None, unread


def _label_before(el: Any) -> str:
    """A label written just before a date element ("<b>Ngày đăng:</b> <span>…</span>"), or ""."""
    previous = el.getprevious()
    if previous is not None:
        text = _string(previous)
        text = (text if len(text) <= LABEL_MAX_CHARS else "") + (previous.tail or "")
    else:
        parent = el.getparent()
        text = (parent.text or "") if parent is not None else ""
    text = " ".join(text.split())[-LABEL_MAX_CHARS:]
    # only a label: text with digits is another date line, not this one's label
    return text + " " if text and not any(ch.isdigit() for ch in text) else ""


def _in_link_list(node: Node) -> bool:
    """Inside a link, or in a list item / table row that holds a link (related lists)."""
    up: Node | None = node
    depth = 0
    while up is not None and depth < 6:
        if up.tag == "a":
            return True
        if up.tag in ("li", "tr", "dd", "dt") and up.links and up.agg <= LIST_ENTRY_MAX_CHARS:
            return True  # (a layout table's row holds the whole page: not a list entry)
        up = up.parent
        depth += 1
    return False
