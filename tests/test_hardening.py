"""Issue 14: a public instance that survives hostile visitors, a crawler that reports every fault in one
line, and a `check` command.

Hostile SQL goes to a real `python -m crawler serve --public` on 127.0.0.1 (bounded loops, each
request with a timeout); crawls run the real spiders against mirror copies over loopback; the
full-disk crawl runs on a small tmpfs (skipped with a message where mounting is not allowed).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from crawler.check import check_archive
from crawler.crawl.faults import RESERVE_BYTES
from crawler.extract.article import Article
from crawler.extract.charset import REPAIRED_UTF8, decode_html, decode_response
from crawler.mirror import MirrorServer
from crawler.publish import guard
from crawler.publish.server import SETTINGS
from crawler.publish.snapshot import publish_snapshot
from crawler.store import ArticleStore
from crawler.store.folding import vn_fold
from tests.conftest import ROOT, encode_cp1258, load_expected, query, run_spider

SITE = "tuyengiao"
SECRET_DIR = "noi-luu-tru-bi-mat-7f3a"  # the served database's directory: must never show in a response


# -- a public server ------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PublicServer:
    """`python -m crawler serve --public --host 127.0.0.1` as a child process."""

    def __init__(self, db: Path, log: Path, *extra: str):
        self.db, self.log_path, self.extra = db, log, extra
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> PublicServer:
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "crawler", "serve", "--db", str(self.db), "--public", "--host", "127.0.0.1",
             "--port", str(self.port), *self.extra], cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log_path.read_text())
            try:
                with urllib.request.urlopen(self.base_url + "/-/versions.json", timeout=2):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"no answer within {timeout} s:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def get(self, path: str, params: dict | None = None, client: str = "10.0.0.1",
            timeout: float = 15) -> tuple[int, bytes, dict, float]:
        """(status, body, headers, seconds) of a GET as `client` (X-Forwarded-For: uvicorn trusts it from
        127.0.0.1, as from a reverse proxy on the same machine)."""
        url = self.base_url + path + ("?" + urllib.parse.urlencode(params) if params else "")
        request = urllib.request.Request(url, headers={"X-Forwarded-For": client})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read(), dict(response.headers), time.perf_counter() - started
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers), time.perf_counter() - started

    def sql(self, sql: str, client: str = "10.0.0.1", timeout: float = 15) -> tuple[int, bytes, float]:
        status, body, _, seconds = self.get("/archive.json", {"sql": sql}, client, timeout)
        return status, body, seconds

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0


def make_archive(path: Path, n: int = 40) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    store = ArticleStore(path)
    for i in range(n):
        store.upsert(Article(url=f"https://tuyengiao.vn/bai-{i}-{140000 + i}", title=f"Đảng ủy Khối họp lần {i}",
                             paragraphs=[f"Đảng ủy Khối các cơ quan tỉnh tổ chức hội nghị lần thứ {i}. " * 30,
                                         "Quán triệt nghị quyết."],
                             published_at=f"2024-01-{i % 28 + 1:02d}T08:00:00+07:00"), site="tuyengiao")
    store.close()


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("public")
    db = work / SECRET_DIR / "archive.db"
    make_archive(db)
    server = PublicServer(db, work / "serve.log").start()
    yield server
    server.stop()


BIG = ("with a(x) as (select replace(replace(replace(replace(replace(replace('aaaaaaaa', 'a', 'aaaaaaaa'), "
       "'a', 'aaaaaaaa'), 'a', 'aaaaaaaa'), 'a', 'aaaaaaaa'), 'a', 'aaaaaaaa'), 'a', 'aaaaaaaa')) ")  # 2 MB of 'a'
HOSTILE = {  # the kinds, and the single calls SQLite cannot interrupt on long strings
    "randomblob_1g": "select length(randomblob(1000000000))",
    "randomblob_100m": "select randomblob(100000000)",
    "printf_width": "select printf('%.*c', 500000000, 'x')",
    "format_width": "select format('%.*c', 500000000, 'x')",
    "replace_hex_zeroblob": "select replace(hex(zeroblob(50000000)), '00', 'ab')",
    "trim_quadratic": BIG + "select length(trim(x, substr(replace(x, 'a', 'b'), 1, 20000) || 'a')) from a",
    "instr_quadratic": BIG + "select instr(x, substr(x, 1, 200000) || 'b') from a",
    "rows_of_big_values": ("with recursive c(n) as (select 1 union all select n + 1 from c limit 20) "
                           "select printf('%.*c', 3000000, 'x') from c"),
    "wide_row": "select " + ", ".join(["printf('%.*c', 3000000, 'x')"] * 6),
}


LINEAR = {"trim_quadratic", "instr_quadratic"}  # answered, in linear time


def test_hostile_sql_is_refused_at_once_and_memory_stays_bounded(public):
    for i, (name, sql) in enumerate(HOSTILE.items()):
        status, body, seconds = public.sql(sql, client=f"10.0.1.{i}")
        assert status == (200 if name in LINEAR else 400), (name, status, body[:300])
        assert seconds < 2.0, (name, seconds)  # unguarded: 3.6 s (printf), 18.8 s (randomblob), 146 s (trim)
        assert len(body) < 10_000, (name, len(body))
    assert public.peak_rss_mb() < 400  # unguarded: 1 GB for randomblob(1e9) alone


def test_ordinary_sql_still_works_in_public_mode(public):
    status, body, _ = public.sql("select printf('%05.1f|%d|%s|%%', 3.14159, 42, 'Đảng'), instr('Đảng ủy', 'ủy'), "
                                 "replace('a-b-c', '-', '+'), trim('xxĐảngxx', 'x'), ltrim('  a'), "
                                 "rtrim('abcc', 'c'), length(printf('%.*c', 1000, 'x')), count(*) "
                                 "from articles where title like '%họp%'", client="10.0.2.1")
    assert status == 200, body[:500]
    assert json.loads(body)["rows"] == [["003.1|42|Đảng|%", 6, "a+b+c", "Đảng", "a", "ab", 1000, 40]]
    status, body, _ = public.sql("with recursive c(n) as (select 1 union all select n + 1 from c limit 10) "
                                 "select sum(n) from c", client="10.0.2.1")
    assert status == 200 and json.loads(body)["rows"] == [[55]]
    for path in ("/archive/articles/1", "/archive/articles", "/archive/search?q=dang+uy", "/-/dashboards/overview"):
        status, body, _, _ = public.get(path, client="10.0.2.2")
        assert status == 200, (path, status, body[:300])


@pytest.mark.parametrize("builtin", ["instr", "replace", "trim", "ltrim", "rtrim", "printf"])
def test_bounded_functions_answer_like_sqlites_own(builtin):
    plain, guarded = sqlite3.connect(":memory:"), sqlite3.connect(":memory:")
    guard.guard_connection(guarded, guard.PublicLimits())
    cases = {
        "instr": [("'Đảng ủy'", "'ủy'"), ("'abc'", "''"), ("NULL", "'a'"), ("x'616263'", "x'63'"), ("12345", "34"),
                  ("'a'", "NULL"), ("1.5", "'.'")],
        "replace": [("'aXa'", "'a'", "'bb'"), ("'abc'", "''", "'x'"), ("NULL", "'a'", "'b'"), ("123", "2", "'x'"),
                    ("'Đảng Đảng'", "'Đ'", "'D'"), ("'aaa'", "'a'", "NULL")],
        "trim": [("'xxaxx'", "'x'"), ("'  a  '", "' '"), ("'abc'", "''"), ("NULL", "'x'"), ("'ĐĐaĐ'", "'Đ'"),
                 ("12100", "'10'")],
        "printf": [("'%5.2f|%-4d|%s|%%|%q'", "3.14159", "7", "'Đảng'", "'it''s'"), ("'%.*c'", "5", "'x'"),
                   ("'%*d'", "-6", "12"), ("NULL",), ("'%,d'", "1234567"), ("'%!.3g'", "2.0")],
    }
    for args in cases.get(builtin, cases["trim"]):
        sql = f"SELECT {builtin}({', '.join(args)})"
        assert guarded.execute(sql).fetchall() == plain.execute(sql).fetchall(), sql


def test_file_paths_are_never_shown(public):
    paths = ["/-/databases.json", "/.json", "/archive.json", "/-/plugins.json", "/-/versions.json",
             "/-/settings.json", "/-/metadata.json", "/-/threads.json", "/", "/archive", "/archive/nope",
             "/-/databases"]
    leaks = []
    for i, path in enumerate(paths):
        _, body, _, _ = public.get(path, client=f"10.0.3.{i}")
        leaks += [path] if SECRET_DIR.encode() in body or str(ROOT).encode() in body else []
    for i, sql in enumerate(("select * from pragma_database_list", "select file from pragma_database_list()",
                             "pragma database_list", "select * from nope_table_x")):
        _, body, _ = public.sql(sql, client=f"10.0.4.{i}")
        leaks += [sql] if SECRET_DIR.encode() in body else []
    assert not leaks


def test_each_client_is_rate_limited_apart(public):
    statuses = [public.sql("select 1", client="10.0.5.1")[0] for _ in range(40)]
    assert 429 in statuses and statuses[0] == 200  # a burst of SQL, then 429 with Retry-After
    status, _, headers, _ = public.get("/archive.json", {"sql": "select 1"}, client="10.0.5.1")
    assert status == 429 and int(headers["retry-after"]) >= 1
    assert public.sql("select 1", client="10.0.5.2")[0] == 200  # another client is not affected
    assert public.get("/archive/articles/2", client="10.0.5.3")[0] == 200


def test_responses_over_the_cap_are_refused(public):
    status, body, _ = public.sql("select printf('%.*c', 3000000, char(1))", client="10.0.6.1")
    assert status == 400 and b"larger than 16 MB" in body  # 3 MB of text, 18 MB of JSON (\u0001 each) …
    status, body, headers, _ = public.get("/archive/articles.json", {"_size": "max", "_shape": "array"},
                                          client="10.0.6.2")
    assert status == 200 and int(headers["content-length"]) == len(body)  # … while ordinary pages pass whole


def test_no_sql_mode_keeps_tables_and_search(tmp_path):
    db = tmp_path / "archive.db"
    make_archive(db, 5)
    server = PublicServer(db, tmp_path / "serve.log", "--no-sql").start()
    try:
        assert server.sql("select 1")[0] == 403
        assert server.get("/archive/articles", {"_where": "id > 1"})[0] == 403
        assert server.get("/archive/search", {"q": "dang uy"})[0] == 200
        assert server.get("/archive/articles/1")[0] == 200
    finally:
        server.stop()


def test_serve_public_binds_every_interface_and_turns_the_guard_on(monkeypatch, tmp_path):
    import datasette.cli

    db = tmp_path / "archive.db"
    ArticleStore(db).close()
    seen = []
    monkeypatch.setattr(datasette.cli.cli, "main", lambda args, **kw: seen.append((args, guard.config())))
    from crawler import publish

    assert publish.serve(db, public=True, port=free_port()) == 0 and publish.serve(db, port=free_port()) == 0
    (public_args, public_config), (local_args, local_config) = seen
    assert public_args[public_args.index("--host") + 1] == "0.0.0.0" and public_config is not None
    assert str(db.parent) in public_config.hidden_paths and public_config.allow_sql
    assert local_args[local_args.index("--host") + 1] == "127.0.0.1" and local_config is None
    assert guard.config() is None  # off again once the server stopped


# -- charsets --------------------------------------------------------------------------------------

VIETNAMESE = "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh Trà Vinh quán triệt nghị quyết của Trung ương"


def test_utf8_with_a_few_bad_bytes_stays_utf8():
    page = f"<html><head><title>{VIETNAMESE}</title></head><body><p>{VIETNAMESE}</p></body></html>".encode()
    for broken in (page + b"\xe1\xba\xff\xfe", page[:-30] + b"\x80" + page[-30:], page + b"\xe1"):
        for label in (None, "utf-8", "windows-1258"):
            text, codec = decode_html(broken, label)
            assert codec == REPAIRED_UTF8, (label, broken[-8:])
            assert VIETNAMESE in text and "\ufffd" in text


def test_windows_1258_pages_stay_windows_1258():
    import unicodedata

    for page in (encode_cp1258(f"<p>{VIETNAMESE}</p>" * 20), encode_cp1258(f"<p>{VIETNAMESE}</p>") + b"\xc3\xa1",
                 "Ban Tuyên giáo".encode("cp1258")):
        text, codec = decode_response(page, "text/html; charset=utf-8")
        assert codec == "cp1258"
        assert unicodedata.normalize("NFC", text).startswith(("<p>" + VIETNAMESE, "Ban Tuyên giáo"))


# -- one crawl through pages that used to cost too much or lose data -------------------------------

DATE_PAGE = ("<html><head><meta charset='utf-8'><title>{title}</title></head><body><div class='storydetail'>"
             "<span class='story_date'>{date}</span><span class='story_headline'>{title}</span>"
             "<div id='ArticleContent'>{body}</div></div></body></html>")
BODY = "<p>Đảng ủy Khối tổ chức hội nghị quán triệt nghị quyết, triển khai nhiệm vụ năm mới của toàn khối.</p>" * 5


def date_page(title: str, date: str) -> bytes:
    return DATE_PAGE.format(title=title, date=date, body=BODY).encode("utf-8")


LINK_CAP = 40  # ARCHIVE_MAX_LINKS_PER_PAGE for this crawl (the default, 300, takes longer to fetch)


@pytest.fixture(scope="module")
def limits_crawl(tmp_path_factory: pytest.TempPathFactory):
    """The tuyengiao mirror plus a listing of 10,000 links, a gzip bomb, an oversized page, pages with an
    unreadable, a future and an ordinary date, and a UTF-8 page with four bad bytes; crawled once."""
    work = tmp_path_factory.mktemp("limits")
    root = work / "mirror"
    shutil.copytree(ROOT / "tests" / "fixtures" / "sites" / SITE, root)
    routes = json.loads((root / "routes.json").read_text(encoding="utf-8"))
    links = "".join(f'<a href="/bai-so-{i}-{200000 + i}">Bài {i}</a>' for i in range(10_000))
    (root / "huge.html").write_text(f"<html><body><div class='zonepage-l'>{links}</div></body></html>",
                                    encoding="utf-8")
    (root / "bomb.gz").write_bytes(gzip.compress(b"<html>" + b" " * 20_000_000, 9))
    (root / "unreadable.html").write_bytes(date_page("Bài có ngày không đọc được", "Thứ Hai, 31/2/2023 25:61'(GMT+7)"))
    (root / "future.html").write_bytes(date_page("Bài có ngày ở tương lai", "Thứ Hai, 2/1/2099 8:05'(GMT+7)"))
    (root / "broken.html").write_bytes(date_page(VIETNAMESE, "Thứ Hai, 2/1/2023 8:05'(GMT+7)") + b"\xe1\xba\xff\xfe")
    routes.update({
        "/danh-sach-rat-dai": "huge.html",
        "/bai-bom-nen-150100": {"file": "bomb.gz", "headers": {"Content-Encoding": "gzip"},
                                "content_type": "text/html; charset=utf-8"},
        "/bai-qua-lon-150101": {"file": "future.html", "pad_to": 3_000_000},
        "/bai-ngay-sai-150102": "unreadable.html",
        "/bai-ngay-tuong-lai-150103": "future.html",
        "/bai-hong-ma-150104": {"file": "broken.html", "content_type": "text/html; charset=windows-1258"},
    })
    (root / "routes.json").write_text(json.dumps(routes, ensure_ascii=False), encoding="utf-8")
    home = root / routes["/"]
    targets = [t for t in routes if t.startswith(("/danh-sach-rat-dai", "/bai-"))]
    home.write_text(home.read_text(encoding="utf-8").replace(
        "</body>", "".join(f'<a href="{t}">{t}</a>' for t in targets) + "</body>"), encoding="utf-8")
    db = work / "archive.db"
    with MirrorServer(root) as mirror:
        run_spider(SITE, mirror.base_url, db, "-s", "DOWNLOAD_MAXSIZE=2000000",
                   "-s", f"ARCHIVE_MAX_LINKS_PER_PAGE={LINK_CAP}")
        requested = list(mirror.requests)
    stats = json.loads(query(db, "SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]["stats"])
    return db, requested, stats


def test_a_listing_of_10000_links_makes_a_bounded_number_of_requests(limits_crawl):
    from crawler import settings

    db, requested, stats = limits_crawl
    assert "/danh-sach-rat-dai" in requested
    taken = [t for t in requested if t.startswith("/bai-so-")]
    assert len(taken) == LINK_CAP  # unbounded: 10,000 (and 10,017 requests in all)
    assert stats["archive/limits/links_per_page"] == 1
    assert 100 <= settings.ARCHIVE_MAX_LINKS_PER_PAGE <= 1000  # the default: a few hundred


def test_gzip_bombs_and_oversized_pages_are_counted(limits_crawl):
    db, requested, stats = limits_crawl
    assert "/bai-bom-nen-150100" in requested and "/bai-qua-lon-150101" in requested
    assert stats["archive/skipped/too_large"] == 2
    run = query(db, "SELECT skipped FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert run["skipped"] >= 2
    titles = {r["title"] for r in query(db, "SELECT title FROM articles")}
    assert len(titles) == len(load_expected(SITE)["articles"]) + 3  # + the unreadable, future and broken pages


def test_dates_that_cannot_be_trusted_keep_their_raw_text_and_are_flagged(limits_crawl):
    db, _, stats = limits_crawl
    rows = {r["title"]: r for r in query(db, "SELECT title, published_at, published_raw, date_flag FROM articles")}
    unreadable, future = rows["Bài có ngày không đọc được"], rows["Bài có ngày ở tương lai"]
    assert unreadable["published_at"] is None and "31/2/2023 25:61" in unreadable["published_raw"]
    assert unreadable["date_flag"] == "unreadable"
    assert future["published_at"] is None and "2/1/2099" in future["published_raw"] and future["date_flag"] == "future"
    assert rows[VIETNAMESE]["date_flag"] is None and rows[VIETNAMESE]["published_at"].startswith("2023-01-02")
    assert stats["archive/date_flag/unreadable"] == 1 and stats["archive/date_flag/future"] == 1


def test_a_utf8_page_with_bad_bytes_is_stored_as_utf8_and_counted(limits_crawl):
    db, _, stats = limits_crawl
    assert query(db, "SELECT count(*) n FROM articles WHERE title = ?", (VIETNAMESE,))[0]["n"] == 1
    assert stats["archive/charset/utf8_repaired"] == 1
    assert stats["archive/charset/cp1258"] == 1  # the mirror's one genuine windows-1258 page


def test_stored_dates_in_the_future_or_before_1997_are_flagged(tmp_path):
    store = ArticleStore(tmp_path / "archive.db")
    for i, when in enumerate(("2099-01-01T08:00:00+07:00", "1990-05-01T08:00:00+07:00", "2024-05-01T08:00:00+07:00")):
        store.upsert(Article(url=f"https://tuyengiao.vn/bai-{i}-{150000 + i}", title=f"Bài {i}",
                             paragraphs=["Nội dung."], published_at=when), site="tuyengiao")
    flags = [r[0] for r in store.db.execute("SELECT date_flag FROM articles ORDER BY id")]
    store.close()
    assert flags == ["future", "before_1997", None]


# -- a full disk -----------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root: the full-disk crawl is not tested here")
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mountpoint)],
                            capture_output=True, text=True)
    if result.returncode:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip()}): the full-disk crawl is not tested")
    yield mountpoint
    subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def test_a_full_disk_stops_the_crawl_in_one_line_and_the_next_run_resumes(small_disk, tmp_path):
    root = tmp_path / "mirror"
    shutil.copytree(ROOT / "tests" / "fixtures" / "sites" / SITE, root)
    rng = random.Random(14)
    for page in root.glob("article-*.html"):  # incompressible padding: the WARC files fill the disk quickly
        padding = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(40_000))
        page.write_bytes(page.read_bytes().replace(b"</head>", f"<!-- {padding} --></head>".encode(), 1))
    db, logs = small_disk / "archive.db", tmp_path / "logs"
    # the empty archive, then a file that leaves room for the reserve and ~450 KB: the WARC files fill it
    # within the first run (the store's batch takes its room only when it commits)
    ArticleStore(db).close()
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (free - RESERVE_BYTES - 450_000))

    def crawl(mirror: MirrorServer) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "crawler", "crawl", "--site", SITE, "--base-url",
                               f"{SITE}={mirror.base_url}", "--db", str(db), "--log-dir", str(logs)],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)

    with MirrorServer(root) as mirror:
        first = crawl(mirror)
        requested = len(mirror.requests)
    assert first.returncode == 1, first.stdout + first.stderr
    lines = [line for line in first.stdout.splitlines() if "disk full at" in line]
    assert len(lines) == 1 and str(small_disk) in lines[0]
    log = next(logs.glob("crawl-*.log")).read_text(encoding="utf-8")
    assert "Traceback" not in log and log.count("Disk full at") == 1
    run = query(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert run["finish_reason"] == "disk_full" and run["pages"] > 0  # the run is recorded, with its counts
    stats = json.loads(run["stats"])
    assert stats["archive/faults/disk_full"].startswith(str(small_disk))
    captured = query(db, "SELECT count(*) n FROM captures")[0]["n"]
    # no further requests: only those already sent (at most CONCURRENT_REQUESTS = 8) arrive after it
    assert requested - captured <= 8
    before = {r["url"]: r["content_hash"] for r in query(db, "SELECT url, content_hash FROM articles")}
    assert len(before) < len(load_expected(SITE)["articles"])

    filler.unlink()  # space freed
    with MirrorServer(root) as mirror:
        second = crawl(mirror)
        assert requested + len(mirror.requests) > 2 * requested  # the first run stopped early
    assert second.returncode == 0, second.stdout + second.stderr
    after = {r["url"]: r["content_hash"] for r in query(db, "SELECT url, content_hash FROM articles")}
    assert len(after) == len(load_expected(SITE)["articles"])
    assert {url: after[url] for url in before} == before  # nothing stored was lost or changed
    report = io.StringIO()
    assert check_archive(db, out=report) == 0, report.getvalue()  # and the archive holds


# -- publish leaves nothing behind -------------------------------------------------------------------


def test_publish_removes_temporary_files_that_killed_publishes_left(tmp_path):
    live, dest = tmp_path / "archive.db", tmp_path / "public" / "archive.db"
    make_archive(live, 3)
    dest.parent.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        stale = [dest.parent / f".archive.db.{dead.pid}.tmp", dest.parent / f".archive.db.{dead.pid}.tmp-journal"]
        running = dest.parent / f".archive.db.{sleeper.pid}.tmp"  # another publish, still at work
        for path in [*stale, running]:
            path.write_bytes(b"x" * 1000)
        publish_snapshot(live, dest)
        assert not any(p.exists() for p in stale) and running.exists()
        assert sorted(p.name for p in dest.parent.iterdir()) == [running.name, "archive.db", "archive.db-inspect.json"]
    finally:
        sleeper.kill()
        sleeper.wait()


# -- check -------------------------------------------------------------------------------------------


def copy_archive(db: Path, target: Path) -> Path:
    target.mkdir()
    shutil.copy(db, target / "archive.db")
    shutil.copytree(db.parent / "warc", target / "warc")
    return target / "archive.db"


def test_check_passes_a_healthy_archive_where_fts5s_own_content_check_fails(limits_crawl):
    db = limits_crawl[0]
    result = subprocess.run([sys.executable, "-m", "crawler", "check", "--db", str(db)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [result.stdout.strip()] and "every check holds" in result.stdout
    conn = sqlite3.connect(db)
    with pytest.raises(sqlite3.DatabaseError, match="malformed"):  # why `check` compares the index itself
        conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES('integrity-check', 1)")
    conn.close()


def test_check_finds_an_index_that_does_not_hold_the_folded_text(limits_crawl, tmp_path):
    db = copy_archive(limits_crawl[0], tmp_path / "copy")
    conn = sqlite3.connect(db)
    article_id, key, title, lead, body, scope = conn.execute(
        "SELECT id, search_key, title, lead, body_text, search_scope FROM articles WHERE title LIKE '%Đ%' LIMIT 1"
    ).fetchone()
    columns = "title, lead, body_text, search_scope"
    conn.execute(f"INSERT INTO articles_fts(articles_fts, rowid, {columns}) VALUES('delete', ?, ?, ?, ?, ?)",
                 [key, vn_fold(title), vn_fold(lead), vn_fold(body), scope])
    conn.execute(f"INSERT INTO articles_fts(rowid, {columns}) VALUES(?, ?, ?, ?, ?)",
                 [key, title, lead, body, scope])  # unfolded, as FTS5 'rebuild' would index it
    conn.execute(f"INSERT INTO articles_fts(rowid, {columns}) VALUES(99999, 'bài ma', '', '', '')")
    conn.commit()
    conn.close()
    out = io.StringIO()
    assert check_archive(db, out=out) == 1
    lines = out.getvalue().splitlines()
    assert any(line.startswith(f"search index: article {article_id} is indexed with other text") for line in lines)
    assert any(line.startswith("search index: row 99999 indexes no article") for line in lines)
    assert len(lines) == 3  # one line per problem, and the totals


def test_check_finds_a_truncated_warc_file(limits_crawl, tmp_path):
    db = copy_archive(limits_crawl[0], tmp_path / "copy")
    warc = max((db.parent / "warc").rglob("*.warc.gz"), key=lambda p: p.stat().st_size)
    os.truncate(warc, warc.stat().st_size - 5000)
    out = io.StringIO()
    assert check_archive(db, out=out) == 1
    problems = out.getvalue().splitlines()[:-1]
    assert problems and all(line.startswith("captures: capture ") and warc.name in line and "offset" in line
                            for line in problems)


def test_sqlite_utils_search_works_on_the_search_index(limits_crawl):
    import sqlite_utils

    db = sqlite_utils.Database(limits_crawl[0])
    rows = list(db["articles_fts"].search("dang uy khoi", columns=["rowid", "title"], limit=5))
    assert rows and all("rowid" in row for row in rows)


# -- last: the hostile load leaves queued queries running in the server for a few seconds -------


def hostile_loop(server: PublicServer, sql: str, client: str, stop: threading.Event, answers: list) -> None:
    while not stop.is_set():
        try:
            answers.append(server.sql(sql, client=client, timeout=3)[0])
        except OSError:  # still waiting for its turn (or its 3 s of SQL) when the client gave up
            answers.append("timeout")


def test_an_article_page_stays_fast_while_hostile_requests_run(public):
    kinds = ["randomblob_1g", "randomblob_100m", "printf_width", "replace_hex_zeroblob", "trim_quadratic",
             "instr_quadratic", "rows_of_big_values"]
    loads = [HOSTILE[k] for k in kinds] + ["select count(*) from articles a, articles b, articles c, articles d, "
                                           "articles e"]  # 100M rows: runs into the 3 s time limit
    stop, answers = threading.Event(), []
    threads = [threading.Thread(target=hostile_loop, args=(public, sql, f"10.0.7.{i}", stop, answers))
               for i, sql in enumerate(loads)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        latencies = []
        for i in range(40):
            status, _, _, seconds = public.get(f"/archive/articles/{i % 40 + 1}", client="10.0.8.1")
            assert status == 200
            latencies.append(seconds)
            time.sleep(0.02)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=40)
    # Unguarded, the page took 8.7-11.2 s (scripts/bench_hostile: BENCHMARKS.md). Guarded, the typical page
    # stays under 0.5 s, and no page waits behind a hostile query, which may hold a thread for the whole SQL
    # time limit (on two shared cores single requests reach ~1 s: a p95 bound flaked there).
    assert statistics.median(latencies) < 0.5, sorted(latencies)
    assert max(latencies) < SETTINGS["sql_time_limit_ms"] / 1000, sorted(latencies)[-5:]
    assert len(answers) >= len(loads) and set(answers) <= {200, 400, 429, 503, "timeout"}
