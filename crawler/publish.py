"""Publish the archive: Datasette on an immutable archive.db, and safe swaps of new snapshots.

    python -m crawler serve                       # archive.db at http://127.0.0.1:8001/
    python -m crawler serve --db public/archive.db --public --port 8001   # all interfaces
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

import asyncio
import hashlib
import json
import os
import sqlite3
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATASETTE_DIR = PROJECT_ROOT / "datasette"
METADATA = DATASETTE_DIR / "metadata.yml"
PLUGINS_DIR = DATASETTE_DIR / "plugins"
TEMPLATES_DIR = DATASETTE_DIR / "templates"
# metadata.yml, the templates and the plugins address the database by this name
# (Datasette names a database after its file's stem).
DATABASE_NAME = "archive"

# Datasette settings for a public, read-only instance (the README's publishing section explains each).
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


class SnapshotError(RuntimeError):
    """A snapshot could not be made or failed its checks; the destination is untouched."""


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


def ensure_inspect_file(db: str | Path, inspect_file: str | Path | None = None) -> Path:
    """An up-to-date `datasette inspect` file for `db` (table counts, hash), written when
    missing or stale. Falls back to the temp directory when `db`'s directory is read-only."""
    from datasette.cli import inspect_

    db = Path(db).resolve()
    target = Path(inspect_file) if inspect_file else inspect_path_for(db)
    fallback = Path(tempfile.gettempdir()) / f"{db.stem}-{hashlib.sha1(str(db).encode()).hexdigest()[:12]}-inspect.json"
    for candidate in (target, fallback):
        if inspect_is_fresh(db, candidate):
            return candidate
    data = asyncio.run(inspect_([str(db)], []))
    entry = next(iter(data.values()))  # keyed by the file's stem; the server names it DATABASE_NAME
    payload = json.dumps({DATABASE_NAME: entry}, indent=2)
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


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001, public: bool = False) -> int:
    """Serve `db_path` read-only with Datasette until interrupted; returns an exit status.

    Bound to 127.0.0.1 unless `public` (then 0.0.0.0, every interface)."""
    db = Path(db_path).resolve()
    if not db.is_file():
        print(f"{db_path}: no such database (crawl first, or pass --db)", file=sys.stderr)
        return 2
    if _unfinished_wal(db):
        print(f"Warning: {db.name}-wal is not empty (a crawl is writing {db.name}?). Immutable serving "
              f"ignores it: serve a snapshot instead (python -m crawler publish {db_path} SNAPSHOT.db).",
              file=sys.stderr)
    # The plugins import crawler.* (vn_fold, the sanitiser): make the project importable.
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))

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
        bind = "0.0.0.0" if public else host
        print(f"Serving {db} read-only at http://{bind}:{port}/ (Ctrl-C to stop)", flush=True)
        try:
            cli.main(args=datasette_args(served, bind, port, inspect_file), prog_name="datasette",
                     standalone_mode=False)
        except click.ClickException as exc:
            exc.show()
            return exc.exit_code
        except click.exceptions.Abort:
            return 130
    return 0


# -- publishing snapshots ----------------------------------------------------------------


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_snapshot(path: Path) -> None:
    """Finish a fresh copy for serving and check it: rollback journal (one self-contained
    file), merged search index, statistics for the query planner; integrity checks."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
        has_fts = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles_fts'").fetchone()
        if has_fts:
            # 'optimize' merges the index segments; never 'rebuild' (it would index unfolded text).
            conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('optimize')")
        conn.execute("ANALYZE")
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise SnapshotError("integrity_check: " + "; ".join(problems[:10]))
        if has_fts:
            try:
                conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
            except sqlite3.DatabaseError as exc:
                raise SnapshotError(f"search index: {exc}") from exc
    finally:
        conn.close()


def publish_snapshot(src_db: str | Path, dest_db: str | Path) -> Path:
    """Copy the (live) archive `src_db` to `dest_db` so that no reader ever sees a partial file.

    Consistent copy (`VACUUM INTO` inside one read transaction) into a temporary file in
    `dest_db`'s directory, checked (`check_snapshot`), flushed to disk, then renamed over
    `dest_db` atomically; the inspect file is refreshed. Raises SnapshotError (and leaves
    `dest_db` as it was) when a check fails. A server on `dest_db` must then be restarted.
    """
    src = Path(src_db).resolve()
    dest = Path(dest_db).absolute()
    if not src.is_file():
        raise FileNotFoundError(f"{src_db}: no such database")
    if dest.exists() and os.path.samefile(src, dest):
        raise SnapshotError("the snapshot must go to another file than the live database")
    for suffix in ("-wal", "-journal"):
        sidecar = dest.with_name(dest.name + suffix)
        if sidecar.exists() and sidecar.stat().st_size > 0:
            raise SnapshotError(f"{sidecar} exists: something writes to {dest.name}; publish to a file only "
                                "Datasette reads")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")  # same directory: same filesystem, atomic rename
    tmp.unlink(missing_ok=True)
    try:
        source = sqlite3.connect(f"{src.as_uri()}?mode=ro", uri=True, timeout=60)
        try:
            source.execute("VACUUM INTO ?", [str(tmp)])
        finally:
            source.close()
        check_snapshot(tmp)
        _fsync(tmp)
        os.replace(tmp, dest)
        _fsync(dest.parent)
    finally:
        tmp.unlink(missing_ok=True)
        for suffix in ("-journal", "-wal", "-shm"):
            tmp.with_name(tmp.name + suffix).unlink(missing_ok=True)
    try:
        ensure_inspect_file(dest)
    except (OSError, sqlite3.Error) as exc:  # only a startup-speed cache: `serve` retries
        print(f"Warning: inspect file not written ({exc})", file=sys.stderr)
    return dest
