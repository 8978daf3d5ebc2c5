"""Re-derive the archive from its raw captures, and import other tools' WARC files.

    python -m crawler reextract [--site S] [--since DATE] [--dry-run] [--force] [--rules JSON]
    python -m crawler export-warc --site S OUT.warc.gz
    python -m crawler import-warc FILE.warc.gz …

`reextract` runs the current extractor (the site spider's `rules`, the same decoding, the
same validation as a crawl: crawler.pipelines.skip_reason) over the stored captures of
article pages and updates archive.db through ArticleStore:

* an article in the archive is extracted again from its latest capture: a new revision only
  when the content really changed (content_hash), else only `extractor_version` and
  `capture_id` are recorded; `last_seen_at` and the HTTP validators never move (nothing
  was fetched);
* an article missing from the archive (deleted rows, a fresh database, imported captures)
  is rebuilt by replaying its captures in fetch order, as the crawls did: first version,
  later changes as revisions, 304s and 404/410s;
* an article whose row already records the current extractor version and its latest
  capture is up to date and skipped (`--force` re-extracts it anyway): a second run does
  nothing, and a run that was interrupted resumes where it stopped (each article is its
  own transaction);
* `--dry-run` extracts and compares but writes nothing, and lists what would change;
* `--rules '{"remove": [".story_tools", ".ads"]}'` (with one `--site`) overrides fields of
  that site's SiteRules: try a cleaning rule on the whole archive before editing the
  spider; applied, the rows record the version `<EXTRACTOR_VERSION>+rules.<hash>`.

`import-warc` copies each file under the WARC directory (`imported/`), indexes the
response and revisit records of hosts a spider knows (`live_origin`, `other_live_hosts`,
SITE_ORIGINS) in `captures`, then extracts their articles as above. Corrupt or truncated
records are reported with file name and offset; the rest is processed.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

import crawler
from crawler.charset import decode_html
from crawler.extract import SiteRules, extract_article
from crawler.items import Article
from crawler.pipelines import skip_reason
from crawler.store import CONTENT_FIELDS, ArticleStore, article_fields, default_database, now_iso
from crawler.urls import canonicalize_url
from crawler.warc import (
    CapturedPage,
    CaptureReader,
    WarcProblem,
    WarcReadError,
    export_warc,
    iter_records,
    local_iso,
    payload_digest,
    warc_root,
)

PAGE_STATUSES = (304, 404, 410)  # replayed besides 2xx when an article is rebuilt


def spider_classes() -> dict[str, type]:
    """Every site spider, by name."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    loader = SpiderLoader.from_settings(get_project_settings())
    return {name: loader.load(name) for name in loader.list()}


def live_hosts(classes: dict[str, type]) -> dict[str, str]:
    """Live host name -> spider name, for the sites whose host is known."""
    from scrapy.utils.project import get_project_settings

    origins = get_project_settings().getdict("SITE_ORIGINS")
    hosts: dict[str, str] = {}
    for name, cls in classes.items():
        for origin in (getattr(cls, "live_origin", None), origins.get(name)):
            if origin:
                hosts[(urlsplit(origin).hostname or "").lower()] = name
        for host in getattr(cls, "other_live_hosts", ()):
            hosts[host.lower()] = name
    return hosts


def parse_since(value: str | None) -> datetime | None:
    """`--since 2026-05-01` (local midnight) or a full ISO 8601 time."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.astimezone()


def patched_rules(rules: SiteRules, patch: dict[str, Any]) -> SiteRules:
    """`rules` with some fields replaced (lists become tuples, `date_pattern` a regex)."""
    names = {f.name for f in dataclasses.fields(SiteRules)}
    unknown = set(patch) - names
    if unknown:
        raise ValueError(f"unknown SiteRules field(s): {', '.join(sorted(unknown))}")
    values = {k: (re.compile(v) if k == "date_pattern" and v else tuple(v) if isinstance(v, list) else v)
              for k, v in patch.items()}
    return dataclasses.replace(rules, **values)


def rules_version(patch: dict[str, Any] | None) -> str:
    """The extractor version rows record: EXTRACTOR_VERSION, plus the hash of a `--rules` override."""
    if not patch:
        return crawler.EXTRACTOR_VERSION
    digest = hashlib.sha1(json.dumps(patch, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:8]
    return f"{crawler.EXTRACTOR_VERSION}+rules.{digest}"


def extract_page(page: CapturedPage, rules: SiteRules, version: str) -> Article | str:
    """The article of a captured page, as parse_article + ValidatePipeline would make it, or why not."""
    body = page.body
    if not body.strip():
        return "empty_page"
    http_charset = None
    if m := re.search(r"charset=([\w-]+)", page.header("Content-Type") or "", re.IGNORECASE):
        http_charset = m.group(1)
    text, _codec = decode_html(body, http_charset)
    article = extract_article(text, canonicalize_url(page.url), rules)
    article.etag = page.header("ETag")
    article.last_modified = page.header("Last-Modified")
    article.capture_id = page.capture["id"]
    article.extractor_version = version
    return skip_reason(article) or article


def _time(value: str | None) -> datetime:
    return datetime.fromisoformat(value) if value else datetime.min.astimezone()


@dataclass
class Summary:
    seen: int = 0  # article pages (URLs) considered
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    up_to_date: int = 0  # skipped: already extracted by this version from the latest capture
    aliases: int = 0  # another URL of an article whose own URL has captures
    failed: int = 0
    skipped: Counter = field(default_factory=Counter)  # not an article (validation)
    changes: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (status, url, fields)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self, dry_run: bool = False) -> str:
        skipped = sum(self.skipped.values())
        reasons = f" ({', '.join(f'{k} {v}' for k, v in sorted(self.skipped.items()))})" if skipped else ""
        rate = self.seen / self.seconds if self.seconds else 0.0
        verb = "would be " if dry_run else ""
        return (f"{self.seen} articles seen: {verb}{self.new} new, {verb}{self.changed} changed, "
                f"{self.unchanged} unchanged, {self.up_to_date} up to date, {skipped} skipped{reasons}, "
                f"{self.aliases} aliases, {self.failed} failed ({self.seconds:.1f} s, {rate:.0f} pages/s)")


class Progress:
    """A one-line progress bar on a terminal; a line every 10 % elsewhere (logs)."""

    def __init__(self, total: int, out: TextIO, label: str = "reextract"):
        self.total, self.out, self.label = total, out, label
        self.done = 0
        self.started = time.monotonic()
        self.tty = hasattr(out, "isatty") and out.isatty()
        self._last_decile = -1

    def step(self) -> None:
        self.done += 1
        if self.tty:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            rate = self.done / max(time.monotonic() - self.started, 1e-9)
            self.out.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
                           f"{self.done}/{self.total} {rate:.0f}/s")
            self.out.flush()
        else:
            decile = 10 * self.done // max(self.total, 1)
            if decile != self._last_decile and (decile > self._last_decile):
                self._last_decile = decile
                print(f"{self.label}: {self.done}/{self.total} ({10 * decile}%)", file=self.out, flush=True)

    def finish(self) -> None:
        if self.tty and self.total:
            self.out.write("\n")


class Reextractor:
    def __init__(self, db_path: str | os.PathLike[str] | None = None, warc_dir: str | None = None,
                 dry_run: bool = False, force: bool = False, rules_patch: dict[str, Any] | None = None,
                 out: TextIO | None = None):
        self.db_path = str(db_path or default_database())
        self.root = warc_root(warc_dir, self.db_path)
        self.dry_run, self.force = dry_run, force
        self.rules_patch = rules_patch
        self.version = rules_version(rules_patch)
        self.out = out or sys.stderr
        self.classes = spider_classes()
        self._spiders: dict[str, Any] = {}

    def spider(self, name: str) -> Any:
        if name not in self._spiders:
            spider = self.classes[name]()
            if self.rules_patch:
                spider.rules = patched_rules(spider.rules, self.rules_patch)
            self._spiders[name] = spider
        return self._spiders[name]

    def candidates(self, store: ArticleStore, sites: Iterable[str] | None, since: datetime | None,
                   urls: set[str] | None) -> dict[tuple[str, str], list[dict[str, Any]]]:
        """(spider, canonical URL) -> its article-page captures, oldest first."""
        sql = "SELECT * FROM captures WHERE record_type IN ('response', 'revisit')"
        params: list[Any] = []
        if sites:
            sites = list(sites)
            sql += f" AND spider IN ({', '.join('?' * len(sites))})"
            params += sites
        cursor = store.db.execute(sql + " ORDER BY id", params)
        columns = [c[0] for c in cursor.description]
        groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for values in cursor:
            row = dict(zip(columns, values, strict=True))
            status = row["status"] or 0
            if row["spider"] not in self.classes or not (200 <= status < 300 or status in PAGE_STATUSES):
                continue
            url = canonicalize_url(row["url"])
            if urls is not None and url not in urls:
                continue
            if since and _time(row["fetched_at"]) < since:
                continue
            if not self.spider(row["spider"]).is_article_url(url):
                continue
            groups[(row["spider"], url)].append(row)
        for key, rows in list(groups.items()):
            if not any(200 <= (r["status"] or 0) < 300 for r in rows):
                del groups[key]  # only 404s and 304s: a link to nothing, never an article here
                continue
            rows.sort(key=lambda r: (_time(r["fetched_at"]), r["id"]))
        return dict(sorted(groups.items(), key=lambda kv: (_time(kv[1][0]["fetched_at"]), kv[1][0]["id"])))

    def run(self, sites: Iterable[str] | None = None, since: str | datetime | None = None,
            urls: set[str] | None = None) -> Summary:
        started = time.monotonic()
        unknown = set(sites or ()) - set(self.classes)
        if unknown:
            raise ValueError(f"no spider named {', '.join(sorted(unknown))}")
        since_time = parse_since(since) if isinstance(since, str) else since
        store = ArticleStore(self.db_path)
        summary = Summary()
        try:
            reader = CaptureReader(store.db, self.root)
            groups = self.candidates(store, sites, since_time, urls)
            urls_with_captures = {url for _, url in groups}
            if not self.dry_run:
                for name in sorted({spider for spider, _ in groups}):
                    store.register_site(**self.spider(name).site_record())
            progress = Progress(len(groups), self.out)
            for (name, url), captures in groups.items():
                summary.seen += 1
                try:
                    self._article(store, reader, self.spider(name), url, captures, urls_with_captures, summary)
                except WarcReadError as exc:
                    summary.failed += 1
                    summary.failures.append(f"{url}: {exc}")
                except Exception as exc:  # an extractor bug must not stop the other articles
                    summary.failed += 1
                    summary.failures.append(f"{url}: {type(exc).__name__}: {exc}")
                progress.step()
            progress.finish()
        finally:
            store.close()
        summary.seconds = time.monotonic() - started
        return summary

    def _article(self, store: ArticleStore, reader: CaptureReader, spider: Any, url: str,
                 captures: list[dict[str, Any]], urls_with_captures: set[str], summary: Summary) -> None:
        existing = store.find(url)
        if existing is not None and existing["url"] != url and existing["url"] in urls_with_captures:
            summary.aliases += 1  # the article is re-extracted from its own URL's captures
            return
        pages = [c for c in captures if 200 <= (c["status"] or 0) < 300]
        if existing is not None:
            if not pages:
                summary.unchanged += 1
                return
            latest = pages[-1]
            if (not self.force and existing["capture_id"] == latest["id"]
                    and existing["extractor_version"] == self.version):
                summary.up_to_date += 1
                return
            result = extract_page(reader.read(latest), spider.rules, self.version)
            if isinstance(result, str):
                summary.skipped[result] += 1
                return
            fields = article_fields(result)
            if self.dry_run:
                if fields["content_hash"] == existing["content_hash"]:
                    summary.unchanged += 1
                else:
                    summary.changed += 1
                    summary.changes.append(("changed", url, [k for k in CONTENT_FIELDS if fields[k] != existing[k]]))
                return
            status = store.upsert(result, site=spider.name, province=spider.province, fetched_url=result.url,
                                  seen_at=now_iso(), reextract=True).status
            setattr(summary, status, getattr(summary, status) + 1)
            if status == "changed":
                summary.changes.append(("changed", url, [k for k in CONTENT_FIELDS if fields[k] != existing[k]]))
            return

        # Not in the archive: replay the captures as the crawls met them.
        outcome = None
        for capture in captures:
            status = capture["status"] or 0
            if status == 304:
                if not self.dry_run:
                    store.touch(url, seen_at=capture["fetched_at"])
                continue
            if status in (404, 410):
                if not self.dry_run:
                    store.mark_removed(url, removed_at=capture["fetched_at"])
                continue
            result = extract_page(reader.read(capture), spider.rules, self.version)
            if isinstance(result, str):
                outcome = outcome or result
                continue
            if self.dry_run:
                outcome = "new"
                break
            status_name = store.upsert(result, site=spider.name, province=spider.province, fetched_url=result.url,
                                       seen_at=capture["fetched_at"]).status
            outcome = "new" if "new" in (outcome, status_name) else status_name
        if outcome in ("new", "changed", "unchanged"):
            setattr(summary, outcome, getattr(summary, outcome) + 1)
            if outcome == "new":
                summary.changes.append(("new", url, []))
        elif outcome:
            summary.skipped[outcome] += 1


def reextract(db_path: str | os.PathLike[str] | None = None, sites: Iterable[str] | None = None,
              since: str | None = None, dry_run: bool = False, force: bool = False,
              rules_patch: dict[str, Any] | None = None, warc_dir: str | None = None,
              out: TextIO | None = None) -> Summary:
    return Reextractor(db_path, warc_dir, dry_run, force, rules_patch, out).run(sites, since)


# ---------------------------------------------------------------------------
# Import

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
    classes = spider_classes()
    hosts = live_hosts(classes)
    summary = ImportSummary()
    imported: dict[str, set[str]] = defaultdict(set)  # spider -> article URLs

    def spider_of(url: str) -> str | None:
        return hosts.get((urlsplit(url).hostname or "").lower())

    def report(problem: WarcProblem) -> None:
        summary.problems.append(problem)
        print(f"Corrupt WARC: {problem}", file=out)

    def wanted(record: Any) -> bool:
        return record.rec_type in ("response", "revisit") and bool(
            spider_of(record.rec_headers.get_header("WARC-Target-URI") or ""))

    Path(db_path).parent.mkdir(parents=True, exist_ok=True)  # a new archive
    store = ArticleStore(db_path)
    try:
        for name in files:
            source = Path(name)
            if not source.is_file():
                report(WarcProblem(str(source), 0, "no such file"))
                continue
            path = _adopt(source, root)
            relative = str(path.relative_to(root.resolve()))
            summary.files += 1
            for record in iter_records(path, on_error=report, want_payload=wanted):
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
                imported[spider].add(canonicalize_url(record.url))
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
        found = store.db.execute("SELECT id, payload_length FROM captures WHERE record_id = ?",
                                 [record.headers.get("WARC-Refers-To", "")]).fetchone()
        if found is None and digest:
            found = store.db.execute(
                "SELECT id, payload_length FROM captures WHERE url = ? AND payload_digest = ? "
                "AND record_type = 'response' ORDER BY id DESC LIMIT 1", [target, digest]).fetchone()
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


# ---------------------------------------------------------------------------
# Command line (wired into crawler/__main__.py)

def _print_summary(summary: Summary, out: TextIO, dry_run: bool) -> None:
    for status, url, fields in summary.changes:
        if dry_run or status == "changed":
            detail = f" ({', '.join(fields)})" if fields else ""
            print(f"{'would be ' if dry_run else ''}{status}: {url}{detail}", file=out)
    for failure in summary.failures:
        print(f"FAILED {failure}", file=out)
    print(("dry run, nothing written: " if dry_run else "") + summary.line(dry_run), file=out)


def cmd_reextract(args: argparse.Namespace) -> int:
    patch = None
    if args.rules:
        if not args.site or len(args.site) != 1:
            print("--rules needs exactly one --site", file=sys.stderr)
            return 2
        patch = json.loads(args.rules)
    try:
        summary = reextract(args.db, args.site, args.since, args.dry_run, args.force, patch, args.warc_dir)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    _print_summary(summary, sys.stdout, args.dry_run)
    return 1 if summary.failed else 0


def cmd_export_warc(args: argparse.Namespace) -> int:
    from crawler.store import ArticleStore

    db_path = args.db or default_database()
    store = ArticleStore(db_path)
    try:
        counts = export_warc(store.db, warc_root(args.warc_dir, db_path), args.site, args.out)
    finally:
        store.close()
    print(f"{args.out}: {counts['records']} captures of {args.site} (+{counts['requests']} request records), "
          f"{counts['bytes']} bytes; {counts['missing']} unreadable")
    return 1 if counts["missing"] or not counts["records"] else 0


def cmd_import_warc(args: argparse.Namespace) -> int:
    summary = import_warc(args.files, args.db, args.warc_dir)
    print(f"{summary.files} files, {summary.records} records, {summary.indexed} captures indexed, "
          f"{summary.unknown_host} of hosts without a spider, {len(summary.problems)} corrupt")
    if summary.articles:
        _print_summary(summary.articles, sys.stdout, False)
    return 1 if summary.problems or (summary.articles and summary.articles.failed) else 0


def add_commands(sub: Any) -> None:
    """The `reextract`, `export-warc` and `import-warc` subcommands of `python -m crawler`."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="the archive (default: $ARCHIVE_DB or archive.db)")
    common.add_argument("--warc-dir", help="the WARC directory (default: $ARCHIVE_WARC_DIR or warc/ beside the db)")

    p = sub.add_parser("reextract", parents=[common], help="run the current extractor over the stored captures")
    p.add_argument("--site", action="append", help="a spider name (repeatable; default: every site)")
    p.add_argument("--since", help="only captures fetched since DATE (ISO 8601)")
    p.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    p.add_argument("--force", action="store_true", help="also re-extract articles already up to date")
    p.add_argument("--rules", metavar="JSON",
                   help='override SiteRules fields of one --site, e.g. \'{"remove": [".ads"]}\'')
    p.set_defaults(func=cmd_reextract)

    p = sub.add_parser("export-warc", parents=[common], help="pack a site's captures into one WARC file")
    p.add_argument("--site", required=True)
    p.add_argument("out", metavar="OUT.warc.gz")
    p.set_defaults(func=cmd_export_warc)

    p = sub.add_parser("import-warc", parents=[common], help="index WARC files from other tools and extract")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_import_warc)
