"""Is an extracted page an article? The one rule a crawl (ValidatePipeline) and re-extraction share.

Decided by the page's structure alone, whatever the crawl order: a title, a main text block, and
where no site rule vouches for the page (the generic extractor found title and body) a publication
date and the words of at least a short news item. A menu page, a listing or a document list never
passes: static pages carry no date; a document list's text is a table of documents.
"""

from __future__ import annotations

from crawler.extract.article import Article

MIN_BODY_WORDS = 15  # below this the body is a stub ("Xem chi tiết trong file đính kèm")
# A short news item ("Chiều 17/2, Đảng ủy Khối trao Huy hiệu Đảng cho 21 đảng viên…") has 40 to 80 words;
# a page found by the generic extractor alone needs that much text and a publication date.
MIN_NEWS_WORDS = 40
# A document list ("Số ký hiệu | Trích yếu | Ngày ban hành"): most of its words sit in table rows.
DOCUMENT_LIST_TABLE_SHARE = 0.7
# A listing, tag or event page: its text is teasers, each under a headline-long link. An article keeps
# at most a link or two of that length once the related boxes are gone.
LISTING_MIN_HEADLINES = 3


# Static pages of a site's menu: never articles, whatever their URL looks like.
STATIC_PAGE_TITLES = {
    "giới thiệu", "giới thiệu chung", "liên hệ", "sơ đồ site", "sơ đồ cổng thông tin", "sơ đồ trang",
    "lịch công tác", "văn bản", "văn bản mới", "thư viện ảnh", "thư viện video", "hỏi đáp", "góp ý",
    "chức năng nhiệm vụ", "chức năng, nhiệm vụ", "cơ cấu tổ chức", "lãnh đạo", "đăng nhập", "tìm kiếm",
}


def skip_reason(article: Article) -> str | None:
    """Why a page must not be stored as an article, or None (the reason is counted: archive/skipped/<reason>)."""
    words = len(article.body_text.split())
    generic = {"title", "body"} <= set(article.used_generic)  # no site rule vouches for the page
    if not article.title or generic and words < MIN_NEWS_WORDS:
        return "no_article"
    if article.title.casefold().strip(" :.") in STATIC_PAGE_TITLES:
        return "static_page"
    if words < MIN_BODY_WORDS:
        return "empty_body"
    if article.headline_links >= LISTING_MIN_HEADLINES or generic and article.opens_with_link:
        return "listing"
    table_words = sum(len(p.split()) for p in article.paragraphs if " | " in p)
    if table_words > DOCUMENT_LIST_TABLE_SHARE * words:
        return "document_list"
    if generic and not article.published_at:
        return "no_date"
    return None


def has_clock(published_at: str | None) -> bool:
    """Whether a stored publication time carries a time of day (a date-only page is stored at midnight).

    >>> has_clock("2024-03-12T08:30:00+07:00"), has_clock("2024-03-12T00:00:00+07:00"), has_clock(None)
    (True, False, False)
    """
    return bool(published_at) and published_at[11:19] not in ("", "00:00:00")
