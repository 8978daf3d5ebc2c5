"""One command crawls every enabled site, unattended: `python -m crawler crawl`.

* all spiders run in one Scrapy process (a site that is down does not stop the others);
* a lock file beside the database keeps two scheduled runs from overlapping:
  the second prints who holds it and exits with status 75 (EX_TEMPFAIL);
* each run logs to its own file under ARCHIVE_LOG_DIR (default `logs/`);
* a summary table is printed at the end; the exit status is 1 when a spider
  did not finish normally or raised an alarm (crawler/alarms.py), else 0.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

EXIT_LOCKED = 75


class CrawlLockedError(RuntimeError):
    pass


@contextmanager
def crawl_lock(path: str | Path) -> Iterator[None]:
    """Hold an exclusive, non-blocking lock for the duration of a crawl."""
    handle = open(path, "a+")  # noqa: SIM115 (held open for the lock's lifetime)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise CrawlLockedError(f"Another crawl is running ({holder}; lock {path}).") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()} since {datetime.now().isoformat(timespec='seconds')}")
    handle.flush()
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def run_crawl(sites: list[str], base_urls: dict[str, str], overrides: dict[str, Any] | None = None) -> list[int]:
    """Crawl `sites` in one Scrapy process; return the ids of the `crawl_runs` rows written."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawlers = []
    for site in sites:
        crawler = process.create_crawler(site)
        crawlers.append(crawler)
        process.crawl(crawler, **({"base_url": base_urls[site]} if site in base_urls else {}))
    process.start()
    return [_run_id(c) for c in crawlers]


def _run_id(crawler: Any) -> int | None:
    from crawler.crawl.runs import CrawlRunRecorder

    for ext in crawler.extensions.middlewares:
        if isinstance(ext, CrawlRunRecorder):
            return ext.run_id
    return None


def print_summary(db_path: str, run_ids: list[int | None], out: TextIO = sys.stdout) -> bool:
    """Print one line per run and its alarms; True when every run finished cleanly."""
    from crawler.store import ArticleStore

    store = ArticleStore(db_path)
    ok = True
    try:
        rows = [store.db["crawl_runs"].get(run_id) if run_id else None for run_id in run_ids]
        ok = all(row is not None for row in rows)
        rows = [row for row in rows if row is not None]
        # the spider column is as wide as the longest name: a long name never runs into "finish"
        width = max([len("spider")] + [len(row["spider"] or "") for row in rows]) + 2
        print(f"\n{'spider':<{width}}{'finish':<11}{'pages':>6}{'new':>6}{'changed':>8}{'same':>6}{'removed':>8}"
              f"{'skipped':>8}{'404':>5}{'filtered':>9}{'errors':>7}{'secs':>7}", file=out)
        for row in rows:
            alarms = json.loads(row["alarms"] or "[]")
            ok = ok and row["finish_reason"] == "finished" and not alarms
            print(f"{row['spider']:<{width}}{row['finish_reason'] or '?':<11}{row['pages'] or 0:>6}"
                  f"{row['articles_new'] or 0:>6}{row['articles_changed'] or 0:>8}{row['articles_unchanged'] or 0:>6}"
                  f"{row['articles_removed'] or 0:>8}{row['skipped'] or 0:>8}{row['not_found'] or 0:>5}"
                  f"{row.get('filtered') or 0:>9}{row['errors'] or 0:>7}{row['duration_seconds'] or 0:>7.1f}",
                  file=out)
            for alarm in alarms:
                print(f"  ALARM {alarm}", file=out)
        from crawler.crawl.faults import disk_full_at

        if full := disk_full_at(db_path):
            ok = False
            print(f"\nSTOPPED: disk full at {full}; free space and run again (nothing stored is lost)", file=out)
        total = store.count_articles()
        print(f"\n{total} articles in {db_path}", file=out)
    finally:
        store.close()
    return ok


def scheduled_crawl(sites: list[str], base_urls: dict[str, str], db_path: str,
                    log_dir: str | None = None, overrides: dict[str, Any] | None = None) -> int:
    """The unattended run: lock, log file, crawl, summary, exit status."""
    log_dir = log_dir or os.environ.get("ARCHIVE_LOG_DIR", "logs")
    Path(log_dir).mkdir(parents=True, exist_ok=True)
    log_file = Path(log_dir) / f"crawl-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.log"
    try:
        with crawl_lock(f"{db_path}.lock"):
            print(f"Crawling {', '.join(sites)}; log: {log_file}", flush=True)
            run_ids = run_crawl(sites, base_urls, {"ARCHIVE_DB": db_path, "LOG_FILE": str(log_file),
                                                   **(overrides or {})})
            return 0 if print_summary(db_path, run_ids) else 1
    except CrawlLockedError as exc:
        print(f"{exc} Exiting without crawling.", file=sys.stderr)
        return EXIT_LOCKED
