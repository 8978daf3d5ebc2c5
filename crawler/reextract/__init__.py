"""Re-derive the archive from its raw captures, and import other tools' WARC files.

    python -m crawler reextract [--site S] [--since DATE] [--dry-run] [--force] [--rules JSON]
    python -m crawler export-warc --site S OUT.warc.gz
    python -m crawler import-warc FILE.warc.gz …

`reextract` runs the current extractor (each site's spider extracts as in a crawl: its site rules,
or the generic extractor with the site's learnt template; the same decoding, the same validation:
crawler.extract.validate.skip_reason) over the stored captures of article pages and updates
archive.db through ArticleStore:

* an article in the archive is extracted again from its latest capture: a new revision only
  when the content really changed (content_hash), else only `extractor_version` and
  `capture_id` are recorded; `last_seen_at` and the HTTP validators never move (nothing
  was fetched);
* an article missing from the archive (deleted rows, a fresh database, imported captures)
  is rebuilt by replaying its captures in fetch order, as the crawls did: first version,
  later changes as revisions, 304s and 404/410s;
* an article whose row already records the current extractor version and its latest
  capture is up to date and skipped (`--force` re-extracts it anyway): a second run does
  nothing, and a run that was interrupted resumes where it stopped (the writes are committed
  in batches of whole articles: `ArticleStore.batch`);
* `--dry-run` extracts and compares but writes nothing, and lists what would change;
* `--rules '{"remove": [".story_tools", ".ads"]}'` (with one `--site`) overrides fields of
  that site's SiteRules: try a cleaning rule on the whole archive before editing the
  spider; applied, the rows record the version `<EXTRACTOR_VERSION>+rules.<hash>`.

`import-warc` (crawler.reextract.importer) indexes other tools' WARC files and extracts them the same way.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

import crawler
from crawler.capture.paths import warc_root
from crawler.capture.reader import CapturedPage, CaptureReader, WarcReadError
from crawler.crawl.generic import GenericSpider
from crawler.crawl.site_spiders import spider_classes
from crawler.extract import SiteRules
from crawler.extract.article import Article
from crawler.extract.charset import decode_response
from crawler.extract.templates import SiteTemplate, template_dir
from crawler.extract.validate import skip_reason
from crawler.progress import Progress
from crawler.store import CONTENT_FIELDS, ArticleStore, article_fields, default_database, now_iso
from crawler.urls import canonicalize_url, origin_of

PAGE_STATUSES = (304, 404, 410)  # replayed besides 2xx when an article is rebuilt


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


def extract_page(page: CapturedPage, extract: Callable[[str, str], Article], version: str) -> Article | str:
    """The article of a captured page, as parse_article + ValidatePipeline would make it, or why not.
    `extract` is the site's spider's `extract` (site rules, or generic with the learnt template)."""
    body = page.body
    if not body.strip():
        return "empty_page"
    text, _codec = decode_response(body, page.header("Content-Type"))
    article = extract(text, canonicalize_url(page.url))
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


class Reextractor:
    def __init__(self, db_path: str | os.PathLike[str] | None = None, warc_dir: str | None = None,
                 dry_run: bool = False, force: bool = False, rules_patch: dict[str, Any] | None = None,
                 out: TextIO | None = None):
        self.db_path = str(db_path or default_database())
        self.root = warc_root(warc_dir, self.db_path)
        self.templates = template_dir({"ARCHIVE_DB": self.db_path,
                                       "ARCHIVE_TEMPLATE_DIR": os.environ.get("ARCHIVE_TEMPLATE_DIR")})
        self.dry_run, self.force = dry_run, force
        self.rules_patch = rules_patch
        self.version = rules_version(rules_patch)
        self.out = out or sys.stderr
        self.classes = spider_classes()
        self._spiders: dict[str, Any] = {}

    def spider(self, site: str, sample_url: str) -> Any:
        """The spider that archives `site`, as a crawl builds it: the site's own spider, or the generic
        spider for a site crawled with `scrapy crawl generic -a site=…` (with the site's learnt template)."""
        if site not in self._spiders:
            cls = self.classes.get(site)
            if cls is None or issubclass(cls, GenericSpider) and not cls.live_origin:
                spider = GenericSpider(site=site, origin=origin_of(sample_url))
            else:
                spider = cls()
            if isinstance(spider, GenericSpider):
                if self.rules_patch:
                    raise ValueError(f"--rules: {site} has no site rules (the generic extractor reads it)")
                spider.template = SiteTemplate.load(self.templates, spider.site_name)
            elif self.rules_patch:
                spider.rules = patched_rules(spider.rules, self.rules_patch)
            self._spiders[site] = spider
        return self._spiders[site]

    def candidates(self, store: ArticleStore, sites: Iterable[str] | None, since: datetime | None,
                   urls: set[str] | None) -> dict[tuple[str, str], list[dict[str, Any]]]:
        """(site, canonical URL) -> its article-page captures, oldest first: URLs the site's spider takes
        for articles, and URLs the archive holds as articles (id-less sites' articles are known by shape)."""
        groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        known: dict[str, set[str]] = {}
        for row in store.page_captures(list(sites) if sites else None):
            status = row["status"] or 0
            if not (200 <= status < 300 or status in PAGE_STATUSES):
                continue
            url = canonicalize_url(row["url"])
            if urls is not None and url not in urls:
                continue
            if since and _time(row["fetched_at"]) < since:
                continue
            site = row["spider"]
            if site not in known:
                known[site] = set(store.known_articles(site))
            if url not in known[site] and not self.spider(site, url).is_article_url(url):
                continue
            groups[(site, url)].append(row)
        for key, rows in list(groups.items()):
            if not any(200 <= (r["status"] or 0) < 300 for r in rows):
                del groups[key]  # only 404s and 304s: a link to nothing, never an article here
                continue
            rows.sort(key=lambda r: (_time(r["fetched_at"]), r["id"]))
        return dict(sorted(groups.items(), key=lambda kv: (_time(kv[1][0]["fetched_at"]), kv[1][0]["id"])))

    def run(self, sites: Iterable[str] | None = None, since: str | datetime | None = None,
            urls: set[str] | None = None) -> Summary:
        started = time.monotonic()
        since_time = parse_since(since) if isinstance(since, str) else since
        store = ArticleStore(self.db_path)
        summary = Summary()
        try:
            unknown = set(sites or ()) - set(self.classes) - store.captured_sites()
            if unknown:
                raise ValueError(f"no site named {', '.join(sorted(unknown))} (python -m crawler sites lists them)")
            reader = CaptureReader(store.capture, self.root)
            groups = self.candidates(store, sites, since_time, urls)
            urls_with_captures = {url for _, url in groups}
            if not self.dry_run:
                for site, url in {site: url for site, url in groups}.items():
                    store.register_site(**self.spider(site, url).site_record())
            progress = Progress(len(groups), self.out)
            with store.batch():  # a failing article's writes roll back alone (a savepoint of the batch)
                for (site, url), captures in groups.items():
                    summary.seen += 1
                    try:
                        self._article(store, reader, self.spider(site, url), url, captures, urls_with_captures,
                                      summary)
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
            result = extract_page(reader.read(latest), spider.extract, self.version)
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
            status = store.upsert(result, site=spider.site_name, province=spider.province, fetched_url=result.url,
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
            result = extract_page(reader.read(capture), spider.extract, self.version)
            if isinstance(result, str):
                outcome = outcome or result
                continue
            if self.dry_run:
                outcome = "new"
                break
            status_name = store.upsert(result, site=spider.site_name, province=spider.province, fetched_url=result.url,
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
