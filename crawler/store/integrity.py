"""The SQL of `python -m crawler check`: each function yields one line per problem found in an archive.

They read an archive opened read-only (`open_read_only`) and never write to it: the search-index
comparison builds its expected index in the connection's temporary schema.

Why the search index needs its own comparison: the index holds `vn_fold(text)` (đ → d), not the
articles' text, so FTS5's `'integrity-check'` with rank 1 (which re-reads the content table)
reports "database disk image is malformed" on a healthy archive. `search_index_problems`
tokenizes `vn_fold(title, lead, body_text)` of every article with the archive's own tokenizer into
a temporary index and compares the two token by token (term, article, column, position; FTS5's
`fts5vocab` 'instance' tables).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crawler.store.folding import vn_fold
from crawler.store.search_index import INDEX_COLUMNS, SEARCH_KEY_SQL, SEARCH_SCOPE_SQL


def open_read_only(path: str | Path) -> sqlite3.Connection:
    """The archive, read-only (a WAL archive a crawl is writing is read as of now)."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    conn.create_function("vn_fold", 1, vn_fold, deterministic=True)
    return conn


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}


def sqlite_problems(conn: sqlite3.Connection, quick: bool = False) -> Iterator[str]:
    """SQLite's own checks of the file: every page and index (`integrity_check`), and foreign keys."""
    for (message,) in conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check"):
        if message != "ok":
            yield f"sqlite: {message}"
    dangling: dict[tuple[str, str], list[int]] = {}
    for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
        dangling.setdefault((table, parent), []).append(rowid)
    for (table, parent), rowids in dangling.items():
        shown = ", ".join(map(str, rowids[:5])) + (" …" if len(rowids) > 5 else "")
        yield f"sqlite: {len(rowids)} rows of {table} refer to a missing {parent} row (rows {shown})"


def search_index_problems(conn: sqlite3.Connection, limit: int = 20) -> Iterator[str]:
    """The search index against the articles: every article keyed by its publication time and site
    (crawler/store/search_index.py) and indexed with exactly the tokens of its `vn_fold`ed title, lead
    and text, and no index row without its article."""
    if "articles_fts" not in _tables(conn):
        yield "search index: articles_fts is missing"
        return
    problems = [f"search index: article {article_id} has a stale search key or scope (its date or site changed "
                "without re-indexing)" for article_id, in conn.execute(
                    f"SELECT id FROM main.articles WHERE search_key IS NOT {SEARCH_KEY_SQL} "
                    f"OR search_scope IS NOT {SEARCH_SCOPE_SQL}")]
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[0]
    tokenize = re.search(r"tokenize\s*=\s*('(?:[^']|'')*'|\"[^\"]*\")", sql)
    options = f", tokenize={tokenize.group(1)}" if tokenize else ""
    cols = ", ".join(INDEX_COLUMNS)
    conn.execute("DROP TABLE IF EXISTS temp.check_fts")
    conn.execute(f"CREATE VIRTUAL TABLE temp.check_fts USING fts5({cols}, content=''{options})")
    conn.execute(f"INSERT INTO temp.check_fts(rowid, {cols}) SELECT search_key, vn_fold(title), vn_fold(lead), "
                 "vn_fold(body_text), search_scope FROM main.articles WHERE search_key IS NOT NULL")
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.check_have USING fts5vocab(main, articles_fts, instance)")
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.check_want USING fts5vocab(temp, check_fts, instance)")
    fields = "term, doc, col, offset"
    extra = dict(conn.execute(f"SELECT doc, term || ' in ' || col FROM (SELECT {fields} FROM temp.check_have "
                              f"EXCEPT SELECT {fields} FROM temp.check_want) GROUP BY doc"))
    missing = dict(conn.execute(f"SELECT doc, term || ' in ' || col FROM (SELECT {fields} FROM temp.check_want "
                                f"EXCEPT SELECT {fields} FROM temp.check_have) GROUP BY doc"))
    article_of = dict(conn.execute("SELECT search_key, id FROM main.articles WHERE search_key IS NOT NULL"))
    for doc in sorted(set(extra) | set(missing)):
        if doc not in article_of:
            problems.append(f"search index: row {doc} indexes no article (an orphan: '{extra[doc]}')")
        elif doc in missing and doc not in extra:
            problems.append(f"search index: article {article_of[doc]} is not indexed, or only in part "
                            f"('{missing[doc]}' missing)")
        else:
            found = f"'{extra[doc]}' indexed" + (f", '{missing[doc]}' missing" if doc in missing else "")
            problems.append(f"search index: article {article_of[doc]} is indexed with other text than vn_fold of "
                            f"its title, lead and body_text ({found})")
    for doc, in conn.execute("SELECT id FROM main.articles_fts_docsize EXCEPT "
                             "SELECT search_key FROM main.articles"):
        if doc not in extra:
            problems.append(f"search index: row {doc} (sizes only) indexes no article (an orphan)")
    conn.execute("DROP TABLE temp.check_have")
    conn.execute("DROP TABLE temp.check_want")
    conn.execute("DROP TABLE temp.check_fts")
    yield from _bounded(problems, limit, "search index")


def fts_structure_problems(path: str | Path) -> Iterator[str]:
    """FTS5's own 'integrity-check' (rank 0: the index's internal structure), in a transaction rolled
    back at once (FTS5 runs its checks as an INSERT, which a read-only connection refuses). Skipped
    when the file cannot be opened for writing."""
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=rw", uri=True, timeout=30,
                               isolation_level=None)
    except sqlite3.Error:
        return
    try:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
    except sqlite3.OperationalError as exc:
        if "readonly" not in str(exc) and "no such table" not in str(exc):
            yield f"search index: FTS5 integrity-check: {exc}"
    except sqlite3.DatabaseError as exc:
        yield f"search index: FTS5 integrity-check: {exc}"
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()


def _bounded(problems: list[str], limit: int, area: str) -> Iterator[str]:
    yield from problems[:limit]
    if len(problems) > limit:
        yield f"{area}: … and {len(problems) - limit} more problems of this kind"


def revision_problems(conn: sqlite3.Connection, limit: int = 20) -> Iterator[str]:
    """Earlier versions: each article at revision N keeps revisions 1 … N-1, once each, valid from
    before they were valid until, and no revision belongs to a missing article."""
    problems = []
    rows = conn.execute(
        "SELECT a.id, a.revision, count(r.id), min(r.revision), max(r.revision) FROM articles a "
        "LEFT JOIN article_revisions r ON r.article_id = a.id GROUP BY a.id")
    for article_id, revision, count, low, high in rows:
        revision = revision or 1
        if count != revision - 1 or count and (low != 1 or high != revision - 1):
            problems.append(f"revisions: article {article_id} is at revision {revision} but keeps {count} earlier "
                            f"versions" + (f" (numbered {low} to {high})" if count else ""))
    for rev_id, article_id in conn.execute(
            "SELECT id, article_id FROM article_revisions WHERE article_id NOT IN (SELECT id FROM articles)"):
        problems.append(f"revisions: revision row {rev_id} belongs to article {article_id}, which does not exist")
    for rev_id, article_id, start, end in conn.execute(
            "SELECT id, article_id, valid_from, valid_until FROM article_revisions "
            "WHERE valid_from IS NOT NULL AND valid_until IS NOT NULL AND valid_from > valid_until"):
        problems.append(f"revisions: revision row {rev_id} of article {article_id} is valid from {start} "
                        f"until an earlier {end}")
    for table in ("articles", "article_revisions"):
        for row_id, capture_id in conn.execute(
                f"SELECT id, capture_id FROM {table} WHERE capture_id IS NOT NULL "
                "AND capture_id NOT IN (SELECT id FROM captures)"):
            problems.append(f"revisions: {table} row {row_id} names capture {capture_id}, which is not indexed")
    yield from _bounded(problems, limit, "revisions")


def captures_to_read(conn: sqlite3.Connection, sample: int | None = None) -> Iterator[dict[str, Any]]:
    """The `captures` rows whose records to read, in file order: all, or a random sample of `sample`."""
    sql = ("SELECT * FROM (SELECT * FROM captures ORDER BY random() LIMIT ?)" if sample else
           "SELECT * FROM captures") + " ORDER BY warc_file, warc_offset"
    cursor = conn.execute(sql, [sample] if sample else [])
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def capture_ids(conn: sqlite3.Connection) -> set[int]:
    return {row[0] for row in conn.execute("SELECT id FROM captures")}


def site_rows(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    cursor = conn.execute("SELECT * FROM sites")
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor}


def sites_without_row(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """(site, articles) of the sites that articles name but the `sites` table lacks."""
    return list(conn.execute("SELECT site, count(*) FROM articles WHERE site NOT IN (SELECT name FROM sites) "
                             "GROUP BY site ORDER BY site"))


def count(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
