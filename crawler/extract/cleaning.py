"""Boilerplate stripping and text normalisation for Vietnamese news pages.

Works on an lxml element that a site's selectors (or the generic finder)
chose as the article body, in three passes:

1. `strip_boilerplate(node)` removes whole elements: tool bars, share/print
   links, pagers, counters, related-news boxes ("Tin liên quan" …), forms.
2. `paragraphs_of(node)` walks what is left in document order and returns
   normalised text blocks: paragraphs, subheads, list items, table rows.
3. `drop_boilerplate_lines` and crawler.extract.bylines.split_byline clean the ends of that list:
   counters and headings left as text, then the trailing byline.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from lxml import etree

from crawler.extract.tree import _string, css, drop_tree

# ---------------------------------------------------------------------------
# Text normalisation

_SPACE_LIKE = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2002\u2003\u2009\u3000\t\r\f\v"), " ")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_HYPHENS = dict.fromkeys(map(ord, "\u2010\u2011"), "-")
_TRANSLATION = {**_SPACE_LIKE, **_INVISIBLE, **_HYPHENS}
# str.translate with a dict costs a lookup per character (it was 4% of a crawl's CPU); most text has
# none of these characters, and one regex search says so in C
_ODD_CHARACTER = re.compile("[" + "".join(re.escape(chr(code)) for code in _TRANSLATION) + "]")
_RUNS_OF_SPACES = re.compile(r"[ ]{2,}")


def normalize_text(text: str) -> str:
    """NFC, odd spaces to plain spaces, non-breaking hyphens to '-', runs of spaces collapsed.

    Line breaks are kept (a `<br>` inside a paragraph is a line break); each
    line is stripped.

    >>> normalize_text("  Đa\u0309ng\u00a0u\u0309y  Cơ quan \u2011 Doanh nghiệp ")
    'Đảng ủy Cơ quan - Doanh nghiệp'
    """
    text = unicodedata.normalize("NFC", text)
    if _ODD_CHARACTER.search(text):
        text = text.translate(_TRANSLATION)
    lines = (_RUNS_OF_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# ---------------------------------------------------------------------------
# Boilerplate vocabulary (the boilerplate seen on Party sites)

# Headings of blocks that are never article text. A block that starts with
# one of these and is mostly links is dropped whole.
BOX_HEADINGS = (
    "tin liên quan", "bài liên quan", "tin khác", "các tin khác", "tin cùng chuyên mục",
    "có thể bạn quan tâm", "xem nhiều nhất", "tin xem nhiều", "mới nhất", "tin mới nhất",
    "thông tin mới nhất", "tin mới", "đọc thêm", "xem thêm", "theo dòng sự kiện",
    "những tin mới hơn", "những tin cũ hơn", "tin đã đưa", "các bài đã đăng",
    "các album đã đăng", "liên kết website", "văn bản mới", "thư viện ảnh", "video khác",
)

# Whole lines that are template text wherever they stand at the start or end
# of the extracted text (never inside: a subhead may use the same words).
EDGE_LINES = {
    "có thể bạn quan tâm", "phản hồi", "thông tin người gửi phản hồi", "các tin khác",
    "mới nhất", "liên kết website", "xem nhiều nhất", "thư viện ảnh", "văn bản mới",
    "thông tin mới nhất", "thống kê truy cập", "thống kê", "đăng nhập", "tin liên quan",
    "tin khác", "video khác", "tags:", "chia sẻ:", "in bài viết", "in ra", "gửi",
    "lên đầu trang", "đọc thêm", "tin cùng chuyên mục", "xem tiếp...", "bình luận",
    "ý kiến bạn đọc", "gửi bình luận", "dữ liệu đang được cập nhật", "in", "email",
    "xem chi tiết trong file đính kèm",
    "null",  # a Liferay template printing an empty field
}

# Lines that are template text wherever they stand.
_LINE_PATTERNS = [
    # visitor counters, one label per line or all on one line (• from <li>)
    r"(?:[•·*\-]\s*)?(?:đang online|đang truy cập|hôm nay|hôm qua|trong tuần|tuần này|"
    r"tháng này|tháng hiện tại|tất cả|tổng truy cập|tổng lượt truy cập|tổng số lượt(?: đã truy cập)?|"
    r"lượt người đang truy cập|lượt truy cập trong ngày|lượt truy cập tháng này|"
    r"thành viên online|máy chủ tìm kiếm|khách viếng thăm|lượt truy cập)\s*:?\s*-?[\d][\d.,\s]*",
    r"thống kê truy cập\b.*(?:đang online|hôm nay|tất cả).*",
    # view counts
    r"(?:lượt xem|đã xem|số lượt xem)\s*:?\s*[\d.,\s]+",
    r"[\d.,]+\s*lượt xem",
    # pagers: "1 2 3 4 5 ...", "« 1 2 »", "Trang 1/5"
    r"(?:[«‹<]+\s*)?(?:\d+\s+){1,}\d*\s*(?:\.{3}|…)?\s*(?:[»›>]+)?",
    r"trang\s+\d+\s*/\s*\d+",
    # feedback and comment forms, rating widgets, font-size tools
    r"ý kiến phản hồi của bạn.*", r"còn lại\s*:?\s*\d+\s*ký tự", r"\(?không quá \d+ ký tự\)?",
    r"tổng số điểm của bài viết là.*", r"click để đánh giá bài viết", r"đánh giá bài viết",
    r"chọn cỡ chữ.*", r"cỡ chữ\s*:?.*", r"giới thiệu bài viết cho bạn bè", r"lưu bài viết này",
    r"in bài viết này", r"gửi bình luận của bạn", r"sắp xếp bình luận.*", r"xem phản hồi",
    r"tối thiểu 10 chữ tiếng việt có dấu.*",
    r"bản quyền thuộc về.*", r"ghi rõ nguồn.*phát hành lại.*",
]
_BOILERPLATE_LINE = re.compile("|".join(f"(?:{p})" for p in _LINE_PATTERNS), re.IGNORECASE)


def is_boilerplate_line(line: str) -> bool:
    """A line that is template text wherever it stands (counters, view counts, pagers, forms).

    >>> is_boilerplate_line("• Trong tuần: 3 914")
    True
    >>> is_boilerplate_line("Lượt xem: 6783")
    True
    >>> is_boilerplate_line("Năm 2021 có 386 học viên tham dự.")
    False
    """
    return bool(_BOILERPLATE_LINE.fullmatch(line.strip()))


# The lines of a site's footer: who owns and licenses the site, where it is, who built it.
_FOOTER_LINE = re.compile(
    r"^\W*(?:bản quyền|copyright|©|\(c\) ?\d{4}|giấy phép(?: số| xuất bản| hoạt động)?|địa chỉ|điện thoại|đt|"
    r"email|e-mail|fax|hotline|chịu trách nhiệm|trưởng ban biên tập|tổng biên tập|ghi rõ nguồn|thiết kế bởi|"
    r"phát triển bởi|được phát triển bởi|đơn vị quản lý|cơ quan chủ quản|cơ quan quản lý|ban biên tập|"
    r"tòa soạn|toà soạn|trụ sở|cơ quan của|cơ quan ngôn luận)\b|^.{0,80}\s-\s(?:cơ quan|cơ quan ngôn luận) của\b",
    re.IGNORECASE)


def is_footer_line(line: str) -> bool:
    """A line of a site's footer (copyright, licence, address, contacts).

    >>> is_footer_line("Giấy phép số 05/GP-STTTT ngày 14/3/2019"), is_footer_line("Địa chỉ: Số 8 Nguyễn Đáng")
    (True, True)
    >>> is_footer_line("Hội nghị đã thông qua nghị quyết.")
    False
    """
    return bool(_FOOTER_LINE.match(line.strip()))


def drop_boilerplate_lines(blocks: list[str]) -> list[str]:
    """Remove template lines anywhere, and heading-like template lines at either end."""
    kept = []
    for block in blocks:
        lines = [ln for ln in block.split("\n") if not is_boilerplate_line(ln)]
        if lines:
            kept.append("\n".join(lines))
    while kept and kept[0].casefold() in EDGE_LINES:
        kept.pop(0)
    while kept and kept[-1].casefold() in EDGE_LINES:
        kept.pop()
    return kept


# ---------------------------------------------------------------------------
# Element-level stripping

# class/id words of elements that hold tools or navigation, never article text
_BOILERPLATE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|print|tools?|toolbar|font-?size|tags?|tag-list|keywords?|"
    r"comments?|binh-?luan|feedback|rating|vote|pager|paging|pagination|datapager|counter|"
    r"statistics|thong-?ke|breadcrumbs?|related|relate|lien-?quan|other-?news|tin-?khac|"
    r"see-?also|xem-?them|banner|adv|ads|advert|quang-?cao|nav|navigation|menu|login|"
    r"footer|header|sidebar|widget)(?:$|[\s_-])",
    re.IGNORECASE,
)
_ALWAYS_DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed",
                "form", "input", "button", "select", "textarea", "nav", "svg", "canvas", "audio",
                "video", "map")


# A block's heading or a "Xem thêm:" line is read from the first HEADING_CHARS characters of its text:
# every BOX_HEADINGS entry is shorter, and normalising the whole text of every block (the body's too)
# was 3% of a crawl's CPU.
HEADING_CHARS = 80


def _text_head(el: Any) -> str:
    """The normalised start of an element's text: all of it when short, else its first HEADING_CHARS
    characters (enough to tell a box heading or a "Xem thêm:" line, never one itself when longer)."""
    text = _string(el).strip()
    return normalize_text(text if len(text) <= HEADING_CHARS else text[:HEADING_CHARS] + "…")


def _heading_text(el: Any) -> str:
    """Text of the first heading-like child of a block (its title), compared with BOX_HEADINGS."""
    for child in el.iter():
        if child is el or not isinstance(child.tag, str):
            continue
        text = _text_head(child)
        if text:
            return text.rstrip(":").casefold()
    return ""


def link_density(el: Any) -> float:
    """Share of an element's text that sits inside links."""
    text = len(normalize_text(_string(el)))
    if not text:
        return 0.0
    linked = sum(len(normalize_text(_string(a))) for a in el.iter("a"))
    return linked / text


def is_related_box(el: Any) -> bool:
    """A block headed "Tin liên quan", "Xem thêm" … whose content is mostly links."""
    return _heading_text(el) in BOX_HEADINGS and link_density(el) > 0.3


def _drop(el: Any) -> None:
    drop_tree(el)  # keeps the tail text, which belongs to the parent


def strip_boilerplate(node: Any, extra_selectors: tuple[str, ...] = ()) -> None:
    """Remove tool bars, forms, related boxes and other template elements from `node` in place."""
    for el in list(node.iter(etree.Comment, etree.ProcessingInstruction)):
        _drop(el)
    for el in list(node.iter(*_ALWAYS_DROP)):
        if el is not node:
            _drop(el)
    for selector in extra_selectors:
        for el in css(selector)(node):
            if el is not node:
                _drop(el)
    for el in list(node.iter()):
        if el is node or not isinstance(el.tag, str) or el.getparent() is None:
            continue
        if el.tag in ("table", "tr", "td", "tbody"):
            continue  # layout tables: judged by their content below, not their class
        marker = f"{el.get('class', '')} {el.get('id', '')}"
        if _BOILERPLATE_CLASS.search(marker) and link_density(el) > 0.2 or (
            el.tag in ("div", "section", "aside", "ul", "table") and is_related_box(el)
        ):
            _drop(el)
    _drop_related_runs(node)


def _drop_related_runs(node: Any) -> None:
    """Drop an unwrapped "<p>Tin liên quan</p><ul>links</ul>" pair and "Xem thêm: <a>" lines."""
    for el in list(node.iter("p", "h2", "h3", "h4", "h5", "h6", "strong", "b", "div")):
        if el.getparent() is None:
            continue
        text = _text_head(el).rstrip(":").casefold()
        if text in BOX_HEADINGS:
            following = el.getnext()
            if following is not None and following.tag in ("ul", "ol", "div") and link_density(following) > 0.5:
                _drop(following)
                _drop(el)
        elif re.match(r"(?:xem thêm|đọc thêm|tin liên quan|bài liên quan)\s*[:>»]", text) and link_density(el) > 0.5:
            _drop(el)


# ---------------------------------------------------------------------------
# Paragraphs

BLOCK_TAGS = {
    "p", "div", "section", "article", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "table", "tr", "figure", "figcaption", "pre", "center", "header",
    "footer", "aside", "main", "dl", "dt", "dd", "address", "hr", "tbody", "thead",
}


def _inline_text(el: Any) -> str:
    """Text of an inline run, with <br> as a line break."""
    parts: list[str] = []

    def walk(e: Any) -> None:
        if e.tag == "br":
            parts.append("\n")
        elif isinstance(e.tag, str) and e.text:
            parts.append(e.text)
        for child in e:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return "".join(parts)


def table_rows(table: Any) -> list[list[str]]:
    """Rows of a data table as lists of normalised cell texts (empty rows dropped)."""
    rows = []
    for tr in table.iter("tr"):
        cells = [normalize_text(_inline_text(td)).replace("\n", " ") for td in tr if td.tag in ("td", "th")]
        if any(cells):
            rows.append(cells)
    return rows


def paragraphs_of(node: Any) -> list[str]:
    """Normalised text blocks of `node` in document order.

    Block elements each give their own paragraph; loose text between blocks
    is a paragraph too; a table gives one block with a line per row and
    cells separated by " | ".
    """
    blocks: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        text = normalize_text("".join(pending))
        pending.clear()
        if text:
            blocks.append(text)

    def walk(el: Any) -> None:
        if not isinstance(el.tag, str):
            return
        if el.tag == "table":
            flush()
            rows = table_rows(el)
            if rows:
                blocks.append("\n".join(" | ".join(row) for row in rows))
            return
        if el.tag == "br":
            pending.append("\n")
            return
        is_block = el.tag in BLOCK_TAGS
        if is_block:
            flush()
        if el.text:
            pending.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                if child.tag in BLOCK_TAGS:
                    flush()
                pending.append(child.tail)
        if is_block:
            flush()

    walk(node)
    flush()
    return blocks


def collapse_captions(captions: list[str]) -> list[str]:
    """Drop alt-text junk (one or two characters) and repeated captions, keep order."""
    seen: list[str] = []
    for caption in captions:
        caption = normalize_text(caption).replace("\n", " ")
        if len(caption) <= 2 or caption in seen:
            continue
        seen.append(caption)
    return seen
