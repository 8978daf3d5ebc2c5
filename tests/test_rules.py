"""Site rules (crawler/extract/rules.py): what the per-page expected JSON of the mirrors does not single out."""

from __future__ import annotations

from crawler.extract import SiteRules, extract_article

PARAGRAPH = ("Ban Thường vụ Tỉnh ủy tổ chức hội nghị quán triệt, triển khai các nghị quyết của Trung ương "
             "đến cán bộ chủ chốt các cấp trong toàn tỉnh, với sự tham gia của hơn 500 đại biểu.")


def test_an_author_element_without_children_is_found_in_the_body():
    # lxml elements without children are falsy: `first(body) or first(page)` took the sidebar's author
    page = (f"<html><body><div class='sidebar'><span class='author'>Người Trong Sidebar</span></div>"
            f"<h1 class='title'>Hội nghị quán triệt nghị quyết của Trung ương</h1>"
            f"<div class='content'><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p>"
            f"<span class='author'>Thu Hằng</span></div></body></html>")
    rules = SiteRules(title=(".title",), body=(".content",), author=(".author",))
    article = extract_article(page, "https://tinhuy.example.vn/tin-tuc/hoi-nghi-123.html", rules)
    assert article.author == "Thu Hằng"
    assert article.extraction_method == "site-rules"


def test_edit_dates_never_win_over_the_publication_date():
    page = (f"<html><body><h1 class='title'>Hội nghị quán triệt nghị quyết của Trung ương</h1>"
            f"<div class='meta'><span class='modified'>Ngày chỉnh sửa: 13/03/2024 10:00</span> "
            f"<span class='date'>Ngày xuất bản: 12/03/2024 08:30</span></div>"
            f"<div class='content'><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p></div></body></html>")
    rules = SiteRules(title=(".title",), body=(".content",), date=(".meta",))
    article = extract_article(page, "https://tinhuy.example.vn/tin-tuc/hoi-nghi-123.html", rules)
    assert article.published_at == "2024-03-12T08:30:00+07:00"
    assert article.published_raw == "Ngày xuất bản: 12/03/2024 08:30"


def test_a_marquee_anniversary_is_no_publication_date():
    page = (f"<html><body><div class='marquee'>Kỷ niệm 95 năm Ngày thành lập Đảng (3/2/1930 - 3/2/2025)</div>"
            f"<h1 class='title'>Hội nghị quán triệt nghị quyết của Trung ương</h1>"
            f"<div class='date'>21/6/1925</div>"
            f"<div class='content'><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p></div></body></html>")
    rules = SiteRules(title=(".title",), body=(".content",), date=(".date", ".marquee"))
    article = extract_article(page, "https://tinhuy.example.vn/tin-tuc/hoi-nghi-123.html", rules)
    assert article.published_at is None
