"""Vietnamese full-text search for Datasette: `dang uy khoi` finds "Đảng ủy Khối", fast at a million articles.

The archive's `articles_fts` index holds `vn_fold(text)` (đ→d) tokenized with `unicode61
remove_diacritics 2`, keyed by `articles.search_key` in publication order
(crawler/store/search_index.py); crawler/publish/search.py turns a reader's words into its
MATCH. This plugin

* registers the SQL functions the canned queries `search` and `newest` use (metadata.yml):
  `vn_match(q, site, province, tier)`, `vn_tiered(q)`, `vn_key_start(date_to)`, `vn_key_after(date_from)` and the
  page, window and count constants; plus `vn_fold(text)` and an `escape_fts(query)` that folds
  and quotes (`trylast=True`, so it replaces Datasette's own);
* answers the articles table's search box (`?_search=`) itself (`filters_from_request`): the
  matches newest first, at most the newest COUNT_CAP of them (the page says so), so the page,
  its count and its facets read a bounded set;
* refuses a date filter it cannot read with a 400 and a one-line message (an ASGI wrapper:
  the query would otherwise run and silently find nothing);
* leaves the table's facets off on search results unless asked (`_with_facets=1` or a `_facet=`):
  counting five facets over thousands of matches costs more than the page itself;
* renders search-result cells: a `snippet` column's ⟦match⟧ markers become `<mark>` (after
  HTML-escaping everything else) and a `title` next to an `id` links to the article's page.

Loaded with `datasette --plugins-dir datasette/plugins` (`python -m crawler serve` does);
the project root must be importable.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import uuid
from collections import OrderedDict
from urllib.parse import parse_qs

from datasette.filters import FilterArguments
from datasette.hookspecs import hookimpl  # = datasette.hookimpl
from datasette.utils.asgi import BadRequest
from markupsafe import Markup, escape

from crawler.publish import search
from crawler.store.folding import vn_fold

DATABASE = "archive"
SEARCH_QUERIES = ("search", "newest")  # the canned searches (metadata.yml) whose date filters are checked
MARK_OPEN, MARK_CLOSE = "⟦", "⟧"  # snippet() markers in the canned queries (metadata.yml)
_MARKS = re.compile(f"{MARK_OPEN}(.*?){MARK_CLOSE}", re.DOTALL)


def vn_escape_fts(query: str | None) -> str:
    """`escape_fts` for Vietnamese: fold, quote every word, keep "quoted phrases".

    >>> vn_escape_fts("dang uy khoi")
    '"dang" "uy" "khoi"'
    """
    return search.escape_words(query)


def _or_null(read):
    """A date function for SQL: NULL (no rows) for a value the ASGI check has already refused."""
    def checked(value):
        try:
            return read(value)
        except search.DateFilterError:
            return None
    return checked


class MatchKeys:
    """The newest `cap` search keys of a MATCH as a JSON list, walked once per table search.

    A table search runs its page, its count and each facet as separate queries over the same set; each
    would walk the index again (for a phrase of common syllables, a position scan of every candidate).
    `request` is a token of one page request: a set is reused by that request's queries only, so every
    search is measured, and answered, as a first one."""

    def __init__(self, size: int = 64) -> None:
        self.size = size  # requests served at once, with room
        self.walks = 0
        self._sets: OrderedDict[tuple[str, str, int], str] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, conn: sqlite3.Connection, match: str, cap: int, request: str) -> str:
        key = (request, match, cap)
        with self._lock:
            if (found := self._sets.get(key)) is not None:
                return found
        rows = conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid LIMIT ?",
                            [match, cap]).fetchall()
        found = json.dumps([row[0] for row in rows])
        with self._lock:
            self.walks += 1
            self._sets[key] = found
            while len(self._sets) > self.size:
                self._sets.popitem(last=False)
        return found


MATCH_KEYS = MatchKeys()
# The table search's WHERE clause (params :vn_match, :vn_cap and, for KEYS_CLAUSE, :vn_request): the newest
# :vn_cap matches, walked by each of the request's queries, or once for all of them.
WORDS_CLAUSE = ("search_key IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :vn_match"
                " ORDER BY rowid LIMIT :vn_cap)")
KEYS_CLAUSE = "search_key IN (SELECT value FROM json_each(vn_match_keys(:vn_match, :vn_cap, :vn_request)))"


def _page_offset(page) -> int:
    try:
        return (max(int(page or 1), 1) - 1) * search.PAGE_SIZE
    except (TypeError, ValueError):
        return 0


@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("vn_fold", 1, vn_fold, deterministic=True)
    conn.create_function("escape_fts", 1, vn_escape_fts, deterministic=True)
    conn.create_function("vn_match", 4, search.match_expression, deterministic=True)
    conn.create_function("vn_tiered", 1, search.is_tiered, deterministic=True)
    conn.create_function("vn_match_keys", 3, lambda match, cap, request: MATCH_KEYS(conn, match, cap, request),
                         deterministic=True)
    conn.create_function("vn_key_start", 1, _or_null(search.key_start), deterministic=True)
    conn.create_function("vn_key_after", 1, _or_null(search.key_after), deterministic=True)
    conn.create_function("vn_page_offset", 1, _page_offset, deterministic=True)
    for name, value in (("vn_page_size", search.PAGE_SIZE), ("vn_rank_window", search.RANK_WINDOW),
                        ("vn_count_cap", search.COUNT_CAP)):
        conn.create_function(name, 0, lambda value=value: value, deterministic=True)


@hookimpl(trylast=True)  # after Datasette's own search filter, so our `supports_search` wins
def filters_from_request(request, database, table, datasette):
    if database != DATABASE or table != "articles":
        return None

    async def inner():
        query = request.args.get("_search")
        if not query or not query.strip():
            return FilterArguments([], extra_context={"supports_search": True})
        raw = request.args.get("_searchmode") == "raw"
        match = search.raw_expression(query) if raw else search.match_expression(query)
        if raw:  # FTS5 syntax the reader got wrong: a one-line 400, not Datasette's error page
            try:
                await datasette.get_database(database).execute(
                    "SELECT 1 FROM articles_fts WHERE articles_fts MATCH :m LIMIT 1", {"m": match})
            except sqlite3.OperationalError as exc:
                raise BadRequest(f"search: {exc}") from None
        # The newest COUNT_CAP matches (keys grow with age), with no count first. A phrase (or raw syntax)
        # is walked once for the page, Datasette's count and the facets (MatchKeys); plain words are
        # walked by each (a walk of words costs less than handing 10,000 keys around: measured).
        clause = KEYS_CLAUSE if raw or search.has_phrase(query) else WORDS_CLAUSE
        described = (f'search matches "{query}" (the newest {search.COUNT_CAP:,} at most: add words,'
                     ' "a phrase" or a filter to narrow)')
        facets_off = b"_nofacet=1" in request.scope.get("query_string", b"")
        params = {"vn_match": match, "vn_cap": search.COUNT_CAP}
        if clause is KEYS_CLAUSE:
            params["vn_request"] = uuid.uuid4().hex
        return FilterArguments([clause], params, [described],
                               {"supports_search": True, "search": query, "search_facets_off": facets_off})

    return inner


@hookimpl
def extra_template_vars(database):
    """What the search pages' template (_search_page.html) needs to say which rows it shows."""
    if database != DATABASE:
        return None
    return {"search_page_size": search.PAGE_SIZE, "search_count_cap": search.COUNT_CAP}


def _date_problem(query_string: bytes) -> str | None:
    args = parse_qs(query_string.decode("latin-1"), encoding="utf-8")
    return search.date_filter_problem(*(args.get(name, [""])[0] for name in ("date_from", "date_to")))


def _facets_unasked(query_string: bytes) -> bool:
    """A table search that asks for no facet: no `_facet=` and no `_with_facets=1`."""
    args = parse_qs(query_string.decode("latin-1"), encoding="utf-8")
    return bool(args.get("_search", [""])[0].strip()) and "_facet" not in args and args.get("_with_facets") != ["1"]


@hookimpl
def asgi_wrapper(datasette):
    searches = {f"/{DATABASE}/{name}{suffix}" for name in SEARCH_QUERIES for suffix in ("", ".json")}
    table = {f"/{DATABASE}/articles", f"/{DATABASE}/articles.json"}

    def wrap(app):
        async def check_dates_and_facets(scope, receive, send):
            if scope.get("type") == "http" and scope.get("path") in searches and b"date_" in scope["query_string"]:
                if problem := _date_problem(scope["query_string"]):
                    await _refuse(send, scope["path"].endswith(".json"), problem)
                    return
            if (scope.get("type") == "http" and scope.get("path") in table and b"_search=" in scope["query_string"]
                    and _facets_unasked(scope["query_string"])):
                scope = dict(scope, query_string=scope["query_string"] + b"&_nofacet=1")
            await app(scope, receive, send)

        return check_dates_and_facets

    return wrap


async def _refuse(send, as_json: bool, problem: str) -> None:
    if as_json:
        body = json.dumps({"ok": False, "error": problem, "status": 400}, ensure_ascii=False).encode()
        kind = b"application/json; charset=utf-8"
    else:
        body = (f"<!DOCTYPE html><meta charset='utf-8'><title>400</title><p>{escape(problem)}</p>"
                "<p><a href='javascript:history.back()'>← quay lại · back</a></p>").encode()
        kind = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": 400, "headers": [(b"content-type", kind)]})
    await send({"type": "http.response.body", "body": body})


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
