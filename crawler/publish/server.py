"""Publish the archive: Datasette on an immutable archive.db, and safe swaps of new snapshots.

    python -m crawler serve                       # archive.db at http://127.0.0.1:8001/
    python -m crawler serve --db public/archive.db --public --port 8001   # all interfaces, guarded
    python -m crawler publish archive.db public/archive.db                # then restart the server

`serve()` runs `datasette serve` in this process on the database **immutable** (`-i`:
SQLite opens it with `immutable=1`, no locks, nothing can write it), with the project's
metadata, plugins (Vietnamese search, article pages) and templates from `datasette/`, an
`--inspect-file` (table counts and file hash, regenerated when missing or stale, so startup
does not hash the whole file) and settings for a public instance (`SETTINGS`).

Never serve the file a crawl is writing, and never overwrite a served file in place:
immutable mode promises SQLite the file does not change. `publish_snapshot()` copies the
live WAL database consistently (`VACUUM INTO`, one read transaction: the crawler keeps
writing), into a temporary file beside the destination, optimises its search index,
checks it (`PRAGMA integrity_check`, FTS5 'integrity-check') and only then renames it over
the destination with `os.replace` (atomic on POSIX). A server still running keeps the
old file open and keeps answering from it; **restart it** to serve the new snapshot
(its SQL threads open connections lazily, and its cached table counts describe the old
file, so do not leave it running on a swapped file).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from crawler.publish import guard
from crawler.publish.guard import PublicConfig, PublicLimits

# metadata, plugins and templates ship inside the package (package data)
DATASETTE_DIR = Path(__file__).resolve().parent / "datasette"
METADATA = DATASETTE_DIR / "metadata.yml"
PLUGINS_DIR = DATASETTE_DIR / "plugins"
TEMPLATES_DIR = DATASETTE_DIR / "templates"
# metadata.yml, the templates and the plugins address the database by this name
# (Datasette names a database after its file's stem).
DATABASE_NAME = "archive"

# Datasette settings for a public, read-only instance (docs/publishing.md explains each).
SETTINGS: dict[str, str | int] = {
    "sql_time_limit_ms": 3000,  # default 1000: common-word searches over ~1M articles need ~1.5 s
    "facet_time_limit_ms": 1000,  # default 200 silently drops facets over large result sets
    "suggest_facets": "off",  # each table page would try every column (10x slower on big tables)
    "default_page_size": 30,  # article bodies are kilobytes each
    "max_returned_rows": 1000,
    "allow_download": "off",  # no multi-GB download of the .db through the web server
    "allow_csv_stream": "off",  # no streaming of every article's text in one request
    "max_csv_mb": 10,
    "default_cache_ttl": 3600,  # the data does not change until the next snapshot
    "num_sql_threads": 3,
    "truncate_cells_html": 2048,
}
# What one visitor may cost an instance served with --public (crawler/publish/guard.py, docs/publishing.md).
PUBLIC_LIMITS = PublicLimits()


# -- inspect file ------------------------------------------------------------------------


def inspect_path_for(db: Path) -> Path:
    """Where the inspect cache of `db` lives: beside it, named like SQLite's own sidecars."""
    return db.with_name(db.name + "-inspect.json")


def inspect_is_fresh(db: Path, inspect_file: Path, name: str = DATABASE_NAME) -> bool:
    """The inspect file describes this database file: same size, written after it."""
    try:
        entry = json.loads(inspect_file.read_text(encoding="utf-8"))[name]
        stat = db.stat()
        return entry["size"] == stat.st_size and inspect_file.stat().st_mtime >= stat.st_mtime
    except (OSError, ValueError, KeyError, TypeError):
        return False


def inspect_data(db: Path) -> dict:
    """What `datasette inspect` writes (table counts, a hash, the size), in a fraction of the time.

    Datasette hashes the whole file for the "hash" (18 s at 10 GB), and uses it only to tell versions
    apart (cache-busting URLs, off here); a fingerprint of size, modification time and SQLite's header
    (its change counter and schema cookie) tells the same. Counts come from SQLite's smallest index."""
    stat = db.stat()
    with db.open("rb") as file:
        header = file.read(100)
    fingerprint = hashlib.sha256(f"{stat.st_size}:{stat.st_mtime_ns}:".encode() + header).hexdigest()
    conn = sqlite3.connect(f"{db.as_uri()}?immutable=1", uri=True)
    try:
        tables = conn.execute("SELECT name, sql LIKE 'CREATE VIRTUAL%' FROM sqlite_master WHERE type = 'table'")
        counts = {}
        for name, virtual in tables.fetchall():
            # a full-text index counts its documents in its own _docsize table: counting the index itself
            # would read every article's text
            counted = f"{name}_docsize" if virtual else name
            try:
                counts[name] = conn.execute(f'SELECT count(*) FROM "{counted}"').fetchone()[0]
            except sqlite3.OperationalError:  # a virtual table of another kind
                continue
    finally:
        conn.close()
    return {"hash": fingerprint, "size": stat.st_size, "file": str(db),
            "tables": {name: {"count": count} for name, count in counts.items()}}


def ensure_inspect_file(db: str | Path, inspect_file: str | Path | None = None) -> Path:
    """An up-to-date inspect file for `db` (`inspect_data`), written when missing or stale. Falls back to
    the temp directory when `db`'s directory is read-only."""
    db = Path(db).resolve()
    target = Path(inspect_file) if inspect_file else inspect_path_for(db)
    fallback = Path(tempfile.gettempdir()) / f"{db.stem}-{hashlib.sha1(str(db).encode()).hexdigest()[:12]}-inspect.json"
    for candidate in (target, fallback):
        if inspect_is_fresh(db, candidate):
            return candidate
    payload = json.dumps({DATABASE_NAME: inspect_data(db)}, indent=2)
    for candidate in (target, fallback):
        try:
            tmp = candidate.with_name(candidate.name + f".{os.getpid()}.tmp")
            tmp.write_text(payload, encoding="utf-8")
            os.replace(tmp, candidate)
            return candidate
        except OSError:
            continue
    raise OSError(f"cannot write an inspect file for {db}")


# -- serving -----------------------------------------------------------------------------


def datasette_args(db: Path, host: str, port: int, inspect_file: Path | None) -> list[str]:
    """The `datasette serve` command line (without the program name)."""
    args = ["serve", "-i", str(db), "--host", host, "--port", str(port),
            "--metadata", str(METADATA), "--plugins-dir", str(PLUGINS_DIR),
            "--template-dir", str(TEMPLATES_DIR)]
    if inspect_file:
        args += ["--inspect-file", str(inspect_file)]
    for name, value in SETTINGS.items():
        args += ["--setting", name, str(value)]
    return args


def _unfinished_wal(db: Path) -> bool:
    wal = db.with_name(db.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def public_config(db: Path, served: Path, allow_sql: bool = True) -> PublicConfig:
    """The guard of a public instance serving `db` (through `served`): limits, and the paths never shown."""
    import crawler

    package_root = Path(crawler.__file__).resolve().parent.parent
    hidden = {db, db.parent, served, served.parent, DATASETTE_DIR, package_root, Path(sys.prefix),
              Path(sys.prefix).resolve(), Path.cwd(), Path.home()}
    return PublicConfig(PUBLIC_LIMITS, tuple(str(p) for p in hidden if str(p) not in ("/", "")), allow_sql)


def port_problem(host: str, port: int) -> str | None:
    """Why Datasette could not listen on host:port (in use, not allowed), or None when it can."""
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            sock.bind((host, port))
    except OSError as exc:
        return f"Cannot serve on {host}:{port}: {exc.strerror or exc} (another server there? choose --port)"
    return None


def serve(db_path: str | Path, host: str | None = None, port: int = 8001, public: bool = False,
          sql: bool = True) -> int:
    """Serve `db_path` read-only with Datasette until interrupted; returns an exit status.

    Bound to 127.0.0.1, or with `public` to 0.0.0.0 (every interface; `host` chooses another) and
    guarded against hostile visitors (crawler/publish/guard.py, gate.py); `sql=False` there turns
    arbitrary SQL off (canned queries, tables and search only)."""
    db = Path(db_path).resolve()
    if not db.is_file():
        print(f"{db_path}: no such database (crawl first, or pass --db)", file=sys.stderr)
        return 2
    if _unfinished_wal(db):
        print(f"Warning: {db.name}-wal is not empty (a crawl is writing {db.name}?). Immutable serving "
              f"ignores it: serve a snapshot instead (python -m crawler publish {db_path} SNAPSHOT.db).",
              file=sys.stderr)

    import click
    from datasette.cli import cli

    with ExitStack() as stack:
        served = db
        if db.stem != DATABASE_NAME:  # metadata and templates expect the name "archive"
            tmpdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="archive-serve-")))
            served = tmpdir / f"{DATABASE_NAME}.db"
            served.symlink_to(db)
        try:
            inspect_file: Path | None = ensure_inspect_file(db)
        except (OSError, sqlite3.Error) as exc:
            print(f"Warning: no inspect file ({exc}); Datasette will hash {db.name} at startup.", file=sys.stderr)
            inspect_file = None
        bind = host or ("0.0.0.0" if public else "127.0.0.1")
        if (busy := port_problem(bind, port)) is not None:  # before "Serving …": one line, no traceback
            print(busy, file=sys.stderr)
            return 1
        print(f"Serving {db} read-only at http://{bind}:{port}/ (Ctrl-C to stop)", flush=True)
        if public:
            guard.configure(public_config(db, served, sql))
            limits = PUBLIC_LIMITS
            print(f"Public mode: {'guarded SQL' if sql else 'no arbitrary SQL'}; values <= "
                  f"{limits.max_value_bytes >> 20} MB, results <= {limits.max_result_bytes >> 20} MB, responses <= "
                  f"{limits.max_response_bytes >> 20} MB; per client {limits.requests_per_second:g} requests/s "
                  f"(SQL {limits.sql_per_second:g}/s); no file paths shown", flush=True)
        try:
            cli.main(args=datasette_args(served, bind, port, inspect_file), prog_name="datasette",
                     standalone_mode=False)
        except click.ClickException as exc:
            exc.show()
            return exc.exit_code
        except click.exceptions.Abort:
            return 130
        finally:
            guard.configure(None)
    return 0
