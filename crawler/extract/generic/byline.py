"""Bylines and images around the body: after it, under the title, at its top; metadata authors."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from crawler.extract.bylines import Byline, is_organisation, parse_byline
from crawler.extract.cleaning import is_boilerplate_line, normalize_text, paragraphs_of
from crawler.extract.generic.analysis import Analysis, Node
from crawler.extract.generic.blocks import _is_byline_element, _is_date_line
from crawler.extract.generic.markup import _AUTHOR_CLASS, _LEAD_CLASS, _NON_AUTHOR, _is_boilerplate_heading, _marker
from crawler.extract.generic.metadata import PageMeta
from crawler.extract.generic.weights import FIRST_BYLINE_MAX_CHARS, UNDER_TITLE_BYLINE_MAX_CHARS
from crawler.extract.page import _clean, _el_text


def find_lead(analysis: Analysis, title_node: Node | None, body_node: Node) -> Any:
    """A sapo between the title and the body (hometext, sapo, summary …), outside the body."""
    start = title_node.end + 1 if title_node is not None else body_node.order - 40
    for node in analysis.between(start, body_node.order):
        if node.chrome or node.template or node.agg < 60 or node.end >= body_node.order:
            continue  # chrome, short, or an ancestor of the body
        if node.tag in ("figure", "figcaption", "a") or node.agg_link * 3 > node.agg:
            continue
        el = node.el
        marker = _marker(el)
        if (marker and _LEAD_CLASS.search(marker)) or (node.tag in ("p", "h2", "strong", "b") and node.agg >= 80):
            text = _el_text(el)
            if not _is_date_line(text) and not is_boilerplate_line(text):
                return el
    return None


def _person_name(text: str, site_names: list[str]) -> str | None:
    text = _clean(text).strip(" -–|")
    text = re.sub(r"^(?:by|bởi|đăng bởi|người đăng|tác giả|người viết)\s*:?\s*", "", text, flags=re.IGNORECASE)
    if not text or _NON_AUTHOR.match(text) or any(text.casefold() == s.casefold() for s in site_names):
        return None
    if is_organisation(text):
        return None
    found = parse_byline(text)
    return found.author if found and found.author else None


_EXPLICIT_BYLINE = re.compile(r"\s*(?:tác giả|nguồn tin|nguồn|theo|bài viết|bài và ảnh|tin, ảnh|tin và ảnh|"
                              r"người viết|phóng viên|thực hiện)\b", re.IGNORECASE)


def byline_near_body(analysis: Analysis, body_node: Node, title_node: Node | None, meta: PageMeta) -> Byline:
    """Author/credit from the lines right after the body and from the meta line under the title."""
    author = credit = None
    seen_text = 0
    for node in analysis.between(body_node.end + 1, body_node.end + 60):
        if node.template and not _is_byline_element(node) or node.chrome and not _AUTHOR_CLASS.search(
                _marker(node.el)):
            if node.agg > 40:
                break
            continue
        if node.agg > 150:
            continue
        if node.tag == "tr":  # a field row: "<td>Tác giả bài viết:</td><td>Hữu Phước</td>"
            text = " ".join(cell for td in node.el if isinstance(td.tag, str) and (cell := _el_text(td)))
        elif node.chars:
            text = _el_text(node.el)
        else:
            continue
        seen_text += len(text)
        if seen_text > 400 or _is_boilerplate_heading(text):
            break
        found = parse_byline(text)
        # a labelled or author-classed line, or a bare byline standing first after the text
        first = seen_text == len(text)
        if found and (_EXPLICIT_BYLINE.match(text) or _AUTHOR_CLASS.search(_marker(node.el))
                      or first and found.author and len(text) <= FIRST_BYLINE_MAX_CHARS):
            author = author or found.author
            credit = credit or found.credit
    if author is None:
        start = title_node.order if title_node is not None else body_node.order - 30
        for node in analysis.between(start, body_node.order):
            if node.template or node.agg > UNDER_TITLE_BYLINE_MAX_CHARS or not node.agg:
                continue
            marker = _marker(node.el)
            if marker and _AUTHOR_CLASS.search(marker):
                # "ThS. Nguyễn Văn A<br>Khoa Lý luận cơ sở": the name is one of the element's lines
                lines = [_el_text(node.el)] + [t for piece in node.el.itertext() if (t := _clean(piece))]
                name = next((n for line in lines if (n := _person_name(line, meta.site_names))), None)
                if name:
                    author = name
                    break
            elif node.tag in ("p", "div") and not node.links and not node.chrome:
                # a bare byline between the title and the text: "<p><b>ThS. X</b><br><em>Trường …</em></p>"
                blocks = paragraphs_of(node.el)
                found = parse_byline(blocks[0]) if len(blocks) == 1 else None
                if found and found.author:
                    author, credit = found.author, credit or found.credit
                    break
    return Byline(author=author, credit=credit)


def meta_author(meta: PageMeta) -> str | None:
    for value in meta.authors:
        if name := _person_name(value, meta.site_names):
            return name
    return None


def images_before_body(analysis: Analysis, title_node: Node | None, body_node: Node,
                       base_url: str) -> list[dict[str, str | None]]:
    images: list[dict[str, str | None]] = []
    if title_node is None:
        return images
    for node in analysis.between(title_node.end + 1, body_node.order):
        if node.tag == "figure" and not node.chrome and not node.template:
            el = node.el
            img = el.find(".//img")
            if img is not None:
                cap = el.find(".//figcaption")
                images.append({"src": urljoin(base_url, img.get("src") or ""),
                                "alt": normalize_text(img.get("alt", "")) or None,
                                "caption": _el_text(cap) or None if cap is not None else None})
    return images
