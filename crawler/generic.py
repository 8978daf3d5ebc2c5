"""The generic extractor: an article from any Vietnamese news or Party page, with no site rules.

Used for unknown hosts (`extract_article(page, url)` with no rules, `python -m
crawler extract`, the generic spider) and, finder by finder, as the fallback
when a site's selectors miss (`find_main_block`, `find_title`, `find_date`).

    article = extract_generic(page_bytes, "https://tinhuy.example.vn/tin-tuc/abc-123.html")
    article = extract_generic(page_bytes, url, template=SiteTemplate.load(directory, "site"))

How it decides (the README's "Generic extraction" section has the long version):

* **main block**: one pass over the tree attributes every run of text to its
  nearest block element, split at `<br>`; each paragraph-sized run scores by
  its length and credits its containers (readability-style), except text in
  links, in page chrome (header/footer/menu/sidebar/comments/related lists …,
  by tag or class/id words), or in blocks the site template learnt as repeated
  across the site's pages. The best container times (1 - link density) wins.
* **cleaning**: inside that block, chrome and tool bars, link-dense lists,
  "Tin liên quan"/"Xem thêm:" boxes and template blocks are removed, then the
  line vocabulary of crawler.cleaning (counters, view counts, pagers, feedback
  forms) and edge lines (a date line, the title repeated).
* **title**: the heading that best matches the page's og:title/`<title>`
  (which carry a site suffix) and the URL slug, and sits right before the body.
* **date**: the date line nearest the title; never one in the page header or
  chrome, a "today" element, a licence/copyright line or a related-list entry;
  metadata (article:published_time, itemprop datePublished, JSON-LD) gives the
  time when the visible line has none, and the date when there is no visible
  line (NukeViet writes the *edit* time into datePublished).
* **author**: the trailing byline of the body (crawler.cleaning.split_byline),
  else "Tác giả:"/"Nguồn tin:" lines right after the body or an author-classed
  element in the meta line under the title; a metadata author only when it is a
  person's name (never "admin", the site name or an organisation).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from lxml import etree, html

from crawler.charset import decode_html
from crawler.cleaning import (
    BOX_HEADINGS,
    EDGE_LINES,
    Byline,
    collapse_captions,
    drop_boilerplate_lines,
    is_boilerplate_line,
    normalize_text,
    paragraphs_of,
    parse_byline,
    split_byline,
)
from crawler.dates import has_time, parse_vietnamese_date
from crawler.items import Article

if TYPE_CHECKING:
    from crawler.templates import SiteTemplate

# ---------------------------------------------------------------------------
# Vocabulary and markers

# Elements whose content is never article text (skipped by the analysis, removed by prepare()).
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "meta", "link", "iframe",
                       "svg", "select", "option", "textarea", "button", "input", "object", "embed", "canvas",
                       "map", "audio", "video", "source", "param"})
BLOCK = frozenset({"p", "div", "td", "th", "li", "dd", "dt", "blockquote", "section", "article", "main",
                   "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "tr", "tbody", "thead", "tfoot", "ul",
                   "ol", "dl", "form", "center", "figure", "figcaption", "header", "footer", "aside", "nav",
                   "address", "fieldset", "body", "html", "caption", "details", "summary", "hr"})
PARAGRAPH_TAGS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "figcaption", "pre"})

# class/id words of page regions that are never the article ("strong" chrome), and of tool bars
# inside it ("weak": the date line may sit in a tool bar, the text never does). Position words
# (left/right/top) are not evidence: "col-left" is the main column on one site, the sidebar on the next.
_STRONG_WORDS = (
    r"menu|navbar|nav|navigation|sidebar|side-?bar|widget|banner|breadcrumbs?|counter|thong-?ke|"
    r"statistics?|comments?|binh-?luan|y-?kien|feedback|related|relate|lien-?quan|tin-?khac|other-?news|"
    r"othernews|same-?category|cung-?chuyen-?muc|most-?read|doc-?nhieu|xem-?nhieu|most-?view|top-?news|"
    r"tin-?moi|latest|hot-?news|noi-?bat|poll|tham-?do|login|dang-?nhap|search|tim-?kiem|copyright|"
    r"adv|ads|advert|quang-?cao|marquee|weather|hotline|top-?bar|topbar|logo|site-?title|site-?branding|"
    r"jp-relatedposts|post-?navigation|portlet-?topper|portlet-?title|webpart-?title(?:text)?|lien-?ket|"
    r"links?-?web|video-?box|box-?video|thu-?vien-?anh|gallery-?box|rss|skip-?link|mega-?menu"
)
_WEAK_WORDS = r"share|sharing|social|tags?|tag-?list|keywords?|rating|ratings|vote|pager|paging|pagination|" \
              r"print|tools?|toolbar|font-?size|sharedaddy|bookmarks?|socials?"
_STRONG = re.compile(rf"(?:^|[\s_-])(?:{_STRONG_WORDS})(?:$|[\s_\d-])", re.IGNORECASE)
_WEAK = re.compile(rf"(?:^|[\s_-])(?:{_WEAK_WORDS})(?:$|[\s_\d-])", re.IGNORECASE)
# "header"/"footer" mark page regions unless an article part says so (entry-header, story-footer …)
_REGION = re.compile(r"(?:^|[\s_-])(header|footer|head|foot)(?:$|[\s_\d-])", re.IGNORECASE)
_ARTICLE_PART = re.compile(r"(?:entry|article|post|news|detail|story|taglib|content|panel|card|modal|box|"
                           r"section|portlet|table|comment|page|tin|bai|ms|item|title|col)[-_]?"
                           r"(?:header|footer|head|foot)|(?:header|head)[-_]?(?:title|line|text|name|detail|meta|"
                           r"info|tieu-?de)", re.IGNORECASE)
_HIDDEN_CLASS = re.compile(r"(?:^|\s)(?:hidden|hide|d-none|sr-only|screen-reader-text|visually-hidden|"
                           r"helper-hidden-accessible|invisible)(?:$|\s)", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_TITLE_CLASS = re.compile(r"title|headline|tieu-?de|tieude|heading|news-?name", re.IGNORECASE)
_LEAD_CLASS = re.compile(r"sapo|lead|summary|hometext|teaser|description|intro|excerpt|tom-?tat|tomtat|"
                         r"chapeau|abstract|sumary", re.IGNORECASE)
_AUTHOR_CLASS = re.compile(r"author|byline|tac-?gia|tacgia|writer|nguoi-?viet|source|nguon", re.IGNORECASE)
_DATE_CLASS = re.compile(r"date|time|ngay|publish|posted|created|updated|meta|thoi-?gian|calendar",
                         re.IGNORECASE)
_TODAY_CLASS = re.compile(r"today|current|now|clock|hom-?nay|server-?time|lich-?am", re.IGNORECASE)
_DATE_LABEL = re.compile(r"ngày đăng|đăng ngày|đăng lúc|ngày cập nhật|cập nhật|ngày post|ngày xuất bản|"
                         r"xuất bản|thời gian|posted|published|ngày gửi", re.IGNORECASE)
_NOT_PUBLICATION = re.compile(r"hôm nay|giấy phép|bản quyền|copyright|©|cấp ngày|ngày cấp|truy cập|"
                              r"hiệu lực|ban hành|lượt xem", re.IGNORECASE)
_HAS_DATE = re.compile(r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\s+tháng\s+\d",
                       re.IGNORECASE)
# Headings of site sections and portlets, not of an article.
SECTION_LABELS = frozenset({
    "chi tiết bài viết", "chi tiết tin", "chi tiết tin tức", "nội dung chi tiết", "tin tức", "tin tức - sự kiện",
    "tin tức sự kiện", "tin hoạt động", "bài viết", "tin bài", "trang chủ", "xem tin", "tin chi tiết",
})
_NON_AUTHOR = re.compile(r"^(?:admin|administrator|quản trị(?: viên)?|quan tri|webmaster|ban biên tập|"
                         r"biên tập viên|editor|user|root|btv|guest|khách)\b", re.IGNORECASE)
_SEE_ALSO = re.compile(r"^\W*(?:xem thêm|đọc thêm|tin liên quan|bài liên quan|tin khác|mời xem|>>)",
                       re.IGNORECASE)

STRONG, WEAK = 2, 1


def _marker(el: Any) -> str:
    cls, ident = el.get("class"), el.get("id")
    if cls and ident:
        return f"{cls} {ident}"
    return cls or ident or ""


def chrome_level(el: Any) -> int:
    """2 for a page region that is never the article, 1 for a tool bar, 0 otherwise."""
    tag = el.tag
    if tag in ("nav", "aside"):
        return STRONG
    if tag in ("header", "footer"):
        # <header>/<footer> inside an <article> are the article's own
        return 0 if any(a.tag in ("article", "main") for a in el.iterancestors()) else STRONG
    marker = _marker(el)
    return _marker_level(marker) if marker else 0


_LEVELS: dict[str, int] = {}


def _marker_level(marker: str) -> int:
    level = _LEVELS.get(marker)
    if level is None:
        if _STRONG.search(marker) or _REGION.search(marker) and not _ARTICLE_PART.search(marker):
            level = STRONG
        else:
            level = WEAK if _WEAK.search(marker) else 0
        if len(_LEVELS) < 50_000:
            _LEVELS[marker] = level
    return level


_STRING = etree.XPath("string()")
_HTML_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)


def _string(el: Any) -> str:
    """All the text of an element (lxml.html's text_content(), for any lxml element)."""
    return str(_STRING(el))


def drop_tree(el: Any) -> None:
    """Remove an element, keeping its tail text (lxml.html's drop_tree(), for any lxml element)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


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


def _fold(text: str) -> str:
    """ASCII-folded lower-case words (to compare a heading with a URL slug)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _is_boilerplate_heading(text: str) -> bool:
    text = text.rstrip(": ").strip().casefold()
    return text in BOX_HEADINGS or text in EDGE_LINES or text in SECTION_LABELS


# ---------------------------------------------------------------------------
# Metadata (read before anything is removed)

@dataclass
class PageMeta:
    titles: list[str] = field(default_factory=list)  # og:title, twitter:title, <title>
    dates: list[str] = field(default_factory=list)  # raw publication dates from metadata, best first
    authors: list[str] = field(default_factory=list)
    site_names: list[str] = field(default_factory=list)


_META_DATES = (("property", "article:published_time"), ("itemprop", "datepublished"),
               ("property", "og:published_time"), ("name", "pubdate"), ("name", "publishdate"),
               ("name", "publish-date"), ("name", "dc.date.issued"), ("name", "date"), ("name", "created"))


_DATE_PUBLISHED = etree.XPath("//*[@itemprop='datePublished' and not(self::meta)]")
_JSON_LD = etree.XPath("//script[@type='application/ld+json']")


def read_metadata(doc: Any) -> PageMeta:
    meta = PageMeta()
    by_key: dict[tuple[str, str], str] = {}
    for el in doc.iter("meta"):
        content = el.get("content")
        if content:
            for attr in ("property", "name", "itemprop"):
                key = el.get(attr)
                if key:
                    by_key.setdefault((attr, key.lower()), content)
    for key in (("property", "og:title"), ("name", "twitter:title")):
        if value := by_key.get(key):
            meta.titles.append(_clean(value))
    title_el = doc.find(".//title")
    if title_el is not None and (text := _el_text(title_el)):
        meta.titles.append(text)
    for key in _META_DATES:
        if value := by_key.get(key):
            meta.dates.append(value)
    for el in _DATE_PUBLISHED(doc):
        if value := (el.get("datetime") or el.get("content") or _el_text(el)):
            meta.dates.append(value)
    for key in (("name", "author"), ("property", "article:author"), ("name", "dc.creator")):
        if value := by_key.get(key):
            meta.authors.append(_clean(value))
    for key in (("property", "og:site_name"), ("name", "application-name")):
        if value := by_key.get(key):
            meta.site_names.append(_clean(value))
    for script in _JSON_LD(doc):
        _read_json_ld(script.text or "", meta)
    return meta


def _read_json_ld(text: str, meta: PageMeta) -> None:
    try:
        data = json.loads(text)
    except ValueError:
        return
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if isinstance(item.get("@graph"), list):
                stack.extend(item["@graph"])
            kind = str(item.get("@type", ""))
            if "Article" in kind or "Posting" in kind:
                if isinstance(item.get("datePublished"), str):
                    meta.dates.append(item["datePublished"])
                author = item.get("author")
                for person in author if isinstance(author, list) else [author]:
                    name = person.get("name") if isinstance(person, dict) else person
                    if isinstance(name, str):
                        meta.authors.append(_clean(name))


_PREPARE_XPATH = etree.XPath(
    "//script|//style|//noscript|//template|//iframe|//svg|//select|//textarea|//button|//input|//object"
    "|//embed|//canvas|//audio|//video|//comment()|//processing-instruction()")


def prepare(doc: Any) -> None:
    """Remove what is never content: scripts, styles, form controls, comments.
    (Hidden elements are left out by the analysis and removed by drop_hidden().)"""
    for el in _PREPARE_XPATH(doc):
        if el.getparent() is not None:
            drop_tree(el)


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

    def __init__(self, root: Any, template_marks: set[Any] | frozenset[Any] = frozenset()):
        self.nodes: dict[Any, Node] = {}
        self.order: list[Node] = []
        self.hidden: list[Any] = []
        self.marks = template_marks
        self._walk(root, None, None, False, 0, False)
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

    def _walk(self, el: Any, parent: Node | None, block: Node | None, in_link: bool, chrome: int,
              template: bool) -> None:
        tag = el.tag
        cls = el.get("class")
        if (cls and _HIDDEN_CLASS.search(cls) or el.get("hidden") is not None or el.get("aria-hidden") == "true"
                or (style := el.get("style")) and _HIDDEN_STYLE.search(style)) and parent is not None:
            self.hidden.append(el)  # never shown: no text, no node
            return
        level = chrome_level(el) if (cls or el.get("id") or tag in ("header", "footer", "nav", "aside")) else 0
        node = Node(el, tag, len(self.order), parent, max(chrome, level), template or el in self.marks)
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
        chrome, template = node.chrome, node.template
        for child in el:
            ctag = child.tag
            if ctag.__class__ is str and ctag not in SKIP_TAGS:
                self._walk(child, node, block, in_link, chrome, template)
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
    best, best_score = None, 0.0
    for node in analysis.order:
        if node.score <= 0 or node.chrome or node.template or node.tag in ("html", "body", "form", "tr"):
            continue
        score = node.score * (1 - node.agg_link / node.agg if node.agg else 1)
        if score > best_score or (score == best_score and best is not None and node.order > best.order):
            best, best_score = node, score
    if best is not None and best.tag in ("tbody", "table"):
        # text straight in table cells: the cell holding most of it
        cells = [analysis.nodes[td] for td in best.el.iter("td") if td in analysis.nodes]
        if cells:
            top = max(cells, key=lambda n: n.agg)
            if top.agg > 0.6 * best.agg:
                best = top
    return best


def _root(doc: Any) -> Any:
    body = doc.find("body") if doc.tag == "html" else None
    return body if body is not None else doc


def find_main_block(doc: Any, template_marks: set[Any] | frozenset[Any] = frozenset()) -> Any:
    """The element holding the article's paragraphs (None when the page has no paragraph text)."""
    analysis = Analysis(_root(doc), template_marks)
    score_paragraphs(analysis)
    node = find_main_node(analysis)
    return node.el if node is not None else None


# ---------------------------------------------------------------------------
# Title

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


# ---------------------------------------------------------------------------
# Date

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


# ---------------------------------------------------------------------------
# Cleaning the chosen block

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
    """Template lines anywhere (crawler.cleaning), then a date line or the title repeated at the edges."""
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


# ---------------------------------------------------------------------------
# Lead, bylines outside the body, captions outside the body

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


# an organisation, not a person ("Trang" alone is a given name: "Thu Trang")
_ORGANISATION = re.compile(r"(?i)(?:^|\s)(?:báo|tạp chí|cổng|trang thông tin|trang tin|đài|ban|ttxvn|vov|vtv|"
                           r"thông tấn|sở|ủy ban|trung tâm|hội|tỉnh ủy|huyện ủy|thành ủy|đảng ủy|đảng bộ|"
                           r"tổng hợp)(?:\s|$)|www\.|\.vn\b|\.com\b")


def _person_name(text: str, site_names: list[str]) -> str | None:
    text = _clean(text).strip(" -–|")
    text = re.sub(r"^(?:by|bởi|đăng bởi|người đăng|tác giả|người viết)\s*:?\s*", "", text, flags=re.IGNORECASE)
    if not text or _NON_AUTHOR.match(text) or any(text.casefold() == s.casefold() for s in site_names):
        return None
    if _ORGANISATION.search(text):
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
        if not node.chars or node.agg > 150:
            continue
        text = _el_text(node.el)
        seen_text += len(text)
        if seen_text > 400 or _is_boilerplate_heading(text):
            break
        found = parse_byline(text)
        if found and (_EXPLICIT_BYLINE.match(text) or _AUTHOR_CLASS.search(_marker(node.el))):
            author = author or found.author
            credit = credit or found.credit
    if author is None:
        start = title_node.order if title_node is not None else body_node.order - 30
        for node in analysis.between(start, body_node.order):
            if node.template or node.agg > 80 or not node.agg:
                continue
            marker = _marker(node.el)
            if marker and _AUTHOR_CLASS.search(marker):
                # "ThS. Nguyễn Văn A<br>Khoa Lý luận cơ sở": the name is one of the element's lines
                lines = [_el_text(node.el)] + [t for piece in node.el.itertext() if (t := _clean(piece))]
                name = next((n for line in lines if (n := _person_name(line, meta.site_names))), None)
                if name:
                    author = name
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


_ACADEMIC = re.compile(r"^(?:(?:PGS|GS|TS|ThS|NCS|CN|KS|BS|Ths|Thạc sĩ|Tiến sĩ|Đại tá|Thượng tá|Trung tá)\.?\s*)+"
                       r"(?=[A-ZĐÀ-Ỹ])")


def cut_after_byline(blocks: list[str]) -> list[str]:
    """The article ends at its byline: one or two short lines after a byline near the end are template
    text (a call for contributions, a notice), not article text."""
    for i in range(len(blocks) - 2, max(len(blocks) - 4, 0), -1):
        tail = blocks[i + 1:]
        if len(tail) > 2 or any(len(b) > 250 for b in tail):
            break
        last_line = blocks[i].split("\n")[-1]
        found = parse_byline(last_line) if len(last_line) <= 60 else None
        if found and found.author:
            return blocks[:i + 1]
    return blocks


_CAPTION_XPATH = etree.XPath(
    ".//figcaption|.//*[contains(@class,'caption') or contains(@class,'desc') or contains(@class,'chu-thich')]")
_CAPTION_CLASS = re.compile(r"caption|desc|chu-?thich", re.IGNORECASE)


def take_images(body: Any, base_url: str) -> list[dict[str, str | None]]:
    """Images of the body with their captions; figure / image-table caption areas leave the body.

    (crawler.extract.take_images with the generic caption rules, without per-call CSS compilation.)
    """
    images: list[dict[str, str | None]] = []
    for img in list(body.iter("img")):
        if img.getparent() is None:
            continue
        src = img.get("src") or img.get("data-src") or ""
        if not src:
            continue
        container = None
        for anc in img.iterancestors():
            if anc is body:
                break
            if anc.tag == "figure":
                container = anc
                break
            if anc.tag == "table" and len(anc.findall(".//tr")) <= 4 and len(_string(anc)) < 600:
                container = anc
                break
        caption = None
        if container is not None:
            found = _CAPTION_XPATH(container)
            caption = _el_text(found[0]) if found else _el_text(container)
            drop_tree(container)
        else:
            parent = img.getparent()
            following = parent.getnext() if parent is not None else None
            if following is not None and _CAPTION_CLASS.search(_marker(following)):
                caption = _el_text(following)
                drop_tree(following)
            drop_tree(img)
        images.append({"src": urljoin(base_url, src), "alt": normalize_text(img.get("alt", "")) or None,
                       "caption": caption or None})
    return images


def _absolute_links(body: Any, base_url: str) -> None:
    for el in body.iter("a", "img"):
        for attr in ("href", "src"):
            value = el.get(attr)
            if value and not value.startswith(("http://", "https://", "mailto:", "#")):
                el.set(attr, urljoin(base_url, value.strip()))


def _leading_byline(blocks: list[str]) -> Byline | None:
    """A byline at the top: "Tác giả: X", "Bài viết: X", or "ThS. Nguyễn Văn A" (+ their unit)."""
    if len(blocks) < 2:
        return None
    first = blocks[0].split("\n")[0]
    if len(first) > 80:
        return None
    if re.match(r"(?i)(tác giả|bài viết|bài và ảnh|người viết)\s*:", first):
        return parse_byline(first)
    if m := _ACADEMIC.match(first):
        name = first[m.end():]
        found = parse_byline(name)
        if found and found.author == name.strip() and len(blocks[0]) < 160:
            return Byline(author=first.strip())
    return None


# ---------------------------------------------------------------------------
# The whole article

def extract_generic(page: str | bytes, url: str, http_charset: str | None = None,
                    template: SiteTemplate | None = None) -> Article:
    """Extract an article from a page with no site rules (see the module docstring)."""
    from crawler.extract import sanitize_html

    doc = parse_page(page, http_charset)
    meta = read_metadata(doc)
    prepare(doc)
    article = Article(url=url)
    article.used_generic = ["body", "title", "published"]
    marks = template.boilerplate_elements(doc) if template is not None else frozenset()
    analysis = Analysis(_root(doc), marks)
    drop_hidden(analysis)
    score_paragraphs(analysis)
    body_node = find_main_node(analysis)
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
    blocks, byline = split_byline(blocks)
    if byline == Byline():
        blocks, byline = split_byline(cut_after_byline(blocks))
    top = _leading_byline(blocks)
    if top is not None:
        blocks = blocks[1:]
    article.author = byline.author or outside.author or (top.author if top else None) or meta_author(meta)
    article.credit = byline.credit or outside.credit or (top.credit if top else None)
    article.paragraphs = blocks

    captions = collapse_captions([img["caption"] or "" for img in images])
    seen: set[tuple[Any, Any]] = set()
    for img in images:
        if img["caption"] is not None:
            img["caption"] = _clean(img["caption"])
            if img["caption"] not in captions:
                img["caption"] = None
        key = (img["src"], img["caption"])
        if key not in seen:
            seen.add(key)
            article.images.append(img)
    _absolute_links(body, url)
    article.body_html = sanitize_html(html.tostring(body, encoding="unicode"))
    return article
