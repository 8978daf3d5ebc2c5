"""Publishing: a real Datasette (`python -m crawler serve`) on 127.0.0.1 serving an archive
built by crawling every bundled mirror; searched, browsed and attacked over HTTP.

Helpers here (`DatasetteServer`, `plant_payloads`, the article titles) are shared with
tests/test_browser.py.
"""

from __future__ import annotations

import hashlib
import html
import importlib.util
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path

import pytest

from crawler import publish
from crawler.extract.article import Article
from crawler.mirror import MirrorServer
from crawler.publish import search
from crawler.publish import snapshot as _snapshot  # noqa: F401  (publish.snapshot for monkeypatching)
from crawler.store import ArticleStore
from tests.conftest import ROOT, load_expected, run_spider

QUANG_NINH = "Quảng Ninh: Tiếp tục thực hiện hiệu quả các Chương trình hành động triển khai Nghị quyết"
DANG_UY_KHOI = ("Những kết quả nổi bật công tác Tuyên giáo năm 2021 của Đảng ủy Khối các cơ quan "
                "và doanh nghiệp tỉnh")
ATOM = "{http://www.w3.org/2005/Atom}"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# -- a real server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DatasetteServer:
    """`python -m crawler serve --db DB --port P` as a child process, as a user starts it."""

    def __init__(self, db: Path, log: Path):
        self.db = db
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.startup_seconds: float | None = None
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> DatasetteServer:
        started = time.monotonic()
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "crawler", "serve", "--db", str(self.db), "--port", str(self.port)],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"datasette exited {self.process.returncode}:\n{self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(self.base_url + "/-/versions.json", timeout=2) as response:
                    if response.status == 200:
                        self.startup_seconds = time.monotonic() - started
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"datasette did not answer within {timeout} s:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "log", None):
            self.log.close()

    def request(self, path: str, params: dict | None = None, method: str = "GET",
                data: bytes | None = None) -> tuple[int, str, Message]:
        url = self.base_url + path + ("?" + urllib.parse.urlencode(params) if params else "")
        req = urllib.request.Request(url, method=method, data=data)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                return response.status, response.read().decode("utf-8"), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace"), error.headers

    def get(self, path: str, **params) -> str:
        status, body, _ = self.request(path, params or None)
        assert status == 200, f"GET {path} {params}: {status}\n{body[:2000]}"
        return body

    def json(self, path: str, **params):
        return json.loads(self.get(path, **params))


@pytest.fixture(scope="module")
def server(full_archive: Path, tmp_path_factory: pytest.TempPathFactory):
    """Datasette on the archive of every bundled mirror, once for this module."""
    datasette = DatasetteServer(full_archive, tmp_path_factory.mktemp("datasette") / "serve.log").start()
    yield datasette
    datasette.stop()


def article_id(db: Path, title: str) -> int:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT id FROM articles WHERE title = ?", [title]).fetchone()
    finally:
        conn.close()
    assert row, f"no article titled {title!r} in the archive"
    return row[0]


def table_search(server: DatasetteServer, query: str) -> list[dict]:
    """The articles table's search box, as JSON (every match: they fit in one page here)."""
    return server.json("/archive/articles.json", _search=query, _shape="array", _size="max")


def canned_search(server: DatasetteServer, query: str, **filters) -> list[dict]:
    """The ranked canned query `search`, as JSON."""
    params = {"q": query, "site": "", "province": "", "date_from": "", "date_to": ""} | filters
    return server.json("/archive/search.json", _shape="array", **params)


def ids(rows: list[dict]) -> list[int]:
    return [row["id"] for row in rows]


# -- search ------------------------------------------------------------------------------------

# (what the reader types, the article that must come first in the ranked search). Several
# articles are about Quảng Ninh or an Đảng ủy Khối: the queries name the article's subject too.
RANKED_FIRST = [
    ("quang ninh chuong trinh hanh dong", QUANG_NINH),
    ("Quảng Ninh chương trình hành động", QUANG_NINH),
    ("QUẢNG NINH CHƯƠNG TRÌNH HÀNH ĐỘNG", QUANG_NINH),
    (nfd("Quảng Ninh chương trình hành động"), QUANG_NINH),
    ('"quảng ninh" "chuong trinh hanh dong"', QUANG_NINH),
    ("dang uy khoi ket qua noi bat", DANG_UY_KHOI),
    ("ĐẢNG ỦY KHỐI kết quả nổi bật", DANG_UY_KHOI),
    (nfd("Đảng ủy Khối kết quả nổi bật"), DANG_UY_KHOI),
    ('"ket qua noi bat cong tac tuyen giao"', DANG_UY_KHOI),
    ("“kết quả nổi bật” dang uy khoi", DANG_UY_KHOI),  # typographic quotes, as phones type them
]


@pytest.mark.parametrize(("query", "title"), RANKED_FIRST, ids=[q for q, _ in RANKED_FIRST])
def test_ranked_search_puts_the_expected_article_first(server, full_archive, query, title):
    rows = canned_search(server, query)
    assert rows, f"{query!r} found nothing"
    assert rows[0]["id"] == article_id(full_archive, title), [r["title"] for r in rows[:5]]


@pytest.mark.parametrize(("query", "title"), RANKED_FIRST, ids=[q for q, _ in RANKED_FIRST])
def test_table_search_box_finds_the_same_articles(server, full_archive, query, title):
    """`?_search=` matches exactly what the ranked search matches (it sorts newest first)."""
    table = table_search(server, query)
    assert article_id(full_archive, title) in ids(table)
    assert sorted(ids(table)) == sorted(ids(canned_search(server, query)))
    published = [row["published_at"] for row in table]
    assert published == sorted(published, reverse=True)


def test_a_phrase_only_the_table_search_can_rank_first(server, full_archive):
    """A quoted phrase from the headline: exactly one article, first in both searches."""
    expected = article_id(full_archive, DANG_UY_KHOI)
    for query in ('"ket qua noi bat cong tac tuyen giao"', '"Kết quả nổi bật công tác Tuyên giáo"'):
        assert ids(table_search(server, query))[:1] == [expected]
        assert ids(canned_search(server, query))[:1] == [expected]


def test_case_diacritics_and_unicode_form_do_not_matter(server, full_archive):
    """quang ninh, Quảng Ninh, QUẢNG NINH (and NFD input): the same articles, in the same order."""
    spellings = ["quang ninh", "Quảng Ninh", "QUẢNG NINH", "quảng ninh", nfd("Quảng Ninh"), "Quang Ninh"]
    ranked = {spelling: ids(canned_search(server, spelling)) for spelling in spellings}
    table = {spelling: ids(table_search(server, spelling)) for spelling in spellings}
    assert len({tuple(v) for v in ranked.values()}) == 1, ranked
    assert len({tuple(v) for v in table.values()}) == 1, table
    assert article_id(full_archive, QUANG_NINH) in ranked["quang ninh"]
    top = canned_search(server, "quang ninh")[0]
    assert "Quảng Ninh" in top["title"], "a headline match outranks a match in the text"


def test_d_without_stroke_finds_dj(server, full_archive):
    """`dang uy khoi` finds "Đảng ủy Khối": đ = d, which unicode61 alone does not fold."""
    expected = article_id(full_archive, DANG_UY_KHOI)
    plain = ids(table_search(server, "dang uy khoi"))
    assert expected in plain
    assert plain == ids(table_search(server, "Đảng ủy Khối"))
    assert ids(canned_search(server, "dang uy khoi")) == ids(canned_search(server, "Đảng ủy Khối"))
    assert expected in ids(canned_search(server, "dang uy khoi"))


def test_a_quoted_phrase_is_matched_as_a_phrase(server):
    words = set(ids(table_search(server, "dang uy khoi")))
    phrase = set(ids(table_search(server, '"dang uy khoi"')))
    assert phrase and phrase < words, "the phrase must be narrower than its words anywhere"
    for row in canned_search(server, '"dang uy khoi"'):
        assert "Đảng ủy Khối" in row["snippet"], row  # JSON snippets carry no ⟦ ⟧ markers (test_reader.py)


def fold(text: str) -> list[str]:
    """An independent model of the index: words, lower case, no marks, đ = d."""
    text = unicodedata.normalize("NFD", text.casefold().replace("đ", "d").replace("Đ", "d"))
    return re.findall(r"\w+", "".join(c for c in text if not unicodedata.combining(c)))


def test_search_finds_exactly_the_articles_holding_every_word(server, full_archive):
    """Recall and precision against a plain-Python scan of title, lead and text."""
    conn = sqlite3.connect(full_archive)
    try:
        articles = conn.execute("SELECT id, title, lead, body_text FROM articles").fetchall()
    finally:
        conn.close()
    for query in ("dang uy khoi", "Quảng Ninh", "nghị quyết trung ương", "thanh nien"):
        wanted = set(fold(query))
        expected = {row[0] for row in articles if wanted <= set(fold(" ".join(filter(None, row[1:]))))}
        assert expected, query
        assert set(ids(table_search(server, query))) == expected, query


def test_snippets_highlight_the_original_words(server, full_archive):
    expected = article_id(full_archive, DANG_UY_KHOI)
    row = next(r for r in canned_search(server, "dang uy khoi") if r["id"] == expected)
    assert "Đảng ủy Khối" in row["snippet"]  # the index holds "dang"; the snippet shows "Đảng"
    assert "⟦" not in row["snippet"]  # JSON carries no internal match markers (tests/test_reader.py)
    page = server.get("/archive/search", q="dang uy khoi")
    assert "<mark>Đảng ủy Khối</mark>" in page  # phrase-first: the phrase tier marks the words as one phrase
    scattered = server.get("/archive/search", q="khoi dang uy")  # no article has this phrase: words marked
    assert "<mark>Đảng</mark>" in scattered and "<mark>Khối</mark>" in scattered
    assert f'<a href="/archive/articles/{expected}">' in page  # titles link to the article page


def test_canned_search_filters_by_site_province_and_dates(server, full_archive):
    everywhere = canned_search(server, "dang uy khoi")
    assert len({row["site"] for row in everywhere}) > 1
    travinh = canned_search(server, "dang uy khoi", site="travinh_duk")
    assert travinh and {row["site"] for row in travinh} == {"travinh_duk"}
    assert article_id(full_archive, DANG_UY_KHOI) in ids(travinh)
    province = canned_search(server, "dang uy khoi", province="Lào Cai")
    assert province and {row["province"] for row in province} == {"Lào Cai"}
    january = canned_search(server, "dang uy khoi", date_from="2022-01-18", date_to="2022-01-18")
    assert ids(january) == [article_id(full_archive, DANG_UY_KHOI)]
    assert {row["published"] for row in canned_search(server, "dang uy khoi", date_from="2023-01-01")} <= {
        row["published"] for row in everywhere if row["published"] >= "2023-01-01"}


def all_pages(server: DatasetteServer, name: str, query: str, **filters) -> list[dict]:
    rows, page = [], 1
    params = {"q": query, "site": "", "province": "", "date_from": "", "date_to": ""} | filters
    while found := server.json(f"/archive/{name}.json", _shape="array", page=str(page), **params):
        rows += found
        page += 1
    return rows


@pytest.mark.parametrize("name", ["search", "newest"])
def test_paging_reaches_every_match(server, full_archive, name):
    conn = sqlite3.connect(full_archive)
    expected = {row[0] for row in conn.execute(
        "SELECT a.id FROM articles_fts JOIN articles a ON a.search_key = articles_fts.rowid "
        "WHERE articles_fts MATCH '{title lead body_text} : (\"dang\")'")}
    conn.close()
    assert len(expected) > 50  # more than one page
    rows = all_pages(server, name, "dang")
    assert len(rows) == len(expected) and set(ids(rows)) == expected
    assert {row["total"] for row in rows} == {len(expected)}
    first = server.get(f"/archive/{name}", q="dang")
    assert f"showing 1–50 of {len(expected)}" in first and 'rel="next"' in first
    second = server.get(f"/archive/{name}", q="dang", page="2")
    assert f"showing 51–{len(expected)} of {len(expected)}" in second and 'rel="prev"' in second
    assert 'rel="next"' not in second


@pytest.mark.parametrize(("date_from", "date_to"), [
    ("18/01/2022", "18/01/2022"), ("18/1/2022", "18/1/2022"), ("01/2022", "01/2022"), ("2022", "2022"),
    ("2022-01-18", "2022-01-18"), ("2022-01", "2022-01")])
def test_date_filters_read_what_readers_type(server, full_archive, date_from, date_to):
    conn = sqlite3.connect(full_archive)
    start, end = (search.read_period(date_from)[0], search.read_period(date_to)[1])
    expected = {row[0] for row in conn.execute(
        "SELECT a.id FROM articles_fts JOIN articles a ON a.search_key = articles_fts.rowid "
        "WHERE articles_fts MATCH '{title lead body_text} : (\"dang\" \"uy\")' AND a.published_at IS NOT NULL")
        if start <= datetime.fromisoformat(conn.execute("SELECT published_at FROM articles WHERE id = ?",
                                                        [row[0]]).fetchone()[0]) < end}
    conn.close()
    assert expected
    for name in ("search", "newest"):
        assert set(ids(all_pages(server, name, "dang uy", date_from=date_from, date_to=date_to))) == expected


def test_an_unreadable_date_filter_is_refused_in_one_line(server):
    for path in ("/archive/search.json", "/archive/newest"):
        status, body, _ = server.request(path, {"q": "dang", "date_from": "31/31/2022"})
        assert status == 400
        assert "date_from: cannot read the date '31/31/2022': write dd/mm/yyyy" in html.unescape(body)


def test_table_search_box_lists_matches_newest_first(server):
    rows = server.json("/archive/articles.json", _search="dang", _size="max", _shape="objects")
    assert 'search matches "dang"' in rows["human_description_en"]
    assert rows["filtered_table_rows_count"] == len(rows["rows"]) > 50
    assert [r["published_at"] or "" for r in rows["rows"]] == sorted((r["published_at"] or "" for r in rows["rows"]),
                                                                    reverse=True)


def test_table_search_counts_facets_only_when_asked(server):
    plain = server.json("/archive/articles.json", _search="dang", _shape="objects")
    assert plain["rows"] and not plain["facet_results"]
    asked = server.json("/archive/articles.json", _search="dang", _shape="objects", _with_facets="1")
    assert set(asked["facet_results"]) == {"site", "province", "category_label", "published_year", "author"}
    assert not asked.get("facets_timed_out")
    one = server.json("/archive/articles.json", _search="dang", _shape="objects", _facet="site")
    assert "site" in one["facet_results"]
    page = server.get("/archive/articles", _search="dang")
    assert "_with_facets=1" in page and "count the results by site" in page
    assert server.json("/archive/articles.json", _shape="objects")["facet_results"]  # the whole table: facets


def test_newest_first_search(server):
    rows = server.json("/archive/newest.json", q="dang uy khoi", site="", province="", date_from="",
                       date_to="", _shape="array")
    assert sorted(ids(rows)) == sorted(ids(canned_search(server, "dang uy khoi")))
    assert [r["published"] for r in rows] == sorted((r["published"] for r in rows), reverse=True)
    assert all(row["snippet"] and "⟦" not in row["snippet"] for row in rows)


def test_queries_that_are_not_fts_syntax_do_not_error(server):
    for query in ('covid-19', '"unbalanced', "a OR", "NEAR(", "*", "   ", "'); drop table articles; --"):
        status, body, _ = server.request("/archive/articles.json", {"_search": query, "_shape": "array"})
        assert status == 200, (query, body[:500])
        status, body, _ = server.request("/archive/search.json", {"q": query, "_shape": "array"})
        assert status == 200, (query, body[:500])
    assert table_search(server, "   ") is not None


def test_raw_search_mode_folds_d_too(server, full_archive):
    """`_searchmode=raw` (FTS5 syntax: OR, NOT, prefix*) gets the same đ folding."""
    rows = server.json("/archive/articles.json", _search="Đảng* NOT ninh", _searchmode="raw", _shape="array",
                       _size="max")
    assert article_id(full_archive, DANG_UY_KHOI) in ids(rows)
    assert article_id(full_archive, QUANG_NINH) not in ids(rows)


# -- browsing ----------------------------------------------------------------------------------


def test_articles_table_offers_facets_newest_first(server):
    data = server.json("/archive/articles.json")
    assert set(data["facet_results"]) == {"site", "province", "category_label", "published_year", "author"}
    sites = {r["value"] for r in data["facet_results"]["site"]["results"]}
    assert {"tuyengiao", "travinh_duk"} <= sites
    published = [row[data["columns"].index("published_at")] for row in data["rows"]]
    assert published == sorted(published, key=lambda p: p or "", reverse=True)
    page = server.get("/archive/articles")
    assert 'id="facet-province"' in page and 'id="facet-published_year"' in page
    assert 'name="_search"' in page  # the search box


def test_internal_tables_are_hidden_and_documented_tables_shown(server):
    tables = {t["name"]: t for t in server.json("/archive.json")["tables"]}
    for name in ("article_urls", "articles_fts", "articles_fts_data", "captures"):
        assert tables[name]["hidden"], name
    for name in ("articles", "article_revisions", "sites", "crawl_runs"):
        assert not tables[name]["hidden"], name
    metadata = server.json("/-/metadata.json")
    documented = metadata["databases"]["archive"]["tables"]
    conn = sqlite3.connect(server.db)
    try:
        for table in ("articles", "article_revisions", "sites", "crawl_runs", "captures"):
            columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            assert columns <= set(documented[table]["columns"]), (table, columns - set(documented[table]["columns"]))
    finally:
        conn.close()


def test_article_page_reads_like_the_article(server, full_archive):
    expected = load_expected("travinh_duk")
    gold = next(a for a in expected["articles"].values() if a["title"] == DANG_UY_KHOI)
    conn = sqlite3.connect(full_archive)
    conn.row_factory = sqlite3.Row
    try:
        article = conn.execute("SELECT * FROM articles WHERE title = ?", [DANG_UY_KHOI]).fetchone()
    finally:
        conn.close()
    page = server.get(f"/archive/articles/{article['id']}")
    assert f'<h1 class="article-title">{DANG_UY_KHOI}</h1>' in page
    assert '<time datetime="2022-01-18T15:42:00+07:00">18/01/2022 15:42</time>' in page
    assert gold["author"] and f"<strong>{gold['author']}</strong>" in page
    assert "Trà Vinh" in page and "Công tác Tuyên giáo" in page  # province, category
    text = html.unescape(page.replace("<br>", "\n"))
    for sentence in gold["body_contains"]:
        assert sentence in text, sentence
    paragraphs = [p for p in article["body_text"].split("\n\n") if p.strip()]
    assert page.count("<p>") >= len(paragraphs) > 3
    assert f'class="original-url" href="{article["url"]}"' in page
    assert 'id="revisions"' in page


def test_article_page_lists_revisions_and_captions(server, full_archive, tmp_path):
    """An article that changed: its page lists the earlier version, linked."""
    db = tmp_path / "archive.db"
    store = ArticleStore(db)
    url = "https://tuyengiao.vn/bai-viet-123"
    first = Article(url=url, title="Đảng ủy Khối tổng kết năm", paragraphs=["Đoạn một.", "Đoạn hai."],
                    published_at="2024-01-02T08:00:00+07:00", author="Thu Hằng",
                    images=[{"src": "https://tuyengiao.vn/a.jpg", "alt": None, "caption": "Quang cảnh hội nghị."},
                            {"src": "javascript:alert(1)", "alt": None, "caption": "Ảnh độc."}])
    store.upsert(first, site="tuyengiao", seen_at="2024-01-02T09:00:00+07:00")
    second = Article(url=url, title="Đảng ủy Khối tổng kết năm 2023", paragraphs=["Đoạn một, đã sửa.", "Đoạn hai."],
                     published_at="2024-01-02T08:00:00+07:00", author="Thu Hằng", images=first.images)
    assert store.upsert(second, site="tuyengiao", seen_at="2024-01-05T09:00:00+07:00").status == "changed"
    store.close()
    datasette = DatasetteServer(db, tmp_path / "serve.log").start()
    try:
        page = datasette.get("/archive/articles/1")
    finally:
        datasette.stop()
    assert "Đoạn một, đã sửa." in page
    revisions = page[page.index('id="revisions"'):]
    assert "Phiên bản hiện tại / current version: <strong>2</strong>" in revisions
    assert '<a href="/archive/article_revisions/1">1</a>' in revisions
    assert "Đảng ủy Khối tổng kết năm</td>" in revisions and "02/01/2024 09:00" in revisions
    assert "Quang cảnh hội nghị." in page and 'href="https://tuyengiao.vn/a.jpg"' in page
    assert "javascript:" not in page


# -- feeds -------------------------------------------------------------------------------------


def parse_atom(text: str) -> ET.Element:
    feed = ET.fromstring(text.encode("utf-8"))
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{tag}") is not None, tag
    for entry in feed.findall(f"{ATOM}entry"):
        for tag in ("id", "title", "updated", "link", "content"):
            assert entry.find(f"{ATOM}{tag}") is not None, tag
    return feed


def test_atom_feed_of_the_newest_articles(server, full_archive):
    feed = parse_atom(server.get("/archive/feed.atom"))
    entries = feed.findall(f"{ATOM}entry")
    conn = sqlite3.connect(full_archive)
    try:
        newest = [r[0] for r in conn.execute(
            "SELECT title FROM articles ORDER BY published_at DESC, id DESC LIMIT 30")]
    finally:
        conn.close()
    assert [e.findtext(f"{ATOM}title") for e in entries] == newest
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href").startswith(server.base_url + "/archive/articles/")
    content = first.findtext(f"{ATOM}content")
    assert "<p>" in content and "<script" not in content


def test_atom_feed_per_site(server, full_archive):
    feed = parse_atom(server.get("/archive/site_feed.atom", site="travinh_duk"))
    entries = feed.findall(f"{ATOM}entry")
    conn = sqlite3.connect(full_archive)
    try:
        titles = {r[0] for r in conn.execute("SELECT title FROM articles WHERE site = 'travinh_duk'")}
    finally:
        conn.close()
    got = [e.findtext(f"{ATOM}title") for e in entries]
    assert set(got) == titles and DANG_UY_KHOI in got
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert "/archive/feed.atom" in server.get("/")  # advertised on the home page


# -- dashboard and charts ----------------------------------------------------------------------


def test_dashboard_and_its_queries(server):
    page = server.get("/-/dashboards/overview")
    assert "Số bài theo tháng và trang" in page and "vega-lite" in page
    config = server.json("/-/metadata.json")["plugins"]["datasette-dashboards"]["overview"]
    for slug, chart in config["charts"].items():
        sql = re.sub(r"\[\[.*?\]\]", "", chart["query"])  # the optional filters, unset
        rows = server.json("/archive.json", sql=sql, _shape="array")
        assert rows, slug
    per_month = server.json("/archive/articles_per_month.json", _shape="array")
    assert {"month", "site", "articles"} <= set(per_month[0])
    assert sum(r["articles"] for r in per_month) == server.json("/archive.json", sql="select count(*) n from "
                                                                 "articles where published_at is not null",
                                                                 _shape="array")[0]["n"]


def test_dashboard_tables_escape_crawled_text(server):
    """Table charts put cells into the page with innerHTML: their SQL escapes crawled text."""
    rows = server.json("/archive.json", sql="select html_escape('<img src=x onerror=alert(1)>') as t",
                       _shape="array")
    assert rows == [{"t": "&lt;img src=x onerror=alert(1)&gt;"}]
    config = server.json("/-/metadata.json")["plugins"]["datasette-dashboards"]["overview"]["charts"]
    for chart in config.values():
        if chart["library"] == "table":
            assert "html_escape(" in chart["query"]


# -- safety ------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_database_cannot_be_written_through_the_web(server):
    before = sha256(server.db)
    count = server.json("/archive.json", sql="select count(*) n from sites", _shape="array")[0]["n"]
    for sql in ("insert into sites(name) values ('x')", "delete from articles", "update articles set title = 'x'",
                "drop table articles", "pragma journal_mode=delete", "attach database '/tmp/x.db' as x",
                "select 1; delete from articles"):
        status, body, _ = server.request("/archive.json", {"sql": sql})
        assert status >= 400, (sql, status, body[:300])
    for path in ("/archive", "/archive/search", "/archive/articles", "/archive/articles/1", "/-/login"):
        for method in ("POST", "PUT", "DELETE"):
            status, body, headers = server.request(path, method=method, data=b"sql=delete+from+articles&q=x")
            assert status == 405, (method, path, status, body[:300])
            assert headers["allow"] == "GET, HEAD, OPTIONS"
    assert server.json("/archive.json", sql="select count(*) n from sites", _shape="array")[0]["n"] == count
    assert sha256(server.db) == before
    databases = server.json("/-/databases.json")
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("archive", False)]
    queries = server.json("/-/metadata.json")["databases"]["archive"]["queries"]
    assert not any(q.get("write") for q in queries.values())


def test_public_instance_settings(server):
    settings = server.json("/-/settings.json")
    for name, value in publish.SETTINGS.items():
        assert str(settings[name]).lower() in (str(value).lower(), {"off": "false", "on": "true"}.get(str(value)))
    assert settings["sql_time_limit_ms"] <= 5000 and settings["allow_download"] is False
    status, _, _ = server.request("/archive.db")
    assert status in (403, 404)
    status, body, _ = server.request("/archive.json", {"sql": "with recursive c(x) as (select 1 union all "
                                                              "select x + 1 from c) select count(*) from c"})
    assert status == 400 and "too long" in body  # the SQL time limit stops runaway queries
    status, _, headers = server.request("/archive/articles.json")
    assert "max-age=3600" in headers.get("cache-control", "")


class RunnableMarkup(HTMLParser):
    """Everything in a page that could run: script bodies, on* attributes, script URLs."""

    def __init__(self):
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str, str]] = []
        self.urls: list[str] = []
        self.images: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name, value or ""))
            if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                self.urls.append(value.strip())

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def executable_markup(page: str) -> RunnableMarkup:
    parser = RunnableMarkup()
    parser.feed(page)
    return parser


PAYLOADS = ('<script>alert("xss-script")</script>'
            '<img src=x onerror=alert("xss-img")>'
            '<a href="javascript:alert(\'xss-link\')">đọc thêm</a>'
            '<iframe src="javascript:alert(\'xss-frame\')"></iframe>'
            '<p onclick="alert(\'xss-click\')">Đoạn có mã độc.</p>'
            '<p>Văn bản &lt;script&gt;alert("xss-text")&lt;/script&gt; hiển thị như chữ.</p>')


def plant_payloads(mirror: Path, site: str) -> str:
    """Put script payloads into a mirror article's body, next to a sentence the extractor keeps;
    returns the article's title."""
    expected = load_expected(site)
    for path, gold in expected["articles"].items():
        sentence = next(iter(gold.get("body_contains") or []), None)
        route = json.loads((mirror / "routes.json").read_text(encoding="utf-8"))[path]
        file = mirror / (route if isinstance(route, str) else route["file"])
        page = file.read_text(encoding="utf-8")
        if sentence and sentence in page:
            file.write_text(page.replace(sentence, sentence + "</p>" + PAYLOADS + "<p>", 1), encoding="utf-8")
            return gold["title"]
    raise AssertionError(f"no article of {site} to plant payloads in")


XSS_SITE = "bacninh_bao"


def serve_planted_archive(mirror: Path, work: Path) -> tuple[DatasetteServer, int]:
    """Plant the payloads in a mirror copy (the `mirror_copy` fixture), crawl it with the site's
    spider, serve the result; returns the running server and the planted article's id."""
    title = plant_payloads(mirror, mirror.name)
    db = work / "archive.db"
    with MirrorServer(mirror) as served:
        run_spider(mirror.name, served.base_url, db)
    return DatasetteServer(db, work / "serve.log").start(), article_id(db, title)


@pytest.fixture
def planted(mirror_copy, tmp_path):
    """A crawl of a mirror whose article carries script payloads, served by Datasette."""
    datasette, planted_id = serve_planted_archive(mirror_copy(XSS_SITE), tmp_path)
    yield datasette, planted_id
    datasette.stop()


def test_crawled_script_cannot_run_in_the_article_page(planted):
    server, planted_id = planted
    conn = sqlite3.connect(server.db)
    try:
        body_text, body_html = conn.execute("SELECT body_text, body_html FROM articles WHERE id = ?",
                                            [planted_id]).fetchone()
    finally:
        conn.close()
    assert "Đoạn có mã độc." in body_text, "the payload paragraph must have been crawled"
    assert '<script>alert("xss-text")</script>' in body_text  # text that only looks like markup
    pages = {"row": server.get(f"/archive/articles/{planted_id}"),
             "table": server.get("/archive/articles", _search="ma doc"),
             "search": server.get("/archive/search", q="ma doc")}
    for name, page in pages.items():
        found = executable_markup(page)
        assert not [s for s in found.scripts if "xss" in s], name
        assert not [h for h in found.handlers if "xss" in h[2]], (name, found.handlers)
        assert not [u for u in found.urls if u.lower().startswith(("javascript:", "data:", "vbscript:"))], name
        assert not [i for i in found.images if i == "x"], name
    row = pages["row"]
    assert "Đoạn có mã độc." in row  # the harmless text of the paragraph is kept
    assert "&lt;script&gt;alert(&#34;xss-text&#34;)&lt;/script&gt;" in row  # shown as text, escaped
    status, _, headers = server.request(f"/archive/articles/{planted_id}.json")
    assert status == 200 and headers["content-type"].startswith("application/json")
    feed = server.get("/archive/feed.atom")
    for entry in parse_atom(feed).findall(f"{ATOM}entry"):
        found = executable_markup(entry.findtext(f"{ATOM}content"))
        assert not found.scripts and not found.handlers
        assert not [u for u in found.urls if u.lower().startswith("javascript:")]


# -- serving and publishing, without a browser ------------------------------------------------


def test_serve_binds_loopback_unless_public(monkeypatch, tmp_path):
    import datasette.cli

    db = tmp_path / "archive.db"
    ArticleStore(db).close()
    calls = []
    monkeypatch.delenv("PYTHONPATH", raising=False)  # serve() sets it for the plugins
    monkeypatch.setattr(datasette.cli.cli, "main", lambda args, **kw: calls.append(args))
    assert publish.serve(db) == 0
    assert publish.serve(db, public=True, port=9000) == 0
    local, public = calls
    assert local[:3] == ["serve", "-i", str(db)]
    assert local[local.index("--host") + 1] == "127.0.0.1"
    assert public[public.index("--host") + 1] == "0.0.0.0" and public[public.index("--port") + 1] == "9000"
    for flag in ("--metadata", "--plugins-dir", "--template-dir", "--inspect-file"):
        assert flag in local, flag
    assert publish.serve(tmp_path / "missing.db") == 2


def test_serve_names_any_file_archive(monkeypatch, tmp_path):
    """metadata.yml and the templates address the database as `archive`, whatever the file is called."""
    import datasette.cli

    db = tmp_path / "snapshot-2024.db"
    ArticleStore(db).close()
    served = []
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.setattr(datasette.cli.cli, "main", lambda args, **kw: served.append((Path(args[2]).name,
                                                                                    Path(args[2]).resolve())))
    assert publish.serve(db) == 0
    assert served == [("archive.db", db.resolve())]


def make_archive(path: Path, titles: list[str]) -> None:
    store = ArticleStore(path)
    for i, title in enumerate(titles):
        store.upsert(Article(url=f"https://tuyengiao.vn/bai-{i}", title=title,
                             paragraphs=[f"Nội dung của Đảng ủy số {i}.", "Đoạn hai."],
                             published_at=f"2024-01-{i % 28 + 1:02d}T08:00:00+07:00"), site="tuyengiao")
    store.close()


def test_publish_snapshot_copies_a_live_database_consistently(tmp_path):
    live = tmp_path / "live" / "archive.db"
    live.parent.mkdir()
    make_archive(live, [f"Bài {i}" for i in range(20)])
    store = ArticleStore(live)  # a crawl in progress: committed rows still in the WAL …
    store.upsert(Article(url="https://tuyengiao.vn/moi", title="Bài mới của Đảng ủy Khối",
                         paragraphs=["Đảng ủy Khối họp."], published_at="2024-02-01T08:00:00+07:00"),
                 site="tuyengiao")
    assert (tmp_path / "live" / "archive.db-wal").stat().st_size > 0
    store.db.execute("BEGIN IMMEDIATE")  # … and a transaction not committed yet
    store.db.execute("INSERT INTO sites(name) VALUES ('uncommitted')")

    dest = publish.publish_snapshot(live, tmp_path / "public" / "archive.db")
    store.db.execute("ROLLBACK")
    store.close()

    conn = sqlite3.connect(f"{dest.as_uri()}?immutable=1", uri=True)
    try:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 21
        assert conn.execute("SELECT count(*) FROM sites WHERE name = 'uncommitted'").fetchone()[0] == 0
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
        hits = conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH '\"dang uy khoi\"'").fetchall()
        assert len(hits) == 1  # the folded index survived the copy and 'optimize'
    finally:
        conn.close()
    assert sorted(p.name for p in dest.parent.iterdir()) == ["archive.db", "archive.db-inspect.json"]
    inspect = json.loads((dest.parent / "archive.db-inspect.json").read_text())
    assert inspect["archive"]["tables"]["articles"]["count"] == 21
    assert inspect["archive"]["tables"]["articles_fts"]["count"] == 21  # counted from its _docsize table
    assert publish.inspect_is_fresh(dest, dest.parent / "archive.db-inspect.json")


def test_publish_swaps_atomically_and_a_reader_keeps_its_file(tmp_path):
    live, dest = tmp_path / "archive.db", tmp_path / "public" / "archive.db"
    make_archive(live, ["Bài một"])
    publish.publish_snapshot(live, dest)
    reader = sqlite3.connect(f"{dest.as_uri()}?immutable=1", uri=True)  # a server on the old snapshot
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1

    make_archive(live, ["Bài một", "Bài hai", "Bài ba"])
    publish.publish_snapshot(live, dest)
    # the running server still reads its (unlinked) old file, whole …
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    reader.close()
    # … and a restarted one sees the new snapshot, with fresh counts
    fresh = sqlite3.connect(f"{dest.as_uri()}?immutable=1", uri=True)
    assert fresh.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
    fresh.close()
    inspect = json.loads((dest.parent / "archive.db-inspect.json").read_text())
    assert inspect["archive"]["tables"]["articles"]["count"] == 3


def test_a_failed_check_leaves_the_published_file_alone(tmp_path, monkeypatch):
    live, dest = tmp_path / "archive.db", tmp_path / "public" / "archive.db"
    make_archive(live, ["Bài một"])
    publish.publish_snapshot(live, dest)
    before = sha256(dest)
    make_archive(live, ["Bài một", "Bài hai"])

    def corrupt(path):
        raise publish.SnapshotError("integrity_check: simulated corruption")

    monkeypatch.setattr(publish.snapshot, "check_snapshot", corrupt)
    with pytest.raises(publish.SnapshotError):
        publish.publish_snapshot(live, dest)
    assert sha256(dest) == before
    assert sorted(p.name for p in dest.parent.iterdir()) == ["archive.db", "archive.db-inspect.json"]
    with pytest.raises(publish.SnapshotError):
        publish.publish_snapshot(live, live)


def test_publish_command(tmp_path):
    live, dest = tmp_path / "archive.db", tmp_path / "public" / "archive.db"
    make_archive(live, ["Bài một"])
    result = subprocess.run([sys.executable, "-m", "crawler", "publish", str(live), str(dest)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Restart" in result.stdout and dest.exists()
    result = subprocess.run([sys.executable, "-m", "crawler", "publish", str(tmp_path / "nope.db"), str(dest)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Not published" in result.stderr


def test_stale_inspect_file_is_regenerated(tmp_path):
    db = tmp_path / "archive.db"
    make_archive(db, ["Bài một"])
    first = publish.ensure_inspect_file(db)
    assert json.loads(first.read_text())["archive"]["tables"]["articles"]["count"] == 1
    make_archive(db, ["Bài một", "Bài hai"])
    os.utime(first, (0, 0))  # older than the database
    again = publish.ensure_inspect_file(db)
    assert json.loads(again.read_text())["archive"]["tables"]["articles"]["count"] == 2


# -- the search plugin itself ------------------------------------------------------------------


@pytest.fixture(scope="module")
def vn_search():
    path = ROOT / "crawler" / "publish" / "datasette" / "plugins" / "vn_search.py"
    spec = importlib.util.spec_from_file_location("vn_search_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("typed", "escaped"), [
    ("dang uy khoi", '"dang" "uy" "khoi"'),
    ("Đảng ủy Khối", '"Dảng" "ủy" "Khối"'),
    (nfd("Đảng ủy"), '"Dảng" "ủy"'),
    ('"Đảng ủy" khối', '"Dảng ủy" "khối"'),
    ("“Đảng ủy” khối", '"Dảng ủy" "khối"'),
    ('covid-19 "unbalanced', '"covid-19" "unbalanced"'),
    ("", '""'),
])
def test_escape_fts_folds_and_quotes(vn_search, typed, escaped):
    assert vn_search.vn_escape_fts(typed) == escaped
