"""The search index `articles_fts`: its row keys, its scope tokens, and building it.

An FTS5 external-content index over `articles` whose rowid is not the article id but
`articles.search_key`, a number in **publication order, newest first**:

    search_key = (MAX_KEY_SECONDS − unix seconds of published_at) × KEY_SPAN + (KEY_SPAN − 1 − id)

(undated articles count as the oldest), so "newest first" is FTS5 walking its own rowids
upwards and stopping after a page, a date filter is a rowid range inside the index, and
"the newest N matches" bounds how many rows ranking has to score
(docs/publishing.md#how-search-works). Why upwards: SQLite 3.40's FTS5 (Debian 12's) drops
rows from multi-word matches walked in descending rowid order on a large index (593,633 of
593,945 for two common words at a million articles); the ascending walk is exact. The fourth column,
`search_scope`, holds one token for the article's site and one for its province, so a
site or province filter is part of the MATCH, not a check after it. The other three
columns hold `vn_fold`ed title, lead and text (đ = d).

    key_for_time(datetime(2024, 1, 1, tzinfo=VIETNAM))   # keys below it: published on or after 1/1/2024
    scope_match("tuyengiao", "")                          # 'search_scope : "s74757965...'
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from crawler.store.folding import vn_fold

# Article ids stay below this (10^8 articles); keys fit SQLite's 64-bit integers up to year ~4800.
KEY_SPAN = 100_000_000
# Publication times are clamped to ± this (year ~3200) so a garbage year (9999) cannot overflow a key.
MAX_KEY_SECONDS = 40_000_000_000

# The text columns (folded) and the scope column, in index order.
TEXT_COLUMNS = ("title", "lead", "body_text")
INDEX_COLUMNS = (*TEXT_COLUMNS, "search_scope")

# One SQL expression per derived column, so the store, the migration and the integrity check agree.
SEARCH_KEY_SQL = (f"({MAX_KEY_SECONDS} - max(-{MAX_KEY_SECONDS}, min({MAX_KEY_SECONDS}, "
                  f"coalesce(CAST(strftime('%s', published_at) AS INTEGER), -{MAX_KEY_SECONDS})))) * {KEY_SPAN} "
                  f"+ ({KEY_SPAN} - 1 - id)")
SEARCH_SCOPE_SQL = "'s' || hex(site) || ' p' || hex(coalesce(province, ''))"

# bm25 column weights: a word in the headline says more than one in the lead, and far more than one
# somewhere in a 5 KB text; the scope column holds no words.
BM25_WEIGHTS = "50.0, 10.0, 1.0, 0.0"
TOKENIZER = "unicode61 remove_diacritics 2"
CREATE_INDEX_SQL = (f"CREATE VIRTUAL TABLE articles_fts USING fts5({', '.join(INDEX_COLUMNS)}, "
                    f"content='articles', content_rowid='search_key', tokenize='{TOKENIZER}')")


def key_for_time(moment: datetime) -> int:
    """The first search key past the articles published at or after `moment` (timezone-aware): theirs
    are smaller, those of older articles are this or larger."""
    seconds = max(-MAX_KEY_SECONDS, min(MAX_KEY_SECONDS, int(moment.timestamp())))
    return (MAX_KEY_SECONDS - seconds + 1) * KEY_SPAN


def scope_token(kind: str, value: str) -> str:
    """The index token of a site (`kind` 's') or province ('p'): hex of its UTF-8, one word to FTS5."""
    return kind + value.encode("utf-8").hex()


def scope_match(site: str = "", province: str = "") -> str:
    """The FTS5 clause that keeps a site's and/or a province's articles ('' when neither is given)."""
    tokens = [scope_token("s", site)] if site else []
    tokens += [scope_token("p", province)] if province else []
    return " AND ".join(f'search_scope : "{token}"' for token in tokens)


_INDEXED = "vn_fold(title), vn_fold(lead), vn_fold(body_text), search_scope"
_COLUMNS = ", ".join(INDEX_COLUMNS)


def register_functions(conn: sqlite3.Connection) -> None:
    """`vn_fold()` in SQL, which indexing calls (a connection that writes the index needs it)."""
    conn.create_function("vn_fold", 1, vn_fold, deterministic=True)


def index_article(conn: sqlite3.Connection, article_id: int) -> None:
    """Set the article's search_key and search_scope from its row, then index it under that key."""
    conn.execute(f"UPDATE articles SET search_key = {SEARCH_KEY_SQL}, search_scope = {SEARCH_SCOPE_SQL} "
                 "WHERE id = ?", [article_id])
    conn.execute(f"INSERT INTO articles_fts(rowid, {_COLUMNS}) SELECT search_key, {_INDEXED} FROM articles "
                 "WHERE id = ?", [article_id])


def unindex_article(conn: sqlite3.Connection, article_id: int) -> None:
    """Take the article's current row out of the index (before its text, date or site change)."""
    conn.execute(f"INSERT INTO articles_fts(articles_fts, rowid, {_COLUMNS}) "
                 f"SELECT 'delete', search_key, {_INDEXED} FROM articles WHERE id = ? AND search_key IS NOT NULL",
                 [article_id])


def is_current(conn: sqlite3.Connection) -> bool:
    """The archive's index is this one (keyed by search_key, with the scope column)."""
    row = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()
    return bool(row) and "content_rowid='search_key'" in row[0] and "search_scope" in row[0]


def rebuild(conn: sqlite3.Connection) -> None:
    """(Re)create the index from `articles`: fill search_key and search_scope, then index every article
    in key order. The caller holds the transaction (an interrupted rebuild rolls back whole).
    Minutes at a million articles: done once, when an archive from before the keyed index is opened."""
    register_functions(conn)
    # only rows whose key or scope is missing or stale: an UPDATE rewrites every row it touches
    conn.execute(f"UPDATE articles SET search_key = {SEARCH_KEY_SQL}, search_scope = {SEARCH_SCOPE_SQL} "
                 f"WHERE search_key IS NOT {SEARCH_KEY_SQL} OR search_scope IS NOT {SEARCH_SCOPE_SQL}")
    conn.execute("DROP TABLE IF EXISTS articles_fts")
    conn.execute(CREATE_INDEX_SQL)
    conn.execute(f"INSERT INTO articles_fts(rowid, {_COLUMNS}) SELECT search_key, {_INDEXED} FROM articles "
                 "ORDER BY search_key")
    # one segment per term instead of the dozens a bulk insert leaves: every query reads one posting list
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('optimize')")
