"""`python -m crawler check [--db archive.db] [--warc-dir warc/] [--sample N]`: does the archive hold?

Run it after a crash, a full disk, a restore or a copy. It reads the archive without writing to it
and prints one line per problem; the exit status is 0 only when every check holds:

* **sqlite**: `PRAGMA integrity_check` (every page, every index) and the foreign keys;
* **search index**: FTS5's own structure check, then the index against the articles: every article
  indexed with exactly the tokens of its `vn_fold`ed title, lead and text, no index row without its
  article (crawler/store/integrity.py says why FTS5's content check cannot do it here);
* **revisions**: an article at revision N keeps revisions 1 … N-1, each valid from before it was
  valid until; every version names a capture that is indexed;
* **captures**: every `captures` row (or a random `--sample`) points at a readable WARC record of the
  same type and URL (a truncated file, a missing file, a wrong offset are reported with file and offset);
* **registry**: every site the articles name has a `sites` row, and the rows of registry sites match
  crawler/sites/sites.csv (`python -m crawler sites --seed DB` rewrites them).
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from crawler.capture.paths import resolve, warc_root
from crawler.capture.reader import WarcReadError, read_record
from crawler.store import integrity

REGISTRY_FIELDS = ("origin", "domain", "organization_type", "organization", "province", "province_2025",
                   "platform", "status")


def capture_problems(conn: sqlite3.Connection, root: Path, sample: int | None = None,
                     limit: int = 20) -> tuple[list[str], int]:
    """(problems, captures read): each indexed capture against its WARC record."""
    problems: list[str] = []
    missing_files: dict[str, int] = {}
    ids = integrity.capture_ids(conn)
    read = 0
    for capture in integrity.captures_to_read(conn, sample):
        read += 1
        path = resolve(root, capture["warc_file"])
        if not path.is_file():
            missing_files[capture["warc_file"]] = missing_files.get(capture["warc_file"], 0) + 1
            continue
        try:
            record = read_record(path, capture["warc_offset"])
        except WarcReadError as exc:
            problems.append(f"captures: capture {capture['id']} ({capture['url']}): {capture['warc_file']} offset "
                            f"{capture['warc_offset']}: {exc.message}")
            continue
        if record.rec_type != capture["record_type"] or record.url != capture["url"]:
            problems.append(f"captures: capture {capture['id']}: {capture['warc_file']} offset "
                            f"{capture['warc_offset']} holds a {record.rec_type} record of {record.url}, not the "
                            f"indexed {capture['record_type']} of {capture['url']}")
        elif capture.get("refers_to") is not None and capture["refers_to"] not in ids:
            problems.append(f"captures: capture {capture['id']} is a revisit of capture {capture['refers_to']}, "
                            "which is not indexed")
    lines = [f"captures: {file}: missing ({count} captures point into it)" for file, count in missing_files.items()]
    lines += problems[:limit]
    if len(problems) > limit:
        lines.append(f"captures: … and {len(problems) - limit} more unreadable captures")
    return lines, read


def registry_problems(conn: sqlite3.Connection) -> Iterator[str]:
    from crawler.sites import registry

    for site, articles in integrity.sites_without_row(conn):
        yield f"registry: {articles} articles of site {site!r}, which has no row in the sites table"
    rows = integrity.site_rows(conn)
    for name, site in registry().items():
        row = rows.get(name)
        if row is None:
            continue
        declared = site.record()
        differences = [f"{field}: {row.get(field)!r} in the table, {declared.get(field)!r} in sites.csv"
                       for field in REGISTRY_FIELDS
                       if field in row and (row.get(field) or None) != (declared.get(field) or None)]
        if differences:
            yield (f"registry: the sites row of {name} differs from sites.csv ({'; '.join(differences)}): "
                   "run `python -m crawler sites --seed DB`")


def check_archive(db: str | Path, warc_dir: str | Path | None = None, sample: int | None = None,
                  out: TextIO = sys.stdout) -> int:
    """Run every check, print one line per problem and a last line of totals; return the exit status."""
    db = Path(db)
    if not db.is_file():
        print(f"{db}: no such database", file=out)
        return 2
    problems = 0
    facts: dict[str, int] = {}

    def area(name: str, run: Callable[[], Iterator[str] | list[str]]) -> None:
        nonlocal problems
        try:
            for line in run():
                print(line, file=out, flush=True)
                problems += 1
        except sqlite3.DatabaseError as exc:  # a damaged file: say where the check broke off
            print(f"{name}: cannot be checked: {exc}", file=out, flush=True)
            problems += 1

    try:
        conn = integrity.open_read_only(db)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        print(f"sqlite: {db} cannot be opened: {exc}", file=out)
        return 1
    try:
        area("sqlite", lambda: integrity.sqlite_problems(conn))
        area("search index", lambda: integrity.fts_structure_problems(db))
        area("search index", lambda: integrity.search_index_problems(conn))
        area("revisions", lambda: integrity.revision_problems(conn))

        def captures() -> list[str]:
            lines, facts["captures"] = capture_problems(conn, warc_root(warc_dir, db), sample)
            return lines

        area("captures", captures)
        area("registry", lambda: registry_problems(conn))
        for table in ("articles", "article_revisions", "sites"):
            try:
                facts[table] = integrity.count(conn, table)
            except sqlite3.DatabaseError:
                facts[table] = 0
    finally:
        conn.close()
    read = facts.get("captures", 0)
    totals = (f"{facts.get('articles', 0)} articles, {facts.get('article_revisions', 0)} earlier versions, "
              f"{read} captures read{' (a sample)' if sample else ''}, {facts.get('sites', 0)} sites")
    if problems:
        print(f"{db}: {problems} problem{'s' if problems != 1 else ''} ({totals})", file=out)
        return 1
    print(f"{db}: every check holds ({totals})", file=out)
    return 0
