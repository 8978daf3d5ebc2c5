"""The public instance's guard (`python -m crawler serve --public`): hostile visitors cannot stall it.

Datasette's SQL time limit is checked between SQLite VM instructions, so it cannot stop one
expensive function call (`randomblob(1000000000)` ran 18.8 s and took 1 GB; `printf('%.*c',
500000000, 'x')` loops for seconds inside one call), nor bound memory or the size of a
response. On a public instance, every SQLite connection Datasette opens is guarded
(`guard_connection`, from the `public_guard` plugin's `prepare_connection` hook):

* an **authorizer** refuses `randomblob()`, `zeroblob()` and the extension loaders, and turns
  `PRAGMA database_list` / `pragma_database_list` (which shows the server's file path) into
  an empty answer;
* per-connection **limits**: no string or blob larger than `max_value_bytes` (SQLite's
  SQLITE_LIMIT_LENGTH: every function, `||`, `group_concat` and stored value alike), LIKE and
  GLOB patterns of at most `like_pattern_chars`, SQL of at most `sql_chars`;
* `PRAGMA hard_heap_limit` caps the memory SQLite may allocate in the whole process;
* the functions whose single call can cost seconds are replaced by bounded ones: `printf` and
  `format` refuse a width or precision larger than `max_value_bytes` before doing any work;
  `instr`, `replace`, `trim`, `ltrim` and `rtrim` (quadratic in SQLite on long strings: a
  2 MB `trim` took 146 s) run in linear time;
* a **result budget**: the rows one query hands to Python hold at most `max_result_bytes`
  (text counted as it is decoded, so a row of many large values is stopped mid-way).

Each HTTP request goes through `PublicGate` (the plugin's `asgi_wrapper`):

* **classes of requests**: arbitrary SQL (`?sql=`, `_where=`) runs at most `sql_at_once` at a
  time in the whole server, and together with table pages, canned queries, searches and
  dashboards at most `heavy_at_once`; Datasette has `num_sql_threads` SQL threads, so plain
  pages (an article, the home page) always find one free. A request that waits longer than
  `wait_seconds` for its turn is answered 503 with Retry-After;
* **per client** (the peer address, or X-Forwarded-For from a proxy on 127.0.0.1, as uvicorn
  trusts it): a token bucket for all requests and a slower one for arbitrary SQL (429 with
  Retry-After), and at most `client_waiting` requests waiting at once;
* **responses** larger than `max_response_bytes` are replaced by an error (400);
* the server's **file paths** (the database, its directory, the package, the virtualenv) are
  cut out of every response.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

MIB = 1 << 20


@dataclass(frozen=True)
class PublicLimits:
    """What one visitor may cost a public instance (docs/publishing.md explains each)."""

    max_value_bytes: int = 4 * MIB  # any string or blob, stored or computed (SQLITE_LIMIT_LENGTH)
    heap_limit_bytes: int = 256 * MIB  # all of SQLite's memory in the process (PRAGMA hard_heap_limit)
    max_result_bytes: int = 8 * MIB  # the rows of one query, as handed to Python
    max_response_bytes: int = 16 * MIB  # one HTTP response body
    like_pattern_chars: int = 200  # LIKE / GLOB: cost grows with pattern x text
    sql_chars: int = 100_000
    sql_at_once: int = 1  # arbitrary SQL requests running at once, whole server
    heavy_at_once: int = 2  # SQL + tables + canned queries + searches + dashboards (of 3 SQL threads)
    wait_seconds: float = 10.0  # longest wait for a turn before 503
    requests_per_second: float = 10.0  # per client, every request but static files
    request_burst: int = 60
    sql_per_second: float = 1.0  # per client, arbitrary SQL
    sql_burst: int = 20
    client_waiting: int = 12  # requests of one client waiting for a turn at once (a dashboard sends 8 at once)


@dataclass
class PublicConfig:
    limits: PublicLimits = field(default_factory=PublicLimits)
    hidden_paths: tuple[str, ...] = ()  # cut out of every response
    allow_sql: bool = True  # False: no arbitrary SQL at all (canned queries, tables and search only)


_CONFIG: PublicConfig | None = None


def configure(config: PublicConfig | None) -> None:
    """Turn the guard on for the Datasette started in this process (None: off). `serve(public=True)` calls it."""
    global _CONFIG
    _CONFIG = config


def config() -> PublicConfig | None:
    return _CONFIG


# -- SQLite connections ------------------------------------------------------------------

DENIED_FUNCTIONS = frozenset({"randomblob", "zeroblob", "load_extension", "fts3_tokenizer",
                              "readfile", "writefile", "edit"})
HIDDEN_PRAGMAS = frozenset({"database_list"})  # shows the server's file path: answered empty


def authorizer(action: int, arg1: str | None, arg2: str | None, _db: str | None, _source: str | None) -> int:
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in DENIED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in HIDDEN_PRAGMAS:
        return sqlite3.SQLITE_IGNORE
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _real_text(value: float) -> str:
    """A REAL as SQLite writes it as text ("%!.15g": 1.0, 0.1, 1.0e+20)."""
    if value != value:
        return ""
    if value in (float("inf"), float("-inf")):
        return "Inf" if value > 0 else "-Inf"
    text = f"{value:.15g}"
    mantissa, e, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + (e + exponent if e else "")


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, float):
        return _real_text(value)
    return str(value)


_NUMBER = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _integer(value: Any) -> int:
    """An argument read as an integer, the way SQLite's printf reads `*` widths."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and abs(value) < 1e300 else 1 << 62
    m = _NUMBER.match(_text(value))
    if not m:
        return 0
    number = float(m.group())
    return int(number) if abs(number) < 1e300 else 1 << 62


# %[flags][width][.precision][l|ll]conversion, as SQLite's printf reads it
_SPEC = re.compile(r"%([-+ #0,!]*)(\*|\d*)(?:\.(\*|\d*))?(?:ll|l)?(.?)", re.DOTALL)


class BoundedFunctions:
    """The SQL functions a public connection runs instead of SQLite's own (see the module docstring)."""

    def __init__(self, max_value_bytes: int):
        self.max_value = max_value_bytes
        self._helpers = threading.local()

    def install(self, conn: sqlite3.Connection) -> None:
        conn.create_function("printf", -1, self.printf, deterministic=True)
        conn.create_function("format", -1, self.printf, deterministic=True)
        conn.create_function("instr", 2, self.instr, deterministic=True)
        conn.create_function("replace", 3, self.replace, deterministic=True)
        for name, left, right in (("trim", True, True), ("ltrim", True, False), ("rtrim", False, True)):
            conn.create_function(name, 2, self._trimmer(left, right), deterministic=True)

    def _too_big(self, size: int) -> None:
        if size > self.max_value:
            raise OverflowError("string or blob too big")  # sqlite3 turns it into SQLITE_TOOBIG

    def _check_format(self, fmt: str, args: tuple[Any, ...]) -> None:
        position = 0
        for m in _SPEC.finditer(fmt):
            width, precision, conversion = m.group(2), m.group(3), m.group(4)
            if conversion == "%":
                continue
            for part in (width, precision):
                if part == "*":
                    value = _integer(args[position]) if position < len(args) else 0
                    position += 1
                else:
                    value = int(part) if part else 0
                self._too_big(abs(value))
            position += 1

    def printf(self, fmt: Any = None, *args: Any) -> Any:
        if fmt is None:
            return None
        fmt = _text(fmt)
        self._check_format(fmt, args)
        helper = getattr(self._helpers, "conn", None)
        if helper is None:  # SQLite's own printf, on a private connection, once the widths are known to be sane
            helper = sqlite3.connect(":memory:", check_same_thread=False)
            helper.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, self.max_value)
            self._helpers.conn = helper
        marks = ", ".join("?" * (len(args) + 1))
        return helper.execute(f"SELECT printf({marks})", (fmt, *args)).fetchone()[0]

    def instr(self, haystack: Any, needle: Any) -> int | None:
        if haystack is None or needle is None:
            return None
        if isinstance(haystack, bytes) and isinstance(needle, bytes):
            return haystack.find(needle) + 1
        return _text(haystack).find(_text(needle)) + 1

    def replace(self, text: Any, old: Any, new: Any) -> Any:
        if text is None or old is None or new is None:
            return None
        old = _text(old)
        if old == "":
            return text
        text, new = _text(text), _text(new)
        if len(new) > len(old):
            self._too_big(len(text) + text.count(old) * (len(new) - len(old)))
        return text.replace(old, new)

    @staticmethod
    def _trimmer(left: bool, right: bool) -> Callable[[Any, Any], str | None]:
        def trim(text: Any, characters: Any) -> str | None:
            if text is None or characters is None:
                return None
            text, chars = _text(text), set(_text(characters))
            if len(chars) <= 64:  # str.strip is C-speed for a short set
                strip = "".join(chars)
                return text.strip(strip) if left and right else text.lstrip(strip) if left else text.rstrip(strip)
            start, end = 0, len(text)
            while left and start < end and text[start] in chars:
                start += 1
            while right and end > start and text[end - 1] in chars:
                end -= 1
            return text[start:end]

        return trim


class ResultBudget:
    """Row and text factories that stop a query once its rows hold more than `limit` bytes."""

    def __init__(self, limit: int, row_factory: Any, text_factory: Any):
        self.limit = limit
        self._row_factory = row_factory or (lambda _cursor, row: row)
        # sqlite3's default text factory is the class `str`, which it calls as str(data, "utf-8")
        self._text_factory = (lambda data: str(data, "utf-8")) if text_factory in (None, str) else text_factory
        self._cursor: weakref.ref | None = None
        self.total = 0  # bytes of the current cursor's rows so far
        self.pending = 0  # bytes of the row being decoded

    def _refuse(self) -> None:
        self.pending = self.total = 0
        raise sqlite3.DataError(f"result larger than {self.limit // MIB} MB: ask for fewer rows or columns "
                                "(_size=, _col=, LIMIT)")

    def text(self, data: bytes) -> Any:
        self.pending += len(data)
        if self.pending > self.limit:
            self._refuse()
        return self._text_factory(data)

    def row(self, cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> Any:
        if self._cursor is None or self._cursor() is not cursor:  # a new query
            self._cursor, self.total = weakref.ref(cursor), 0
        self.total += self.pending + 8 * len(row) + sum(len(v) for v in row if isinstance(v, bytes))
        self.pending = 0
        if self.total > self.limit:
            self._refuse()
        return self._row_factory(cursor, row)


_heap_limited = False


def guard_connection(conn: sqlite3.Connection, limits: PublicLimits) -> None:
    """Make one SQLite connection safe to hand to strangers (see the module docstring)."""
    global _heap_limited
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limits.max_value_bytes)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, limits.like_pattern_chars)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, limits.sql_chars)
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    if not _heap_limited:  # process-wide; it can only be lowered
        conn.execute(f"PRAGMA hard_heap_limit = {int(limits.heap_limit_bytes)}")
        _heap_limited = True
    BoundedFunctions(limits.max_value_bytes).install(conn)
    conn.set_authorizer(authorizer)
    budget = ResultBudget(limits.max_result_bytes, conn.row_factory, conn.text_factory)
    conn.text_factory = budget.text
    conn.row_factory = budget.row


# -- HTTP requests -----------------------------------------------------------------------------


class TokenBucket:
    def __init__(self, rate: float, burst: int, now: float):
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = float(burst), now

    def take(self, now: float) -> float:
        """0 when a token was taken, else the seconds until one is due."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class Client:
    requests: TokenBucket
    sql: TokenBucket
    waiting: int = 0
    seen: float = 0.0


STATIC_PREFIXES = ("/-/static/", "/-/static-plugins/", "/favicon.ico")
SQL_PARAMS = ("sql", "_where")


def request_class(path: str, params: Iterable[tuple[str, str]], database: str = "archive") -> str:
    """'static', 'sql' (arbitrary SQL), 'heavy' (tables, canned queries, searches, dashboards) or 'page'.

    >>> request_class("/archive/articles/12", [])
    'page'
    >>> request_class("/archive/search", [("q", "dang")]), request_class("/archive.json", [("sql", "select 1")])
    ('heavy', 'sql')
    """
    if path.startswith(STATIC_PREFIXES):
        return "static"
    names = {name for name, _ in params}
    if any(name in SQL_PARAMS or name.startswith("_where") for name in names):
        return "sql"
    if path.startswith("/-/dashboards/") or any(name.startswith("_search") for name in names):
        return "heavy"
    parts = [p for p in path.split("/") if p]
    if len(parts) == 2 and parts[0] == database:  # /archive/TABLE or /archive/QUERY (any format)
        return "heavy"
    return "page"


Send = Callable[[dict[str, Any]], Awaitable[None]]


def _plain(status: int, text: str, retry_after: float | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store")]
    if retry_after is not None:
        headers.append((b"retry-after", str(max(1, int(retry_after + 0.999))).encode()))
    body = text.encode("utf-8")
    headers.append((b"content-length", str(len(body)).encode()))
    return ({"type": "http.response.start", "status": status, "headers": headers},
            {"type": "http.response.body", "body": body})


class PublicGate:
    """ASGI middleware of a public instance: classes of requests, per-client limits, response cap, no paths."""

    def __init__(self, app: Any, config: PublicConfig, clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.config = config
        self.limits = config.limits
        self.clock = clock
        self.clients: dict[str, Client] = {}
        self._sql: asyncio.Semaphore | None = None
        self._heavy: asyncio.Semaphore | None = None
        hidden = sorted({p for p in config.hidden_paths if p and len(p) > 1}, key=len, reverse=True)
        self.hidden = [p.encode("utf-8") for p in hidden]

    # -- per client --

    def client(self, scope: dict[str, Any]) -> Client:
        address = (scope.get("client") or ("?", 0))[0]
        now = self.clock()
        found = self.clients.get(address)
        if found is None:
            if len(self.clients) > 10_000:  # forget clients idle for ten minutes
                self.clients = {k: v for k, v in self.clients.items() if now - v.seen < 600}
            limits = self.limits
            found = self.clients[address] = Client(TokenBucket(limits.requests_per_second, limits.request_burst, now),
                                                   TokenBucket(limits.sql_per_second, limits.sql_burst, now))
        found.seen = now
        return found

    async def _answer(self, send: Send, status: int, text: str, retry_after: float | None = None) -> None:
        start, body = _plain(status, text, retry_after)
        await send(start)
        await send(body)

    # -- the gate --

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        if self._sql is None:  # created inside the server's event loop
            self._sql = asyncio.Semaphore(self.limits.sql_at_once)
            self._heavy = asyncio.Semaphore(self.limits.heavy_at_once)
        params = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        kind = request_class(scope.get("path", "/"), params)
        if kind == "static":
            await self.app(scope, receive, self._capped(send))
            return
        client = self.client(scope)
        now = self.clock()
        wait = client.requests.take(now)
        if not wait and kind == "sql":
            wait = client.sql.take(now)
        if wait:
            await self._answer(send, 429, "429: quá nhiều yêu cầu · too many requests from your address; "
                                          "try again later\n", wait)
            return
        if kind == "page":
            await self.app(scope, receive, self._capped(send))
            return
        if client.waiting >= self.limits.client_waiting:
            await self._answer(send, 429, "429: too many of your requests are waiting; try again later\n", 5)
            return
        semaphores = [self._sql, self._heavy] if kind == "sql" else [self._heavy]
        client.waiting += 1
        waiting = True
        held: list[asyncio.Semaphore] = []
        try:
            deadline = self.clock() + self.limits.wait_seconds
            for semaphore in semaphores:
                try:
                    await asyncio.wait_for(semaphore.acquire(), max(0.001, deadline - self.clock()))
                except TimeoutError:
                    await self._answer(send, 503, "503: máy chủ đang bận · the server is busy with other queries; "
                                                  "try again later\n", 5)
                    return
                held.append(semaphore)
            client.waiting -= 1
            waiting = False
            await self.app(scope, receive, self._capped(send))
        finally:
            for semaphore in held:
                semaphore.release()
            if waiting:
                client.waiting -= 1

    def _scrub(self, body: bytes) -> bytes:
        for path in self.hidden:
            if path in body:
                body = body.replace(path, b"[path]")
        return body

    def _capped(self, send: Send) -> Send:
        """`send`, with the server's paths cut out of the body and the body's size capped."""
        cap = self.limits.max_response_bytes
        start_message: dict[str, Any] | None = None
        sent, done = 0, False

        async def capped(message: dict[str, Any]) -> None:
            nonlocal start_message, sent, done
            if done:
                return
            if message["type"] == "http.response.start":
                start_message = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body = self._scrub(message.get("body", b""))
            more = message.get("more_body", False)
            if start_message is not None:
                start, start_message = start_message, None
                if not more and len(body) > cap:
                    done = True
                    await self._answer(send, 400, f"400: the answer is larger than {cap // MIB} MB: ask for fewer "
                                                  "rows or columns (_size=, _col=, LIMIT)\n")
                    return
                headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                if not more:
                    headers.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": headers})
            sent += len(body)
            if sent > cap:  # a streamed answer: cut it off
                done = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send({**message, "body": body})

        return capped
