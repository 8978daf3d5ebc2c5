"""The cleaner: normalisation, boilerplate, paragraphs, bylines, captions."""

import pytest
from lxml import html

from crawler.extract.bylines import Byline, parse_byline, split_byline
from crawler.extract.cleaning import (
    collapse_captions,
    drop_boilerplate_lines,
    is_boilerplate_line,
    normalize_text,
    paragraphs_of,
    strip_boilerplate,
)


def test_normalize_text_composes_tone_marks_and_plain_spaces():
    decomposed = "Đa\u0309ng u\u0309y Khô\u0301i"  # NFD, as windows-1258 pages decode
    assert normalize_text(decomposed) == "Đảng ủy Khối"
    assert normalize_text("Cơ quan \u2011 Doanh nghiệp") == "Cơ quan - Doanh nghiệp"
    assert normalize_text("\u00a0 \u00a0 Công tác\u00a0\u00a0tham mưu ") == "Công tác tham mưu"
    assert normalize_text("Tỉnh\u200b ủy\u00ad") == "Tỉnh ủy"


@pytest.mark.parametrize("line", [
    "Thống kê truy cập", "• Đang online: 17", "• Hôm nay: 968", "• Trong tuần: 8,877",
    "• Tất cả: 465,023", "Trong tuần: 3 914", "Tất cả: 718132", "Đang truy cập 17",
    "Tổng lượt truy cập 1,234,567", "Lượt truy cập trong ngày: -73", "Lượt xem: 6783",
    "172 lượt xem", "Đã xem:8950", "1 2 3 4 5 ...", "Còn lại : 1000 ký tự",
    "Ý kiến phản hồi của bạn:(Không quá 1000 ký tự)", "Chọn cỡ chữ A a",
    "Tổng số điểm của bài viết là: 0 trong 0 đánh giá",
])
def test_boilerplate_lines(line):
    assert is_boilerplate_line(line) or line.casefold() in {"thống kê truy cập"}
    assert drop_boilerplate_lines(["Nội dung bài viết đầy đủ.", line]) == ["Nội dung bài viết đầy đủ."]


@pytest.mark.parametrize("line", [
    "Năm 2021 có 386 học viên tham dự.",
    "Hôm nay, Ban Tuyên giáo tổ chức hội nghị.",
    "NHỮNG KIẾN NGHỊ, ĐỀ XUẤT",
    "Tin liên quan đến công tác phòng, chống dịch được cập nhật thường xuyên.",
])
def test_body_lines_are_not_boilerplate(line):
    assert not is_boilerplate_line(line)


def test_heading_words_are_stripped_only_at_the_edges():
    blocks = ["Các tin khác", "Bài viết", "Tin liên quan", "Kết thúc", "Mới nhất", "Xem nhiều nhất"]
    assert drop_boilerplate_lines(blocks) == ["Bài viết", "Tin liên quan", "Kết thúc"]


@pytest.mark.parametrize("line, expected", [
    ("Bài viết: Hữu Nghĩa", Byline(author="Hữu Nghĩa")),
    ("Thu Hằng", Byline(author="Thu Hằng")),
    ("Hằng Lê", Byline(author="Hằng Lê")),
    ("T.H(bt)", Byline(author="T.H")),
    ("Hồ Giang (thực hiện)", Byline(author="Hồ Giang")),
    ("Huỳnh Phong - Hùng Anh", Byline(author="Huỳnh Phong - Hùng Anh")),
    ("P.V", Byline(author="P.V")),
    ("Tác giả: Nguyễn Văn A", Byline(author="Nguyễn Văn A")),
    ("Theo Báo Quảng Ninh", Byline(credit="Báo Quảng Ninh")),
    ("Nguồn: Báo Lào Cai", Byline(credit="Báo Lào Cai")),
    ("Nguồn Báo Bình Phước", Byline(credit="Báo Bình Phước")),
    ("Theo TTXVN", Byline(credit="TTXVN")),
])
def test_parse_byline(line, expected):
    assert parse_byline(line) == expected


@pytest.mark.parametrize("line", [
    "Tiếp tục tăng cường công tác bảo vệ nền tảng tư tưởng của Đảng.",
    "NHỮNG KIẾN NGHỊ, ĐỀ XUẤT",
    "Theo đó, Quảng Ninh kiên trì thực hiện phương châm",
    "Mới nhất", "Thống kê truy cập", "Năm 2021",
])
def test_body_lines_are_not_bylines(line):
    assert parse_byline(line) is None


def test_split_byline_takes_author_and_credit_off_the_end():
    body = ["Đoạn một của bài.", "Đoạn hai của bài.", "Thu Hằng", "Theo Báo Quảng Ninh"]
    blocks, byline = split_byline(body)
    assert blocks == ["Đoạn một của bài.", "Đoạn hai của bài."]
    assert byline == Byline(author="Thu Hằng", credit="Báo Quảng Ninh")


def test_split_byline_leaves_a_body_without_byline_alone():
    body = ["Đoạn một của bài.", "Đoạn cuối cùng của bài viết này."]
    assert split_byline(body) == (body, Byline())


def test_strip_boilerplate_removes_tools_forms_and_related_boxes():
    node = html.fragment_fromstring("""
      <div id="ArticleContent">
        <div class="share-tools"><a href="#">Facebook</a> <a href="#">In</a></div>
        <p>Đoạn một của bài viết, đủ dài để là nội dung thật.</p>
        <div class="box"><p><strong>Tin liên quan</strong></p>
          <ul><li><a href="/a-1">Bài liên quan thứ nhất rất dài</a></li>
              <li><a href="/a-2">Bài liên quan thứ hai rất dài</a></li></ul></div>
        <p>Xem thêm: <a href="/a-3">Một bài khác trên trang có tiêu đề dài</a></p>
        <p><strong>Tin liên quan</strong></p>
        <ul><li><a href="/a-4">Bài không bọc trong hộp, tiêu đề dài</a></li></ul>
        <form><textarea>Ý kiến phản hồi của bạn</textarea><button>Gửi</button></form>
        <script>alert(1)</script>
        <p>Đoạn hai, vẫn là nội dung.</p>
      </div>""")
    strip_boilerplate(node)
    assert paragraphs_of(node) == ["Đoạn một của bài viết, đủ dài để là nội dung thật.",
                                   "Đoạn hai, vẫn là nội dung."]


def test_paragraphs_keep_order_subheads_lists_and_table_rows():
    node = html.fragment_fromstring("""
      <div>Lời mở đầu không có thẻ p.
        <p>Đoạn <b>một</b> với <a href="#">liên kết</a>.</p>
        <h3>Tiêu đề phụ</h3>
        <ul><li>Ý thứ nhất</li><li>Ý thứ hai</li></ul>
        <table><tr><th>Đơn vị</th><th>Số đảng viên</th></tr><tr><td>Chi bộ 1</td><td>25</td></tr></table>
        <p>Dòng một<br>Dòng hai</p>
      </div>""")
    assert paragraphs_of(node) == [
        "Lời mở đầu không có thẻ p.", "Đoạn một với liên kết.", "Tiêu đề phụ", "Ý thứ nhất",
        "Ý thứ hai", "Đơn vị | Số đảng viên\nChi bộ 1 | 25", "Dòng một\nDòng hai",
    ]


def test_collapse_captions_drops_repeats_and_alt_junk():
    assert collapse_captions(["Các đồng chí chủ trì.", "Các đồng chí chủ trì.", "Dc", "a", "Toàn cảnh."]) == [
        "Các đồng chí chủ trì.", "Toàn cảnh."]


def test_static_menu_pages_are_never_articles():
    from crawler.crawl.pipelines import skip_reason
    from crawler.extract.article import Article

    body = ["Ban Tuyên giáo Tỉnh ủy là cơ quan tham mưu của Tỉnh ủy về công tác tuyên giáo, " * 3]
    assert skip_reason(Article(url="x", title="Giới thiệu", paragraphs=body)) == "static_page"
    assert skip_reason(Article(url="x", title="Liên hệ", paragraphs=body)) == "static_page"
    assert skip_reason(Article(url="x", title="Giới thiệu sách mới về Đảng bộ tỉnh", paragraphs=body)) is None
    assert skip_reason(Article(url="x", title="Tin ngắn", paragraphs=["Quá ngắn."])) == "empty_body"
