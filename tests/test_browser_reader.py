"""A reader in headless Chromium (the fixtures of tests/test_browser.py) over the full archive with one
article revised: the articles table's search box → page 2 of the results (Datasette's next link) →
an article with two versions → its diff view; the crawl runs one compact line each; the first
article on the first screen, no word broken mid-word. Screenshots go to the test's artifacts directory; any JavaScript
error fails the test."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from crawler.extract.article import Article
from crawler.store import ArticleStore
from tests.conftest import query
from tests.test_browser import Reader, browser  # noqa: F401 (the fixture)
from tests.test_publish import DatasetteServer

SEARCH, PAGE_SIZE = "dang", 10
ADDED = "Bài viết đã được cập nhật thêm đoạn này."
MAX_RUN_ROW_PX = 120
SCREEN = {"width": 1280, "height": 900}


def page_two_first_id(db: Path) -> int:
    """The first article of the second page of the table search (newest first, PAGE_SIZE a page)."""
    rows = query(db, "SELECT a.id FROM articles a JOIN articles_fts f ON f.rowid = a.search_key "
                     "WHERE articles_fts MATCH ? ORDER BY a.published_at DESC, a.id DESC", (SEARCH,))
    assert len(rows) > 2 * PAGE_SIZE, "the archive needs more than two pages of matches"
    return rows[PAGE_SIZE]["id"]


def revise(db: Path, article_id: int) -> str:
    """A second version of the article: its author changed, a paragraph added. Returns its title."""
    row = query(db, "SELECT * FROM articles WHERE id = ?", (article_id,))[0]
    second = Article(url=row["url"], title=row["title"], lead=row["lead"], author="Ban Biên tập",
                     paragraphs=[*row["body_text"].split("\n\n"), ADDED], credit=row["credit"],
                     published_at=row["published_at"], published_raw=row["published_raw"],
                     category=row["category"], images=json.loads(row["images"] or "[]"))
    store = ArticleStore(db)
    try:
        assert store.upsert(second, site=row["site"], province=row["province"]).status == "changed"
    finally:
        store.close()
    return row["title"]


@pytest.fixture(scope="module")
def revised_archive(full_archive: Path, tmp_path_factory: pytest.TempPathFactory):
    """A copy of the full archive in which one article of the search's second page changed, served."""
    work = tmp_path_factory.mktemp("revised-browser")
    db = work / "archive.db"
    source, target = sqlite3.connect(full_archive), sqlite3.connect(db)
    with target:
        source.backup(target)
    source.close()
    target.close()
    article_id = page_two_first_id(db)
    title = revise(db, article_id)
    server = DatasetteServer(db, work / "serve.log").start()
    yield server, article_id, title
    server.stop()


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    path = tmp_path / "artifacts"
    path.mkdir()
    return path


def test_search_page_two_an_article_with_two_versions_and_its_diff(browser, revised_archive, artifacts):  # noqa: F811
    server, article_id, title = revised_archive
    reader = Reader(browser)
    page = reader.page
    try:
        page.goto(f"{server.base_url}/archive/articles?_size={PAGE_SIZE}")
        search_box = page.locator("input#_search")
        search_box.fill(SEARCH)
        search_box.press("Enter")
        page.wait_for_url(f"**/archive/articles?_search={SEARCH}*")
        assert page.locator("a.article-link").count() == PAGE_SIZE

        page.get_by_role("link", name="Next page").click()
        page.wait_for_url("**_next=*")
        result = page.locator(f'a.article-link[href="/archive/articles/{article_id}"]')
        assert result.inner_text() == title
        page.screenshot(path=artifacts / "search-page-2.png", full_page=True)

        result.click()
        page.wait_for_url(f"**/archive/articles/{article_id}")
        versions = page.locator("table.revisions-table tbody tr")
        assert versions.count() == 2
        assert "body, author" in versions.first.inner_text()
        versions.first.get_by_role("link", name="xem / see").click()
        page.wait_for_url(f"**/archive/articles/{article_id}#changes")
        changes = page.locator("#changes")
        assert changes.is_visible()
        assert changes.locator(".diff-body ins").last.inner_text().strip() == ADDED
        assert changes.locator(".diff-author ins").inner_text() == "Ban Biên tập"
        assert changes.locator("ins").first.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
        changes.screenshot(path=artifacts / "diff.png")
        assert (artifacts / "diff.png").stat().st_size > 10_000

        page.locator("table.revisions-table tbody tr").last.get_by_role("link", name="1").click()
        page.wait_for_url("**/archive/article_revisions/*")
        assert page.locator(".version-text h1.article-title").inner_text() == title
        assert page.locator(".first-version").is_visible()
        page.screenshot(path=artifacts / "revision-1.png", full_page=True)
        assert reader.errors == [] and reader.dialogs == []
    finally:
        reader.close()


def test_crawl_runs_are_compact_and_the_first_article_is_on_the_first_screen(browser, revised_archive, artifacts):  # noqa: F811
    server = revised_archive[0]
    reader = Reader(browser)
    page = reader.page
    page.set_viewport_size(SCREEN)
    try:
        page.goto(f"{server.base_url}/archive/crawl_runs")
        rows = page.locator("table.rows-and-columns tbody tr")
        heights = [rows.nth(i).bounding_box()["height"] for i in range(rows.count())]
        assert len(heights) > 5 and max(heights) <= MAX_RUN_ROW_PX, heights
        stats = rows.first.locator("td.col-stats details")
        stats.locator("summary").click()
        assert "downloader/request_count" in stats.locator("pre").inner_text()
        page.screenshot(path=artifacts / "crawl-runs.png")

        page.goto(f"{server.base_url}/archive/articles")
        first = page.locator("table.rows-and-columns tbody tr").first.bounding_box()
        assert first["y"] + first["height"] <= SCREEN["height"], first
        facet_value = page.locator("#facet-category_label li").first
        assert facet_value.evaluate("e => getComputedStyle(e).wordBreak") == "normal"  # Datasette's: break-all
        page.screenshot(path=artifacts / "articles.png")
        assert reader.errors == []
    finally:
        reader.close()
