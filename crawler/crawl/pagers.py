"""Pagers: which links of a listing page lead to its next pages, by URL pattern and link text.

Platforms name their pager containers differently (and blind sites use no tidy class at all), so a
link is a pager link when it leads to the same listing with another page number
(`?page=2`, `?pageindex=2`, `_…_cur=2`, `/page-2`, `/page/2/`, `trang-2.html`, `PageFirstRow=11`,
`WCM_Page.x=2`, `cpage=2` …), or when its text says so ("2", "Sau", "Tiếp", "Trang sau", "»", an
image whose alt is "Tiếp") and its URL carries a page number. A page-size menu (`_delta=20`) is not
a pager: it lists the same articles again.

    >>> is_pager_link("https://x.vn/tin-tuc?page=2", "https://x.vn/tin-tuc", "")
    True
    >>> is_pager_link("https://x.vn/tin-tuc/trang-3.html", "https://x.vn/tin-tuc/trang-2.html", "3")
    True
    >>> is_pager_link("https://x.vn/web/a?p_p_id=X&_X_cur=2&_X_delta=5", "https://x.vn/web/a?_X_delta=20", "2")
    False
    >>> sorted(same_page_size({"https://x.vn/a?_X_cur=2&_X_delta=5", "https://x.vn/a?_X_cur=3&_X_delta=5",
    ...                        "https://x.vn/a?_X_cur=1&_X_delta=20"}))
    ['https://x.vn/a?_X_cur=2&_X_delta=5', 'https://x.vn/a?_X_cur=3&_X_delta=5']
    >>> is_pager_link("https://x.vn/gioi-thieu", "https://x.vn/tin-tuc", "Sau")
    False
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

PAGE_PARAM = re.compile(r"^(?:page|trang|pageindex|pagenumber|pageno|pg|p|start|offset|paged|cur|cpage|"
                        r"_\w+_cur|PageFirstRow|Paged|p_ID|WCM_Page\.\w+|WCM_PI)$", re.IGNORECASE)
PAGE_SIZE_PARAM = re.compile(r"^(?:delta|pagesize|page_size|limit|_\w+_delta)$", re.IGNORECASE)
# /page-2, /page/2, /trang-2(.html), -trang-2.html, /p2
PAGE_PATH = re.compile(r"(?:/(?:page|trang)[-/]\d+|-trang-\d+|/p\d+)(?=/|\.html?$|\.aspx$|$)", re.IGNORECASE)
PAGER_TEXT = re.compile(r"^(?:\d{1,3}|sau|tiếp|tiếp theo|trang sau|trang tiếp|xem tiếp|xem thêm|next|older|"
                        r"cũ hơn|tin cũ hơn|›|»|>|>>|→|trước|trang trước|«|‹|<|<<|prev|previous|đầu|cuối|"
                        r"trang đầu|trang cuối|first|last)$", re.IGNORECASE)


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def unpaged(url: str) -> str:
    """The URL of a listing without its page number (and without page-size parameters)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in _query(url) if not PAGE_PARAM.match(k) and not PAGE_SIZE_PARAM.match(k)]
    path = PAGE_PATH.sub("", parts.path).rstrip("/") or "/"
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))


def has_page_number(url: str) -> bool:
    """Whether a URL carries a listing page number."""
    return bool(PAGE_PATH.search(urlsplit(url).path)) or any(
        PAGE_PARAM.match(k) and v.isdigit() for k, v in _query(url))


def _page_size(url: str) -> dict[str, str]:
    return {k: v for k, v in _query(url) if PAGE_SIZE_PARAM.match(k)}


def is_pager_link(url: str, page_url: str, text: str) -> bool:
    """Whether a link (absolute `url`, its visible `text`) on the listing `page_url` leads to another page of it
    (page-size menus are told apart among the pager links: `same_page_size`)."""
    if url == page_url or not has_page_number(url):
        return False
    if _page_size(page_url) and _page_size(url) and _page_size(url) != _page_size(page_url):
        return False
    if unpaged(url) == unpaged(page_url):
        return True
    text = " ".join(text.split()).strip(" .:")
    return bool(text) and bool(PAGER_TEXT.match(text)) and urlsplit(url).path.split("/")[1:2] == \
        urlsplit(page_url).path.split("/")[1:2]


def same_page_size(urls: set[str]) -> set[str]:
    """The pager links with the page size most of them share: the others are a page-size menu."""
    sizes = [tuple(sorted(_page_size(u).items())) for u in urls]
    counted = {size: sizes.count(size) for size in set(sizes) if size}
    if len(counted) < 2:
        return urls
    common = max(counted, key=lambda size: (counted[size], size))
    return {u for u, size in zip(urls, sizes, strict=True) if not size or size == common}
