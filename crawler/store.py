"""archive.db: schema, upserts, revisions and the search index. The only writer.

    store = ArticleStore("archive.db")
    store.upsert(article, site="tuyengiao").status   # 'new', then 'unchanged' or 'changed'

Rules an archive keeps:
* one row per article in `articles`, keyed by canonical URL; every other URL
  it was seen under goes to `article_urls` (the same article under two URL
  schemes is stored once: matched on site + title + publication day);
* re-crawling an unchanged article only moves `last_seen_at`;
* a changed article first copies its current version to `article_revisions`;
* each upsert is its own transaction (WAL): a crash loses at most the item in flight;
* `articles_fts` indexes `vn_fold`ed title, lead and body (đ = d), maintained here,
  never with FTS5 'rebuild' (that would re-read the unfolded text).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler.cleaning import normalize_text
from crawler.items import Article
from crawler.search import vn_fold
from crawler.urls import canonicalize_url

DEFAULT_DB = "archive.db"
FTS_COLUMNS = ("title", "lead", "body_text")
# Fields whose change makes a new revision (the rest is bookkeeping).
CONTENT_FIELDS = ("title", "lead", "body_text", "author", "credit", "published_at", "category",
                  "captions")


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def default_database() -> str:
    """`ARCHIVE_DB` from the environment, else `archive.db` (the Scrapy setting reads the same)."""
    return os.environ.get("ARCHIVE_DB") or DEFAULT_DB


@dataclass(frozen=True)
class UpsertResult:
    status: str  # "new" | "changed" | "unchanged"
    article_id: int
    revision: int


def content_hash(fields: dict[str, Any]) -> str:
    payload = json.dumps({k: fields.get(k) for k in CONTENT_FIELDS}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def dedup_key(site: str, title: str | None, published_at: str | None) -> str | None:
    """Same site, same title, same publication day: the same article under another URL."""
    if not title or not published_at:
        return None
    key = f"{site}\n{normalize_text(title).casefold()}\n{published_at[:10]}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


class ArticleStore:
    def __init__(self, path: str | Path = DEFAULT_DB):
        self.path = str(path)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db = sqlite_utils.Database(conn)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.ensure_schema()

    def close(self) -> None:
        self.db.conn.close()

    # -- schema -------------------------------------------------------------

    def ensure_schema(self) -> None:
        db = self.db
        if "sites" not in db.table_names():
            db["sites"].create({
                "name": str, "origin": str, "domain": str, "province": str, "organization": str,
                "platform": str, "spider": str, "status": str, "notes": str,
            }, pk="name")
        if "articles" not in db.table_names():
            db["articles"].create({
                "id": int, "url": str, "site": str, "province": str, "category": str,
                "title": str, "lead": str, "body_text": str, "body_html": str,
                "author": str, "credit": str, "published_at": str, "published_raw": str,
                "published_year": int, "images": str, "captions": str, "word_count": int,
                "content_hash": str,
                "dedup_key": str, "revision": int, "extractor_version": str,
                "first_seen_at": str, "last_seen_at": str, "last_changed_at": str,
                "removed_at": str, "fetched_url": str,
            }, pk="id", not_null={"url", "site"}, foreign_keys=[("site", "sites", "name")])
            db["articles"].create_index(["url"], unique=True)
            db["articles"].create_index(["site", "published_at"])
            db["articles"].create_index(["dedup_key"])
            db["articles"].create_index(["published_at"])
        if "article_urls" not in db.table_names():
            db["article_urls"].create({"url": str, "article_id": int, "first_seen_at": str},
                                      pk="url", foreign_keys=[("article_id", "articles", "id")])
            db["article_urls"].create_index(["article_id"])
        if "article_revisions" not in db.table_names():
            db["article_revisions"].create({
                "id": int, "article_id": int, "revision": int, "title": str, "lead": str,
                "body_text": str, "body_html": str, "author": str, "credit": str,
                "published_at": str, "published_raw": str, "category": str, "images": str,
                "captions": str, "content_hash": str, "extractor_version": str,
                "valid_from": str, "valid_until": str,
            }, pk="id", foreign_keys=[("article_id", "articles", "id")])
            db["article_revisions"].create_index(["article_id", "revision"], unique=True)
        if "crawl_runs" not in db.table_names():
            db["crawl_runs"].create({
                "id": int, "spider": str, "started_at": str, "finished_at": str,
                "finish_reason": str, "pages": int, "articles_new": int, "articles_changed": int,
                "articles_unchanged": int, "articles_removed": int, "skipped": int, "not_found": int,
                "errors": int,
                "stats": str,
            }, pk="id")
        if "articles_fts" not in db.table_names():
            cols = ", ".join(FTS_COLUMNS)
            db.execute(
                f"CREATE VIRTUAL TABLE articles_fts USING fts5({cols}, content='articles', "
                "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
            )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing. (sqlite-utils' table methods commit on their own, so writes
        inside use `_insert`/`_update`.)"""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _insert(self, table: str, row: dict[str, Any], or_ignore: bool = False) -> int:
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" * len(row))
        verb = "INSERT OR IGNORE" if or_ignore else "INSERT"
        return self.db.execute(f'{verb} INTO "{table}" ({cols}) VALUES ({marks})',
                               list(row.values())).lastrowid

    def _update(self, table: str, rowid: int, row: dict[str, Any]) -> None:
        assignments = ", ".join(f'"{c}" = ?' for c in row)
        self.db.execute(f'UPDATE "{table}" SET {assignments} WHERE id = ?', [*row.values(), rowid])

    # -- sites and runs -----------------------------------------------------

    def register_site(self, **site: Any) -> None:
        self.db["sites"].upsert(site, pk="name", alter=True)

    def record_run(self, run: dict[str, Any]) -> int:
        return self.db["crawl_runs"].insert(run, alter=True).last_pk

    # -- articles -----------------------------------------------------------

    def _index(self, rowid: int, row: dict[str, Any], delete: bool = False) -> None:
        values = [vn_fold(row.get(c)) for c in FTS_COLUMNS]
        if delete:
            self.db.execute(
                f"INSERT INTO articles_fts(articles_fts, rowid, {', '.join(FTS_COLUMNS)}) "
                "VALUES('delete', ?, ?, ?, ?)", [rowid, *values])
        else:
            self.db.execute(
                f"INSERT INTO articles_fts(rowid, {', '.join(FTS_COLUMNS)}) VALUES(?, ?, ?, ?)",
                [rowid, *values])

    def find(self, url: str) -> dict[str, Any] | None:
        """The article stored under `url` (any of its URLs), or None."""
        row = self.db.execute(
            "SELECT a.* FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE u.url = ?",
            [canonicalize_url(url)]).fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in self.db.execute("SELECT * FROM articles LIMIT 0").description], row))

    def upsert(self, article: Article, *, site: str, province: str | None = None,
               fetched_url: str | None = None, seen_at: str | None = None) -> UpsertResult:
        """Store `article`: new row, new revision, or only a new `last_seen_at`."""
        seen_at = seen_at or now_iso()
        url = canonicalize_url(article.url)
        fields = {
            "title": article.title, "lead": article.lead, "body_text": article.body_text,
            "body_html": article.body_html, "author": article.author, "credit": article.credit,
            "published_at": article.published_at, "published_raw": article.published_raw,
            "category": article.category,
            "published_year": int(article.published_at[:4]) if article.published_at else None,
            "images": json.dumps(article.images, ensure_ascii=False),
            "captions": json.dumps(article.captions, ensure_ascii=False),
            "word_count": len(article.body_text.split()),
            "extractor_version": article.extractor_version,
        }
        fields["content_hash"] = content_hash({**fields, "captions": article.captions})
        key = dedup_key(site, article.title, article.published_at)

        with self.transaction():  # one transaction per article
            self._insert("sites", {"name": site}, or_ignore=True)
            existing = self.find(url)
            if existing is None and key:
                row = self.db.execute("SELECT id FROM articles WHERE dedup_key = ? AND site = ?",
                                      [key, site]).fetchone()
                if row:
                    existing = self.db["articles"].get(row[0])
                    self._insert("article_urls", {"url": url, "article_id": row[0],
                                                  "first_seen_at": seen_at}, or_ignore=True)
            if existing is None:
                article_id = self._insert("articles", {
                    "url": url, "site": site, "province": province, **fields, "dedup_key": key,
                    "revision": 1, "first_seen_at": seen_at, "last_seen_at": seen_at,
                    "last_changed_at": seen_at, "removed_at": None, "fetched_url": fetched_url,
                })
                self._insert("article_urls", {"url": url, "article_id": article_id,
                                              "first_seen_at": seen_at}, or_ignore=True)
                self._index(article_id, fields)
                return UpsertResult("new", article_id, 1)

            article_id = existing["id"]
            if existing["content_hash"] == fields["content_hash"]:
                self._update("articles", article_id, {"last_seen_at": seen_at, "removed_at": None})
                return UpsertResult("unchanged", article_id, existing["revision"])

            self._insert("article_revisions", {
                "article_id": article_id, "revision": existing["revision"],
                **{k: existing[k] for k in ("title", "lead", "body_text", "body_html", "author",
                                             "credit", "published_at", "published_raw", "category",
                                             "images", "captions", "content_hash",
                                             "extractor_version")},
                "valid_from": existing["last_changed_at"], "valid_until": seen_at,
            })
            revision = existing["revision"] + 1
            self._index(article_id, existing, delete=True)
            self._update("articles", article_id, {
                **fields, "dedup_key": key, "revision": revision, "last_seen_at": seen_at,
                "last_changed_at": seen_at, "removed_at": None,
            })
            self._index(article_id, fields)
            return UpsertResult("changed", article_id, revision)

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Diacritics-insensitive search (đ = d), best match first.

            store.search("dang uy khoi")   # finds "Đảng ủy Khối"
        """
        terms = " ".join('"' + t.replace('"', "") + '"' for t in vn_fold(query).split())
        rows = self.db.execute(
            "SELECT a.id, a.url, a.title FROM articles_fts f JOIN articles a ON a.id = f.rowid "
            "WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, 5.0, 2.0, 1.0) LIMIT ?",
            [terms, limit]).fetchall()
        return [{"id": r[0], "url": r[1], "title": r[2]} for r in rows]
