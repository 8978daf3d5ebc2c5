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

Each HTTP request goes through `crawler.publish.gate.PublicGate` (classes of requests, per-client
limits, the response cap, no file paths).
"""

from __future__ import annotations

import re
import sqlite3
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
