"""Batched writes (`ArticleStore.batch`): what a batch commits, when, and what a crash mid-batch leaves;
and the capture middleware's bounded memory of recent captures.

The unit tests write real archive.db files and read them from a second connection (what another
process sees); the acceptance test SIGKILLs a real crawl of a mirror between two commits.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.capture.paths import resolve, warc_root
from crawler.capture.reader import read_record
from crawler.crawl import capture
from crawler.extract.article import Article
from crawler.mirror import MirrorServer
from crawler.store import ArticleStore, integrity
from tests.conftest import ROOT, query, run_spider
from tests.test_scheduled import crawl_one_at_a_time, slow_articles

SITE = "tuyengiao"


def article(n: int, text: str = "Nội dung bài viết về công tác tuyên giáo.") -> Article:
    return Article(url=f"https://tuyengiao.vn/bai-{n}-{150000 + n}", title=f"Bài viết số {n}",
                   paragraphs=[f"{text} Đoạn {n}."], published_at=f"2025-03-0{n % 9 + 1}T08:00:00+07:00")


def seen_by_others(db: Path) -> int:
    """The articles another connection sees: only what is committed."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()


def index_problems(db: Path) -> list[str]:
    conn = integrity.open_read_only(db)
    try:
        return [*integrity.sqlite_problems(conn), *integrity.search_index_problems(conn),
                *integrity.revision_problems(conn), *integrity.fts_structure_problems(db)]
    finally:
        conn.close()


@pytest.fixture
def store(tmp_path):
    store = ArticleStore(tmp_path / "archive.db")
    yield store
    store.close()


def test_outside_a_batch_each_upsert_is_committed_at_once(store, tmp_path):
    assert store.upsert(article(1), site=SITE).status == "new"
    assert seen_by_others(tmp_path / "archive.db") == 1


def test_a_batch_commits_every_n_articles_and_at_its_end(store, tmp_path):
    db = tmp_path / "archive.db"
    with store.batch(3) as batch:
        for n in range(1, 5):
            store.upsert(article(n), site=SITE)
            assert seen_by_others(db) == (3 if n >= 3 else 0)
        assert (batch.committed, batch.pending) == (3, 1)
    assert seen_by_others(db) == 4
    assert store.search("bai viet so 4")  # the queued index writes went in with the commit
    assert index_problems(db) == []


def test_commit_writes_what_is_pending_and_the_batch_goes_on(store, tmp_path):
    db = tmp_path / "archive.db"
    with store.batch(100):
        store.upsert(article(1), site=SITE)
        store.commit()  # what a crawl's timer does
        assert seen_by_others(db) == 1
        store.upsert(article(2), site=SITE)
        assert seen_by_others(db) == 1
    assert seen_by_others(db) == 2


def test_an_exception_out_of_a_batch_rolls_back_only_what_was_not_committed(store, tmp_path):
    db = tmp_path / "archive.db"
    with pytest.raises(RuntimeError), store.batch(2):
        for n in range(1, 4):
            store.upsert(article(n), site=SITE)
        raise RuntimeError("stop")
    assert seen_by_others(db) == 2
    assert [r[0] for r in store.db.execute("SELECT title FROM articles ORDER BY id")] == ["Bài viết số 1",
                                                                                         "Bài viết số 2"]
    assert not store.search("bai viet so 3")
    assert index_problems(db) == []


def test_a_failing_upsert_rolls_back_alone_and_the_batch_goes_on(store, tmp_path):
    db = tmp_path / "archive.db"
    with store.batch(100):
        store.upsert(article(1), site=SITE)
        with pytest.raises(sqlite3.Error):  # fails at the article's INSERT, after its new site's row
            store.upsert(article(2), site="another_site", province=["not", "a", "value"])
        store.upsert(article(3), site="another_site")  # the site row is inserted again, not assumed
    assert seen_by_others(db) == 2
    rows = query(db, "SELECT a.title, a.site FROM articles a JOIN sites s ON s.name = a.site ORDER BY a.id")
    assert [tuple(r) for r in rows] == [("Bài viết số 1", SITE), ("Bài viết số 3", "another_site")]
    assert not store.search("bai viet so 2")
    assert index_problems(db) == []


def test_changes_within_one_batch_keep_every_revision_and_the_index_right(store, tmp_path):
    db = tmp_path / "archive.db"
    with store.batch(100):
        assert store.upsert(article(1, "Bản đầu tiên."), site=SITE).status == "new"
        assert store.upsert(article(1, "Bản sửa lần một."), site=SITE).status == "changed"
        assert store.upsert(article(1, "Bản sửa lần hai."), site=SITE).revision == 3
    assert [r["revision"] for r in query(db, "SELECT revision FROM article_revisions ORDER BY id")] == [1, 2]
    assert store.search("ban sua lan hai") and not store.search("ban dau tien")
    assert index_problems(db) == []


def test_before_commit_callbacks_run_before_each_commit(store, tmp_path):
    db = tmp_path / "archive.db"
    seen_at_callback: list[int] = []
    store.before_commit(lambda: seen_at_callback.append(seen_by_others(db)))
    with store.batch(2):
        for n in range(1, 4):
            store.upsert(article(n), site=SITE)
    assert seen_at_callback == [0, 2]  # each time, the rows were not yet visible


def test_captures_and_touches_in_a_batch_commit_with_it(store, tmp_path):
    db = tmp_path / "archive.db"
    store.upsert(article(1), site=SITE)
    row = {"url": article(1).url, "fetched_at": "2026-01-01T08:00:00+07:00", "warc_date": "2026-01-01T01:00:00Z",
           "status": 200, "record_type": "response", "record_id": "<urn:uuid:1>", "warc_file": "x.warc.gz",
           "warc_offset": 0, "warc_length": 10, "payload_length": 5, "spider": SITE}
    with store.batch(100):
        capture_id = store.add_capture(row)
        assert store.add_capture(row) == capture_id  # the same record keeps its id
        assert store.touch(article(1).url, seen_at="2026-01-02T08:00:00+07:00")
        assert store.mark_removed(article(1).url, removed_at="2026-01-03T08:00:00+07:00")
        assert query(db, "SELECT count(*) n FROM captures")[0]["n"] == 0
        assert query(db, "SELECT removed_at FROM articles")[0]["removed_at"] is None
    assert query(db, "SELECT count(*) n FROM captures")[0]["n"] == 1
    assert query(db, "SELECT removed_at FROM articles")[0]["removed_at"] == "2026-01-03T08:00:00+07:00"


def test_a_second_batch_joins_the_open_one_and_the_last_closes_it(store, tmp_path):
    db = tmp_path / "archive.db"
    first, second = ExitStack(), ExitStack()
    first.enter_context(store.batch(100))  # two spiders of one process, opened and closed in any order
    second.enter_context(store.batch(100))
    store.upsert(article(1), site=SITE)
    first.close()
    assert seen_by_others(db) == 1  # each one's end commits
    store.upsert(article(2), site=SITE)
    assert seen_by_others(db) == 1  # still batched
    second.close()
    assert seen_by_others(db) == 2
    store.upsert(article(3), site=SITE)
    assert seen_by_others(db) == 3  # no batch left: at once


def test_bookkeeping_writes_in_a_batch_commit_it_first(store, tmp_path):
    db = tmp_path / "archive.db"
    with store.batch(100):
        store.upsert(article(1), site=SITE)
        run_id = store.start_run(SITE, "2026-01-01T08:00:00+07:00")  # sqlite-utils commits on its own
        assert seen_by_others(db) == 1
        store.upsert(article(2), site=SITE)
        store.finish_run(run_id, {"finished_at": "2026-01-01T09:00:00+07:00"})
    assert seen_by_others(db) == 2
    assert index_problems(db) == []


# -- acceptance: a crawl killed mid-batch ---------------------------------------------------------------

BATCH = 4


def article_paths(requests: list[str], articles: dict) -> set[str]:
    return {path for path in requests if path in articles}


def stored_in_process(log: Path) -> int:
    """Articles the killed crawl's store pipeline had written, committed or not (Scrapy logs each item
    that passed every pipeline)."""
    return log.read_text(encoding="utf-8").count("Scraped from <200") if log.exists() else 0


def test_a_crawl_killed_mid_batch_keeps_every_committed_article_whole(mirror_copy, tmp_path):
    root = mirror_copy(SITE)
    articles = slow_articles(root, SITE, 0.3)  # slow article pages: the kill lands between two commits
    db, log = tmp_path / "archive.db", tmp_path / "crawl.log"
    with MirrorServer(root) as mirror:
        cmd = crawl_one_at_a_time(SITE, mirror.base_url, db, f"LOG_FILE={log}", "LOG_LEVEL=DEBUG",
                                  f"ARCHIVE_BATCH_SIZE={BATCH}", "ARCHIVE_BATCH_SECONDS=600")
        child = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        committed = 0
        while time.monotonic() < deadline and committed < BATCH:  # the first batch is committed
            time.sleep(0.05)
            if db.exists():
                try:
                    committed = seen_by_others(db)
                except sqlite3.Error:  # tables not created yet
                    continue
        # two articles written and not committed (counted against the commits now: the crawl may have
        # committed another batch since the first one was seen)
        while time.monotonic() < deadline and stored_in_process(log) - seen_by_others(db) < 2:
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        killed_fetched = article_paths(mirror.requests, articles)
        killed_requests = len(mirror.requests)

        stored = {"/" + r["url"].split("/", 3)[-1] for r in query(db, "SELECT url FROM articles")}
        assert BATCH <= len(stored) < len(articles) and len(stored) % BATCH == 0  # whole batches only
        assert 0 < stored_in_process(log) - len(stored) < BATCH  # the kill landed mid-batch
        # every article row whole: its URL, its search index entry, its capture row and WARC record
        assert query(db, "SELECT count(*) n FROM articles a WHERE NOT EXISTS "
                         "(SELECT 1 FROM article_urls u WHERE u.article_id = a.id)")[0]["n"] == 0
        assert index_problems(db) == []  # integrity_check, foreign keys, FTS5 structure, index = articles' text
        rows = query(db, "SELECT a.url, c.url AS capture_url, c.warc_file, c.warc_offset, c.record_type "
                         "FROM articles a JOIN captures c ON c.id = a.capture_id")
        assert len(rows) == len(stored)
        for row in rows:
            record = read_record(resolve(warc_root(None, db), row["warc_file"]), row["warc_offset"])
            assert (record.rec_type, record.url) == (row["record_type"], row["capture_url"])

        run_spider(SITE, mirror.base_url, db)
        refetched = article_paths(mirror.requests[killed_requests:], articles)

    # the next run fetches again exactly what was not committed: the last batch and the pages in flight
    assert not refetched & stored
    assert refetched & killed_fetched == killed_fetched - stored
    assert query(db, "SELECT count(*) n FROM articles")[0]["n"] == len(articles)
    assert index_problems(db) == []


def test_a_slow_crawl_commits_every_batch_seconds_however_few_articles(mirror_copy, tmp_path):
    root = mirror_copy(SITE)
    articles = slow_articles(root, SITE, 0.3)
    db = tmp_path / "archive.db"
    with MirrorServer(root) as mirror:
        cmd = crawl_one_at_a_time(SITE, mirror.base_url, db, "ARCHIVE_BATCH_SIZE=1000", "ARCHIVE_BATCH_SECONDS=1")
        child = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seen_while_running: set[int] = set()
        try:
            while child.poll() is None:
                time.sleep(0.1)
                if not db.exists():
                    continue
                try:
                    seen_while_running.add(seen_by_others(db))
                except sqlite3.Error:  # not created yet
                    continue
        finally:
            child.kill()
            child.wait()
    # far fewer than 1000 articles, yet committed along the way, not only at the end
    assert any(0 < n < len(articles) for n in seen_while_running), sorted(seen_while_running)
    assert seen_by_others(db) == len(articles)


# -- bounded memory: the capture middleware's recent captures ---------------------------------------------


class MirrorSpider(Spider):
    name = site_name = SITE
    origin = "http://127.0.0.1:8000"


def test_recent_captures_are_bounded_and_older_ones_are_read_from_the_archive(tmp_path, monkeypatch):
    monkeypatch.setattr(capture, "RECENT_CAPTURES", 3)
    crawler = get_crawler(MirrorSpider, {"ARCHIVE_DB": str(tmp_path / "archive.db")})
    crawler.spider = crawler._create_spider()
    middleware = capture.WarcCaptureMiddleware.from_crawler(crawler)

    def fetch(n: int) -> dict:
        url = f"{MirrorSpider.origin}/bai-{n}"
        request = Request(url)
        middleware.process_response(request, HtmlResponse(url, body=f"<p>Bài {n}</p>".encode(), request=request))
        return middleware.store.capture(request.meta["capture_id"])

    first = fetch(0)
    for n in range(1, 6):
        fetch(n)
    assert list(middleware.last) == [f"{MirrorSpider.origin}/bai-{n}" for n in (3, 4, 5)]  # the newest three
    again = fetch(0)  # forgotten in memory: found in `captures`, so still a revisit of the first capture
    assert (again["record_type"], again["refers_to"]) == ("revisit", first["id"])
    assert len(middleware.last) == 3
    middleware.spider_closed()
    middleware.store.close()
