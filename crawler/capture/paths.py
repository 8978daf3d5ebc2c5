"""Where WARC files live: the WARC root (WARC_DIR, else warc/ beside the database) and stored paths."""

from __future__ import annotations

import os
from pathlib import Path


def warc_root(configured: str | os.PathLike[str] | None = None, db_path: str | os.PathLike[str] | None = None) -> Path:
    """The WARC directory: WARC_DIR / $ARCHIVE_WARC_DIR if set, else `warc/` beside the database.

    >>> str(warc_root(None, "/data/archive.db"))
    '/data/warc'
    >>> str(warc_root("/srv/warc", "/data/archive.db"))
    '/srv/warc'
    """
    configured = configured or os.environ.get("ARCHIVE_WARC_DIR")
    if configured:
        return Path(configured)
    return Path(db_path or "archive.db").parent / "warc"


def resolve(root: Path, warc_file: str) -> Path:
    """The path of an indexed WARC file (`captures.warc_file` is relative to the WARC directory)."""
    path = Path(warc_file)
    return path if path.is_absolute() else root / path
