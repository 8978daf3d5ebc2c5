"""Text analysis: one pass over the tree attributes every run of text to its nearest block,
then scores containers (readability-style) to find the main block."""

from __future__ import annotations

import re
from typing import Any

from crawler.extract.cleaning import is_footer_line
from crawler.extract.generic.markup import (
    _HIDDEN_CLASS,
    _HIDDEN_STYLE,
    BLOCK,
    PARAGRAPH_TAGS,
    SKIP_TAGS,
    _marker,
    chrome_level,
)
from crawler.extract.generic.weights import (
    CHROME_REGION_MAX_SHARE,
    MAIN_CANDIDATES,
    SECOND_READING_BELOW_CHARS,
    SIBLING_LEVELS,
    SIBLING_MAX_LINK_SHARE,
    SIBLING_MIN_CHARS,
    SIBLING_TEXT_SHARE,
)
from crawler.extract.page import _el_text
from crawler.extract.tree import drop_tree


def drop_hidden(analysis: Analysis) -> None:
    for el in analysis.hidden:
        if el.getparent() is not None:
            drop_tree(el)


# ---------------------------------------------------------------------------
# Text analysis: one pass, every text run attributed to its nearest block


class Node:
    """One element: `own`/`agg` count the characters of its text (agg: with descendants);
    `chars`/`segs` count the text attributed to it as the nearest block (split at <br>)."""

    __slots__ = ("el", "tag", "order", "end", "parent", "own", "own_link", "chars", "link_chars", "segs", "cur",
                 "agg", "agg_link", "links", "score", "chrome", "template")

    def __init__(self, el: Any, tag: str, order: int, parent: Node | None, chrome: int, template: bool):
        self.el, self.tag, self.order, self.parent = el, tag, order, parent
        self.end = order
        self.own = self.own_link = self.chars = self.link_chars = self.cur = self.agg = self.agg_link = 0
        self.links = 0
        self.segs: list[int] | None = None
        self.score = 0.0
        self.chrome, self.template = chrome, template


class Analysis:
    """Per-element text statistics of a document: `nodes` by element, `order` in document order."""

    def __init__(self, root: Any, template_marks: set[Any] | frozenset[Any] = frozenset(),
                 class_chrome: bool = True):
        # class_chrome=False: page regions only by their tags (nav, aside, header, footer), never by
        # class or id words — the second, independent reading when the first finds no text
        self.class_chrome = class_chrome
        self.nodes: dict[Any, Node] = {}
        self.order: list[Node] = []
        self.hidden: list[Any] = []
        self.marks = template_marks
        self._walk(root, None, None, False, False)
        for node in reversed(self.order):
            _close(node)
            node.agg += node.own
            node.agg_link += node.own_link
            parent = node.parent
            if parent is not None:
                parent.agg += node.agg
                parent.agg_link += node.agg_link
                parent.links += node.links
                if node.end > parent.end:
                    parent.end = node.end
        self._inherit_chrome()

    def _inherit_chrome(self) -> None:
        """Chrome is inherited down the tree, except from a class-marked region that holds most of the
        page's text: that is a layout wrapper ("one-sidebar", "c_head_blue"), not a sidebar or a header."""
        total = self.order[0].agg if self.order else 0
        for node in self.order:  # document order: every parent before its children
            own = node.chrome
            if own and node.tag != "nav" and node.agg >= CHROME_REGION_MAX_SHARE * total:
                own = 0
            parent = node.parent
            node.chrome = max(parent.chrome, own) if parent is not None else own

    def _walk(self, el: Any, parent: Node | None, block: Node | None, in_link: bool, template: bool) -> None:
        tag = el.tag
        cls = el.get("class")
        if (cls and _HIDDEN_CLASS.search(cls) or el.get("hidden") is not None or el.get("aria-hidden") == "true"
                or (style := el.get("style")) and _HIDDEN_STYLE.search(style)) and parent is not None:
            self.hidden.append(el)  # never shown: no text, no node
            return
        # the body's classes describe the page ("one-sidebar", "nav-open"), never a region of it
        marked = self.class_chrome and (cls or el.get("id")) and tag not in ("html", "body")
        level = chrome_level(el) if (marked or tag in ("header", "footer", "nav", "aside")) else 0
        # its own level for now: _inherit_chrome passes it down once the text is counted
        node = Node(el, tag, len(self.order), parent, level, template or el in self.marks)
        self.nodes[el] = node
        self.order.append(node)
        if tag in BLOCK or block is None:
            if block is not None and block.cur:
                _close(block)
            block = node
        link_before = block.link_chars
        if tag == "a":
            in_link = True
        elif tag == "br" and block.cur:
            _close(block)
        _count_text(el.text, node, block, in_link)
        template = node.template
        for child in el:
            ctag = child.tag
            if ctag.__class__ is str and ctag not in SKIP_TAGS:
                self._walk(child, node, block, in_link, template)
                if block.cur and ctag in BLOCK:
                    _close(block)
            _count_text(child.tail, node, block, in_link)
        if tag == "a" and block.link_chars > link_before:
            node.links = 1

    def between(self, start: int, stop: int) -> list[Node]:
        return self.order[max(0, start):max(0, stop)]


def _count_text(text: str | None, node: Node, block: Node, in_link: bool) -> None:
    """Credit a run of text to its element and to the block it flows in."""
    if text and (n := len(text.strip())):
        node.own += n
        block.chars += n
        block.cur += n
        if in_link:
            node.own_link += n
            block.link_chars += n


def _close(block: Node) -> None:
    if block.cur:
        if block.segs is None:
            block.segs = []
        block.segs.append(block.cur)
        block.cur = 0


_NOT_TEXT_CLASS = re.compile(r"title|headline|tieu-?de|date|time|ngay-?dang|author|byline|tac-?gia",
                             re.IGNORECASE)


def score_paragraphs(analysis: Analysis) -> None:
    """Readability-style: each paragraph-sized run scores by length and credits its containers."""
    for node in analysis.order:
        segs = node.segs
        if not segs or node.chrome or node.template or node.link_chars * 2 > node.chars:
            continue
        points = 0.0
        for seg in segs:
            if seg >= 25:
                points += 1 + min(seg / 100, 5)
        if not points:
            continue
        marker = _marker(node.el)
        if marker and _NOT_TEXT_CLASS.search(marker):
            continue  # the headline, the date line, the byline: next to the text, not text
        parent = node.parent
        if len(segs) >= 2 and node.tag not in PARAGRAPH_TAGS:
            # text written straight into a container, paragraphs split by <br>
            node.score += points
            if parent is not None:
                parent.score += points * 0.5
                if parent.parent is not None:
                    parent.parent.score += points * 0.25
        elif parent is not None:
            parent.score += points
            grand = parent.parent
            if grand is not None:
                grand.score += points * 0.5
                if grand.parent is not None:
                    grand.parent.score += points * 0.25


def find_main_node(analysis: Analysis) -> Node | None:
    """The best-scoring block (score times the share of text outside links), unless its text is the site's
    footer (copyright, licence, address lines): then the next best."""
    candidates = []
    for node in analysis.order:
        if node.score <= 0 or node.chrome or node.template or node.tag in ("html", "body", "form", "tr"):
            continue
        candidates.append((node.score * (1 - node.agg_link / node.agg if node.agg else 1), node.order, node))
    candidates.sort(key=lambda c: (-c[0], -c[1]))  # ties: the later (deeper) one
    best = next((node for _, _, node in candidates[:MAIN_CANDIDATES] if not _is_footer_text(node, analysis)), None)
    if best is not None and best.tag in ("tbody", "table"):
        # text straight in table cells: the cell holding most of it
        cells = [analysis.nodes[td] for td in best.el.iter("td") if td in analysis.nodes]
        if cells:
            top = max(cells, key=lambda n: n.agg)
            if top.agg > 0.6 * best.agg:
                best = top
    return _with_text_siblings(best, analysis) if best is not None else None


def _with_text_siblings(best: Node, analysis: Analysis) -> Node:
    """The article split over sibling containers (a story column, then another): climb to the ancestor
    whose other children carry a good part of the text too."""
    node, chosen, levels = best, best, 0
    while levels < SIBLING_LEVELS and best.agg >= SIBLING_MIN_CHARS:
        parent = node.parent
        if parent is None or parent.chrome or parent.template or parent.tag in ("html", "body", "form"):
            break
        if parent.agg <= node.agg:  # a wrapper around this one block: look further up
            node = parent
            continue
        others = [analysis.nodes[el] for el in parent.el if el in analysis.nodes and el is not node.el]
        text = sum(_text_points(n, analysis) for n in others if not n.chrome and not n.template
                   and n.agg_link < SIBLING_MAX_LINK_SHARE * n.agg)
        if text < SIBLING_TEXT_SHARE * _text_points(node, analysis):
            break
        node = chosen = parent
        levels += 1
    return chosen


def _text_points(node: Node, analysis: Analysis) -> float:
    """The paragraph text inside a node, in characters of blocks with little link text."""
    return sum(n.chars for n in analysis.between(node.order, node.end + 1)
               if n.segs and not n.chrome and not n.template and n.link_chars * 3 < n.chars)


def _is_footer_text(node: Node, analysis: Analysis) -> bool:
    """Most of the block's paragraphs are footer lines ("Bản quyền thuộc …", "Giấy phép số …")."""
    paragraphs = [n for n in analysis.between(node.order, node.end + 1) if n.segs]
    footer = sum(n.chars for n in paragraphs if is_footer_line(_el_text(n.el)))
    return footer * 2 > sum(n.chars for n in paragraphs)


def _root(doc: Any) -> Any:
    body = doc.find("body") if doc.tag == "html" else None
    return body if body is not None else doc


def read_main_text(root: Any, template_marks: set[Any] | frozenset[Any] = frozenset()
                   ) -> tuple[Analysis, Node | None, str]:
    """(analysis, main block, method): the page read with its class words ("generic"); when that finds
    no article-sized text, read again with page regions known by their tags only ("generic-tags"),
    and the longer reading wins."""
    analysis = Analysis(root, template_marks)
    drop_hidden(analysis)
    score_paragraphs(analysis)
    node = find_main_node(analysis)
    if node is None or node.agg < SECOND_READING_BELOW_CHARS:
        second = Analysis(root, template_marks, class_chrome=False)
        score_paragraphs(second)
        second_node = find_main_node(second)
        if second_node is not None and second_node.agg > (node.agg if node is not None else 0):
            return second, second_node, "generic-tags"
    return analysis, node, "generic"


def find_main_block(doc: Any, template_marks: set[Any] | frozenset[Any] = frozenset()) -> Any:
    """The element holding the article's paragraphs (None when the page has no paragraph text)."""
    node = read_main_text(_root(doc), template_marks)[1]
    return node.el if node is not None else None
