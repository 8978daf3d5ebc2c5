"""CMS platform bases (crawler/crawl/platforms/): what tests/test_sites.py's generic gold does not show.

The NukeViet and Liferay site mirrors are crawled end to end by tests/test_sites.py; here:
the tuyengiao.vn 2024 redesign (A2) crawled by the `tuyengiao` spider from its own mirror,
NukeViet's RSS discovery and date rules, Liferay's pager and navigation parameters.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.crawl.platforms.liferay import LiferaySpider
from crawler.crawl.platforms.nukeviet import NUKEVIET_RULES, NukeVietSpider
from crawler.extract import extract_article
from crawler.mirror import MirrorServer
from tests.conftest import MIRRORS, query, run_spider
from tests.test_sites import stored_articles


def assert_gold(db: Path, expected: dict) -> None:
    """The assertions of tests/test_sites.py, for a mirror crawled outside the SITES loop."""
    stored = stored_articles(db)
    assert query(db, "SELECT count(*) AS n FROM articles")[0]["n"] == len(expected["articles"]), sorted(stored)
    for path, gold in expected["articles"].items():
        row = stored[path]
        assert row["title"] == gold["title"], path
        assert row["published_at"] == gold["published"], path
        assert row["author"] == gold["author"], path
        assert row["credit"] == gold.get("credit"), path
        if gold.get("lead"):
            assert row["lead"] == gold["lead"], path
        assert json.loads(row["captions"]) == gold.get("captions", []), path
        for sentence in gold.get("body_contains", []):
            assert sentence in row["body_text"], (path, sentence)
        for phrase in expected["boilerplate"]:
            assert phrase not in row["body_text"], (path, phrase)


def test_tuyengiao_a2_redesign_is_read_by_the_tuyengiao_spider(tmp_path):
    """A2 pages (div.flex-fill, h1.story-headline, div.ml-lg-auto …) through the A1 site's own rules."""
    expected = json.loads((MIRRORS / "tuyengiao_a2" / "expected.json").read_text(encoding="utf-8"))
    db = tmp_path / "archive.db"
    with MirrorServer(MIRRORS / "tuyengiao_a2") as mirror:
        run_spider("tuyengiao", mirror.base_url, db)
        requested = set(mirror.requests)
    assert "/thoi-su-chinh-tri?page=2" in requested  # the Bootstrap pager of A2 listings
    assert_gold(db, expected)
    stats = json.loads(query(db, "SELECT stats FROM crawl_runs")[-1]["stats"])
    assert not any(key.startswith("archive/generic_fallback/") for key in stats), stats


def test_tuyengiao_a2_header_date_is_never_the_publication_date():
    page = (MIRRORS / "tuyengiao_a2" / "article-150121.html").read_text(encoding="utf-8")
    from spiders.tuyengiao import TuyengiaoSpider

    no_stamp = page.replace("Thứ sáu, ngày 25/04/2025 - 11:39", "")
    article = extract_article(no_stamp, "https://tuyengiao.vn/x-150121", TuyengiaoSpider.rules)
    assert article.published_at != "2025-04-28T00:00:00+07:00"  # "Thứ Hai, 28/4/2025" in the header


def test_nukeviet_rss_finds_articles_no_listing_shows(crawled):
    crawl = crawled["cantho_tuyengiao"]
    stats = crawl.last_run_stats()
    assert stats["archive/pages/feed"] == 1 and stats["archive/links/feed_article"] == 5
    only_in_feed = ("/vi/news/tai-lieu-tuyen-truyen/"
                    "de-cuong-tuyen-truyen-ky-niem-77-nam-cach-mang-thang-tam-va-quoc-khanh-2-9-271.html")
    assert only_in_feed in crawl.mirror.requests
    # three listing pages through ul.pagination, the 404 of page 3, no savefile/print operations
    assert {"/vi/news/tin-hoat-dong/page-2/", "/vi/news/tin-hoat-dong/page-3/"} <= set(crawl.mirror.requests)
    assert not any("/savefile/" in t or "/print/" in t or "/tag/" in t for t in crawl.mirror.requests)


HEAD = """<html><head><meta property="article:published_time" content="{meta}"></head><body>
<div class="news_column panel panel-default"><div class="panel-body">
<h1 class="title margin-bottom-lg" itemprop="headline">Tiêu đề bài viết thử nghiệm</h1>
<span class="hidden hide d-none" itemprop="datePublished">2022-07-05T09:10:00+07:00</span>
<div class="row margin-bottom-lg"><div class="col-md-12">{visible}</div></div>
<div id="news-bodyhtml" class="bodytext margin-bottom-lg"><p>Nội dung.</p></div></div></div></body></html>"""


@pytest.mark.parametrize(("meta", "visible", "published"), [
    # the visible publtime line wins over datePublished (NukeViet 4.5 writes the edit time there)
    ("2022-07-04ICT04:34:00", '<span class="h5">Thứ hai - 04/07/2022 04:34</span>', "2022-07-04T04:34:00+07:00"),
    # no visible line: article:published_time in PHP's Y-m-dTH:i:s, T being the zone name
    ("2022-07-04ICT04:34:00", "", "2022-07-04T04:34:00+07:00"),
    ("2022-07-04+0704:34:00", "", "2022-07-04T04:34:00+07:00"),
    # neither: datePublished, the last resort
    ("", "", "2022-07-05T09:10:00+07:00"),
])
def test_nukeviet_publication_date_order(meta, visible, published):
    article = extract_article(HEAD.format(meta=meta, visible=visible), "https://x.vn/news/a/b-1.html", NUKEVIET_RULES)
    assert article.published_at == published


def test_nukeviet_url_patterns_follow_the_module_routing():
    class Site(NukeVietSpider):
        name = "nv_test"
        news_paths = ("",)

    ok = ["/index.php/diem-bao/bac-ho-voi-cao-bang-1825.html", "/diem-bao/bac-ho-voi-cao-bang-1825.html",
          "/Tuyen-truyen/Phoi-hop-thong-tin-3769/", "/index.php?nv=news&op=Tin-tuc%2FGiao-ban-2221"]
    not_ok = ["/index.php/diem-bao/page-2", "/diem-bao/page-2/", "/savefile/diem-bao/x-1825.html",
              "/tag/tuyen-giao-2", "/uploads/news/2023_05/121.jpg", "/diem-bao/"]
    assert all(Site.article_path.match(p) for p in ok)
    assert not any(Site.article_path.match(p) for p in not_ok)
    assert Site.listing_path.match("/index.php/diem-bao/") and Site.listing_path.match("/diem-bao")


def test_liferay_pager_is_followed_not_the_page_size_menu(crawled):
    crawl = crawled["dongthap_tuyengiao"]
    pages = [t for t in crawl.mirror.requests if t.startswith("/web/btg/tin-tuc?")]
    assert {t.rsplit("_cur=", 1)[1] for t in pages} == {"1", "2", "3"}
    assert all("_delta=10&" in t for t in pages), pages
    # content URLs lose Liferay's redirect parameters: one article, one URL
    assert not any("/asset_publisher/" in t and "?" in t for t in crawl.mirror.requests)


def test_liferay_stray_null_never_reaches_title_or_body(crawled):
    for site in ("dongthap_tuyengiao", "bacninh_bao"):
        for row in crawled[site].rows("SELECT title, body_text FROM articles"):
            assert not row["title"].startswith("null")
            assert not row["body_text"].startswith("null") and "\nnull\n" not in row["body_text"]


def test_liferay_content_url_pattern():
    class Site(LiferaySpider):
        name = "lr_test"
        site_path = "/web/bbn"

    assert Site.article_path.match("/web/bbn/xay-ang/-/asset_publisher/fRj4bG2kLm8N/content/ket-nap-dang-vien")
    assert Site.article_path.match("/web/bbn/-/asset_publisher/fRj4bG2kLm8N/content/id/2003")
    assert not Site.article_path.match("/web/btg/tin-tuc/-/asset_publisher/Xy12Ab34Cd56/content/id/1")
    assert not Site.article_path.match("/web/bbn/xay-ang")
