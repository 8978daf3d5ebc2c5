"""Cleaning the chosen block: chrome, tool bars, link lists, related boxes, template blocks, edge lines; the lead."""

from __future__ import annotations

import re
from typing import Any

from crawler.extract.bylines import parse_byline
from crawler.extract.cleaning import EDGE_LINES, drop_boilerplate_lines
from crawler.extract.dates import parse_vietnamese_date
from crawler.extract.generic.analysis import Analysis, Node
from crawler.extract.generic.markup import _AUTHOR_CLASS, _HAS_DATE, _SEE_ALSO, _is_boilerplate_heading, _marker
from crawler.extract.page import _clean, _el_text
from crawler.extract.tree import _string, drop_tree

_LIST_TAGS = frozenset({"ul", "ol", "div", "table", "section", "aside", "dl", "nav", "p", "center", "tbody",
                        "tr", "td", "span", "em", "strong", "font", "blockquote"})


def clean_block(body_node: Node, analysis: Analysis) -> None:
    """Remove chrome, tool bars, link lists, related boxes and template blocks from the article block."""
    total = body_node.agg or 1
    skip_until = -1
    doomed = []
    for node in analysis.between(body_node.order + 1, body_node.end + 1):
        if node.order <= skip_until:
            continue
        if node.agg > 0.5 * total:
            continue  # a wrapper of the article itself
        drop = _is_junk(node)
        if drop:
            doomed.append(node)
            skip_until = node.end
    for node in doomed:
        el = node.el
        previous = el.getprevious()
        if el.getparent() is not None:
            drop_tree(el)
        # the heading of an unwrapped box ("<p><b>Tin liên quan</b></p><ul>…</ul>")
        if previous is not None and node.links >= 2 and previous.getparent() is not None:
            text = _el_text(previous)
            if text and len(text) < 40 and _is_boilerplate_heading(text):
                drop_tree(previous)


def _is_junk(node: Node) -> bool:
    """Chrome, a form, a template block, a link list or a related box (inside the article block)."""
    if node.tag == "form":
        return True
    if node.template:  # repeated across the site, unless it is a byline (prolific authors repeat too)
        return not _is_byline_element(node)
    parent_chrome = node.parent.chrome if node.parent is not None else 0
    if node.chrome and node.chrome != parent_chrome:
        return not _AUTHOR_CLASS.search(_marker(node.el))
    if node.links and node.tag in _LIST_TAGS and node.agg:
        density = node.agg_link / node.agg
        if node.links >= 2 and density > 0.6:
            return True
        return density > 0.3 and (_starts_with_see_also(node.el) or _headed_by_box_title(node.el))
    return False


def _is_byline_element(node: Node) -> bool:
    if node.agg > 80 or node.links:
        return False
    return parse_byline(_el_text(node.el)) is not None


def _starts_with_see_also(el: Any) -> bool:
    return bool(_SEE_ALSO.match(_clean(_string(el)[:60])))


def _headed_by_box_title(el: Any) -> bool:
    """A block whose first text is "Tin liên quan", "Các tin khác" … (a related box)."""
    for text in el.itertext():
        text = text.strip()
        if text:
            return _is_boilerplate_heading(_clean(text))
    return False


def _is_date_line(line: str) -> bool:
    """A line that only states a date (with label, time or views), e.g. "Cập nhật lúc: 18:00 |22/05/2022"."""
    if len(line) > 80 or not _HAS_DATE.search(line) or parse_vietnamese_date(line) is None:
        return False
    rest = re.sub(r"\d+", " ", line)
    rest = re.sub(r"(?i)thứ\s+\w+|chủ nhật|ngày|tháng|năm|lúc|giờ|gmt|cập nhật|đăng|post|xuất bản|lượt xem|"
                  r"đã xem|thời gian|[^\w]", " ", rest)
    return len(rest.split()) <= 2


def clean_lines(blocks: list[str], title: str | None, lead: str | None) -> list[str]:
    """Template lines anywhere (crawler.extract.cleaning), then a date line or the title repeated at the edges."""
    blocks = drop_boilerplate_lines(blocks)
    folded_title = title.casefold() if title else None
    out = []
    last = len(blocks) - 2
    for i, block in enumerate(blocks):
        if block in ("null", "undefined", "None"):
            continue
        if (i < 3 or i >= last) and (folded_title and block.casefold() == folded_title or _is_date_line(block)):
            continue
        if i < 3 and lead and block == lead:
            continue
        out.append(block)
    while out and out[0].casefold() in EDGE_LINES:
        out.pop(0)
    while out and out[-1].casefold() in EDGE_LINES:
        out.pop()
    return out
