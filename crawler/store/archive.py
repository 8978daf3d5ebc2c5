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
* each upsert is its own transaction (WAL): a crash loses at most the item in flight;
* `captures` indexes the raw pages kept in WARC (crawler/capture/); every article version
  (row and revision) names the capture it was extracted from (`capture_id`);
* `articles_fts` indexes `vn_fold`ed title, lead and body (đ = d) under each article's
  `search_key` (publication order; crawler/store/search_index.py), maintained here,
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler.extract.article import Article
from crawler.extract.cleaning import normalize_text
from crawler.store import search_index
from crawler.store.flags import date_flag
from crawler.store.folding import vn_fold
from crawler.store.schema import SCHEMA, VIEWS
from crawler.urls import canonicalize_url

DEFAULT_DB = "archive.db"
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


def content_hash(fields: dict[str, Any]) -> str:
    payload = json.dumps({k: fields.get(k) for k in CONTENT_FIELDS}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def article_fields(article: Article) -> dict[str, Any]:
    """The stored content columns of an article, with the `content_hash` that decides a new revision."""
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
                for columns, unique in spec.get("indexes", []):
                    table.create_index(columns, unique=unique)
            else:
                for column, kind in spec["columns"].items():
                    if column not in table.columns_dict:
                        table.add_column(column, kind)
        for name, sql in VIEWS.items():
            current = db.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", [name]).fetchone()
            wanted = f"CREATE VIEW {name} AS {' '.join(sql.split())}"
            if current is None or current[0] != wanted:
                db.execute(f"DROP VIEW IF EXISTS {name}")
                db.execute(wanted)
        if not search_index.is_current(db.conn):  # new, or an archive from before the keyed index
            with self.transaction():
                search_index.rebuild(db.conn)
        for name, spec in SCHEMA.items():  # indexes added since the table was created
            for columns, unique in spec.get("indexes", []):
                db[name].create_index(columns, unique=unique, if_not_exists=True)

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

    def start_run(self, spider: str, started_at: str, log_file: str | None = None) -> int:
        """A `crawl_runs` row written when a crawl starts: a run killed mid-way stays visible."""
        self.db.execute("UPDATE crawl_runs SET finish_reason = 'killed' WHERE spider = ? AND finished_at IS NULL",
                        [spider])
        return self.db["crawl_runs"].insert({"spider": spider, "started_at": started_at, "log_file": log_file},
                                            alter=True).last_pk

    def finish_run(self, run_id: int, row: dict[str, Any]) -> None:
        self.db["crawl_runs"].update(run_id, row, alter=True)

    def previous_runs(self, spider: str, limit: int = 5) -> list[dict[str, Any]]:
        """The spider's last finished runs, newest first (for alarms)."""
        return list(self.db.query(
            "SELECT * FROM crawl_runs WHERE spider = ? AND finished_at IS NOT NULL ORDER BY id DESC LIMIT ?",
            [spider, limit]))

    # -- articles -----------------------------------------------------------

    def find(self, url: str) -> dict[str, Any] | None:
        """The article stored under `url` (any of its URLs), or None."""
        rows = self.db.query(
            "SELECT a.* FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE u.url = ?",
            [canonicalize_url(url)])
        return next(iter(rows), None)

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
                    "last_changed_at": seen_at, "removed_at": None, "fetched_url": fetched_url, **validators,
                    **provenance,
                })
                self._insert("article_urls", {"url": url, "article_id": article_id,
                                              "first_seen_at": seen_at}, or_ignore=True)
                search_index.index_article(self.db.conn, article_id)
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
            search_index.unindex_article(self.db.conn, article_id)
            self._update("articles", article_id, {
                **fields, "dedup_key": key, "revision": revision, "last_changed_at": seen_at, **seen, **provenance,
            })
            search_index.index_article(self.db.conn, article_id)
            return UpsertResult("changed", article_id, revision)

    # -- captures (crawler/capture/) -----------------------------------------

    def add_capture(self, row: dict[str, Any]) -> int:
        """Index one WARC record (a `captures` row); the same record indexed twice keeps its id."""
        self._insert("captures", row, or_ignore=True)
        return self.db.execute("SELECT id FROM captures WHERE warc_file = ? AND warc_offset = ?",
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
        row = self.db.execute("SELECT fetched_at FROM captures WHERE id = ?", [capture_id]).fetchone()
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
        article = self.find(url)
        if article is None:
            return False
        update: dict[str, Any] = {"last_seen_at": seen_at or now_iso(), "removed_at": None}
        if etag or last_modified:
            update.update(etag=etag, last_modified=last_modified)
        self.db["articles"].update(article["id"], update)
        return True

    def set_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Remember ETag / Last-Modified for conditional revisits."""
        if article := self.find(url):
            self.db["articles"].update(article["id"], {"etag": etag, "last_modified": last_modified})

    def mark_removed(self, url: str, removed_at: str | None = None) -> bool:
        """The page is gone (404/410, or redirected to the home page): mark, never delete."""
        article = self.find(url)
        if article is None or article["removed_at"]:
            return False
        self.db["articles"].update(article["id"], {"removed_at": removed_at or now_iso()})
        return True

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
