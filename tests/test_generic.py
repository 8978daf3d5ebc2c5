"""The generic extractor (crawler/extract/generic/), site template learning (crawler/extract/templates.py)
and the generic spider (crawler/crawl/generic.py).

The extractor is checked on every page of the evaluation set (bench/eval: 8 template
families, gold beside each page), on small pages written to isolate one convention,
and the spider end to end on tests/fixtures/sites/generic_site, a site with no spider.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.extract import extract_article
from crawler.extract.generic import extract_generic
from crawler.extract.templates import SiteTemplate, fingerprints
from tests.conftest import MIRRORS, ROOT, run_spider

EVAL = ROOT / "bench" / "eval"
EVAL_PAGES = sorted(p.with_suffix("") for p in EVAL.glob("*/*.json"))


def gold_of(stem: Path) -> dict:
    return json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))


def syllables(text: str) -> Counter:
    return Counter(t.strip(".,;:!?“”\"'()…-–") for t in unicodedata.normalize("NFC", text).casefold().split())


def body_f1(article, gold: dict) -> float:
    got = syllables("\n".join(([article.lead] if article.lead else []) + article.paragraphs + article.captions))
    want = syllables("\n".join(gold["body_paragraphs"] + gold["captions"]))
    common = sum((got & want).values())
    if not common:
        return 0.0
    p, r = common / sum(got.values()), common / sum(want.values())
    return 2 * p * r / (p + r)


def family_template(stem: Path) -> SiteTemplate:
    """The site template learnt from the other pages of the same family (as during a crawl)."""
    template = SiteTemplate(stem.parent.name)
    for other in sorted(stem.parent.glob("*.html")):
        if other.stem != stem.name:
            template.learn(other.read_bytes(), gold_of(other.with_suffix(""))["url"])
    return template


def test_the_evaluation_set_covers_the_template_families():
    families = Counter(p.parent.name for p in EVAL_PAGES)
    assert len(EVAL_PAGES) >= 40 and len(families) >= 6
    assert {"nukeviet", "dnn", "sharepoint", "liferay", "wordpress", "oldtable", "bootstrap"} <= set(families)
    encodings = Counter(gold_of(p)["encoding"] for p in EVAL_PAGES)
    assert encodings["cp1258"] and encodings["entities"]


# ---------------------------------------------------------------------------
# Every evaluation page

@pytest.mark.parametrize("stem", EVAL_PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_metadata_of_every_evaluation_page(stem):
    gold = gold_of(stem)
    article = extract_article(stem.with_suffix(".html").read_bytes(), gold["url"])  # unknown host: generic
    assert article.title == unicodedata.normalize("NFC", gold["title"])
    assert article.published_at == gold["published"], article.published_raw
    assert article.author == gold["author"]
    assert body_f1(article, gold) >= 0.95  # one page alone keeps a site-wide notice (dnn/04): see below


@pytest.mark.parametrize("stem", EVAL_PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_boilerplate_once_the_site_template_is_known(stem):
    gold = gold_of(stem)
    article = extract_generic(stem.with_suffix(".html").read_bytes(), gold["url"], template=family_template(stem))
    text = "\n".join(([article.lead] if article.lead else []) + article.paragraphs + article.captions).casefold()
    leaked = [b for b in gold["boilerplate"] if unicodedata.normalize("NFC", b).casefold() in text]
    assert not leaked
    assert body_f1(article, gold) >= 0.99


def test_legacy_charsets_and_decomposed_marks_come_out_as_nfc():
    for stem in EVAL_PAGES:
        gold = gold_of(stem)
        if gold["encoding"] != "utf-8" or any("NFD" in note for note in gold["notes"]):
            article = extract_article(stem.with_suffix(".html").read_bytes(), gold["url"])
            assert unicodedata.is_normalized("NFC", article.body_text), stem
            assert gold["body_paragraphs"][-1] in article.body_text, stem


# ---------------------------------------------------------------------------
# Conventions, one at a time

def page(body: str, head: str = "", title: str = "Trang tin") -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
            f"<body>{body}</body></html>").encode()


PARAS = "".join(f"<p>Đoạn {i}: Ban Thường vụ Tỉnh ủy đã lãnh đạo, chỉ đạo các cấp ủy, tổ chức đảng triển khai thực "
                f"hiện nghiêm túc, hiệu quả các chủ trương, nghị quyết của Đảng trong năm {2020 + i}.</p>"
                for i in range(5))
HEADER = ("<div id='header'><div class='today'>Thứ Tư, 11/02/2026</div><ul class='menu'><li><a href='/'>Trang chủ"
          "</a></li><li><a href='/tin-tuc'>Tin tức</a></li></ul></div>")
FOOTER = "<div id='footer'><p>Giấy phép số 45/GP-TTĐT cấp ngày 12/3/2019. Bản quyền thuộc Ban Tuyên giáo.</p></div>"
TITLE = "Hội nghị quán triệt, triển khai Nghị quyết Trung ương"


def test_date_is_the_line_under_the_title_not_today_nor_the_licence():
    html = page(f"{HEADER}<h1>{TITLE}</h1><div class='meta'>Thứ hai - 04/07/2022 04:34</div>"
                f"<div class='content'>{PARAS}</div>{FOOTER}")
    article = extract_article(html, "https://x.example.vn/tin-tuc/hoi-nghi-123.html")
    assert article.published_at == "2022-07-04T04:34:00+07:00"
    assert "Giấy phép" not in article.body_text and "11/02/2026" not in article.body_text


def test_a_today_line_right_above_the_title_is_not_the_date():
    html = page(f"<div class='main'><div>Thứ Tư, ngày 11/02/2026</div><h1>{TITLE}</h1>"
                f"<p class='date'>08:05 21/10/2020</p><div class='content'>{PARAS}</div></div>")
    assert extract_article(html, "https://x.example.vn/a-1.html").published_at == "2020-10-21T08:05:00+07:00"


def test_visible_publication_time_wins_over_nukeviet_edit_time():
    head = "<meta property='article:published_time' content='2022-08-01T10:00:00+07:00'>"
    html = page(f"<h1>{TITLE}</h1><span class='h5'>Thứ hai - 04/07/2022 04:34</span><div>{PARAS}</div>", head)
    assert extract_article(html, "https://x.example.vn/a-1.html").published_at == "2022-07-04T04:34:00+07:00"


def test_metadata_gives_the_time_a_date_only_line_lacks():
    head = "<meta property='article:published_time' content='2023-05-14T01:30:12+00:00'>"
    html = page(f"<h1>{TITLE}</h1><div class='entry-meta'>14/05/2023</div><div>{PARAS}</div>", head)
    assert extract_article(html, "https://x.example.vn/a-1.html").published_at == "2023-05-14T08:30:12+07:00"


def test_related_list_dates_are_not_the_publication_date():
    html = page(f"<h1>{TITLE}</h1><div class='content'>{PARAS}</div><div class='box'><h3>Các tin khác</h3><ul>"
                "<li><a href='/b-2.html'>Một bài khác trên trang tin điện tử</a> (19/11/2021)</li></ul></div>")
    assert extract_article(html, "https://x.example.vn/a-1.html").published_at is None


def test_title_is_the_heading_without_the_site_suffix():
    html = page(f"{HEADER}<div class='box-title'>Tin tức - Sự kiện</div><h2 class='news-title'>{TITLE}</h2>"
                f"<div>{PARAS}</div>", title=f"{TITLE} - Ban Tuyên giáo Tỉnh ủy")
    assert extract_article(html, "https://x.example.vn/a-1.html").title == TITLE
    bare = page(f"<div>{PARAS}</div>", title=f"{TITLE} | Ban Tuyên giáo Tỉnh ủy")
    assert extract_article(bare, "https://x.example.vn/a-1.html").title == TITLE


@pytest.mark.parametrize(("byline", "author", "credit"), [
    ("<p style='text-align:right'><strong>Thu Hằng</strong></p>", "Thu Hằng", None),
    ("<p><strong>Bài viết: Hữu Nghĩa</strong></p>", "Hữu Nghĩa", None),
    ("<p>Hồ Giang (thực hiện)</p>", "Hồ Giang", None),
    ("<p><em>Theo Báo Quảng Ninh</em></p>", None, "Báo Quảng Ninh"),
    ("<p>Huỳnh Phong - Hùng Anh</p><p>Nguồn: Báo Tây Ninh</p>", "Huỳnh Phong - Hùng Anh", "Báo Tây Ninh"),
])
def test_trailing_bylines(byline, author, credit):
    html = page(f"<h1>{TITLE}</h1><div class='content'>{PARAS}{byline}</div>",
                "<meta name='author' content='admin'>")
    article = extract_article(html, "https://x.example.vn/a-1.html")
    assert (article.author, article.credit) == (author, credit)
    assert not article.paragraphs[-1].startswith(("Thu Hằng", "Bài viết", "Theo", "Nguồn"))


def test_nukeviet_author_block_after_the_body_and_never_admin():
    html = page(f"<h1 itemprop='headline'>{TITLE}</h1><div id='news-bodyhtml'>{PARAS}</div>"
                "<div><p class='h5 text-right'><strong>Tác giả: </strong>Minh Châu</p>"
                "<p class='h5 text-right'><strong>Nguồn tin: </strong>Ban Tuyên giáo Tỉnh ủy</p></div>",
                "<meta name='author' content='admin'>")
    article = extract_article(html, "https://x.example.vn/vi/news/tin/a-1.html")
    assert (article.author, article.credit) == ("Minh Châu", "Ban Tuyên giáo Tỉnh ủy")
    no_byline = page(f"<h1>{TITLE}</h1><div>{PARAS}</div>", "<meta name='author' content='admin'>")
    assert extract_article(no_byline, "https://x.example.vn/a-1.html").author is None


def test_academic_byline_at_the_top():
    html = page(f"<h1>{TITLE}</h1><div class='content'><p style='text-align:right'><strong>ThS. Nguyễn Thị Lan"
                f"</strong><br><em>Khoa Lý luận cơ sở</em></p>{PARAS}</div>")
    article = extract_article(html, "https://x.example.vn/a-1.html")
    assert article.author == "ThS. Nguyễn Thị Lan"
    assert article.paragraphs[0].startswith("Đoạn 0")


def test_body_keeps_tables_lists_subheads_quotes_and_drops_boxes():
    body = (f"<p><strong>Tin liên quan</strong></p><ul><li><a href='/r-1.html'>Bài liên quan thứ nhất khá dài</a>"
            f"</li><li><a href='/r-2.html'>Bài liên quan thứ hai khá dài</a></li></ul>{PARAS}"
            "<h3>Những kết quả nổi bật</h3><ul><li>Kết nạp 120 đảng viên mới.</li><li>Tổ chức 45 hội nghị.</li></ul>"
            "<table><tr><td>Chỉ tiêu</td><td>Năm 2023</td></tr><tr><td>Đảng viên mới</td><td>120</td></tr></table>"
            "<blockquote><p>“Mỗi cán bộ, đảng viên phải là một tuyên truyền viên.”</p></blockquote>"
            "<p>Xem thêm: <a href='/x-9.html'>Một bài khác có tiêu đề rất dài trên trang</a></p>"
            "<div class='share-tools'><a href='#'>Facebook</a> <a href='#'>In bài viết</a></div>"
            "<p style='text-align:right'><strong>Thu Hằng</strong></p>")
    html = page(f"<h1>{TITLE}</h1><div class='detail'>{body}</div>")
    article = extract_article(html, "https://x.example.vn/a-1.html")
    assert "Những kết quả nổi bật" in article.paragraphs
    assert "Kết nạp 120 đảng viên mới." in article.paragraphs
    assert "Chỉ tiêu | Năm 2023\nĐảng viên mới | 120" in article.paragraphs
    assert "“Mỗi cán bộ, đảng viên phải là một tuyên truyền viên.”" in article.paragraphs
    for junk in ("Tin liên quan", "Bài liên quan", "Xem thêm", "Facebook", "In bài viết"):
        assert junk not in article.body_text
    assert article.author == "Thu Hằng"


def test_text_dense_sidebar_does_not_beat_a_short_article():
    sidebar = "<div class='col'><h3>Giới thiệu chung</h3>" + "".join(
        f"<p>Đảng bộ Khối có {80 + i} tổ chức cơ sở đảng, hơn 4.000 đảng viên, lãnh đạo các cơ quan, đơn vị, "
        f"doanh nghiệp trên địa bàn tỉnh thực hiện thắng lợi nhiệm vụ chính trị được giao.</p>"
        for i in range(2)) + "</div>"
    html = page(f"<div class='col'><h1>{TITLE}</h1><div class='content'>{PARAS[:600]}</div></div>{sidebar}")
    article = extract_article(html, "https://x.example.vn/a-1.html")
    assert article.paragraphs and all(p.startswith("Đoạn") for p in article.paragraphs)


def test_extract_delegates_the_generic_finders():
    from crawler.extract import generic
    from crawler.extract import rules as extract
    from crawler.extract.generic import analysis

    assert extract.read_main_text is analysis.read_main_text  # the same two readings of the main text
    assert extract.find_title is generic.find_title and extract.find_date is generic.find_date


# ---------------------------------------------------------------------------
# Site template learning

def site_page(i: int, with_notice: bool = True) -> bytes:
    notice = "<p><em>Mời bạn đọc gửi tin, bài cộng tác về hộp thư của Ban Biên tập.</em></p>" if with_notice else ""
    return page(f"{HEADER}<div class='main'><h1>{TITLE} lần thứ {i}</h1><div class='time'>0{i}/03/2024 08:1{i}</div>"
                f"<div class='content'><p>Bài số {i}. Nội dung riêng của bài viết này, đủ dài để là một đoạn văn "
                f"thật sự của bài báo thứ {i} trên trang.</p>{PARAS.replace('Đoạn', f'Bài {i}, đoạn')}{notice}</div>"
                f"</div>{FOOTER}")


def test_a_block_repeated_across_the_site_is_removed_once_learnt():
    url = "https://x.example.vn/tin-tuc/bai-{}.html"
    alone = extract_generic(site_page(9), url.format(9))
    assert "Mời bạn đọc gửi tin" in alone.body_text  # one page cannot tell
    template = SiteTemplate("x")
    for i in range(1, 5):
        assert template.learn(site_page(i), url.format(i))
    assert not template.learn(site_page(1), url.format(1)), "a URL is learnt once"
    assert template.pages == 4
    learnt = extract_generic(site_page(9), url.format(9), template=template)
    assert "Mời bạn đọc gửi tin" not in learnt.body_text
    assert learnt.paragraphs[0].startswith("Bài số 9")
    assert learnt.published_at == "2024-03-09T08:19:00+07:00"  # date lines differ: never template


def test_own_text_is_never_template_and_the_template_persists(tmp_path):
    template = SiteTemplate("x.example.vn")
    for i in range(1, 6):
        template.learn(site_page(i), f"https://x.example.vn/a-{i}.html")
    from crawler.extract.page import parse_page, prepare

    doc = parse_page(site_page(3))
    prepare(doc)
    marked_text = " ".join("".join(el.itertext()) for el in template.boilerplate_elements(doc))
    assert "Bài số 3" not in marked_text and "Bài 3, đoạn 0" not in marked_text
    assert "Trang chủ" in marked_text and "Giấy phép số 45" in marked_text
    path = template.save(tmp_path)
    again = SiteTemplate.load(tmp_path, "x.example.vn")
    assert path.exists() and again.pages == 5 and dict(again.repeated()) == dict(template.repeated())
    assert SiteTemplate.load(tmp_path, "never-seen").pages == 0


def test_fingerprints_depend_on_text_and_place():
    from lxml import html

    a = html.fromstring("<div><div class='box'><p>Tin mới nhất</p></div>"
                        "<div class='main'><p>Tin mới nhất</p></div></div>")
    prints = list(fingerprints(a).values())
    assert len(set(prints)) == len(prints)


# ---------------------------------------------------------------------------
# The generic spider

def test_article_urls_of_unknown_sites():
    from crawler.crawl.generic import GenericSpider

    spider = GenericSpider(start_url="https://tinhuy.example.vn/")
    for url in ("https://tinhuy.example.vn/vi/news/tin-hoat-dong/hoi-nghi-bao-cao-vien-241.html",
                "https://tinhuy.example.vn/xay-dung-dang/hoi-nghi-so-ket-149481",
                "https://tinhuy.example.vn/chinh-tri/hoi-nghi-post353665.html",
                "https://tinhuy.example.vn/2023/05/14/hoi-nghi-bao-cao-vien-thang-5/",
                "https://tinhuy.example.vn/tintuc/chitiet.asp?newsid=1234&catid=2",
                "https://tinhuy.example.vn/tin-tuc/tabid/61/ArticleID/4521/Default.aspx",
                "https://tinhuy.example.vn/web/btg/chi-tiet/-/asset_publisher/1mOz/content/id/7337177",
                "https://tinhuy.example.vn/1458/39703/71968/659705/sinh-hoat-tu-tuong/dong-chi-pham-hung"):
        assert spider.is_article_url(url), url
    for url in ("https://tinhuy.example.vn/tin-tuc", "https://tinhuy.example.vn/tin-tuc?page=2",
                "https://tinhuy.example.vn/vi/news/tin-hoat-dong/page-3", "https://tinhuy.example.vn/lien-he",
                "https://tinhuy.example.vn/tim-kiem?q=dang", "https://tinhuy.example.vn/files/ke-hoach-123.pdf",
                "https://tinhuy.example.vn/rss.xml"):
        assert not spider.is_article_url(url), url


def test_generic_spider_archives_an_unknown_site_end_to_end(tmp_path):
    from crawler.mirror import MirrorServer

    mirror_dir = MIRRORS / "generic_site"
    expected = json.loads((mirror_dir / "expected.json").read_text(encoding="utf-8"))
    db = tmp_path / "archive.db"
    with MirrorServer(mirror_dir) as mirror:
        result = run_spider("generic", mirror.base_url, db, "-a", f"start_url={expected['live_origin']}/",
                            "-a", "site=btg-mocaynam", "-a", "province=Bến Tre",
                            "-s", f"ARCHIVE_TEMPLATE_DIR={tmp_path / 'templates'}")
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = {urlsplit(r["url"]).path: dict(r) for r in conn.execute("SELECT * FROM articles")}
    assert set(rows) == set(expected["articles"]), result.stderr[-3000:]
    for path, gold in expected["articles"].items():
        row = rows[path]
        assert (row["site"], row["province"]) == ("btg-mocaynam", "Bến Tre")
        assert row["title"] == gold["title"]
        assert row["published_at"] == gold["published"]
        assert row["author"] == gold["author"]
        paragraphs = row["body_text"].split("\n\n")
        assert paragraphs[0] == gold["body_first"] and paragraphs[-1] == gold["body_last"], path
        for text in expected["boilerplate"]:
            assert text not in row["body_text"], (path, text)
    site = dict(conn.execute("SELECT * FROM sites WHERE name = 'btg-mocaynam'").fetchone())
    assert site["spider"] == "generic" and site["province"] == "Bến Tre"
    assert site["domain"] == urlsplit(expected["live_origin"]).hostname
    stats = json.loads(conn.execute("SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()[0])
    assert stats["archive/generic/feed_articles"] >= 1 and stats["archive/generic/sitemap_articles"] >= 1
    template = json.loads((tmp_path / "templates" / "btg-mocaynam.json").read_text(encoding="utf-8"))
    assert template["pages"] >= 10


def test_a_site_smaller_than_the_warmup_is_still_archived(tmp_path, mirror_copy):
    """Articles wait for the template; when the crawl runs dry first, the waiting ones are extracted."""
    from crawler.mirror import MirrorServer

    site = mirror_copy("generic_site")
    expected = json.loads((site / "expected.json").read_text(encoding="utf-8"))
    routes = json.loads((site / "routes.json").read_text(encoding="utf-8"))
    small = {path: route for path, route in routes.items() if path in ("/", "/robots.txt") or
             path.startswith("/tin-tuc/") and path.endswith(("3100.html", "3101.html"))}
    (site / "routes.json").write_text(json.dumps(small), encoding="utf-8")
    db = tmp_path / "archive.db"
    with MirrorServer(site) as mirror:
        run_spider("generic", mirror.base_url, db, "-a", f"start_url={expected['live_origin']}/",
                   "-a", "site=small", "-a", "warmup=10", "-s", f"ARCHIVE_TEMPLATE_DIR={tmp_path}")
    conn = sqlite3.connect(db)
    stored = {urlsplit(url).path for (url,) in conn.execute("SELECT url FROM articles WHERE site = 'small'")}
    assert stored == {p for p in small if p.startswith("/tin-tuc/")}
