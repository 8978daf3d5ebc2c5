"""Publish a snapshot of the live archive for serving: consistent copy, checked, swapped atomically.

    python -m crawler publish archive.db public/archive.db     # then restart the server

Never overwrite a served file in place: immutable mode promises SQLite the file does not change.
`publish_snapshot()` copies the live WAL database consistently (`VACUUM INTO`, one read
transaction: the crawler keeps writing) into a temporary file beside the destination (after
removing the temporary files that killed publishes left there), optimises
its search index, checks it (`PRAGMA integrity_check`, FTS5 'integrity-check'), writes its inspect
file and only then renames it over the destination with `os.replace` (atomic on POSIX).
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from pathlib import Path

from crawler.publish.server import ensure_inspect_file
from crawler.store.maintenance import copy_consistent, finish_for_serving


class SnapshotError(RuntimeError):
    """A snapshot could not be made or failed its checks; the destination is untouched."""


# -- publishing snapshots ----------------------------------------------------------------


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale_temp_files(dest: Path) -> list[Path]:
    """Delete the temporary copies (and their journals) that killed publishes left beside `dest`.

    A temporary file is `.DEST.PID.tmp` (+ `-journal`, `-wal`, `-shm`); it is stale when no
    process PID runs any more. Files of a running process (another publish) are left alone."""
    pattern = re.compile(rf"^\.{re.escape(dest.name)}\.(\d+)\.tmp(?:-journal|-wal|-shm)?$")
    removed = []
    try:
        candidates = list(dest.parent.iterdir())
    except OSError:
        return []
    for path in candidates:
        m = pattern.match(path.name)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            try:
                path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed


def check_snapshot(path: Path) -> None:
    """Finish a fresh copy for serving and check it (crawler.store.maintenance); SnapshotError on a problem."""
    problems = finish_for_serving(path)
    if problems:
        raise SnapshotError("; ".join(problems))


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
    for stale in remove_stale_temp_files(dest):
        print(f"Removed {stale.name}: left by a publish that was killed", file=sys.stderr)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")  # same directory: same filesystem, atomic rename
    tmp.unlink(missing_ok=True)
    try:
        copy_consistent(src, tmp)
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
