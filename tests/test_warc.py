"""Raw captures in WARC, the capture index, re-extraction, import and export (docs/captures.md).

One crawl of the tuyengiao mirror (with a redirect, a 503 that is retried and a small
WARC_MAX_SIZE to force rotation) is shared by the module; each test works on its own copy
of the database and the WARC directory.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import crawler
from crawler.__main__ import main
from crawler.capture.reader import iter_records, read_record
from crawler.extract import extract_article
from crawler.mirror import MirrorServer
from crawler.reextract import patched_rules, rules_version
from crawler.store import article_fields
from spiders.tuyengiao import TuyengiaoSpider
from tests.conftest import MIRRORS, SITES, load_expected, query, run_spider

WARCIO = [sys.executable, "-m", "warcio.cli"]
MAX_SIZE = 30_000  # small files: rotation happens within one crawl
REDIRECTED = "/thoi-su-chinh-tri"  # answers 301 to /thoi-su
RETRIED = "/nhip-cau-tuyen-giao?page=2"  # answers 503 once, then the page
PATCH = {"remove": [".story_tools", "img"]}  # a cleaning rule that changes some articles, not all


@dataclass
class WarcCrawl:
    db: Path
    warc: Path
    mirror: MirrorServer
    mirror_dir: Path
    requests: list[str]

    def copy(self, target: Path) -> tuple[Path, Path]:
        """This crawl's archive.db and WARC directory, copied (tests change them)."""
        target.mkdir(parents=True, exist_ok=True)
        db = target / "archive.db"
        source = sqlite3.connect(self.db)
        dest = sqlite3.connect(db)
        source.backup(dest)
        source.close()
        dest.close()
        warc = target / "warc"
        shutil.copytree(self.warc, warc)
        return db, warc


def warc_files(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.warc.gz"))


def warcio_index(files: list[Path], fields: str) -> list[dict]:
    result = subprocess.run([*WARCIO, "index", "-f", fields, *map(str, files)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def mirror_page(mirror_dir: Path, path: str) -> tuple[bytes, str | None]:
    """A mirror's bytes for `path` and the charset its server declares."""
    route = json.loads((mirror_dir / "routes.json").read_text(encoding="utf-8"))[path]
    route = {"file": route} if isinstance(route, str) else route
    content_type = route.get("content_type", "text/html; charset=utf-8")
    charset = content_type.split("charset=")[1] if "charset=" in content_type else None
    return (mirror_dir / route["file"]).read_bytes(), charset


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def rows(db: Path, sql: str, params: tuple = ()) -> list[dict]:
    return [dict(r) for r in query(db, sql, params)]


@pytest.fixture(scope="module")
def warc_crawl(tmp_path_factory) -> WarcCrawl:
    base = tmp_path_factory.mktemp("warc_crawl")
    mirror_dir = base / "mirror"
    shutil.copytree(MIRRORS / "tuyengiao", mirror_dir)
    routes = json.loads((mirror_dir / "routes.json").read_text(encoding="utf-8"))
    routes["/thoi-su"] = routes[REDIRECTED]
    routes[REDIRECTED] = {"status": 301, "location": "/thoi-su"}
    routes[RETRIED] = {"file": routes[RETRIED], "fail_first": 1}
    (mirror_dir / "routes.json").write_text(json.dumps(routes), encoding="utf-8")
    db, warc = base / "archive.db", base / "warc"
    mirror = MirrorServer(mirror_dir).start()
    run_spider("tuyengiao", mirror.base_url, db, "-s", f"WARC_DIR={warc}", "-s", f"WARC_MAX_SIZE={MAX_SIZE}")
    crawl = WarcCrawl(db, warc, mirror, mirror_dir, list(mirror.requests))
    yield crawl
    mirror.stop()


def test_every_response_is_in_valid_warc_files(warc_crawl):
    files = warc_files(warc_crawl.warc)
    assert len(files) > 1, "WARC_MAX_SIZE must rotate the files"
    assert all(f.stat().st_size < MAX_SIZE + 40_000 for f in files)
    check = subprocess.run([*WARCIO, "check", *map(str, files)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr

    index = warcio_index(files, "warc-type,warc-target-uri,http:status,warc-record-id,warc-concurrent-to,"
                                "warc-payload-digest")
    responses = [r for r in index if r["warc-type"] == "response"]
    # every request the server answered is there, retries and redirects included, nothing else
    assert Counter(path_of(r["warc-target-uri"]) for r in responses) == Counter(warc_crawl.requests)
    statuses = {path_of(r["warc-target-uri"]): r["http:status"] for r in responses if r["http:status"] != "200"}
    assert statuses[REDIRECTED] == "301" and "404" in statuses.values()
    assert [r["http:status"] for r in responses if path_of(r["warc-target-uri"]) == RETRIED] == ["503", "200"]
    assert "/robots.txt" in {path_of(r["warc-target-uri"]) for r in responses}
    assert all(r.get("warc-payload-digest", "").startswith("sha1:") for r in responses)
    # each response is followed by its request record
    response_ids = {r["warc-record-id"] for r in responses}
    requests = [r for r in index if r["warc-type"] == "request"]
    assert {r["warc-concurrent-to"] for r in requests} == response_ids
    assert sum(r["warc-type"] == "warcinfo" for r in index) == len(files)


def test_captures_index_points_at_the_records(warc_crawl):
    captures = rows(warc_crawl.db, "SELECT * FROM captures ORDER BY id")
    assert len(captures) == len(warc_crawl.requests)
    run_id = rows(warc_crawl.db, "SELECT id FROM crawl_runs")[0]["id"]
    for capture in captures:
        record = read_record(warc_crawl.warc / capture["warc_file"], capture["warc_offset"])
        assert (record.rec_type, record.url, record.status) == ("response", capture["url"], capture["status"])
        assert record.length == capture["warc_length"]
        assert record.headers["WARC-Payload-Digest"] == capture["payload_digest"]
        assert (capture["spider"], capture["run_id"], capture["record_type"]) == ("tuyengiao", run_id, "response")
    # each article names the capture it came from; no raw page in the published tables
    articles = rows(warc_crawl.db, "SELECT a.url, c.url AS capture_url, c.status FROM articles a "
                                   "JOIN captures c ON c.id = a.capture_id")
    assert len(articles) == len(load_expected("tuyengiao")["articles"])
    assert all(a["capture_url"] == a["url"] and a["status"] == 200 for a in articles)
    columns = {r["name"] for r in rows(warc_crawl.db, "SELECT name FROM pragma_table_info('captures')")}
    assert not columns & {"body", "html", "payload"}


def test_reextract_rebuilds_deleted_articles_identically(warc_crawl, tmp_path, capsys):
    db, warc = warc_crawl.copy(tmp_path)
    before = rows(db, "SELECT * FROM articles ORDER BY url")
    urls_before = rows(db, "SELECT url FROM article_urls ORDER BY url")
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM article_urls")
        conn.execute("DELETE FROM article_revisions")
        conn.execute("DELETE FROM articles")
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('delete-all')")
    conn.close()

    code, out = run_cli(capsys, "reextract", "--db", str(db), "--warc-dir", str(warc))
    assert code == 0, out
    assert f"{len(before)} new, 0 changed" in out and "0 failed" in out
    after = rows(db, "SELECT * FROM articles ORDER BY url")
    assert [{k: v for k, v in r.items() if k != "id"} for r in after] == \
        [{k: v for k, v in r.items() if k != "id"} for r in before]
    assert rows(db, "SELECT url FROM article_urls ORDER BY url") == urls_before
    # the search index was rebuilt too (diacritics-insensitive)
    found = rows(db, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'tuyen'")
    assert found

    code, out = run_cli(capsys, "reextract", "--db", str(db), "--warc-dir", str(warc))
    assert "0 new, 0 changed" in out and f"{len(before)} up to date" in out


def expected_changes(crawl: WarcCrawl, db: Path) -> set[str]:
    """Articles whose content the patched rules change, computed from the mirror files."""
    rules = TuyengiaoSpider.rules
    changed = set()
    for article in rows(db, "SELECT url, content_hash FROM articles"):
        page, charset = mirror_page(crawl.mirror_dir, path_of(article["url"]))
        old = article_fields(extract_article(page, article["url"], rules, charset))["content_hash"]
        new = article_fields(extract_article(page, article["url"], patched_rules(rules, PATCH), charset))
        assert old == article["content_hash"]
        if new["content_hash"] != old:
            changed.add(article["url"])
    return changed


def test_changed_cleaning_rule_makes_revisions_of_exactly_the_changed_articles(warc_crawl, tmp_path, capsys):
    db, warc = warc_crawl.copy(tmp_path)
    expected = expected_changes(warc_crawl, db)
    total = len(rows(db, "SELECT id FROM articles"))
    assert 0 < len(expected) < total
    args = ["reextract", "--db", str(db), "--warc-dir", str(warc), "--site", "tuyengiao", "--rules", json.dumps(PATCH)]
    version = rules_version(PATCH)

    before = rows(db, "SELECT url, content_hash, extractor_version FROM articles ORDER BY url")
    code, out = run_cli(capsys, *args, "--dry-run")
    assert code == 0, out
    assert {line.split(": ", 1)[1].split(" (")[0] for line in out.splitlines()
            if line.startswith("would be changed")} == expected
    assert rows(db, "SELECT url, content_hash, extractor_version FROM articles ORDER BY url") == before

    code, out = run_cli(capsys, *args)
    assert code == 0, out
    assert f"{len(expected)} changed, {total - len(expected)} unchanged" in out
    articles = {r["url"]: r for r in rows(db, "SELECT * FROM articles")}
    assert {url for url, a in articles.items() if a["revision"] == 2} == expected
    assert all(a["extractor_version"] == version for a in articles.values())
    revisions = rows(db, "SELECT r.*, a.url FROM article_revisions r JOIN articles a ON a.id = r.article_id")
    assert {r["url"] for r in revisions} == expected
    assert all(r["revision"] == 1 and r["extractor_version"] == crawler.EXTRACTOR_VERSION for r in revisions)
    assert all(r["capture_id"] == articles[r["url"]]["capture_id"] for r in revisions)

    for extra in ([], ["--force"]):  # again: nothing to do; forced: the same result, no new revision
        code, out = run_cli(capsys, *args, *extra)
        assert code == 0 and "0 changed" in out, out
    assert len(rows(db, "SELECT id FROM article_revisions")) == len(expected)
    assert {r["url"] for r in rows(db, "SELECT url FROM articles WHERE revision = 2")} == expected


def test_recrawl_of_unchanged_pages_writes_revisit_records(warc_crawl, tmp_path, capsys):
    db, warc = warc_crawl.copy(tmp_path)
    first_files = warc_files(warc)
    first = {path_of(c["url"]): c for c in rows(db, "SELECT * FROM captures ORDER BY id")}  # last per URL
    changed_path = next(iter(load_expected("tuyengiao")["articles"]))
    routes_file = warc_crawl.mirror_dir / "routes.json"
    routes = routes_file.read_text(encoding="utf-8")
    page, _ = mirror_page(warc_crawl.mirror_dir, changed_path)
    (warc_crawl.mirror_dir / "changed.html").write_bytes(
        page.replace(b"</p>", b" (\xc4\x91\xc3\xa3 s\xe1\xbb\xada)</p>", 1))
    edited = json.loads(routes)
    edited[changed_path] = "changed.html"
    routes_file.write_text(json.dumps(edited), encoding="utf-8")
    served = len(warc_crawl.mirror.requests)
    try:
        run_spider("tuyengiao", warc_crawl.mirror.base_url, db, "-s", f"WARC_DIR={warc}",
                   "-s", f"WARC_MAX_SIZE={MAX_SIZE}", "-a", "revisit=all")
    finally:
        routes_file.write_text(routes, encoding="utf-8")
    second_requests = warc_crawl.mirror.requests[served:]
    second_files = [f for f in warc_files(warc) if f not in first_files]
    check = subprocess.run([*WARCIO, "check", *map(str, second_files)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout

    index = warcio_index(second_files, "warc-type,warc-target-uri,http:status,warc-payload-digest,warc-profile,"
                                       "warc-refers-to,warc-refers-to-target-uri,warc-refers-to-date,length")
    records = [r for r in index if r["warc-type"] in ("response", "revisit")]
    assert Counter(path_of(r["warc-target-uri"]) for r in records) == Counter(second_requests)
    kinds = {path_of(r["warc-target-uri"]): r["warc-type"] for r in records}
    # the changed page and the empty 301 are stored; everything else points back to run 1
    assert {p for p, kind in kinds.items() if kind == "response"} == {changed_path, REDIRECTED}
    originals = {r["warc-record-id"]: r for r in warcio_index(first_files, "warc-record-id,warc-date,length")
                 if "warc-record-id" in r}
    for r in records:
        if r["warc-type"] != "revisit":
            continue
        path = path_of(r["warc-target-uri"])
        assert r["warc-profile"] == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
        assert r["warc-payload-digest"] == first[path]["payload_digest"]
        assert r["warc-refers-to-target-uri"] == r["warc-target-uri"]
        original = originals[r["warc-refers-to"]]
        assert r["warc-refers-to-date"] == original["warc-date"]
        if first[path]["payload_length"] > 1000:  # a page, not a tiny robots.txt: far smaller than its copy
            assert int(r["length"]) < int(original["length"]) / 2
    revisit_rows = rows(db, "SELECT * FROM captures WHERE record_type = 'revisit'")
    assert len(revisit_rows) == len(second_requests) - 2
    for capture in revisit_rows:  # headers only, and the index knows the record holding the payload
        assert read_record(warc / capture["warc_file"], capture["warc_offset"]).payload == b""
        assert capture["refers_to"] == first[path_of(capture["url"])]["id"]
    first_bytes = sum(f.stat().st_size for f in first_files)
    second_bytes = sum(f.stat().st_size for f in second_files)
    assert second_bytes < 0.6 * first_bytes, (first_bytes, second_bytes)

    changed = rows(db, "SELECT a.revision, c.record_type FROM articles a JOIN captures c ON c.id = a.capture_id "
                       "WHERE a.url LIKE ?", (f"%{changed_path}",))
    assert changed == [{"revision": 2, "record_type": "response"}]
    kinds_of_articles = Counter(r["record_type"] for r in rows(
        db, "SELECT c.record_type FROM articles a JOIN captures c ON c.id = a.capture_id"))
    assert kinds_of_articles["revisit"] == len(load_expected("tuyengiao")["articles"]) - 1
    # re-extraction reads a revisit's payload from the record it refers to
    code, out = run_cli(capsys, "reextract", "--db", str(db), "--warc-dir", str(warc), "--force")
    assert code == 0 and "0 changed" in out and "0 failed" in out, out


def test_corrupt_capture_is_reported_and_the_others_reextracted(warc_crawl, tmp_path, capsys):
    db, warc = warc_crawl.copy(tmp_path)
    victim = rows(db, "SELECT c.* FROM articles a JOIN captures c ON c.id = a.capture_id ORDER BY a.id LIMIT 1")[0]
    path = warc / victim["warc_file"]
    data = bytearray(path.read_bytes())
    middle = victim["warc_offset"] + victim["warc_length"] // 2
    data[middle:middle + 40] = b"\0" * 40
    path.write_bytes(bytes(data))
    total = len(rows(db, "SELECT id FROM articles"))

    code, out = run_cli(capsys, "reextract", "--db", str(db), "--warc-dir", str(warc), "--force")
    assert code == 1
    assert f"FAILED {victim['url']}: {path}: offset {victim['warc_offset']}:" in out
    assert f"{total - 1} unchanged" in out and "1 failed" in out


# ---------------------------------------------------------------------------
# WARC files from elsewhere

def foreign_warc(path: Path, pages: dict[str, tuple[bytes, str | None]]) -> None:
    """A WARC as another tool writes it (WARC/1.0, warcio's defaults): the pages under the live
    host, one gzip-encoded, one chunked, a revisit, a request, a page of an unknown host."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "some-browser-archiver 1.0"}))
        for n, (target, (body, charset)) in enumerate(pages.items()):
            url = f"https://tuyengiao.vn{target}"
            headers = [("Content-Type", f"text/html; charset={charset}" if charset else "text/html")]
            if n == 0:
                body = gzip.compress(body)
                headers.append(("Content-Encoding", "gzip"))
            elif n == 1:
                body = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 4000]), body[i:i + 4000])
                                for i in range(0, len(body), 4000)) + b"0\r\n\r\n"
                headers.append(("Transfer-Encoding", "chunked"))
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            response = writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                                 http_headers=http)
            request = writer.create_warc_record(url, "request", http_headers=StatusAndHeaders(
                f"GET {target} HTTP/1.1", [("Host", "tuyengiao.vn")], is_http_request=True))
            writer.write_request_response_pair(request, response)
            if n == 2:  # the same page again later: a revisit
                writer.write_record(writer.create_revisit_record(
                    url, response.rec_headers.get_header("WARC-Payload-Digest"), url,
                    response.rec_headers.get_header("WARC-Date"), http_headers=http))
        other = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://example.org/x-123456", "response",
                                                      payload=io.BytesIO(b"<html></html>"), length=13,
                                                      http_headers=other))


@pytest.fixture
def foreign(tmp_path) -> tuple[Path, dict]:
    expected = load_expected("tuyengiao")["articles"]
    pages = {path: mirror_page(MIRRORS / "tuyengiao", path) for path in list(expected)[:5]}
    path = tmp_path / "browser.warc.gz"
    foreign_warc(path, pages)
    return path, {p: expected[p] for p in pages}


def test_import_warc_from_another_tool_creates_the_articles(foreign, tmp_path, capsys):
    path, gold = foreign
    db, warc = tmp_path / "new" / "archive.db", tmp_path / "new" / "warc"
    code, out = run_cli(capsys, "import-warc", str(path), "--db", str(db), "--warc-dir", str(warc))
    assert code == 0, out
    assert "1 of hosts without a spider, 0 corrupt" in out and f"{len(gold)} new" in out
    articles = {path_of(r["url"]): r for r in rows(db, "SELECT * FROM articles")}
    assert set(articles) == set(gold)
    for target, expected in gold.items():
        row = articles[target]
        assert row["url"] == f"https://tuyengiao.vn{target}" and row["site"] == "tuyengiao"
        assert (row["title"], row["published_at"], row["author"]) == \
            (expected["title"], expected["published"], expected["author"])
    captures = rows(db, "SELECT * FROM captures ORDER BY id")
    assert [c["record_type"] for c in captures].count("revisit") == 1
    assert all(c["warc_file"] == "imported/browser.warc.gz" for c in captures)
    assert (warc / "imported" / "browser.warc.gz").read_bytes() == path.read_bytes()
    assert rows(db, "SELECT name FROM sites") == [{"name": "tuyengiao"}]

    # again: nothing new; then hand the site over and build another archive from the export
    code, out = run_cli(capsys, "import-warc", str(path), "--db", str(db), "--warc-dir", str(warc))
    assert len(rows(db, "SELECT id FROM captures")) == len(captures) and "0 new, 0 changed" in out
    export = tmp_path / "tuyengiao.warc.gz"
    code, out = run_cli(capsys, "export-warc", "--site", "tuyengiao", str(export), "--db", str(db),
                        "--warc-dir", str(warc))
    assert code == 0, out
    check = subprocess.run([*WARCIO, "check", str(export)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    kinds = Counter(r["warc-type"] for r in warcio_index([export], "warc-type"))
    assert kinds == {"warcinfo": 1, "response": len(gold), "revisit": 1, "request": len(gold)}
    other = tmp_path / "other" / "archive.db"
    code, out = run_cli(capsys, "import-warc", str(export), "--db", str(other))
    assert code == 0, out
    fields = "url, title, body_text, author, published_at, content_hash"
    assert rows(other, f"SELECT {fields} FROM articles ORDER BY url") == \
        rows(db, f"SELECT {fields} FROM articles ORDER BY url")


def test_corrupt_and_truncated_warc_is_reported_with_offsets_and_the_rest_imported(foreign, tmp_path, capsys):
    path, gold = foreign
    records = list(iter_records(path))
    responses = [r for r in records if r.rec_type == "response" and "tuyengiao" in r.url]
    corrupt, last = responses[1], records[-1]
    data = bytearray(path.read_bytes())
    data[corrupt.offset + 40:corrupt.offset + 80] = b"\xff" * 40
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(bytes(data[:last.offset + last.length // 2]))  # cut inside the last record

    problems = []
    readable = list(iter_records(broken, on_error=problems.append))
    assert [(p.file, p.offset) for p in problems] == [(str(broken), corrupt.offset), (str(broken), last.offset)]
    assert [r.offset for r in readable] == [r.offset for r in records if r.offset not in (corrupt.offset, last.offset)]

    db = tmp_path / "new" / "archive.db"
    code, out = run_cli(capsys, "import-warc", str(broken), "--db", str(db))
    assert code == 1
    copied = tmp_path / "new" / "warc" / "imported" / "broken.warc.gz"
    assert f"{copied}: offset {corrupt.offset}:" in out and f"{copied}: offset {last.offset}:" in out
    stored = {path_of(r["url"]) for r in rows(db, "SELECT url FROM articles")}
    assert stored == set(gold) - {path_of(corrupt.url)}


def test_reextract_rebuilds_every_bundled_site(full_archive, tmp_path, capsys):
    """Every bundled mirror (platform, override and generic sites, the generic one with its learnt
    template) re-extracted from the captures alone: the same articles come back."""
    db = tmp_path / "archive.db"
    source = sqlite3.connect(full_archive)
    dest = sqlite3.connect(db)
    source.backup(dest)
    source.close()
    dest.close()
    shutil.copytree(full_archive.parent / "warc", tmp_path / "warc")
    with MirrorServer(MIRRORS / "generic_site") as mirror:  # a site only the generic spider knows
        run_spider("generic", mirror.base_url, db, "-a", f"start_url={mirror.base_url}/", "-a", "site=generic_site")
    before = {r["url"]: r for r in rows(db, "SELECT * FROM articles")}
    sites = {r["site"] for r in before.values()}
    assert set(SITES) | {"generic_site"} <= sites

    code, out = run_cli(capsys, "reextract", "--db", str(db), "--force")
    assert code == 0, out
    assert f"{len(before)} unchanged" in out and "0 changed" in out and "0 failed" in out, out

    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM article_urls")
        conn.execute("DELETE FROM article_revisions")
        conn.execute("DELETE FROM articles")
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('delete-all')")
    conn.close()
    code, out = run_cli(capsys, "reextract", "--db", str(db))
    assert code == 0 and "0 failed" in out, out
    after = {r["url"]: r for r in rows(db, "SELECT * FROM articles")}
    assert set(after) == set(before)
    for url, row in before.items():
        assert after[url]["content_hash"] == row["content_hash"], url
        assert after[url]["site"] == row["site"], url
