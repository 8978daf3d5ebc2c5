"""What tags and class/id words say about a page region: chrome, tool bar, title, lead, date …

The vocabulary of the generic extractor; every other module asks here."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from crawler.extract.cleaning import BOX_HEADINGS, EDGE_LINES

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
    r"links?-?web|video-?box|box-?video|thu-?vien-?anh|gallery-?box|rss|skip-?link|mega-?menu|"
    # Vietnamese names of page regions: chân trang (footer), đầu trang (header), thanh bên (sidebar)
    r"chan-?trang|dau-?trang|cuoi-?trang|thanh-?ben"
)
_WEAK_WORDS = r"share|sharing|social|tags?|tag-?list|keywords?|rating|ratings|vote|pager|paging|pagination|" \
              r"print|tools?|toolbar|font-?size|sharedaddy|bookmarks?|socials?"
_STRONG = re.compile(rf"(?:^|[\s_-])(?:{_STRONG_WORDS})(?:$|[\s_\d-])", re.IGNORECASE)
_WEAK = re.compile(rf"(?:^|[\s_-])(?:{_WEAK_WORDS})(?:$|[\s_\d-])", re.IGNORECASE)
# "header"/"footer" mark page regions unless an article part says so (entry-header, story-footer …).
# A class token must be the region word itself, with at most a prefix or a suffix ("site-header",
# "footer-links", "head"): "c_head_blue" is a box style, "thead" a table part.
_REGION = re.compile(r"(?:^|\s)(?:[a-z0-9]+[-_])?(?:header|footer)(?:[-_][a-z0-9]+)?(?=\s|$)"
                     r"|(?:^|\s)(?:(?:page|site|main|top|global|bottom)[-_]?)?(?:head|foot)(?=\s|$)", re.IGNORECASE)
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
_TODAY_CLASS = re.compile(r"today|current|now|clock|hom-?nay|hien-?tai|server-?time|lich-?am", re.IGNORECASE)
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


def _fold(text: str) -> str:
    """ASCII-folded lower-case words (to compare a heading with a URL slug)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _is_boilerplate_heading(text: str) -> bool:
    text = text.rstrip(": ").strip().casefold()
    return text in BOX_HEADINGS or text in EDGE_LINES or text in SECTION_LABELS
