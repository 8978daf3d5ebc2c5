"""What a reader meets in Datasette, over HTTP, on a real server over the full archive."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.extract.article import Article
from crawler.publish.times import vietnam_time
from crawler.store import ArticleStore
from tests.conftest import query as sql
from tests.test_publish import DatasetteServer, canned_search, parse_atom


@pytest.fixture(scope="module")
def server(full_archive: Path, tmp_path_factory: pytest.TempPathFactory):
    srv = DatasetteServer(full_archive, tmp_path_factory.mktemp("reader") / "datasette.log").start()
    yield srv
    srv.stop()


@pytest.mark.parametrize(("params", "message"), [
    ({"site": "nosuchsite"}, "No site named 'nosuchsite' in the archive (names in /archive/sites)."),
    (None, "No site given: use /archive/site_feed.atom?site=NAME (names in /archive/sites)."),
])
def test_the_feed_of_an_unknown_or_missing_site_is_a_404_with_a_message(server, params, message):
    status, body, headers = server.request("/archive/site_feed.atom", params)
    assert status == 404
    assert body == message
    assert headers["content-type"].startswith("text/plain")


def test_the_feed_of_a_known_site_still_answers(server):
    feed = parse_atom(server.get("/archive/site_feed.atom", site="travinh_duk"))
    assert feed.findall("{http://www.w3.org/2005/Atom}entry")


def test_json_snippets_carry_no_internal_markers(server):
    rows = canned_search(server, "dang uy khoi")
    assert rows and all("⟦" not in r["snippet"] and "⟧" not in r["snippet"] for r in rows)
    assert any("Đảng ủy Khối" in r["snippet"] for r in rows)
    for query in ("search", "newest"):
        body = server.get(f"/archive/{query}.json", q="dang uy khoi")
        assert "⟦" not in body and "\\u27e6" not in body
    assert "<mark>" in server.get("/archive/search", q="dang uy khoi")  # the HTML page still highlights



# -- times, layout, facets ------------------------------------------------------------------------


def test_archive_times_show_in_vietnam_time_with_the_zone_and_export_as_stored(server, full_archive):
    run = sql(full_archive, "SELECT id, started_at, finished_at FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    page = server.get("/archive/crawl_runs")
    for value in (run["started_at"], run["finished_at"]):
        shown = vietnam_time(value)
        assert shown.endswith(" (UTC+7)") and f'<time datetime="{value}">{shown}</time>' in page
    rows = server.json("/archive/crawl_runs.json", _shape="array", id=str(run["id"]))
    assert rows[0]["started_at"] == run["started_at"]  # the JSON keeps the stored ISO 8601 value
    article = sql(full_archive, "SELECT id, first_seen_at FROM articles LIMIT 1")[0]
    page = server.get(f"/archive/articles/{article['id']}")
    assert f"first archived {vietnam_time(article['first_seen_at'])}" in page


def test_crawl_run_stats_and_alarms_are_folded(server):
    page = server.get("/archive/crawl_runs")
    cells = re.findall(r'<td class="col-stats[^"]*">(.*?)</td>', page, re.S)
    assert cells and all(c.startswith('<details class="folded-json"><summary>') for c in cells)
    assert "downloader/request_count" in cells[0]  # inside the folded block


def test_the_category_facet_merges_case_variants(server, full_archive):
    raw = {r["category"]: r["n"] for r in sql(
        full_archive, "SELECT category, count(*) AS n FROM articles WHERE lower(category) = lower(?) GROUP BY 1",
        ("Công tác tuyên giáo",))}
    assert len(raw) > 1  # the mirrors print it both ways
    facets = server.json("/archive/articles.json", _facet_size="max")["facet_results"]
    labels = {r["value"]: r["count"] for r in facets["category_label"]["results"]}
    assert labels["Công tác tuyên giáo"] == sum(raw.values())
    assert "Công tác Tuyên giáo" not in labels and "category" not in facets


def test_the_home_page_links_every_site_feed(server, full_archive):
    sites = [r["site"] for r in sql(full_archive, "SELECT DISTINCT site FROM articles ORDER BY site")]
    page = server.get("/")
    links = re.findall(r'href="/archive/site_feed.atom\?site=([^"]+)"', page)
    assert links == sites
    assert parse_atom(server.get("/archive/site_feed.atom", site=links[0])).findall(
        "{http://www.w3.org/2005/Atom}entry")

# -- revisions ---------------------------------------------------------------------------------

REVISED_URL = "https://tuyengiao.vn/bai-viet-123"
FIRST = Article(url=REVISED_URL, title="Đảng ủy Khối tổng kết năm", paragraphs=["Đoạn một.", "Đoạn hai."],
                published_at="2024-01-02T08:00:00+07:00", author="Thu Hằng", category="Công tác Tuyên giáo",
                body_html="<p>Đoạn một.</p><p>Đoạn hai.</p><script>alert('x')</script>",
                images=[{"src": "https://tuyengiao.vn/a.jpg", "alt": None, "caption": "Quang cảnh hội nghị."}])
SECOND = Article(url=REVISED_URL, title="Đảng ủy Khối tổng kết năm 2023", paragraphs=["Đoạn một, đã sửa.", "Đoạn hai."],
                 published_at="2024-01-02T08:00:00+07:00", author="Thu Hằng", category="Công tác Tuyên giáo",
                 images=FIRST.images)
THIRD = Article(url=REVISED_URL, title="Đảng ủy Khối tổng kết năm 2023", paragraphs=["Đoạn một, đã sửa.", "Đoạn ba."],
                published_at="2024-01-02T08:00:00+07:00", author="Hùng Anh", category="Công tác Tuyên giáo",
                images=FIRST.images)


@pytest.fixture(scope="module")
def revised(tmp_path_factory: pytest.TempPathFactory):
    """An article seen in three versions (09:00 UTC+7, then 02:00 and 03:30 UTC), then removed, served."""
    work = tmp_path_factory.mktemp("revised")
    store = ArticleStore(work / "archive.db")
    store.upsert(FIRST, site="tuyengiao", seen_at="2024-01-02T09:00:00+07:00")
    assert store.upsert(SECOND, site="tuyengiao", seen_at="2024-01-05T02:00:00+00:00").status == "changed"
    assert store.upsert(THIRD, site="tuyengiao", seen_at="2024-01-07T03:30:00+00:00").status == "changed"
    store.mark_removed(REVISED_URL, removed_at="2024-02-01T20:15:00+00:00")
    store.close()
    srv = DatasetteServer(work / "archive.db", work / "serve.log").start()
    yield srv
    srv.stop()


def test_the_first_revision_reads_like_the_article_it_was(revised):
    page = revised.get("/archive/article_revisions/1")
    assert '<h1 class="article-title">Đảng ủy Khối tổng kết năm</h1>' in page
    assert "<p>Đoạn một.</p>" in page and "<strong>Thu Hằng</strong>" in page
    assert '<div class="article-body-html"><p>Đoạn một.</p><p>Đoạn hai.</p></div>' in page  # rendered, sanitised
    assert "&lt;div" not in page and "&lt;p&gt;" not in page and "alert(" not in page
    assert '<span class="caption">Quang cảnh hội nghị.</span>' in page and '"src"' not in page  # no JSON blob
    assert "hiệu lực từ 02/01/2024 09:00 (UTC+7) đến 05/01/2024 09:00 (UTC+7)" in page
    assert 'id="changes"' not in page and "Phiên bản đầu tiên được lưu." in page
    assert 'rel="next" href="/archive/article_revisions/2"' in page


def test_a_revision_page_shows_the_word_diff_against_the_version_before(revised):
    page = revised.get("/archive/article_revisions/2")
    changes = page[page.index('id="changes"'):page.index('id="version"')]
    assert "Thay đổi so với phiên bản 1" in changes
    assert 'class="diff diff-title"' in changes and "Đảng ủy Khối tổng kết năm <ins>2023</ins>" in changes
    assert "Đoạn một<ins>, đã sửa</ins>." in changes
    assert "diff-author" not in changes  # the author did not change in version 2
    assert 'rel="prev" href="/archive/article_revisions/1"' in page
    assert 'rel="next" href="/archive/articles/1">phiên bản hiện tại / current version 3' in page


def test_the_article_page_lists_its_versions_with_dates_and_what_changed(revised):
    page = revised.get("/archive/articles/1")
    table = page[page.index('class="rows-and-columns revisions-table"'):page.index("</table>")]
    cells = [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
             for row in table.split("<tr")[2:]]
    assert cells == [
        ["—", "Bị gỡ khỏi trang gốc / removed from the site", "02/02/2024 03:15 (UTC+7)", "", "removed"],
        ["3 (hiện tại / current)", "Đảng ủy Khối tổng kết năm 2023", "07/01/2024 10:30 (UTC+7)", "",
         "body, author · xem / see"],
        ["2", "Đảng ủy Khối tổng kết năm 2023", "05/01/2024 09:00 (UTC+7)", "07/01/2024 10:30 (UTC+7)",
         "title, body · xem / see"],
        ["1", "Đảng ủy Khối tổng kết năm", "02/01/2024 09:00 (UTC+7)", "05/01/2024 09:00 (UTC+7)", "bản đầu / first"],
    ]
    changes = page[page.index('id="changes"'):]
    author = changes[changes.index('class="diff diff-author"'):]
    assert "<del>Thu Hằng</del><ins>Hùng Anh</ins>" in author[:author.index("</div>\n    </div>")]
    assert "Đoạn <del>hai</del><ins>ba</ins>." in changes
    assert "Lưu lần đầu / first archived 02/01/2024 09:00 (UTC+7)" in page
    assert "phát hiện 02/02/2024 03:15 (UTC+7)" in page
