"""ArticleStore: the only writer of archive.db."""

from __future__ import annotations

import sqlite3
import unicodedata

import pytest

from crawler.extract.article import Article
from crawler.store import ArticleStore


def article(url: str = "https://tuyengiao.vn/bai-viet-130334", **fields) -> Article:
    base = dict(title="Đảng ủy Khối các cơ quan tỉnh Quảng Ninh tổng kết năm",
                paragraphs=["Đoạn một nói về công tác tuyên giáo.", "Đoạn hai: Ban Thường vụ Tỉnh ủy."],
                author="Thu Hằng", published_at="2022-08-11T14:02:00+07:00", published_raw="11/8/2022 14:2'")
    return Article(url=url, **{**base, **fields})


@pytest.fixture
def store(tmp_path):
    s = ArticleStore(tmp_path / "archive.db")
    yield s
    s.close()


def count(store: ArticleStore, table: str) -> int:
    return store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_new_unchanged_changed(store):
    assert store.upsert(article(), site="tuyengiao").status == "new"
    assert store.upsert(article(), site="tuyengiao").status == "unchanged"
    assert count(store, "article_revisions") == 0
    changed = article(paragraphs=["Đoạn một nói về công tác tuyên giáo.", "Đoạn hai đã sửa."])
    result = store.upsert(changed, site="tuyengiao")
    assert (result.status, result.revision) == ("changed", 2)
    earlier = store.db.execute("SELECT revision, body_text FROM article_revisions").fetchall()
    assert earlier == [(1, "Đoạn một nói về công tác tuyên giáo.\n\nĐoạn hai: Ban Thường vụ Tỉnh ủy.")]
    assert count(store, "articles") == 1


def test_tracking_parameters_and_default_ports_are_the_same_article(store):
    store.upsert(article(), site="tuyengiao")
    again = article(url="https://tuyengiao.vn:443/bai-viet-130334?utm_source=facebook#binh-luan")
    assert store.upsert(again, site="tuyengiao").status == "unchanged"
    assert count(store, "articles") == 1


def test_the_same_article_under_another_url_scheme_is_an_alias(store):
    legacy = "https://sapa.laocai.gov.vn/1227/27461/54439/293909/tin-tuc/phuong-an-dieu-chinh"
    newer = "https://sapa.laocai.gov.vn/tin-tuc/phuong-an-dieu-chinh-1105750"
    first = store.upsert(article(url=legacy), site="laocai_duk")
    second = store.upsert(article(url=newer), site="laocai_duk")
    assert second.article_id == first.article_id and second.status == "unchanged"
    assert count(store, "articles") == 1 and count(store, "article_urls") == 2
    assert store.find(newer)["url"] == legacy


def test_removed_articles_are_marked_kept_and_searchable_and_come_back(store):
    store.upsert(article(), site="tuyengiao")
    assert store.mark_removed(article().url)
    row = store.find(article().url)
    assert row["removed_at"] and row["body_text"]
    assert [hit["title"] for hit in store.search("tuyen giao")] == [article().title]
    store.upsert(article(), site="tuyengiao")
    assert store.find(article().url)["removed_at"] is None


@pytest.mark.parametrize("query", ["dang uy khoi", "Đảng ủy Khối", "ĐẢNG ỦY KHỐI", "quang ninh",
                                   unicodedata.normalize("NFD", "Quảng Ninh"), '"ban thuong vu"'])
def test_search_ignores_diacritics_case_and_folds_d(store, query):
    store.upsert(article(), site="tuyengiao")
    store.upsert(article(url="https://tuyengiao.vn/khac-1", title="Một bài khác hẳn", paragraphs=["Nội dung khác."]),
                 site="tuyengiao")
    hits = store.search(query)
    assert hits and hits[0]["title"] == article().title


def test_changed_article_is_reindexed_with_its_new_text(store):
    store.upsert(article(), site="tuyengiao")
    store.upsert(article(paragraphs=["Văn bản mới hoàn toàn về chuyển đổi số."]), site="tuyengiao")
    assert store.search("chuyen doi so") and not store.search("ban thuong vu")


def test_an_older_archive_is_migrated_in_place(tmp_path):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE crawl_runs (id INTEGER PRIMARY KEY, spider TEXT)")
    conn.execute("INSERT INTO crawl_runs (spider) VALUES ('tuyengiao')")
    conn.commit()
    conn.close()
    store = ArticleStore(db)
    assert {"alarms", "not_found", "stats"} <= set(store.db["crawl_runs"].columns_dict)
    assert count(store, "crawl_runs") == 1
    store.close()


def test_category_label_merges_case_and_space_variants_and_keeps_the_raw_category(store):
    store.upsert(article(category="Công tác Tuyên giáo"), site="tuyengiao")
    store.upsert(article(url="https://tuyengiao.vn/khac-2", title="Bài khác", category="công tác  tuyên giáo"),
                 site="tuyengiao")
    rows = store.db.execute("SELECT category, category_label FROM articles ORDER BY id").fetchall()
    assert rows == [("Công tác Tuyên giáo", "Công tác tuyên giáo"), ("công tác  tuyên giáo", "Công tác tuyên giáo")]


def test_an_archive_without_category_labels_gets_them_filled(tmp_path):
    db = tmp_path / "old.db"
    store = ArticleStore(db)
    store.upsert(article(category="TIN TỨC - SỰ KIỆN"), site="tuyengiao")
    store.upsert(article(url="https://tuyengiao.vn/khac-3", title="Không chuyên mục"), site="tuyengiao")
    for index, in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                   "AND sql LIKE '%category_label%'").fetchall():
        store.db.execute(f"DROP INDEX {index}")  # as an older crawler left it: no column, no index on it
    store.db.execute("ALTER TABLE articles DROP COLUMN category_label")
    store.close()
    store = ArticleStore(db)
    try:
        labels = store.db.execute("SELECT category, category_label FROM articles ORDER BY id").fetchall()
    finally:
        store.close()
    assert labels == [("TIN TỨC - SỰ KIỆN", "Tin tức - Sự kiện"), (None, None)]
