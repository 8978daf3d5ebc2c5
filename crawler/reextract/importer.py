"""Import other tools' WARC files: index them in `captures`, then extract their articles.

    python -m crawler import-warc FILE.warc.gz …

Each file is copied under the WARC directory (`imported/`); the response and revisit records of
hosts the registry knows (a site's origin or alias, or SITE_ORIGINS) are indexed, then their
articles are extracted as `reextract` does. Corrupt or truncated records are reported with file
name and offset; the rest is processed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from scrapy.utils.project import get_project_settings

from crawler.capture.paths import warc_root
from crawler.capture.reader import WarcProblem, iter_records
from crawler.capture.writer import local_iso, payload_digest
from crawler.progress import Progress
from crawler.reextract import Reextractor, Summary
from crawler.sites import site_for_host
from crawler.store import ArticleStore, default_database
from crawler.store.archive import DEFAULT_BATCH_SIZE
from crawler.urls import canonicalize_url


@dataclass
class ImportSummary:
    files: int = 0
    records: int = 0
    indexed: int = 0
    unknown_host: int = 0
    problems: list[WarcProblem] = field(default_factory=list)
    articles: Summary | None = None


def _adopt(path: Path, root: Path) -> Path:
    """The file inside the WARC directory: copied to `imported/` unless it is there already."""
    path = path.resolve()
    root = root.resolve()
    if root in path.parents:
        return path
    target_dir = root / "imported"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / path.name
    n = 1
    while target.exists():
        if target.stat().st_size == path.stat().st_size and _sha256(target) == _sha256(path):
            return target  # imported before
        target = target_dir / f"{path.stem}-{n}{''.join(path.suffixes[-1:])}"
        n += 1
    shutil.copy2(path, target)
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_warc(files: Iterable[str | os.PathLike[str]], db_path: str | os.PathLike[str] | None = None,
                warc_dir: str | None = None, out: TextIO | None = None) -> ImportSummary:
    out = out or sys.stderr
    db_path = str(db_path or default_database())
    root = warc_root(warc_dir, db_path)
    origins = get_project_settings().getdict("SITE_ORIGINS")
    configured = {(urlsplit(origin).hostname or "").lower(): name for name, origin in origins.items()}
    summary = ImportSummary()
    imported: dict[str, set[str]] = defaultdict(set)  # site -> article URLs

    def spider_of(url: str) -> str | None:
        host = (urlsplit(url).hostname or "").lower()
        site = site_for_host(host)
        return site.name if site else configured.get(host)

    def report(problem: WarcProblem) -> None:
        summary.problems.append(problem)
        print(f"Corrupt WARC: {problem}", file=out)

    def wanted(record: Any) -> bool:
        return record.rec_type in ("response", "revisit") and bool(
            spider_of(record.rec_headers.get_header("WARC-Target-URI") or ""))

    Path(db_path).parent.mkdir(parents=True, exist_ok=True)  # a new archive
    files = [Path(name) for name in files]
    progress = Progress(sum(f.stat().st_size for f in files if f.is_file()), out, label="import-warc", unit="bytes")
    read_before = 0  # bytes of the files already indexed
    store = ArticleStore(db_path)
    try:
        with store.batch():  # the captures' rows committed every DEFAULT_BATCH_SIZE records
            for source in files:
                if not source.is_file():
                    report(WarcProblem(str(source), 0, "no such file"))
                    continue
                path = _adopt(source, root)
                relative = str(path.relative_to(root.resolve()))
                summary.files += 1
                for record in iter_records(path, on_error=report, want_payload=wanted):
                    progress.update(read_before + record.offset + record.length)
                    summary.records += 1
                    if record.rec_type not in ("response", "revisit") or not record.url.startswith(("http:", "https:")):
                        continue
                    spider = spider_of(record.url)
                    if spider is None:
                        summary.unknown_host += 1
                        continue
                    row = _capture_row(store, record, relative, spider)
                    store.add_capture(row)
                    summary.indexed += 1
                    if summary.indexed % DEFAULT_BATCH_SIZE == 0:
                        store.commit()
                    imported[spider].add(canonicalize_url(record.url))
                read_before += source.stat().st_size
                progress.update(read_before)
        progress.finish()
    finally:
        store.close()
    urls = set().union(*imported.values()) if imported else set()
    if urls:
        summary.articles = Reextractor(db_path, warc_dir, out=out).run(sorted(imported), urls=urls)
    return summary


def _capture_row(store: ArticleStore, record: Any, relative: str, spider: str) -> dict[str, Any]:
    warc_date = record.headers.get("WARC-Date", "")
    digest = record.headers.get("WARC-Payload-Digest")
    length = len(record.payload or b"")
    refers_to = None
    if record.rec_type == "response":
        digest = digest or payload_digest(record.payload or b"")
    else:  # a revisit: find the record it refers to among the captures already indexed
        target = record.headers.get("WARC-Refers-To-Target-URI") or record.url
        found = store.referred_capture(record.headers.get("WARC-Refers-To", ""), target, digest)
        if found:
            refers_to, length = found
    return {
        "url": record.url, "fetched_at": local_iso(warc_date) if warc_date else None, "warc_date": warc_date,
        "status": record.status, "content_type": record.http_header("Content-Type"),
        "payload_digest": digest, "payload_length": length, "record_type": record.rec_type,
        "record_id": record.headers.get("WARC-Record-ID"), "refers_to": refers_to,
        "warc_file": relative, "warc_offset": record.offset, "warc_length": record.length,
        "spider": spider, "run_id": None,
    }
