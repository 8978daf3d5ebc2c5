"""Research data (crawler/enrich.py, docs/research.md): the references, places and people of every
article, made by the crawl itself, backfilled by `python -m crawler enrich`, printed by `python -m
crawler refs`, and published: the canned queries, the document dashboard and its diffusion chart,
through a real Datasette and in headless Chromium.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.__main__ import main
from crawler.enrich import ENRICHMENT_VERSION, backfill, enrich_article
from crawler.extract.article import Article
from crawler.store import ArticleStore
from tests.conftest import MIRRORS, ROOT, query
from tests.test_browser import Reader, browser  # noqa: F401  (the module's Chromium, as a fixture)
from tests.test_publish import DatasetteServer

TABLES = ("article_references", "article_places", "article_people")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """`python -m crawler ARGS` in a child process, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def cli(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    """The same command in this process (fast): (exit status, stdout, stderr)."""
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def rows_of(db: Path) -> dict[str, set[tuple]]:
    """Every research row, without its row id, per table."""
    conn = sqlite3.connect(db)
    try:
        out = {}
        for table in TABLES:
            columns = ", ".join(f'"{r[1]}"' for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "id")
            out[table] = set(conn.execute(f"SELECT {columns} FROM {table}"))
        return out
    finally:
        conn.close()


@pytest.fixture(scope="module")
def most_cited(full_archive: Path) -> str:
    """The key cited by the most articles of the bundled mirrors (several provinces cite it)."""
    return query(full_archive, "SELECT key FROM article_references WHERE first_mention = 1 GROUP BY key "
                               "ORDER BY count(*) DESC, key LIMIT 1")[0]["key"]


@pytest.fixture(scope="module")
def server(full_archive: Path, tmp_path_factory: pytest.TempPathFactory):
    datasette = DatasetteServer(full_archive, tmp_path_factory.mktemp("research") / "serve.log").start()
    yield datasette
    datasette.stop()


# -- the crawl enriches what it stores -----------------------------------------------------------


def test_the_crawl_enriched_every_article(full_archive):
    articles = query(full_archive, "SELECT count(*) n FROM articles")[0]["n"]
    status = query(full_archive, "SELECT count(*) n, min(enrichment_version) v, sum(e.content_hash = a.content_hash) "
                                 "same FROM article_enrichment e JOIN articles a ON a.id = e.article_id")[0]
    assert status["n"] == articles and status["v"] == ENRICHMENT_VERSION and status["same"] == articles
    counts = {t: query(full_archive, f"SELECT count(*) n FROM {t}")[0]["n"] for t in TABLES}
    assert counts["article_references"] > 50 and counts["article_people"] > 5
    assert counts["article_places"] > articles // 2
    # a row's offsets locate its mention in the stored text
    for row in query(full_archive, "SELECT r.field, r.start, r.\"end\", r.text, a.title, a.lead, a.body_text "
                                   "FROM article_references r JOIN articles a ON a.id = r.article_id"):
        column = {"title": row["title"], "lead": row["lead"], "body": row["body_text"]}[row["field"]]
        assert column[row["start"]:row["end"]] == row["text"]
    # the site's province, as of 2025: Trà Vinh's sites count for Vĩnh Long, tuyengiao.vn for none
    assert {r["province_2025"] for r in query(full_archive, "SELECT DISTINCT province_2025 FROM article_references "
                                                            "WHERE site LIKE 'travinh%'")} == {"Vĩnh Long"}
    assert {r["province_2025"] for r in query(full_archive, "SELECT DISTINCT province_2025 FROM article_references "
                                                            "WHERE site = 'tuyengiao'")} <= {None}


def test_a_changed_article_gets_new_rows_and_an_unchanged_one_keeps_them(tmp_path):
    store = ArticleStore(tmp_path / "archive.db")
    first = Article(url="https://tuyengiao.vn/a-1", title="Vĩnh Phúc: Quán triệt Chỉ thị số 05-CT/TW",
                    paragraphs=["Đồng chí Nguyễn Văn An, Bí thư Tỉnh ủy, chủ trì hội nghị."],
                    published_at="2021-03-04T08:00:00+07:00")
    stored = store.upsert(first, site="tuyengiao")
    store.replace_enrichment(enrich_article(first, stored.article_id, "tuyengiao"))
    changed = Article(url=first.url, title="Vĩnh Phúc: Triển khai Kết luận số 01-KL/TW", paragraphs=first.paragraphs,
                      published_at=first.published_at)
    assert store.upsert(changed, site="tuyengiao").status == "changed"
    assert store.articles_to_enrich(ENRICHMENT_VERSION) == [stored.article_id]  # its text moved on
    store.replace_enrichment(enrich_article(changed, stored.article_id, "tuyengiao"))
    assert store.articles_to_enrich(ENRICHMENT_VERSION) == []
    assert [r[0] for r in store.db.execute("SELECT key FROM article_references")] == ["01-KL/TW"]
    assert [r[0] for r in store.db.execute("SELECT name FROM article_people")] == ["Nguyễn Văn An"]
    assert store.articles_to_enrich(ENRICHMENT_VERSION + 1) == [stored.article_id]  # a new version redoes it
    store.close()


# -- the backfill ----------------------------------------------------------------------------------


def test_enrich_backfills_deleted_rows_and_a_second_run_does_nothing(full_archive, tmp_path, capsys):
    db = tmp_path / "archive.db"
    shutil.copyfile(full_archive, db)
    expected = rows_of(db)
    conn = sqlite3.connect(db)
    with conn:
        for table in (*TABLES, "article_enrichment"):
            conn.execute(f"DELETE FROM {table}")
        content = conn.execute("SELECT sum(length(body_text)), sum(revision) FROM articles").fetchone()
        revisions = conn.execute("SELECT count(*) FROM article_revisions").fetchone()
    conn.close()
    articles = query(db, "SELECT count(*) n FROM articles")[0]["n"]

    first = run_cli("enrich", "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"{articles} articles enriched (")
    assert "enrich:" in first.stderr and "(100%)" in first.stderr  # the progress report
    assert rows_of(db) == expected  # the same rows as the crawl made
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT sum(length(body_text)), sum(revision) FROM articles").fetchone() == content
    assert conn.execute("SELECT count(*) FROM article_revisions").fetchone() == revisions
    conn.close()

    code, out, _err = cli(capsys, "enrich", "--db", str(db))
    assert code == 0
    assert out.startswith(f"0 articles enriched (0 references, 0 places, 0 people), {articles} already up")
    assert rows_of(db) == expected

    forced = backfill(str(db), force=True, out=sys.stderr)
    assert forced.enriched == articles and rows_of(db) == expected


def test_enrich_without_an_archive_is_a_one_line_error(tmp_path, capsys):
    code, out, err = cli(capsys, "enrich", "--db", str(tmp_path / "missing.db"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no such database" in err
    assert not (tmp_path / "missing.db").exists()


# -- refs ------------------------------------------------------------------------------------------

TEXT = ("Thực hiện Nghị quyết số 35-NQ/TW ngày 22/10/2018 của Bộ Chính trị, Tỉnh ủy ban hành Kế hoạch "
        "số 12-KH/TU. Sau 5 năm thực hiện Nghị quyết 35, Nghị quyết Trung ương 4 khóa XII vẫn là ...")


def test_refs_prints_the_references_of_a_text_file(tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text(TEXT, encoding="utf-8")
    result = run_cli("refs", str(path), "--json")  # the real command, once
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["key"], r["form"]) for r in rows] == [("35-NQ/TW", "full"), ("12-KH/TU", "full"),
                                                     ("35-NQ/TW", "number_only"), ("NQ TW4 khóa XII", "named")]
    assert rows[0] | {"kind": "Nghị quyết", "date": "2018-10-22", "text": "Nghị quyết số 35-NQ/TW"} == rows[0]
    for row in rows:
        assert {"key", "kind", "text", "start", "end", "date", "form"} <= set(row)
        assert TEXT[row["start"]:row["end"]] == row["text"] and row["field"] == "text"

    code, out, _err = cli(capsys, "refs", str(path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["field", "start", "end", "form", "kind", "key", "date", "text"]
    assert "35-NQ/TW" in lines[2] and "2018-10-22" in lines[2]
    assert lines[-1] == "4 references to 3 documents"


def test_refs_reads_the_article_of_a_saved_page(capsys):
    page = next(p for p in sorted((MIRRORS / "travinh_duk").glob("article-*.html"))
                if "NQ/TW" in p.read_text(encoding="utf-8", errors="replace"))
    code, out, err = cli(capsys, "refs", str(page), "--json")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows and all(r["field"] in ("title", "lead", "body") for r in rows)
    assert any(re.fullmatch(r"\d+-NQ/TW", r["key"]) for r in rows)


def test_refs_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    binary = tmp_path / "input.txt"
    binary.write_bytes(b"\x00\xff\xfe binary \x81")
    for path in (tmp_path / "missing.txt", binary, tmp_path):  # no file, not text, a directory
        code, out, err = cli(capsys, "refs", str(path))
        assert code == 2 and out == "", path
        assert err.count("\n") == 1 and err.startswith("refs: ") and str(path) in err, err
    result = run_cli("refs", str(binary))  # the real command: no traceback either
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


# -- publishing --------------------------------------------------------------------------------------


def test_most_cited_documents_overall_per_province_and_month(server, full_archive, most_cited):
    top = server.json("/archive/cited_documents.json", _shape="array")
    expected = query(full_archive, "SELECT key, count(*) n FROM article_references WHERE first_mention = 1 "
                                   "GROUP BY key ORDER BY n DESC, key LIMIT 100")
    assert [(r["key"], r["articles"]) for r in top] == [(r["key"], r["n"]) for r in expected]
    assert top[0]["key"] == most_cited and top[0]["first_cited"] <= top[0]["last_cited"]
    assert top[0]["document_page"].startswith(server.base_url + "/-/dashboards/document?key=")

    province = query(full_archive, "SELECT province_2025 p FROM article_references WHERE province_2025 IS NOT NULL "
                                   "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")[0]["p"]
    per_province = server.json("/archive/cited_documents_by_province.json", province=province, _shape="array")
    assert per_province and sum(r["articles"] for r in per_province) == query(
        full_archive, "SELECT count(*) n FROM article_references WHERE first_mention = 1 AND province_2025 = ?",
        (province,))[0]["n"]

    month = query(full_archive, "SELECT month FROM article_references WHERE key = ? AND month IS NOT NULL LIMIT 1",
                  (most_cited,))[0]["month"]
    per_month = server.json("/archive/cited_documents_by_month.json", month=month, _shape="array")
    assert most_cited in {r["key"] for r in per_month}


def test_citing_articles_and_the_document_query(server, full_archive, most_cited):
    citing = server.json("/archive/citing_articles.json", key=most_cited, _shape="array")
    ids = [r["article_id"] for r in query(full_archive, "SELECT article_id FROM article_references WHERE key = ? AND "
                                                        "first_mention = 1 ORDER BY published_at, article_id",
                                          (most_cited,))]
    assert [r["article_id"] for r in citing] == ids and len(ids) > 1
    assert all(r["cited_as"] in r["context"] for r in citing)
    per_month = server.json("/archive/document.json", key=most_cited, _shape="array")
    assert sum(r["articles"] for r in per_month) == len(ids)
    assert server.json("/archive/citing_articles.json", key="no such key", _shape="array") == []


def test_diffusion_timeline_and_its_chart(server, full_archive, most_cited):
    timeline = server.json("/archive/diffusion.json", key=most_cited, _shape="array")
    expected = query(full_archive, "SELECT province_2025 p, min(published_at) first FROM article_references WHERE "
                                   "key = ? AND province_2025 IS NOT NULL GROUP BY 1 ORDER BY 2, 1", (most_cited,))
    assert [(r["province_2025"], r["first_cited"]) for r in timeline] == [(e["p"], e["first"][:10]) for e in expected]
    assert len(timeline) >= 2 and timeline[0]["days_after_first"] >= 0
    assert [r["days_after_first"] for r in timeline] == sorted(r["days_after_first"] for r in timeline)
    first = query(full_archive, "SELECT published_at FROM articles WHERE id = ?", (timeline[0]["first_article_id"],))
    assert first[0]["published_at"][:10] == timeline[0]["first_cited"]

    # the document dashboard draws the same timeline: its chart query, run as the dashboard runs it
    config = server.json("/-/metadata.json")["plugins"]["datasette-dashboards"]["document"]
    chart = config["charts"]["diffusion"]
    assert chart["library"] == "vega-lite" and chart["display"]["encoding"]["x"]["field"] == "first_cited"
    data = server.json("/archive.json", sql=chart["query"], key=most_cited, _shape="array")
    assert [(r["province"], r["first_cited"]) for r in data] == [(r["province_2025"], r["first_cited"])
                                                                 for r in timeline]
    for slug, spec in config["charts"].items():  # every chart of the page has data for this document
        assert server.json("/archive.json", sql=spec["query"], key=most_cited, _shape="array"), slug
        if spec["library"] == "table":
            assert "html_escape(" in spec["query"]
    page = server.get("/-/dashboards/document", key=most_cited)
    assert "vega-lite" in page and 'id="chart-diffusion"' in page


def test_research_tables_are_documented_with_facets(server, full_archive):
    metadata = server.json("/-/metadata.json")["databases"]["archive"]["tables"]
    conn = sqlite3.connect(full_archive)
    try:
        for table in (*TABLES, "article_enrichment"):
            columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            assert columns <= set(metadata[table]["columns"]), (table, columns - set(metadata[table]["columns"]))
    finally:
        conn.close()
    data = server.json("/archive/article_references.json")
    assert {"kind", "level", "province_2025"} <= set(data["facet_results"])


def test_every_research_query_uses_an_index(full_archive, most_cited):
    """No canned query scans article_references: each one's plan searches it by an index."""
    import yaml

    metadata = yaml.safe_load((ROOT / "crawler/publish/datasette/metadata.yml").read_text(encoding="utf-8"))
    queries = metadata["databases"]["archive"]["queries"]
    names = ["cited_documents", "cited_documents_by_province", "cited_documents_by_month", "citing_articles",
             "diffusion", "document"]
    conn = sqlite3.connect(full_archive)
    try:
        for name in names:
            sql = queries[name]["sql"]
            params = {p: "" for p in re.findall(r":(\w+)", sql)} | {"key": most_cited}
            plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
            scans = [s for s in plan if re.match(r"SCAN (article_references|r)\b(?! USING (COVERING )?INDEX)", s)]
            assert not scans, (name, plan)
    finally:
        conn.close()


def test_the_document_page_in_a_browser(server, browser, most_cited, tmp_path):  # noqa: F811
    reader = Reader(browser)
    try:
        page = reader.page
        page.goto(f"{server.base_url}/archive/cited_documents")
        page.locator("td.col-document_page a").first.click()  # the most cited document's page
        page.wait_for_url("**/-/dashboards/document?key=*")
        assert page.locator("input#key").input_value() == most_cited
        page.locator("#chart-diffusion svg, #chart-diffusion canvas").first.wait_for()
        page.locator("#chart-per-month svg, #chart-per-month canvas").first.wait_for()
        page.locator("#chart-citations table a").first.wait_for()
        assert page.locator("#chart-citations table a").count() >= 2
        page.screenshot(path=tmp_path / "document.png", full_page=True)
        assert reader.errors == []
        assert reader.dialogs == []
    finally:
        reader.close()
