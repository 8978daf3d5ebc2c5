"""Faults a crawl reports in one line and survives: a full disk, pages over the size cap, implausible dates.

**A full disk** (ENOSPC or EDQUOT writing a WARC record, SQLite's "database or disk is full")
stops the crawl at the first occurrence:

* the first report logs one line, `Disk full at PATH: …`, sets the stat `archive/faults/disk_full`
  to PATH and closes the spider through the engine with the reason `disk_full`; every
  spider of the process stops (they share the disk);
* from then on no request goes out (the requests waiting in the downloader's slots are dropped,
  `DiskFullMiddleware` refuses new ones) and no response reaches the WARC writer
  (`DiskFullMiddleware` sits nearer the downloader than the capture middleware), and no item
  reaches the store (`FaultsPipeline`);
* every later log record caused by the full disk (the capture middleware's, Scrapy's item
  and signal errors) is cut down to one line, without its traceback (`OneLineDiskFull`);
* a reserve file beside the database (`archive.db.reserve`, 2 MB, made when a crawl starts)
  is deleted at once, so the run's `crawl_runs` row can still be written: finish reason
  `disk_full`, counts and stats. The summary of `python -m crawler crawl` says `DISK FULL at
  PATH` and the exit status is 1. What was stored is intact (each article is one
  transaction); what was not is fetched by the next run, once there is space again.

**Pages over the size cap** (DOWNLOAD_MAXSIZE, compressed or after decompression: a gzip
bomb) are dropped by Scrapy with a warning; `SizeCapMiddleware` (Scrapy's
HttpCompressionMiddleware, counting) counts each as `archive/skipped/too_large`, so
`crawl_runs.skipped` includes them.

**Implausible publication dates** are counted by `FaultsPipeline` as
`archive/date_flag/<flag>` (`future`, `before_1997`, `unreadable`: the store's `date_flag`).
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import DownloadCancelledError, DropItem, IgnoreRequest
from scrapy.utils.defer import _schedule_coro
from twisted.python.failure import Failure

from crawler.capture.paths import warc_root
from crawler.extract.article import Article
from crawler.store.flags import date_flag

logger = logging.getLogger(__name__)

DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
SQLITE_FULL = 13
RESERVE_BYTES = 2 << 20
TOO_LARGE = "archive/skipped/too_large"

# database path -> where the disk filled up, for every crawl of this process (the summary reads it)
_DISK_FULL: dict[str, str] = {}
_GUARDS: list[CrawlFaults] = []


def disk_full_error(exc: BaseException | None) -> BaseException | None:
    """The exception in `exc`'s chain that says the disk is full, or None."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS:
            return exc
        if isinstance(exc, sqlite3.Error) and (getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL
                                               or "database or disk is full" in str(exc)):
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def disk_full_at(db_path: str | os.PathLike[str]) -> str | None:
    """Where the disk filled up during a crawl of `db_path` in this process, or None."""
    return _DISK_FULL.get(str(Path(db_path).resolve()))


def _free_bytes(path: Path) -> int:
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        stat = os.statvfs(path)
    except OSError:
        return 1 << 62
    return stat.f_bavail * stat.f_frsize


class CrawlFaults:
    """The faults of one crawler (shared by the extension, the middlewares and the pipeline)."""

    def __init__(self, crawler: Any):
        settings = crawler.settings
        self.crawler = crawler
        self.db = Path(settings.get("ARCHIVE_DB") or "archive.db").resolve()
        self.warc_root = warc_root(settings.get("WARC_DIR"), settings.get("ARCHIVE_DB")).resolve()
        self.reserve = self.db.with_name(self.db.name + ".reserve")
        self.full_at: str | None = None
        self.reports = 0

    @property
    def stopped(self) -> bool:
        return self.full_at is not None or str(self.db) in _DISK_FULL

    def where(self, exc: BaseException) -> str:
        """The full place: the file the error names, the database for SQLite, else the fuller of the
        WARC directory and the database's directory."""
        if isinstance(exc, OSError) and exc.filename:
            return str(exc.filename)
        if isinstance(exc, sqlite3.Error):
            return str(self.db)
        return str(min((self.warc_root, self.db.parent), key=_free_bytes))

    def make_reserve(self) -> None:
        if self.reserve.exists() and self.reserve.stat().st_size >= RESERVE_BYTES:
            return
        try:
            self.db.parent.mkdir(parents=True, exist_ok=True)
            with open(self.reserve, "wb") as handle:
                handle.write(b"\0" * RESERVE_BYTES)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            self.reserve.unlink(missing_ok=True)
            if disk_full_error(exc):
                self.disk_full(exc, str(self.db.parent))
            else:
                logger.warning("No reserve file %s (%s)", self.reserve, exc)

    def disk_full(self, exc: BaseException, where: str | None = None) -> None:
        """Stop the crawl: the disk is full (the first report wins; later ones are counted)."""
        self.reports += 1
        stats = self.crawler.stats
        stats.inc_value("archive/faults/disk_full_errors")
        if self.full_at is not None:
            return
        self.full_at = where or _DISK_FULL.get(str(self.db)) or self.where(exc)
        _DISK_FULL.setdefault(str(self.db), self.full_at)
        self.reserve.unlink(missing_ok=True)  # room for the run's own record
        stats.set_value("archive/faults/disk_full", self.full_at)
        logger.error("Disk full at %s: stopping the crawl, no further requests (%s). Free space and run "
                     "again: nothing stored is lost.", self.full_at, exc)
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and getattr(engine, "spider", None) is not None:
            self._drop_queued(engine)
            _schedule_coro(engine.close_spider_async(reason="disk_full"))
        for other in list(_GUARDS):  # every crawl of this process writes to the same disk
            if other is not self and other.full_at is None and other.db == self.db:
                other.disk_full(exc, self.full_at)


    def _drop_queued(self, engine: Any) -> None:
        """Requests waiting in the downloader's slots (past the middlewares, not yet sent) are dropped."""
        for slot in list(getattr(getattr(engine, "downloader", None), "slots", {}).values()):
            queue = getattr(slot, "queue", None)
            while queue:
                _request, deferred = queue.popleft()
                self.crawler.stats.inc_value("archive/faults/not_requested")
                deferred.errback(Failure(IgnoreRequest("disk full")))


def crawl_faults(crawler: Any) -> CrawlFaults:
    found = getattr(crawler, "archive_faults", None)
    if found is None:
        found = crawler.archive_faults = CrawlFaults(crawler)
    return found


class OneLineDiskFull(logging.Handler):
    """Installed first on the root logger: a record caused by a full disk reports it (stopping the
    crawl) and loses its traceback, so every handler after it writes one line."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)

    def handle(self, record: logging.LogRecord) -> bool:
        exc = disk_full_error(record.exc_info[1]) if record.exc_info else None
        if exc is None:
            return True
        for guard in list(_GUARDS):
            guard.disk_full(exc)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 (a record whose arguments do not fit its message: keep the message)
            message = str(record.msg)
        record.msg = f"{message}: disk full ({type(exc).__name__}: {exc})"
        record.args = None
        record.exc_info = None
        record.exc_text = None
        return True

    def emit(self, record: logging.LogRecord) -> None:  # pragma: no cover (handle() does the work)
        pass


_HANDLER = OneLineDiskFull()


def _install_handler() -> None:
    root = logging.getLogger()
    if _HANDLER in root.handlers:
        root.handlers.remove(_HANDLER)
    root.handlers.insert(0, _HANDLER)  # before Scrapy's handlers, so they see the shortened record


class FaultsExtension:
    """Extension: the reserve file, the one-line handler, full-disk reports from item and signal errors."""

    def __init__(self, crawler: Any):
        self.faults = crawl_faults(crawler)

    @classmethod
    def from_crawler(cls, crawler: Any) -> FaultsExtension:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        return ext

    def spider_opened(self, spider: Any = None) -> None:
        _install_handler()
        if self.faults not in _GUARDS:
            _GUARDS.append(self.faults)
        self.faults.make_reserve()

    def engine_stopped(self) -> None:  # after every component closed (the WARC writer's last flush)
        if self.faults in _GUARDS:
            _GUARDS.remove(self.faults)
        if not _GUARDS:
            logging.getLogger().removeHandler(_HANDLER)

    def _failure(self, failure: Any) -> None:
        exc = disk_full_error(getattr(failure, "value", None))
        if exc is not None:
            self.faults.disk_full(exc)

    def item_error(self, item: Any = None, response: Any = None, spider: Any = None, failure: Any = None) -> None:
        self._failure(failure)

    def spider_error(self, failure: Any = None, response: Any = None, spider: Any = None) -> None:
        self._failure(failure)


class DiskFullMiddleware:
    """Downloader middleware at 960 (nearer the downloader than the WARC capture at 950): once the
    disk is full, no request goes out and no response reaches the capture."""

    def __init__(self, crawler: Any):
        self.faults = crawl_faults(crawler)

    @classmethod
    def from_crawler(cls, crawler: Any) -> DiskFullMiddleware:
        return cls(crawler)

    def _check(self) -> None:
        if self.faults.stopped:
            if self.faults.full_at is None:  # another crawl of this process found the disk full
                self.faults.disk_full(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
                                      _DISK_FULL.get(str(self.faults.db)))
            raise IgnoreRequest("disk full")

    def process_request(self, request: Any, spider: Any = None) -> None:
        if self.faults.stopped:  # counted apart: Scrapy's downloader stats count it as an exception
            self.faults.crawler.stats.inc_value("archive/faults/not_requested")
        self._check()

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        self._check()
        return response


class SizeCapMiddleware(HttpCompressionMiddleware):
    """Scrapy's HttpCompressionMiddleware (590), counting the pages dropped at DOWNLOAD_MAXSIZE:
    compressed bodies that grow past it (a gzip bomb) and bodies that are larger already."""

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:
            if "DOWNLOAD_MAXSIZE" in str(exc) and self.stats is not None:
                self.stats.inc_value(TOO_LARGE)
            raise

    def process_exception(self, request: Any, exception: BaseException, spider: Any = None) -> None:
        if isinstance(exception, DownloadCancelledError) and "max size" in str(exception) and self.stats is not None:
            self.stats.inc_value(TOO_LARGE)


class FaultsPipeline:
    """Item pipeline at 200 (after validation, before the store): nothing is stored once the disk is
    full; implausible publication dates are counted (`archive/date_flag/<flag>`)."""

    def __init__(self, crawler: Any):
        self.faults = crawl_faults(crawler)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> FaultsPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if self.faults.stopped:
            raise DropItem("disk full: not stored")
        if isinstance(item, Article) and (flag := date_flag(item.published_at, item.published_raw)):
            self.stats.inc_value(f"archive/date_flag/{flag}")
        return item
