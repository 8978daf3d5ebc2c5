"""File-level work on an archive database: consistent copies and the checks a served snapshot passes."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def copy_consistent(src: Path, dest: Path) -> None:
    """Copy the (live, WAL) database `src` into the new file `dest` in one read transaction (`VACUUM INTO`)."""
    source = sqlite3.connect(f"{src.as_uri()}?mode=ro", uri=True, timeout=60)
    try:
        source.execute("VACUUM INTO ?", [str(dest)])
    finally:
        source.close()


def finish_for_serving(path: Path) -> list[str]:
    """Make a fresh copy self-contained and fast to serve, then check it; returns the problems found.

    Rollback journal (one self-contained file), merged search index, planner statistics;
    `PRAGMA integrity_check` and the FTS5 index's own 'integrity-check'."""
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
            return ["integrity_check: " + "; ".join(problems[:10])]
        if has_fts:
            try:
                conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
            except sqlite3.DatabaseError as exc:
                return [f"search index: {exc}"]
        return []
    finally:
        conn.close()
