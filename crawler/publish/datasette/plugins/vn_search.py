"""Vietnamese full-text search for Datasette: `dang uy khoi` finds "Đảng ủy Khối".

The archive's `articles_fts` index holds `vn_fold(text)` (đ→d; crawler/store.py) and
tokenizes with `unicode61 remove_diacritics 2` (case, NFC/NFD and every tone and vowel
mark). A query must be folded the same way, so this plugin

* registers the SQL function `vn_fold(text)` for canned queries
  (`articles_fts MATCH escape_fts(vn_fold(:q))`);
* re-registers Datasette's `escape_fts(query)` SQL function, which the table search box
  (`?_search=`) calls, with `trylast=True` so that ours wins over Datasette's own
  (registered by its built-in `datasette.sql_functions` plugin): it folds đ, normalises
  to NFC, turns typographic quotes (“…”, as phones type them) into FTS5 phrase quotes,
  keeps quoted phrases as phrases and quotes every other word (so FTS5 syntax typed by
  a reader never errors); an empty query matches nothing instead of raising;
* folds `_search` parameters in `?_searchmode=raw` requests too (there Datasette binds
  the query without any SQL function, so an ASGI wrapper rewrites the query string);
* renders search-result cells: a `snippet` column's ⟦match⟧ markers become `<mark>`
  (after HTML-escaping everything else) and a `title` next to an `id` links to the
  article's page.

Loaded with `datasette --plugins-dir datasette/plugins` (`python -m crawler serve` does);
the project root must be importable (`crawler.store.folding`).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, urlencode

from datasette.hookspecs import hookimpl  # = datasette.hookimpl
from datasette.utils import escape_fts as datasette_escape_fts
from markupsafe import Markup, escape

from crawler.store.folding import vn_fold

DATABASE = "archive"
MARK_OPEN, MARK_CLOSE = "⟦", "⟧"  # snippet() markers in the canned queries (metadata.yml)
_SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"'})
_MARKS = re.compile(f"{MARK_OPEN}(.*?){MARK_CLOSE}", re.DOTALL)


def fold_query(query: str | None) -> str:
    """A reader's query as the index spells it: NFC, đ→d, straight quotes.

    >>> fold_query("“Đảng ủy” khối")
    '"Dảng ủy" khối'
    """
    return vn_fold(unicodedata.normalize("NFC", query or "").translate(_SMART_QUOTES))


def vn_escape_fts(query: str | None) -> str:
    """`escape_fts` for Vietnamese: fold, quote every word, keep "quoted phrases".

    >>> vn_escape_fts("dang uy khoi")
    '"dang" "uy" "khoi"'
    >>> vn_escape_fts('Đảng "ủy khối" covid-19')
    '"Dảng" "ủy khối" "covid-19"'
    >>> vn_escape_fts("  ")
    '""'
    """
    escaped = datasette_escape_fts(fold_query(query))
    return escaped or '""'  # FTS5 rejects an empty query; the empty phrase matches nothing


@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("vn_fold", 1, vn_fold, deterministic=True)
    conn.create_function("escape_fts", 1, vn_escape_fts, deterministic=True)


def _fold_raw_search(query_string: bytes) -> bytes:
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, encoding="utf-8")
    if not any(k == "_searchmode" and v == "raw" for k, v in pairs):
        return query_string
    folded = [(k, fold_query(v) if k.startswith("_search") and k != "_searchmode" else v) for k, v in pairs]
    return urlencode(folded, encoding="utf-8").encode("latin-1")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def fold_raw_searches(scope, receive, send):
            if scope.get("type") == "http" and b"_searchmode=raw" in scope.get("query_string", b""):
                scope = dict(scope, query_string=_fold_raw_search(scope["query_string"]))
            await app(scope, receive, send)

        return fold_raw_searches

    return wrap


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Search results (canned queries): highlighted snippets, titles linking to the article."""
    if database != DATABASE or table is not None or not isinstance(value, str):
        return None
    if column == "snippet" and MARK_OPEN in value:
        parts = _MARKS.split(value)  # text, match, text, match, …
        return Markup("").join(escape(part) if i % 2 == 0 else Markup("<mark>%s</mark>") % part
                               for i, part in enumerate(parts))
    columns = row.keys()  # a sqlite3.Row: `in row` would look at the values
    if column == "title" and "id" in columns and isinstance(row["id"], int):
        href = datasette.urls.row(DATABASE, "articles", str(row["id"]))
        return Markup('<a href="{}">{}</a>').format(href, value)
    return None
