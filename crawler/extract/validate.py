"""Is an extracted page an article? The one rule a crawl (ValidatePipeline) and re-extraction share."""

from __future__ import annotations

from crawler.extract.article import Article

MIN_BODY_WORDS = 15  # below this the body is a stub ("Xem chi tiết trong file đính kèm")
MIN_GENERIC_WORDS = 80  # when the site's selectors found neither title nor body


# Static pages of a site's menu: never articles, whatever their URL looks like.
STATIC_PAGE_TITLES = {
    "giới thiệu", "giới thiệu chung", "liên hệ", "sơ đồ site", "sơ đồ cổng thông tin", "sơ đồ trang",
    "lịch công tác", "văn bản", "văn bản mới", "thư viện ảnh", "thư viện video", "hỏi đáp", "góp ý",
    "chức năng nhiệm vụ", "chức năng, nhiệm vụ", "cơ cấu tổ chức", "lãnh đạo", "đăng nhập", "tìm kiếm",
}


def skip_reason(article: Article) -> str | None:
    """Why a page must not be stored as an article, or None."""
    words = len(article.body_text.split())
    all_generic = {"title", "body"} <= set(article.used_generic)
    if not article.title or (all_generic and words < MIN_GENERIC_WORDS):
        return "no_article"
    if article.title.casefold().strip(" :.") in STATIC_PAGE_TITLES:
        return "static_page"
    if words < MIN_BODY_WORDS:
        return "empty_body"
    return None
