"""Scheduled, incremental, fault-tolerant crawling (issue 3).

Each test copies a mirror to a temporary directory, changes it the way a
fragile government server or a site redesign would, and crawls it with the
real engine over loopback.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from crawler.crawl.scheduled import EXIT_LOCKED, crawl_lock
from crawler.mirror import MirrorServer
from crawler.store import ArticleStore
from tests.conftest import ROOT, encode_cp1258, load_expected, query, run_spider

SITE = "tuyengiao"
FAST = ("-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=2")


def routes_of(root: Path) -> dict:
    return json.loads((root / "routes.json").read_text(encoding="utf-8"))


def save_routes(root: Path, routes: dict) -> None:
    (root / "routes.json").write_text(json.dumps(routes, ensure_ascii=False, indent=1), encoding="utf-8")


def file_of(route) -> str:
    return route if isinstance(route, str) else route["file"]


def slow_articles(root: Path, site: str, delay: float) -> dict:
    """Make the mirror at `root` answer every article page of `site` after `delay` seconds; its articles."""
    routes = routes_of(root)
    articles = load_expected(site)["articles"]
    for path in articles:
        routes[path] = {"file": file_of(routes[path]), "delay": delay}
    save_routes(root, routes)
    return articles


def crawl_one_at_a_time(site: str, base_url: str, db: Path, *settings: str) -> list[str]:
    """The `scrapy crawl` command of `site` against a mirror, one request at a time, with `-s` settings."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", site, "-a", f"base_url={base_url}",
           "-s", f"ARCHIVE_DB={db}", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
    for setting in settings:
        cmd += ["-s", setting]
    return cmd


def article_snapshot(db: Path) -> dict[str, tuple]:
    return {r["url"].split("/", 3)[-1]: (r["content_hash"], r["removed_at"])
            for r in query(db, "SELECT url, content_hash, removed_at FROM articles")}


def link_from_home(root: Path, routes: dict, targets: list[str]) -> None:
    """Add links to `targets` on the mirror's home page."""
    home = root / file_of(routes["/"])
    links = "".join(f'<a href="{t}">{t}</a>' for t in targets)
    home.write_text(home.read_text(encoding="utf-8").replace("</body>", links + "</body>"), encoding="utf-8")


def new_article_page(root: Path, routes: dict, name: str, title: str) -> str:
    """A copy of an existing article page under a new title; returns its file name."""
    path, gold = next(iter(load_expected(SITE)["articles"].items()))
    page = (root / file_of(routes[path])).read_text(encoding="utf-8").replace(gold["title"], title)
    (root / name).write_text(page, encoding="utf-8")
    return name


def test_faults_are_survived_counted_and_lose_nothing(mirror_copy, tmp_path):
    root = mirror_copy(SITE)
    db = tmp_path / "archive.db"
    with MirrorServer(root) as mirror:
        run_spider(SITE, mirror.base_url, db, *FAST)
    before = article_snapshot(db)

    routes = routes_of(root)
    legacy = "Bài viết lưu bằng bảng mã cũ Windows-1258 về công tác tuyên giáo"
    (root / "legacy.html").write_bytes(_cp1258_page(legacy))
    (root / "trap.html").write_text(
        '<html><body><div class="zonepage-l"><div class="datapager">'
        '<a class="next" href="/lich-hoat-dong?page={next}">»</a></div></div></body></html>', encoding="utf-8")
    (root / "empty.html").write_bytes(b"")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /noi-bo/\n", encoding="utf-8")
    routes.update({
        "/robots.txt": "robots.txt",
        "/bai-may-chu-loi-150001": {"file": new_article_page(root, routes, "f1.html", "Bài sau hai lần lỗi 503"),
                                    "fail_first": 2, "fail_status": 503},
        "/bai-qua-cham-150002": {"file": "f1.html", "delay": 4},
        "/bai-treo-giua-chung-150003": {"file": new_article_page(root, routes, "f3.html", "Bài bị treo"),
                                        "stall": 4},
        "/bai-cat-ngang-150004": "truncated.html",
        "/bai-ma-cu-150005": {"file": "legacy.html", "content_type": "text/html; charset=utf-8"},
        "/bai-nhan-sai-150011": {
            "file": new_article_page(root, routes, "f11.html", "Bài UTF-8 bị gắn nhãn Windows-1258"),
            "content_type": "text/html; charset=windows-1258"},
        "/bai-qua-lon-150006": {"file": "f1.html", "pad_to": 3_000_000},
        "/bai-rong-150012": {"file": "empty.html"},
        "/vong-lap-150007": {"status": 302, "location": "/vong-lap-150008"},
        "/vong-lap-150008": {"status": 302, "location": "/vong-lap-150007"},
        "/chuyen-ra-ngoai-150009": {"status": 302, "location": "http://example.invalid/bai-150009"},
        "/noi-bo/bai-noi-bo-150010": "f1.html",
        "/lich-hoat-dong*": {"file": "trap.html", "trap": True},
    })
    page = (root / file_of(routes[next(iter(load_expected(SITE)["articles"]))])).read_text(encoding="utf-8")
    (root / "truncated.html").write_text(
        page.replace(load_expected(SITE)["articles"][next(iter(load_expected(SITE)["articles"]))]["title"],
                     "Bài bị cắt ngang giữa chừng")[: len(page) * 2 // 3], encoding="utf-8")
    save_routes(root, routes)
    link_from_home(root, routes, [t.rstrip("*") for t in routes if t.startswith(("/bai-", "/vong", "/chuyen",
                                                                                  "/noi-bo", "/lich"))])

    with MirrorServer(root) as mirror:
        run_spider(SITE, mirror.base_url, db, *FAST, "-s", "DOWNLOAD_MAXSIZE=1000000", "-a", "revisit=all",
                   "-a", "max_pages=6")
        requested = list(mirror.requests)

    run = query(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    stats = json.loads(run["stats"])
    assert run["finish_reason"] == "finished"
    assert stats.get("retry/count", 0) >= 2  # 503s retried with backoff …
    stored = {r["title"] for r in query(db, "SELECT title FROM articles")}
    assert "Bài sau hai lần lỗi 503" in stored  # … and the page arrived in the end
    assert any("TimeoutError" in k for k in stats)  # slow and stalled servers time out
    assert "Bài bị treo" not in stored
    assert stats.get("archive/warnings/truncated_html", 0) >= 1
    assert legacy in stored  # windows-1258 bytes labelled UTF-8, decoded right
    assert stats.get("archive/charset/cp1258", 0) >= 1
    assert "Bài UTF-8 bị gắn nhãn Windows-1258" in stored  # and the reverse mislabel
    assert stats.get("archive/skipped/empty_page") == 1
    assert requested.count("/bai-qua-lon-150006") >= 1 and "Bài viết quá lớn" not in stored
    assert stats.get("redirect/max_reached", 0) + stats.get("dupefilter/filtered", 0) >= 1
    assert "/noi-bo/bai-noi-bo-150010" not in requested and stats.get("robotstxt/forbidden", 0) >= 1
    assert not any(t.startswith("/bai-150009") for t in requested)
    assert len([t for t in requested if t.startswith("/lich-hoat-dong")]) <= 6  # the trap is bounded
    # nothing already archived was lost or altered
    after = article_snapshot(db)
    assert {url: after[url] for url in before} == before


def _cp1258_page(title: str) -> bytes:
    body = "<p>Đảng ủy Khối tổ chức hội nghị quán triệt nghị quyết, triển khai nhiệm vụ năm mới.</p>" * 5
    return encode_cp1258(
        f"<html><head><title>{title}</title></head><body><div class='storydetail'>"
        f"<span class='story_date'>Thứ Hai, 2/1/2023 8:5'(GMT+7)</span>"
        f"<span class='story_headline'>{title}</span><div id='ArticleContent'>{body}</div></div></body></html>")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def crawl_cli(*args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler", "crawl", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def test_a_site_that_is_down_fails_alone(tmp_path):
    db = tmp_path / "archive.db"
    dead = f"http://127.0.0.1:{free_port()}"
    with MirrorServer(ROOT / "tests/fixtures/sites/travinh_duk") as mirror:
        result = crawl_cli("--site", "tuyengiao", "--site", "travinh_duk", "--base-url", f"tuyengiao={dead}",
                           "--base-url", f"travinh_duk={mirror.base_url}", "--db", str(db),
                           "--log-dir", str(tmp_path / "logs"), "--set", "RETRY_TIMES=1")
    assert result.returncode == 1, result.stdout + result.stderr
    runs = {r["spider"]: r for r in query(db, "SELECT * FROM crawl_runs")}
    assert runs["travinh_duk"]["articles_new"] == len(load_expected("travinh_duk")["articles"])
    assert runs["tuyengiao"]["errors"] > 0 and "errors" in runs["tuyengiao"]["alarms"]
    assert "ALARM" in result.stdout and list((tmp_path / "logs").glob("crawl-*.log"))


def test_sigkill_midway_leaves_a_consistent_archive_and_the_rerun_resumes(mirror_copy, tmp_path):
    root = mirror_copy(SITE)
    articles = slow_articles(root, SITE, 0.4)
    db = tmp_path / "archive.db"
    with MirrorServer(root) as mirror:
        # commits every 2 articles: some are stored long before the end
        cmd = crawl_one_at_a_time(SITE, mirror.base_url, db, "ARCHIVE_BATCH_SIZE=2")
        child = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        stored_before_kill = 0
        while time.monotonic() < deadline and stored_before_kill < 3:
            time.sleep(0.2)
            if db.exists():
                with contextlib.suppress(sqlite3.Error):  # tables not created yet
                    stored_before_kill = query(db, "SELECT count(*) AS n FROM articles")[0]["n"]
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        assert 3 <= stored_before_kill < len(articles)
        assert query(db, "PRAGMA integrity_check")[0][0] == "ok"
        first_urls = [r["url"] for r in query(db, "SELECT url FROM articles")]

        killed_requests = len(mirror.requests)
        run_spider(SITE, mirror.base_url, db)
        rerun_requests = mirror.requests[killed_requests:]

    assert query(db, "SELECT count(*) AS n FROM articles")[0]["n"] == len(articles)
    assert query(db, "SELECT count(*) AS n FROM article_urls")[0]["n"] >= len(articles)
    for url in first_urls:  # what was stored is not fetched again
        assert url.split("/", 3)[-1] not in [t.lstrip("/") for t in rerun_requests]
    runs = query(db, "SELECT finish_reason FROM crawl_runs ORDER BY id")
    assert [r["finish_reason"] for r in runs] == ["killed", "finished"]


def test_an_edit_makes_one_revision_and_a_removal_is_marked_not_deleted(mirror_copy, tmp_path):
    root = mirror_copy(SITE)
    db = tmp_path / "archive.db"
    expected = load_expected(SITE)["articles"]
    (edited, edited_gold), (removed, removed_gold) = list(expected.items())[:2]
    with MirrorServer(root) as mirror:
        run_spider(SITE, mirror.base_url, db)
        routes = routes_of(root)
        page = root / file_of(routes[edited])
        sentence = edited_gold["body_contains"][-1]
        page.write_text(page.read_text(encoding="utf-8").replace(sentence, sentence + " (Đã đính chính.)"),
                        encoding="utf-8")
        removed_route = routes.pop(removed)
        save_routes(root, routes)
        run_spider(SITE, mirror.base_url, db, "-a", "revisit=all")

        assert query(db, "SELECT count(*) AS n FROM article_revisions")[0]["n"] == 1
        gone = query(db, "SELECT url, removed_at, body_text FROM articles WHERE removed_at IS NOT NULL")
        assert len(gone) == 1 and gone[0]["url"].endswith(removed)
        assert query(db, "SELECT count(*) AS n FROM articles")[0]["n"] == len(expected)
        store = ArticleStore(db)
        words = " ".join(removed_gold["body_contains"][0].split()[:6])
        assert any(hit["url"].endswith(removed) for hit in store.search(words))  # still searchable
        store.close()
        run = query(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
        assert (run["articles_changed"], run["articles_removed"]) == (1, 1)

        routes[removed] = removed_route  # the page comes back
        save_routes(root, routes)
        run_spider(SITE, mirror.base_url, db, "-a", "revisit=all")
    assert query(db, "SELECT count(*) AS n FROM articles WHERE removed_at IS NOT NULL")[0]["n"] == 0


def test_conditional_revisits_get_304(mirror_copy, tmp_path):
    root = mirror_copy(SITE)
    routes = routes_of(root)
    articles = load_expected(SITE)["articles"]
    for i, path in enumerate(articles):
        routes[path] = {"file": file_of(routes[path]), "headers": {"ETag": f'"v{i}"'}}
    save_routes(root, routes)
    db = tmp_path / "archive.db"
    with MirrorServer(root) as mirror:
        run_spider(SITE, mirror.base_url, db)
        run_spider(SITE, mirror.base_url, db, "-a", "revisit=all")
    stats = json.loads(query(db, "SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]["stats"])
    assert stats.get("archive/articles/not_modified") == len(articles)
    assert stats.get("downloader/response_status_count/304") == len(articles)


def test_incremental_run_skips_known_articles_and_stops_paginating(tmp_path):
    db = tmp_path / "archive.db"
    with MirrorServer(ROOT / "tests/fixtures/sites" / SITE) as mirror:
        run_spider(SITE, mirror.base_url, db)
        first = len(mirror.requests)
        run_spider(SITE, mirror.base_url, db)
        second = mirror.requests[first:]
    articles = load_expected(SITE)["articles"]
    assert not any(t in articles for t in second)  # nothing known was fetched again
    stats = json.loads(query(db, "SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]["stats"])
    assert stats.get("archive/incremental/known_skipped", 0) >= len(articles)
    assert query(db, "SELECT count(*) AS n FROM articles")[0]["n"] == len(articles)


def test_a_second_scheduled_run_exits_while_the_first_holds_the_lock(tmp_path):
    db = tmp_path / "archive.db"
    with crawl_lock(f"{db}.lock"):
        result = crawl_cli("--site", SITE, "--db", str(db), "--log-dir", str(tmp_path))
    assert result.returncode == EXIT_LOCKED
    assert "Another crawl is running" in result.stderr and f"pid {os.getpid()}" in result.stderr
    assert not db.exists() or not query(db, "SELECT * FROM crawl_runs")


class _Webhook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self) -> None:  # noqa: N802
        _Webhook.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_alarm_when_a_redesign_breaks_the_selectors(mirror_copy, tmp_path):
    root = mirror_copy(SITE)
    db = tmp_path / "archive.db"
    hook = HTTPServer(("127.0.0.1", 0), _Webhook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    with MirrorServer(root) as mirror:
        base = ["--site", SITE, "--base-url", f"{SITE}={mirror.base_url}", "--db", str(db),
                "--log-dir", str(tmp_path)]
        assert crawl_cli(*base).returncode == 0
        for page in root.glob("*.html"):  # the site's new markup: none of our selectors match
            text = page.read_text(encoding="utf-8", errors="ignore")
            text = text.replace("story_", "tin_").replace("ArticleContent", "NoiDungTin")
            page.write_text(text, encoding="utf-8")
        result = crawl_cli(*base, "--set", "ARCHIVE_REVISIT=all",
                           env={"ARCHIVE_ALERT_WEBHOOK": f"http://127.0.0.1:{hook.server_address[1]}/hook"})
    hook.shutdown()
    hook.server_close()
    assert result.returncode == 1
    alarms = json.loads(query(db, "SELECT alarms FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]["alarms"])
    assert any(a.startswith(("selectors", "coverage")) for a in alarms), alarms
    assert "ALARM" in result.stdout
    assert _Webhook.received and _Webhook.received[-1]["spider"] == SITE


def test_robots_and_offsite_filtering_are_counted_apart_from_errors():
    from crawler.crawl.runs import summarize

    stats = {"downloader/exception_type_count/scrapy.exceptions.IgnoreRequest": 5, "robotstxt/forbidden": 3,
             "offsite/filtered": 1, "downloader/exception_type_count/twisted.internet.error.TimeoutError": 2,
             "retry/max_reached": 1}
    row = summarize(stats, "finished", 1.0)
    assert row["filtered"] == 4
    assert row["errors"] == 1 + 2 + 1  # the one other IgnoreRequest, the timeouts, the retries given up


def test_summary_columns_stay_aligned_with_long_site_names(tmp_path):
    import io

    from crawler.crawl.scheduled import print_summary

    db = tmp_path / "archive.db"
    store = ArticleStore(db)
    names = ["tuyengiao", "a_very_long_site_name_of_the_registry_tuyengiao"]
    ids = []
    for name in names:
        run_id = store.start_run(name, "2025-01-01T00:00:00+07:00", None)
        store.finish_run(run_id, {"finish_reason": "finished", "pages": 12345, "alarms": "[]", "filtered": 7})
        ids.append(run_id)
    store.close()
    out = io.StringIO()
    print_summary(str(db), ids, out)
    lines = [line for line in out.getvalue().splitlines() if line.startswith(("spider", *names))]
    assert len(lines) == 3
    header = lines[0]
    for line in lines[1:]:
        assert line.index("finished") == header.index("finish")  # never run into the next column
        assert len(line) == len(header)
        assert "12345" in line.split()


def test_a_crawl_logs_a_progress_line_per_interval(tmp_path):
    db = tmp_path / "archive.db"
    with MirrorServer(ROOT / "tests" / "fixtures" / "sites" / SITE) as mirror:
        result = run_spider(SITE, mirror.base_url, db, "-s", "ARCHIVE_PROGRESS_INTERVAL=0.05")
    lines = [line.split("INFO: ", 1)[1] for line in result.stderr.splitlines() if "[crawler.crawl.progress]" in line]
    assert len(lines) >= 2, result.stderr[-3000:]
    pattern = re.compile(rf"^progress {SITE}: \d+ pages, \d+ new, \d+ changed, \d+ errors, \d+ queued, \d+ in flight$")
    assert all(pattern.match(line) for line in lines), lines
    new = query(db, "SELECT COUNT(*) AS n FROM articles")[0]["n"]
    assert lines[-1].split(", ")[1] == f"{new} new"  # the last line, at close, has the run's final counts
