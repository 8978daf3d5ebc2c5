"""archive.db: schema, upserts, revisions and the search index. The only writer.

Long because it is the one module that writes SQL: every write path stays in one place.

    store = ArticleStore("archive.db")
    store.upsert(article, site="tuyengiao").status   # 'new', then 'unchanged' or 'changed'

Rules an archive keeps:
* one row per article in `articles`, keyed by canonical URL; every other URL
  it was seen under goes to `article_urls` (the same article under two URL
  schemes is stored once: matched on site + title + publication day);
* re-crawling an unchanged article only moves `last_seen_at`;
* a changed article first copies its current version to `article_revisions`;
* every write is all or nothing (WAL); inside `batch()` the writes share one transaction, committed
  every `DEFAULT_BATCH_SIZE` articles and at the batch's end: a crash loses at most the batch in
  flight, whole articles only (a write that fails rolls back alone, to its savepoint);
* `captures` indexes the raw pages kept in WARC (crawler/capture/); every article version
  (row and revision) names the capture it was extracted from (`capture_id`);
* `articles_fts` indexes `vn_fold`ed title, lead and body (đ = d) under each article's
  `search_key` (publication order; crawler/store/search_index.py), maintained here,
  never with FTS5 'rebuild' (that would re-read the unfolded text).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler.extract.article import Article
from crawler.extract.cleaning import normalize_text
from crawler.store import search_index
from crawler.store.flags import date_flag
from crawler.store.folding import vn_fold
from crawler.store.labels import category_label
from crawler.store.schema import SCHEMA, VIEWS
from crawler.urls import canonicalize_url

DEFAULT_DB = "archive.db"
# Articles per transaction in `batch()`. Measured (BENCHMARKS.md, scripts/bench_store_batch): 50 gives over half
# the gain over one per article, 500 the rest; more buys nothing and leaves more to re-fetch after a crash.
DEFAULT_BATCH_SIZE = 500
# SQLite's page cache while a batch is open (2 MB by default): a batch's dirty pages (~500 articles of ~20 KB)
# stay in memory until the commit instead of spilling into the WAL early; ~5-10% less CPU per article measured.
BATCH_CACHE_MB = 32
# Fields whose change makes a new revision (the rest is bookkeeping).
CONTENT_FIELDS = ("title", "lead", "body_text", "author", "credit", "published_at", "category",
                  "captions")


def now_iso() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def default_database() -> str:
    """`ARCHIVE_DB` from the environment, else `archive.db` (the Scrapy setting reads the same)."""
    return os.environ.get("ARCHIVE_DB") or DEFAULT_DB


@dataclass(frozen=True)
class UpsertResult:
    status: str  # "new" | "changed" | "unchanged"
    article_id: int
    revision: int


@dataclass
class Batch:
    """An open `ArticleStore.batch()`: its size, and the articles written in it, pending and committed."""

    size: int
    holders: int = 0  # the `batch()` blocks open on it
    pending: int = 0
    committed: int = 0
    index_writes: list[tuple[str, list[Any]]] = field(default_factory=list)  # search index writes, in order


def content_hash(fields: dict[str, Any]) -> str:
    payload = json.dumps({k: fields.get(k) for k in CONTENT_FIELDS}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def article_fields(article: Article) -> dict[str, Any]:
    """The stored content columns of an article, with the `content_hash` that decides a new revision."""
    body_text = article.body_text  # a property: joined on every read
    fields = {
        "title": article.title, "lead": article.lead, "body_text": body_text,
        "body_html": article.body_html, "author": article.author, "credit": article.credit,
        "published_at": article.published_at, "published_raw": article.published_raw,
        "category": article.category, "category_label": category_label(article.category),
        "published_year": int(article.published_at[:4]) if article.published_at else None,
        "images": json.dumps(article.images, ensure_ascii=False),
        "captions": json.dumps(article.captions, ensure_ascii=False),
        "word_count": len(body_text.split()),
        "extractor_version": article.extractor_version,
        "extraction_method": article.extraction_method,
        "date_flag": date_flag(article.published_at, article.published_raw),
    }
    fields["content_hash"] = content_hash({**fields, "captions": article.captions})
    return fields


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
        search_index.register_functions(conn)
        self.conn = conn  # the write path calls it directly: sqlite-utils' execute parses every statement
        self._batch: Batch | None = None
        self._before_commit: list[Callable[[], None]] = []
        self._sites: set[str] = set()  # site rows known to exist (not inserted again per article)
        self.ensure_schema()

    def close(self) -> None:
        self.db.conn.close()

    # -- schema -------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Create missing tables, add missing columns (an older archive.db is migrated in place)."""
        db = self.db
        for name, spec in SCHEMA.items():
            table = db[name]
            if name not in db.table_names():
                table.create(spec["columns"], pk=spec["pk"], not_null=spec.get("not_null"),
                             foreign_keys=spec.get("foreign_keys"))
            else:
                for column, kind in spec["columns"].items():
                    if column not in table.columns_dict:
                        table.add_column(column, kind)
                        if (name, column) == ("articles", "category_label"):  # derived: fill the old rows once
                            db.conn.create_function("category_label", 1, category_label, deterministic=True)
                            db.execute("UPDATE articles SET category_label = category_label(category) "
                                       "WHERE category IS NOT NULL")
        for name, sql in VIEWS.items():
            current = db.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", [name]).fetchone()
            wanted = f"CREATE VIEW {name} AS {' '.join(sql.split())}"
            if current is None or current[0] != wanted:
                db.execute(f"DROP VIEW IF EXISTS {name}")
                db.execute(wanted)
        if not search_index.is_current(db.conn):  # new, or an archive from before the keyed index
            with self.transaction():
                search_index.rebuild(db.conn)
        for name, spec in SCHEMA.items():  # every index, also those added since an old archive was made
            for columns, unique in spec.get("indexes", []):
                db[name].create_index(columns, unique=unique, if_not_exists=True)

    @contextmanager
    def transaction(self, articles: int = 0) -> Iterator[None]:
        """All or nothing: its own transaction, or inside a batch a savepoint of the batch's, which
        then counts `articles` towards its size. (sqlite-utils' table methods commit on their own, so
        writes inside use `_insert`/`_update`.)"""
        if self._batch is None:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._rollback()
                raise
            self.conn.execute("COMMIT")
            return
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("SAVEPOINT write")
        queued = len(self._batch.index_writes)
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:  # SQLite rolls the whole transaction back itself on some errors
                self.conn.execute("ROLLBACK TO write")
                self.conn.execute("RELEASE write")
                del self._batch.index_writes[queued:]
                self._sites.clear()  # a site row it inserted is gone
            else:
                self._forget_batch()
            raise
        self.conn.execute("RELEASE write")
        self._batch.pending += articles
        if self._batch.pending >= self._batch.size:
            self.commit()

    @contextmanager
    def batch(self, size: int = DEFAULT_BATCH_SIZE) -> Iterator[Batch]:
        """Writes inside share one transaction, committed every `size` articles, by `commit()` (a crawl
        calls it every few seconds), and at the end; an exception out of the block rolls back what is not
        committed yet. A batch opened while one is open joins it (the spiders of one process share a
        store): one transaction, committed at each one's end, closed with the last. Before each commit
        the `before_commit` callbacks run (the WARC writer syncs its file: a committed capture row never
        names a record that is not on disk).

            with store.batch():
                for article in articles:
                    store.upsert(article, site="tuyengiao")
        """
        if self._batch is None:
            self._batch = Batch(size)
            if -self.conn.execute("PRAGMA cache_size").fetchone()[0] < BATCH_CACHE_MB * 1024:  # never smaller
                self.set_cache_size(BATCH_CACHE_MB)
        batch = self._batch
        batch.holders += 1
        try:
            yield batch
        except BaseException:
            self._rollback()
            raise
        else:
            self.commit()
        finally:
            batch.holders -= 1
            if batch.holders == 0:
                self._batch = None

    def commit(self) -> None:
        """Commit the batch's pending writes, after the `before_commit` callbacks (nothing to do outside a batch)."""
        if self._batch is None or not self.conn.in_transaction:
            return
        try:
            self._write_index_queue()
            for callback in self._before_commit:
                callback()
            self.conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        self._batch.committed += self._batch.pending
        self._batch.pending = 0

    def before_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` before each batch commit (the WARC capture middleware syncs its file)."""
        self._before_commit.append(callback)

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self._forget_batch()

    def _forget_batch(self) -> None:
        """The pending writes are gone: so may be the site rows they inserted."""
        self._sites.clear()
        if self._batch is not None:
            self._batch.pending = 0
            self._batch.index_writes.clear()

    def _bookkeeping(self) -> None:
        """Before a sqlite-utils write (which commits whatever transaction is open): commit the batch
        properly first (rare writes: a site's row, a run's start and end)."""
        self.commit()

    def _insert(self, table: str, row: dict[str, Any], or_ignore: bool = False) -> int:
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" * len(row))
        verb = "INSERT OR IGNORE" if or_ignore else "INSERT"
        return self.conn.execute(f'{verb} INTO "{table}" ({cols}) VALUES ({marks})', list(row.values())).lastrowid

    def _update(self, table: str, rowid: int, row: dict[str, Any]) -> None:
        assignments = ", ".join(f'"{c}" = ?' for c in row)
        self.conn.execute(f'UPDATE "{table}" SET {assignments} WHERE id = ?', [*row.values(), rowid])

    # -- sites and runs -----------------------------------------------------

    def register_site(self, **site: Any) -> None:
        self._bookkeeping()
        self.db["sites"].upsert(site, pk="name", alter=True)
        self._sites.add(site["name"])

    def start_run(self, spider: str, started_at: str, log_file: str | None = None) -> int:
        """A `crawl_runs` row written when a crawl starts: a run killed mid-way stays visible."""
        self._bookkeeping()
        self.db.execute("UPDATE crawl_runs SET finish_reason = 'killed' WHERE spider = ? AND finished_at IS NULL",
                        [spider])
        return self.db["crawl_runs"].insert({"spider": spider, "started_at": started_at, "log_file": log_file},
                                            alter=True).last_pk

    def finish_run(self, run_id: int, row: dict[str, Any]) -> None:
        self._bookkeeping()
        self.db["crawl_runs"].update(run_id, row, alter=True)

    def previous_runs(self, spider: str, limit: int = 5) -> list[dict[str, Any]]:
        """The spider's last finished runs, newest first (for alarms)."""
        return list(self.db.query(
            "SELECT * FROM crawl_runs WHERE spider = ? AND finished_at IS NOT NULL ORDER BY id DESC LIMIT ?",
            [spider, limit]))

    # -- articles -----------------------------------------------------------

    def _index(self, row: dict[str, Any], delete: bool = False) -> None:
        """Index an article row (with its search_key and search_scope), or take it out of the index."""
        if row.get("search_key") is not None:
            self._index_write(search_index.DELETE_SQL if delete else search_index.INSERT_SQL,
                              search_index.index_values(row))

    def _index_write(self, sql: str, values: list[Any]) -> None:
        """A write to the search index: at once, or inside a batch at its commit. FTS5 flushes its pending
        terms to disk at every savepoint, so indexing per article inside the batch's savepoints costs a
        segment per article (and their merging); queued, the batch's terms are written in a few."""
        if self._batch is None:
            self.conn.execute(sql, values)
        else:
            self._batch.index_writes.append((sql, values))

    def _write_index_queue(self) -> None:
        writes, self._batch.index_writes = self._batch.index_writes, []
        for sql, group in itertools.groupby(writes, key=lambda write: write[0]):
            self.conn.executemany(sql, [values for _sql, values in group])

    def find(self, url: str) -> dict[str, Any] | None:
        """The article stored under `url` (any of its URLs), or None."""
        return self._find(canonicalize_url(url))

    def _find(self, url: str) -> dict[str, Any] | None:
        cursor = self.conn.execute(
            "SELECT a.* FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE u.url = ?", [url])
        row = cursor.fetchone()
        return None if row is None else dict(zip([d[0] for d in cursor.description], row, strict=True))

    def _article(self, article_id: int) -> dict[str, Any]:
        cursor = self.conn.execute("SELECT * FROM articles WHERE id = ?", [article_id])
        return dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))

    def upsert(self, article: Article, *, site: str, province: str | None = None,
               fetched_url: str | None = None, seen_at: str | None = None,
               reextract: bool = False) -> UpsertResult:
        """Store `article`: new row, new revision, or only a new `last_seen_at`.

        `seen_at` defaults to the fetch time of the article's capture. `reextract=True`
        (crawler/reextract.py): the page was extracted again from its stored capture, not
        fetched again: `last_seen_at` and the HTTP validators stay, the extractor version
        and the capture are recorded, and `seen_at` dates a new revision.
        """
        seen_at = seen_at or self.capture_time(article.capture_id) or now_iso()
        url = canonicalize_url(article.url)
        fields = article_fields(article)
        validators = {"etag": article.etag, "last_modified": article.last_modified}
        provenance = {"capture_id": article.capture_id} if article.capture_id is not None else {}
        key = dedup_key(site, article.title, article.published_at)

        with self.transaction(articles=1):  # all or nothing per article
            if site not in self._sites:
                self._insert("sites", {"name": site}, or_ignore=True)
                self._sites.add(site)
            existing = self._find(url)
            if existing is None and key:
                row = self.conn.execute("SELECT id FROM articles WHERE dedup_key = ? AND site = ?",
                                        [key, site]).fetchone()
                if row:
                    existing = self._article(row[0])
                    self._insert("article_urls", {"url": url, "article_id": row[0],
                                                  "first_seen_at": seen_at}, or_ignore=True)
            if existing is None:
                # the id is taken (as SQLite would) before the insert: the search key holds it
                article_id = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM articles").fetchone()[0]
                search_key, scope = search_index.row_keys(self.conn, article_id, fields["published_at"], site,
                                                          province)
                row = {"id": article_id, "url": url, "site": site, "province": province, **fields,
                       "dedup_key": key, "revision": 1, "first_seen_at": seen_at, "last_seen_at": seen_at,
                       "last_changed_at": seen_at, "removed_at": None, "fetched_url": fetched_url, **validators,
                       **provenance, "search_key": search_key, "search_scope": scope}
                self._insert("articles", row)
                self._insert("article_urls", {"url": url, "article_id": article_id,
                                              "first_seen_at": seen_at}, or_ignore=True)
                self._index(row)
                return UpsertResult("new", article_id, 1)

            article_id = existing["id"]
            seen = {} if reextract else {"last_seen_at": seen_at, "removed_at": None, **validators}
            if existing["content_hash"] == fields["content_hash"]:
                if reextract:
                    seen = {"extractor_version": fields["extractor_version"]}
                self._update("articles", article_id, {**seen, **provenance})
                return UpsertResult("unchanged", article_id, existing["revision"])

            self._insert("article_revisions", {
                "article_id": article_id, "revision": existing["revision"],
                **{k: existing[k] for k in ("title", "lead", "body_text", "body_html", "author",
                                             "credit", "published_at", "published_raw", "category",
                                             "images", "captions", "content_hash",
                                             "extractor_version", "capture_id")},
                "valid_from": existing["last_changed_at"], "valid_until": seen_at,
            })
            revision = existing["revision"] + 1
            self._index(existing, delete=True)
            search_key, scope = search_index.row_keys(self.conn, article_id, fields["published_at"],
                                                      existing["site"], existing["province"])
            changed = {**fields, "dedup_key": key, "revision": revision, "last_changed_at": seen_at, **seen,
                       **provenance, "search_key": search_key, "search_scope": scope}
            self._update("articles", article_id, changed)
            self._index({**existing, **changed})
            return UpsertResult("changed", article_id, revision)

    # -- captures (crawler/capture/) -----------------------------------------

    def add_capture(self, row: dict[str, Any]) -> int:
        """Index one WARC record (a `captures` row); the same record indexed twice keeps its id. Inside a
        batch, committed with the articles extracted from it."""
        with self.transaction():
            cols = ", ".join(f'"{c}"' for c in row)
            cursor = self.conn.execute(f"INSERT OR IGNORE INTO captures ({cols}) VALUES ({', '.join('?' * len(row))})",
                                       list(row.values()))
            if cursor.rowcount == 1:
                return cursor.lastrowid
            return self.conn.execute("SELECT id FROM captures WHERE warc_file = ? AND warc_offset = ?",
                                     [row["warc_file"], row["warc_offset"]]).fetchone()[0]

    def capture(self, capture_id: int) -> dict[str, Any] | None:
        """One `captures` row."""
        rows = list(self.db.query("SELECT * FROM captures WHERE id = ?", [capture_id]))
        return rows[0] if rows else None

    def captures_of_site(self, site: str) -> list[dict[str, Any]]:
        """Every `captures` row of a site, in capture order."""
        return list(self.db.query("SELECT * FROM captures WHERE spider = ? ORDER BY id", [site]))

    def page_captures(self, sites: list[str] | None = None) -> Iterator[dict[str, Any]]:
        """The response and revisit captures (of `sites`, else all), in capture order."""
        sql = "SELECT * FROM captures WHERE record_type IN ('response', 'revisit')"
        if sites:
            sql += f" AND spider IN ({', '.join('?' * len(sites))})"
        return self.db.query(sql + " ORDER BY id", sites or [])

    def captured_sites(self) -> set[str]:
        """The sites that have captures."""
        return {row[0] for row in self.db.execute("SELECT DISTINCT spider FROM captures")}

    def referred_capture(self, record_id: str, url: str, digest: str | None) -> tuple[int, int] | None:
        """(id, payload length) of the capture a revisit refers to: by WARC-Record-ID, else the latest
        response of `url` with the same payload digest."""
        found = self.db.execute("SELECT id, payload_length FROM captures WHERE record_id = ?", [record_id]).fetchone()
        if found is None and digest:
            found = self.db.execute(
                "SELECT id, payload_length FROM captures WHERE url = ? AND payload_digest = ? "
                "AND record_type = 'response' ORDER BY id DESC LIMIT 1", [url, digest]).fetchone()
        return tuple(found) if found else None

    def count_articles(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def last_payload_capture(self, url: str) -> tuple[int, str, str, str] | None:
        """(capture id, payload digest, record id, WARC-Date) of the latest capture of `url` that holds
        a payload; a revisit points at the record that holds it."""
        row = self.db.execute(
            "SELECT id, payload_digest, record_id, warc_date, refers_to FROM captures "
            "WHERE url = ? AND record_type IN ('response', 'revisit') AND payload_length > 0 "
            "ORDER BY id DESC LIMIT 1", [url]).fetchone()
        if row is None:
            return None
        capture_id, digest, record_id, warc_date, refers_to = row
        if refers_to is not None:
            original = self.db.execute("SELECT id, record_id, warc_date FROM captures WHERE id = ?",
                                       [refers_to]).fetchone()
            if original is None:
                return None
            capture_id, record_id, warc_date = original
        return capture_id, digest, record_id, warc_date

    def capture_time(self, capture_id: int | None) -> str | None:
        """When a capture was fetched (`captures.fetched_at`), or None."""
        if capture_id is None:
            return None
        row = self.conn.execute("SELECT fetched_at FROM captures WHERE id = ?", [capture_id]).fetchone()
        return row[0] if row else None

    def known_articles(self, site: str) -> dict[str, dict[str, Any]]:
        """Every URL of the site's articles -> what revisiting needs to know about its article."""
        rows = self.db.query(
            "SELECT u.url, a.id, a.published_at, a.first_seen_at, a.last_seen_at, a.removed_at, a.etag, "
            "a.last_modified, u.url = a.url AS url_is_primary "
            "FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE a.site = ?", [site])
        return {row.pop("url"): row for row in rows}

    def touch(self, url: str, seen_at: str | None = None, etag: str | None = None,
              last_modified: str | None = None) -> bool:
        """The page is still there and unchanged (e.g. answered 304): only `last_seen_at` moves."""
        update: dict[str, Any] = {"last_seen_at": seen_at or now_iso(), "removed_at": None}
        if etag or last_modified:
            update.update(etag=etag, last_modified=last_modified)
        return self._update_found(url, update)

    def _update_found(self, url: str, update: dict[str, Any], unless_set: str | None = None) -> bool:
        """Update the article stored under `url`, if there is one (and its `unless_set` column is empty)."""
        with self.transaction():
            article = self.find(url)
            if article is None or unless_set and article[unless_set]:
                return False
            self._update("articles", article["id"], update)
            return True

    def set_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Remember ETag / Last-Modified for conditional revisits."""
        self._update_found(url, {"etag": etag, "last_modified": last_modified})

    def mark_removed(self, url: str, removed_at: str | None = None) -> bool:
        """The page is gone (404/410, or redirected to the home page): mark, never delete."""
        return self._update_found(url, {"removed_at": removed_at or now_iso()}, unless_set="removed_at")

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Diacritics-insensitive search (đ = d), best match first.

            store.search("dang uy khoi")   # finds "Đảng ủy Khối"
        """
        terms = " ".join('"' + t.replace('"', "") + '"' for t in vn_fold(query).split())
        rows = self.db.execute(
            "SELECT a.id, a.url, a.title FROM articles_fts f JOIN articles a ON a.search_key = f.rowid "
            f"WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, {search_index.BM25_WEIGHTS}) LIMIT ?",
            [f"{{{' '.join(search_index.TEXT_COLUMNS)}}} : ({terms})", limit]).fetchall()
        return [{"id": r[0], "url": r[1], "title": r[2]} for r in rows]

    # -- research data (crawler/enrich.py) --------------------------------------------------------

    def articles_to_enrich(self, version: int, force: bool = False) -> list[int]:
        """Ids of the articles whose research rows are missing, from another enrichment version or from
        another text (their `content_hash` moved on), in id order; every article with `force`."""
        if force:
            return [row[0] for row in self.db.execute("SELECT id FROM articles ORDER BY id")]
        return [row[0] for row in self.db.execute(
            "SELECT a.id FROM articles a LEFT JOIN article_enrichment e ON e.article_id = a.id "
            "WHERE e.article_id IS NULL OR e.enrichment_version IS NOT ? OR e.content_hash IS NOT a.content_hash "
            "ORDER BY a.id", [version])]

    def enrichment_sources(self, ids: list[int]) -> list[dict[str, Any]]:
        """What the enrichment reads of these articles: id, site, province, title, lead, body_text,
        published_at, content_hash."""
        marks = ", ".join("?" * len(ids))
        cursor = self.db.execute(
            "SELECT id, site, province, title, lead, body_text, published_at, content_hash FROM articles "
            f"WHERE id IN ({marks}) ORDER BY id", list(ids))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def replace_enrichment(self, *enrichments: Any) -> None:
        """Replace the research rows of each article: `enrichments` are `crawler.enrich.Enrichment`s
        (`article_id`, `version`, `content_hash`, `rows`: table -> rows). All in one transaction: an
        article never has half its rows; its `article_enrichment` row records the version and the text."""
        if not enrichments:
            return
        ids = [e.article_id for e in enrichments]
        marks = ", ".join("?" * len(ids))
        tables = ("article_references", "article_places", "article_people")
        enriched_at = now_iso()
        with self.transaction():
            for table in tables:
                self.db.execute(f"DELETE FROM {table} WHERE article_id IN ({marks})", ids)
                columns = [c for c in SCHEMA[table]["columns"] if c != "id"]
                rows = [tuple(map(row.get, columns)) for e in enrichments for row in e.rows.get(table, ())]
                if rows:
                    names = ", ".join(f'"{c}"' for c in columns)
                    self.db.conn.executemany(
                        f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO article_enrichment (article_id, enrichment_version, content_hash, enriched_at, "
                "references_count, places_count, people_count) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(e.article_id, e.version, e.content_hash, enriched_at, len(e.rows.get("article_references", ())),
                  len(e.rows.get("article_places", ())), len(e.rows.get("article_people", ()))) for e in enrichments])

    # -- distributed ingestion (crawler/distributed/ingest.py) -----------------------------------------

    def capture_id_at(self, warc_file: str, warc_offset: int) -> int | None:
        """The id of the capture indexed at (WARC file, offset), or None (how a worker names a capture)."""
        row = self.db.execute("SELECT id FROM captures WHERE warc_file = ? AND warc_offset = ?",
                              [warc_file, warc_offset]).fetchone()
        return row[0] if row else None

    def run_started_at(self, spider: str, started_at: str) -> int | None:
        """The id of `spider`'s `crawl_runs` row started at `started_at`, or None (a replayed pass start)."""
        row = self.db.execute("SELECT id FROM crawl_runs WHERE spider = ? AND started_at = ? ORDER BY id LIMIT 1",
                              [spider, started_at]).fetchone()
        return row[0] if row else None

    def set_cache_size(self, megabytes: int) -> None:
        """SQLite's page cache of this connection (2 MB by default): a bulk writer (the enrichment backfill)
        touching large indexes at random runs several times faster with a few hundred."""
        self.db.execute(f"PRAGMA cache_size = -{int(megabytes) * 1024}")

    # -- what a crawl has tried (crawler/crawl/base.py: the quiet-listing stop) ----------------------------

    def was_fetched(self, url: str) -> bool:
        """Whether a crawl that finished fetched `url`, whatever it answered (its `captures` row). A killed or
        interrupted run's fetches do not count: it may have stopped before storing what it fetched."""
        return self.db.execute(
            "SELECT 1 FROM captures c JOIN crawl_runs r ON r.id = c.run_id "
            "WHERE c.url = ? AND r.finish_reason = 'finished' LIMIT 1", [url]).fetchone() is not None
