"""A reader in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright):
home page → the articles table → search `dang uy khoi` without diacritics → the article
"… của Đảng ủy Khối …" in the results → its page shows the paragraphs. Any JavaScript error
(console or uncaught) fails the test; crawled script payloads must never open a dialog.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.test_publish import DANG_UY_KHOI, XSS_SITE, DatasetteServer, serve_planted_archive

CHROMIUM = "/usr/bin/chromium"
# Run as root in a container without network: no sandbox, nothing fetched in the background.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (scripts/setup --test installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Reader:
    """A browser tab that records every JavaScript error and every dialog."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.set_default_timeout(15_000)
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda message: message.type == "error"
                     and self.errors.append(f"console: {message.text} ({self.page.url})"))
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error} ({self.page.url})"))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def reader(browser):
    tab = Reader(browser)
    yield tab
    tab.close()


@pytest.fixture(scope="module")
def server(full_archive: Path, tmp_path_factory: pytest.TempPathFactory):
    datasette = DatasetteServer(full_archive, tmp_path_factory.mktemp("browser") / "serve.log").start()
    yield datasette
    datasette.stop()


def first_paragraph(db: Path, title: str) -> str:
    conn = sqlite3.connect(db)
    try:
        body = conn.execute("SELECT body_text FROM articles WHERE title = ?", [title]).fetchone()[0]
    finally:
        conn.close()
    return body.split("\n\n")[0].split("\n")[0]


def test_the_watchers_catch_errors_and_dialogs(reader):
    """So that an empty error list below means something."""
    reader.page.goto("about:blank")
    reader.page.evaluate("console.error('probe'); alert('probe')")
    reader.page.evaluate("setTimeout(() => { throw new Error('uncaught probe') }, 0)")
    reader.page.wait_for_timeout(200)
    assert reader.dialogs == ["alert: probe"]
    assert [e.split(":")[0] for e in reader.errors] == ["console", "pageerror"]


def test_search_without_diacritics_and_read_the_article(server, reader, tmp_path, full_archive):
    page = reader.page
    page.goto(server.base_url + "/")
    assert "Vietnamese Party news archive" in page.title()

    page.get_by_role("link", name="articles", exact=True).click()
    page.wait_for_url("**/archive/articles")
    search_box = page.locator("input#_search")
    search_box.fill("dang uy khoi")
    search_box.press("Enter")
    page.wait_for_url("**/archive/articles?_search=dang+uy+khoi*")
    result = page.locator("a.article-link", has_text=DANG_UY_KHOI)
    result.wait_for()
    assert page.locator("a.article-link").count() > 1  # other "Đảng ủy Khối" articles too
    page.screenshot(path=tmp_path / "search-results.png", full_page=True)

    result.click()
    page.wait_for_url("**/archive/articles/*")
    assert page.locator("h1.article-title").inner_text() == DANG_UY_KHOI
    paragraphs = page.locator(".article-body > p")
    assert paragraphs.count() > 3
    assert paragraphs.first.is_visible()
    assert paragraphs.first.inner_text() == first_paragraph(full_archive, DANG_UY_KHOI)
    assert page.locator("#revisions").is_visible()
    assert page.locator("a.original-url").get_attribute("href").startswith("http")
    page.screenshot(path=tmp_path / "article.png", full_page=True)
    assert (tmp_path / "article.png").stat().st_size > 10_000

    assert reader.errors == []
    assert reader.dialogs == []


def test_ranked_search_page_highlights_matches(server, reader):
    page = reader.page
    page.goto(server.base_url + "/archive/search?q=dang+uy+khoi")
    # phrase-first: the first results hold the words as a phrase, marked as one
    assert page.locator("td.col-snippet mark").first.inner_text().casefold() == "đảng ủy khối"
    page.locator("td.col-title a", has_text=DANG_UY_KHOI).click()
    page.wait_for_url("**/archive/articles/*")
    assert page.locator(".article-body > p").count() > 3
    assert reader.errors == []


def test_dashboard_draws_its_charts(server, reader, tmp_path):
    page = reader.page
    page.goto(server.base_url + "/-/dashboards/overview")
    page.locator("#chart-per-month svg, #chart-per-month canvas").first.wait_for()
    page.locator("#chart-newest table a").first.wait_for()  # newest articles, linked
    page.locator("#chart-latest-runs table").wait_for()
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)
    assert reader.errors == []


def test_crawled_script_never_runs(browser, mirror_copy, tmp_path):
    """The payloads of tests/test_publish.py (script, onerror, javascript: links …), planted in a
    mirror article and crawled: opening, expanding and clicking through the page fires nothing."""
    planted, planted_id = serve_planted_archive(mirror_copy(XSS_SITE), tmp_path)
    tab = Reader(browser)
    try:
        page = tab.page
        page.goto(f"{planted.base_url}/archive/articles/{planted_id}")
        page.locator("details.formatted-body summary").click()  # the sanitised original HTML
        assert page.locator(".article-body-html").is_visible()
        assert page.get_by_text("Đoạn có mã độc.").first.is_visible()
        for link in page.locator(".article-body-html a").all():
            assert not (link.get_attribute("href") or "").lower().startswith("javascript:")
        page.goto(f"{planted.base_url}/archive/articles?_search=ma+doc")
        page.goto(f"{planted.base_url}/archive/search?q=ma+doc")
        page.wait_for_timeout(300)
        assert tab.dialogs == []
        assert tab.errors == []
    finally:
        tab.close()
        planted.stop()
