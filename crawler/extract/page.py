"""Parsing a page into plain lxml elements (faster than lxml.html's classes), and the text helpers
every extraction path uses."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from crawler.extract.charset import decode_html
from crawler.extract.cleaning import normalize_text
from crawler.extract.tree import _string, drop_tree

_HTML_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)


def parse_page(page: str | bytes, http_charset: str | None = None) -> Any:
    """Parse a page into plain lxml elements (faster than lxml.html's element classes).
    Raises ValueError on an empty page."""
    if isinstance(page, bytes):
        page = decode_html(page, http_charset)[0]
    page = re.sub(r"^\s*<\?xml[^>]*>", "", page)
    if not page.strip():
        raise ValueError("empty page")
    doc = etree.fromstring(page, _HTML_PARSER)
    if doc is None:
        raise ValueError("empty page")
    return doc


def _clean(text: str | None) -> str:
    """Normalised one-line text."""
    return normalize_text(text or "").replace("\n", " ")


def _el_text(el: Any) -> str:
    return _clean(_string(el)) if el is not None else ""


def _words(text: str) -> int:
    return len(text.split())


_PREPARE_XPATH = etree.XPath(
    "//script|//style|//noscript|//template|//iframe|//svg|//select|//textarea|//button|//input|//object"
    "|//embed|//canvas|//audio|//video|//comment()|//processing-instruction()")


def prepare(doc: Any) -> None:
    """Remove what is never content: scripts, styles, form controls, comments.
    (Hidden elements are left out by the analysis and removed by drop_hidden().)"""
    for el in _PREPARE_XPATH(doc):
        if el.getparent() is not None:
            drop_tree(el)
