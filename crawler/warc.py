"""Raw captures: every HTTP response a spider receives, kept in WARC files (ISO 28500) with warcio.

Writing (a downloader middleware, `WarcCaptureMiddleware`):

* one file per crawl run and spider, `WARC_DIR/<spider>/<spider>-<UTC time>-r<run>-<serial>.warc.gz`,
  rotated when it passes `WARC_MAX_SIZE` bytes; each file opens with a `warcinfo` record;
* each response is a `response` record (gzip member of its own, WARC-Payload-Digest) followed by
  its `request` record (WARC-Concurrent-To); redirects, 404s, 5xx and robots.txt included;
* a payload identical to the last capture of the same URL becomes a `revisit` record
  (profile identical-payload-digest, WARC-Refers-To / -Target-URI / -Date): headers only;
* every response/revisit record gets a row in `captures` (ArticleStore.add_capture), whose id
  travels in `request.meta["capture_id"]` to the item, so each article version names its capture.

The middleware sits at 950, nearer the downloader than every built-in one, so it sees what the
server sent: before HttpCompressionMiddleware (590) decompresses, before RedirectMiddleware (600)
and RetryMiddleware (550) turn a 301 or a 503 into a new request, and after the request headers
(User-Agent, Accept-Encoding, cookies, conditional headers) are final. Responses served from
Scrapy's HTTP cache are not captures and are skipped.

Reading: `iter_records` walks a file and survives corruption (the bad record is reported with the
file name and offset, reading resumes at the next record boundary); `read_capture` returns the
decoded page of one indexed capture, following a revisit to the payload it refers to.
`export_warc` packs a site's captures into one file for hand-over.

Settings: WARC_ENABLED (default True), WARC_DIR (env ARCHIVE_WARC_DIR; default: `warc/` beside
ARCHIVE_DB, so `warc/` for the default `archive.db`), WARC_MAX_SIZE (default 1 GB).
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import io
import logging
import os
import re
import shutil
import socket
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime
from warcio.warcwriter import WARCWriter

from crawler import __version__

logger = logging.getLogger(__name__)

DEFAULT_MAX_SIZE = 1_000_000_000  # the customary 1 GB per WARC file
WARC_VERSION = "1.1"
HTTP_VERSIONS = ("HTTP/1.0", "HTTP/1.1")


# ---------------------------------------------------------------------------
# Where the files live

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


def payload_digest(payload: bytes) -> str:
    """WARC-Payload-Digest as warcio and Heritrix write it.

    >>> payload_digest(b"")
    'sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ'
    """
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")


def local_iso(warc_date: str) -> str:
    """A WARC-Date as the archive writes its timestamps (local time, seconds)."""
    return iso_date_to_datetime(warc_date).replace(tzinfo=UTC).astimezone().isoformat(timespec="seconds")


# ---------------------------------------------------------------------------
# Writing

def _http_response_headers(response: Any) -> StatusAndHeaders:
    headers = []
    for name, values in response.headers.items():
        name = name.decode("latin-1")
        if name.lower() == "transfer-encoding":
            # Scrapy hands over the body de-chunked: keep the fact, not a wrong framing
            name = "X-Archive-Orig-Transfer-Encoding"
        headers.extend((name, value.decode("latin-1")) for value in values)
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    protocol = response.protocol if response.protocol in HTTP_VERSIONS else "HTTP/1.1"
    return StatusAndHeaders(f"{response.status} {reason}".strip(), headers, protocol=protocol)


def _http_request_headers(request: Any) -> StatusAndHeaders:
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc)] if b"Host" not in request.headers else []
    for name, values in request.headers.items():
        headers.extend((name.decode("latin-1"), value.decode("latin-1")) for value in values)
    return StatusAndHeaders(f"{request.method} {target} HTTP/1.1", headers, is_http_request=True)


@dataclass
class LastCapture:
    """What a revisit record needs to know about the earlier capture of a URL."""

    capture_id: int
    digest: str
    record_id: str
    warc_date: str


class RotatingWarcWriter:
    """One crawl run's WARC files for one spider: gzip per record, rotated by size."""

    def __init__(self, root: Path, spider: str, run_id: int | None = None,
                 max_size: int = DEFAULT_MAX_SIZE, info: dict[str, str] | None = None):
        self.root = root
        self.spider = spider
        self.run_id = run_id
        self.max_size = max_size
        self.info = info or {}
        self.serial = -1
        self.started = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self.handle: BinaryIO | None = None
        self.writer: WARCWriter | None = None
        self.relative: str | None = None  # current file, relative to root
        self.files: list[str] = []

    def _open(self) -> None:
        self.close()
        self.serial += 1
        run = f"-r{self.run_id}" if self.run_id is not None else ""
        directory = self.root / self.spider
        directory.mkdir(parents=True, exist_ok=True)
        while True:  # two runs in the same second: never overwrite
            name = f"{self.spider}-{self.started}{run}-{self.serial:05d}.warc.gz"
            try:
                self.handle = open(directory / name, "xb")  # noqa: SIM115 (closed in close())
                break
            except FileExistsError:
                self.serial += 1
        self.relative = f"{self.spider}/{name}"
        self.files.append(self.relative)
        self.writer = WARCWriter(self.handle, gzip=True, warc_version=WARC_VERSION)
        self.writer.write_record(self.writer.create_warcinfo_record(name, self.info))

    def _ensure_room(self) -> None:
        if self.handle is None or self.handle.tell() >= self.max_size:
            self._open()

    def write(self, request: Any, response: Any, last: LastCapture | None) -> dict[str, Any]:
        """Write a response (or a revisit of `last`) and its request; return the `captures` row."""
        self._ensure_room()
        assert self.writer is not None and self.handle is not None
        body = response.body or b""
        digest = payload_digest(body)
        now = datetime.now(UTC).replace(tzinfo=None)
        warc_date = datetime_to_iso_date(now, use_micros=True)
        http_headers = _http_response_headers(response)
        revisit = last is not None and bool(body) and last.digest == digest
        if revisit:
            assert last is not None
            record = self.writer.create_revisit_record(
                response.url, digest, response.url, last.warc_date, http_headers=http_headers,
                warc_headers_dict={"WARC-Date": warc_date, "WARC-Refers-To": last.record_id})
        else:
            record = self.writer.create_warc_record(
                response.url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http_headers,
                warc_headers_dict={"WARC-Date": warc_date, "WARC-Payload-Digest": digest})
        ip = response.ip_address
        if ip is not None:
            record.rec_headers.add_header("WARC-IP-Address", str(ip))
        request_record = self.writer.create_warc_record(
            response.url, "request", http_headers=_http_request_headers(request),
            warc_headers_dict={"WARC-Date": warc_date})
        offset = self.handle.tell()
        self.writer.write_record(record)
        length = self.handle.tell() - offset
        request_record.rec_headers.add_header("WARC-Concurrent-To", record.rec_headers.get_header("WARC-Record-ID"))
        self.writer.write_record(request_record)
        self.handle.flush()
        return {
            "url": response.url, "fetched_at": local_iso(warc_date), "warc_date": warc_date,
            "status": response.status, "content_type": http_headers.get_header("Content-Type"),
            "payload_digest": digest, "payload_length": len(body),
            "record_type": "revisit" if revisit else "response",
            "record_id": record.rec_headers.get_header("WARC-Record-ID"),
            "refers_to": last.capture_id if revisit and last else None,
            "warc_file": self.relative, "warc_offset": offset, "warc_length": length,
        }

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
        self.handle = self.writer = None


def last_capture(db: Any, url: str) -> LastCapture | None:
    """The latest capture of `url` that holds (or refers to) a payload."""
    row = db.execute(
        "SELECT id, payload_digest, record_id, warc_date, refers_to FROM captures "
        "WHERE url = ? AND record_type IN ('response', 'revisit') AND payload_length > 0 "
        "ORDER BY id DESC LIMIT 1", [url]).fetchone()
    if row is None:
        return None
    capture_id, digest, record_id, warc_date, refers_to = row
    if refers_to is not None:  # a revisit: point at the record that holds the payload
        original = db.execute("SELECT id, record_id, warc_date FROM captures WHERE id = ?", [refers_to]).fetchone()
        if original is None:
            return None
        capture_id, record_id, warc_date = original
    return LastCapture(capture_id, digest, record_id, warc_date)


class WarcCaptureMiddleware:
    """Downloader middleware: every response the spider receives goes to WARC and `captures`."""

    def __init__(self, crawler: Any):
        from crawler.store import ArticleStore

        settings = crawler.settings
        self.crawler = crawler
        self.root = warc_root(settings.get("WARC_DIR"), settings.get("ARCHIVE_DB"))
        self.max_size = settings.getint("WARC_MAX_SIZE", DEFAULT_MAX_SIZE)
        self.store = ArticleStore(settings.get("ARCHIVE_DB"))
        self.writer: RotatingWarcWriter | None = None
        self.last: dict[str, LastCapture] = {}  # this run's captures, by URL

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcCaptureMiddleware:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("WARC_ENABLED", True):
            raise NotConfigured("WARC_ENABLED is off")
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def _run_id(self) -> int | None:
        for extension in getattr(self.crawler.extensions, "middlewares", ()):
            run_id = getattr(extension, "run_id", None)
            if isinstance(run_id, int):
                return run_id
        return None

    def _writer(self) -> RotatingWarcWriter:
        if self.writer is None:
            spider = self.crawler.spider
            settings = self.crawler.settings
            import scrapy

            info = {
                "software": f"vnparty-archive/{__version__} (Scrapy {scrapy.__version__}, warcio)",
                "format": f"WARC File Format {WARC_VERSION}",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                "isPartOf": spider.name,
                "description": f"crawl of {getattr(spider, 'origin', spider.name)}",
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "http-header-user-agent": settings.get("USER_AGENT"),
                "hostname": socket.gethostname(),
            }
            self.writer = RotatingWarcWriter(self.root, spider.name, self._run_id(), self.max_size, info)
        return self.writer

    def process_response(self, request: Any, response: Any) -> Any:
        request.meta.pop("capture_id", None)
        if "cached" in response.flags or urlsplit(response.url).scheme not in ("http", "https"):
            return response
        stats = self.crawler.stats
        try:
            last = self.last.get(response.url) or last_capture(self.store.db, response.url)
            row = self._writer().write(request, response, last)
            row.update(spider=self.crawler.spider.name, run_id=self._writer().run_id)
            capture_id = self.store.add_capture(row)
        except Exception:  # never lose the page over its copy: count it, log it, carry on
            stats.inc_value("warc/errors")
            logger.exception("WARC capture failed: %s", response.url)
            return response
        request.meta["capture_id"] = capture_id
        if row["record_type"] == "response" and row["payload_length"]:
            self.last[response.url] = LastCapture(capture_id, row["payload_digest"], row["record_id"],
                                                  row["warc_date"])
        stats.inc_value(f"warc/records/{row['record_type']}")
        stats.inc_value("warc/bytes", row["warc_length"])
        return response

    def spider_closed(self, spider: Any = None, reason: str | None = None) -> None:
        if self.writer is not None:
            self.writer.close()
            self.crawler.stats.set_value("warc/files", len(self.writer.files))
        self.store.close()


# ---------------------------------------------------------------------------
# Reading

@dataclass
class WarcRecord:
    """One record read from a WARC file (the payload as stored: not de-chunked, not decompressed)."""

    file: str
    offset: int
    length: int
    rec_type: str
    headers: dict[str, str]
    http: StatusAndHeaders | None
    payload: bytes | None = None
    truncated: bool = False

    @property
    def url(self) -> str:
        return self.headers.get("WARC-Target-URI", "")

    @property
    def status(self) -> int | None:
        if self.http is None or self.rec_type not in ("response", "revisit"):
            return None
        try:
            return int(self.http.get_statuscode())
        except (TypeError, ValueError):
            return None

    def http_header(self, name: str) -> str | None:
        return self.http.get_header(name) if self.http is not None else None


@dataclass
class WarcProblem:
    file: str
    offset: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}: offset {self.offset}: {self.message}"


class WarcReadError(Exception):
    def __init__(self, file: str | os.PathLike[str], offset: int, message: str):
        super().__init__(f"{file}: offset {offset}: {message}")
        self.file, self.offset, self.message = str(file), offset, message


def _load(it: ArchiveIterator, record: Any, path: str, want_payload: bool) -> WarcRecord:
    if record.rec_type is None or record.length is None:  # the header block itself is cut short
        raise WarcReadError(path, it.offset, "truncated or unreadable record header")
    payload = record.raw_stream.read() if want_payload else None
    truncated = False
    if payload is not None:
        expected = record.payload_length if record.http_headers is not None else record.length
        truncated = expected is not None and expected >= 0 and len(payload) < expected
    it.read_to_end(record)
    offset, length = it.get_record_offset(), it.get_record_length()
    return WarcRecord(path, offset, length, record.rec_type, dict(record.rec_headers.headers),
                      record.http_headers, payload, truncated)


def _describe(exc: Exception) -> str:
    """One short line (warcio quotes the whole unreadable line in its messages)."""
    if isinstance(exc, WarcReadError):
        return exc.message
    text = " ".join(str(exc).split()) or "unreadable"
    if "Unknown archive format" in text:
        return "corrupt record (no WARC header where a record should start)"
    text = f"{type(exc).__name__}: {text}"
    return text if len(text) <= 100 else text[:97] + "..."


_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_LINE = re.compile(rb"(?:^|\n)WARC/1\.[01]\r?\n")


def _next_boundary(fh: BinaryIO, start: int, gzipped: bool) -> int | None:
    """The offset of the next readable record at or after `start` (scanned in 1 MB windows)."""
    window, overlap = 1 << 20, 16
    position = start
    while True:
        fh.seek(position)
        data = fh.read(window)
        pos = 0
        while True:
            if gzipped:
                pos = data.find(_GZIP_MAGIC, pos)
                if pos < 0:
                    break
                fh.seek(position + pos)
                try:  # a real member starts with a WARC header line
                    head = zlib.decompressobj(wbits=31).decompress(fh.read(4096), 16)
                except zlib.error:
                    head = b""
                if head.startswith(b"WARC/"):
                    return position + pos
                pos += 1
            else:
                match = _WARC_LINE.search(data, pos)
                if match is None:
                    break
                return position + match.start() + (1 if data[match.start():match.start() + 1] == b"\n" else 0)
        if len(data) < window:
            return None  # scanned to the end of the file
        position += window - overlap


def _member_complete(fh: BinaryIO, offset: int, length: int) -> bool:
    """Whether the gzip member at `offset` ends where it should (a cut file loses its end)."""
    here = fh.tell()
    try:
        fh.seek(offset)
        inflater = zlib.decompressobj(wbits=31)
        remaining = length
        while remaining > 0 and not inflater.eof:
            block = fh.read(min(remaining, 1 << 16))
            if not block:
                break
            remaining -= len(block)
            inflater.decompress(block)
        return inflater.eof
    except zlib.error:
        return False
    finally:
        fh.seek(here)  # the ArchiveIterator goes on reading from here


def _read(fh: BinaryIO, it: ArchiveIterator, record: Any, path: str, want_payload: bool,
          gzipped: bool) -> WarcRecord:
    loaded = _load(it, record, path, want_payload)
    if loaded.truncated or (gzipped and not _member_complete(fh, loaded.offset, loaded.length)):
        raise WarcReadError(path, loaded.offset, "truncated record")
    return loaded


def iter_records(path: str | os.PathLike[str], on_error: Callable[[WarcProblem], None] | None = None,
                 want_payload: Callable[[Any], bool] | bool = True) -> Iterator[WarcRecord]:
    """Every readable record of a WARC file (gzip or not), with its offset and length.

    A corrupt or truncated record is reported to `on_error` with the file name and offset
    (default: logged) and reading goes on at the next record boundary. `want_payload`
    (a predicate on warcio's record) says which payloads to read into memory.
    """
    path = str(path)
    report = on_error or (lambda problem: logger.error("Corrupt WARC: %s", problem))
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        gzipped = fh.read(3) == _GZIP_MAGIC
        start: int | None = 0
        while start is not None and start < size:
            fh.seek(start)
            it = ArchiveIterator(fh, arc2warc=True)
            position = start  # where the record being read begins
            try:
                for record in it:
                    wanted = want_payload(record) if callable(want_payload) else want_payload
                    loaded = _read(fh, it, record, path, wanted, gzipped)
                    position = loaded.offset + loaded.length
                    yield loaded
                fh.seek(position)
                if not fh.read(1 << 16).strip():
                    break  # the end of the file (an uncompressed WARC ends in blank lines)
                raise WarcReadError(path, position, "truncated record")
            except Exception as exc:  # warcio, zlib and parsing errors alike
                offset = exc.offset if isinstance(exc, WarcReadError) else position
                report(WarcProblem(path, offset, _describe(exc)))
                start = _next_boundary(fh, offset + 1, gzipped)


def read_record(path: str | os.PathLike[str], offset: int) -> WarcRecord:
    """The record at `offset` (raises WarcReadError, with the file and offset, when it cannot be read)."""
    try:
        with open(path, "rb") as fh:
            gzipped = fh.read(3) == _GZIP_MAGIC
            fh.seek(offset)
            it = ArchiveIterator(fh, arc2warc=True)
            record = next(iter(it))
            return _read(fh, it, record, str(path), True, gzipped)
    except StopIteration:
        raise WarcReadError(path, offset, "no record here") from None
    except OSError as exc:
        raise WarcReadError(path, offset, exc.strerror or str(exc)) from None
    except Exception as exc:
        raise WarcReadError(path, offset, _describe(exc)) from None


def _decompress(data: bytes, coding: str) -> bytes:
    if coding in ("gzip", "x-gzip"):
        return gzip.decompress(data)
    if coding == "deflate":
        try:
            return zlib.decompress(data)
        except zlib.error:
            return zlib.decompress(data, -zlib.MAX_WBITS)  # raw deflate, as some servers send it
    if coding == "br":
        import brotli

        return brotli.decompress(data)
    if coding == "zstd":
        from backports import zstd

        return zstd.decompress(data)
    raise ValueError(f"unknown content coding {coding!r}")


def decoded_payload(record: WarcRecord) -> bytes:
    """The page as the spider saw it: de-chunked and decompressed.

    Some archivers store the decoded body but keep the Content-Encoding header: a body
    that fails to decompress is taken as it is.
    """
    body = record.payload or b""
    if (record.http_header("Transfer-Encoding") or "").lower() == "chunked":
        with contextlib.suppress(Exception):  # not chunked after all: keep it as it is
            body = ChunkedDataReader(io.BytesIO(body)).read()
    codings = [c.strip().lower() for c in (record.http_header("Content-Encoding") or "").split(",")]
    for coding in reversed([c for c in codings if c and c != "identity"]):
        try:
            body = _decompress(body, coding)
        except Exception:  # not compressed after all (stored decoded): keep it
            break
    return body


@dataclass
class CapturedPage:
    """An indexed capture, ready for extraction."""

    capture: dict[str, Any]
    url: str
    status: int | None
    headers: StatusAndHeaders | None  # of the capture itself (a revisit has its own)
    body: bytes = field(repr=False, default=b"")

    def header(self, name: str) -> str | None:
        return self.headers.get_header(name) if self.headers is not None else None


class CaptureReader:
    """Read indexed captures back (`captures` rows), revisits resolved to their payload."""

    def __init__(self, db: Any, root: Path):
        self.db = db
        self.root = root

    def _row(self, capture_id: int) -> dict[str, Any] | None:
        cursor = self.db.execute("SELECT * FROM captures WHERE id = ?", [capture_id])
        row = cursor.fetchone()
        return dict(zip([c[0] for c in cursor.description], row, strict=True)) if row else None

    def read(self, capture: dict[str, Any]) -> CapturedPage:
        path = resolve(self.root, capture["warc_file"])
        record = read_record(path, capture["warc_offset"])
        source = record
        if record.rec_type == "revisit":
            original = self._row(capture["refers_to"]) if capture.get("refers_to") else None
            if original is None:
                raise WarcReadError(path, capture["warc_offset"], "revisit of a capture that is not in the index")
            source = read_record(resolve(self.root, original["warc_file"]), original["warc_offset"])
        elif record.rec_type != "response":
            raise WarcReadError(path, capture["warc_offset"], f"a {record.rec_type} record, not a response")
        # the revisit's own headers, the original's payload (and its coding)
        body = decoded_payload(source)
        return CapturedPage(capture, record.url, record.status, record.http, body)


# ---------------------------------------------------------------------------
# Export

def _following_request(fh: BinaryIO, offset: int, record_id: str) -> tuple[int, int] | None:
    """The request record written right after a response (WARC-Concurrent-To), if any."""
    try:
        fh.seek(offset)
        it = ArchiveIterator(fh, arc2warc=True)
        record = next(iter(it))
        loaded = _load(it, record, "", False)
    except Exception:  # end of file, or something else: no request to copy
        return None
    if loaded.rec_type == "request" and loaded.headers.get("WARC-Concurrent-To") == record_id:
        return loaded.offset, loaded.length
    return None


def _copy_member(fh: BinaryIO, offset: int, length: int, out: BinaryIO) -> None:
    fh.seek(offset)
    data = fh.read(length)
    if len(data) != length:
        raise WarcReadError(fh.name, offset, "file ends inside the record")
    if not data.startswith(_GZIP_MAGIC):  # from an uncompressed WARC: give it its own member
        data = gzip.compress(data + b"\r\n\r\n")
    out.write(data)


def export_warc(db: Any, root: Path, site: str, out_path: str | os.PathLike[str]) -> dict[str, int]:
    """Copy every capture of `site` (records byte for byte, their request records too) into one
    `.warc.gz` that starts with a warcinfo record describing the export."""
    cursor = db.execute("SELECT * FROM captures WHERE spider = ? ORDER BY id", [site])
    columns = [c[0] for c in cursor.description]
    rows = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
    counts = {"records": 0, "requests": 0, "missing": 0, "bytes": 0}
    tmp = Path(f"{out_path}.part")
    with open(tmp, "wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version=WARC_VERSION)
        writer.write_record(writer.create_warcinfo_record(Path(out_path).name, {
            "software": f"vnparty-archive/{__version__} export-warc (warcio)",
            "format": f"WARC File Format {WARC_VERSION}",
            "isPartOf": site,
            "description": f"every capture of {site} kept by the archive ({len(rows)} records)",
        }))
        handles: dict[str, BinaryIO] = {}
        try:
            for row in rows:
                path = resolve(root, row["warc_file"])
                try:
                    fh = handles.get(row["warc_file"])
                    if fh is None:
                        fh = handles[row["warc_file"]] = open(path, "rb")  # noqa: SIM115 (closed below)
                    _copy_member(fh, row["warc_offset"], row["warc_length"], out)
                except (OSError, WarcReadError) as exc:
                    logger.error("Cannot export capture %s (%s offset %s): %s", row["id"], path,
                                 row["warc_offset"], exc)
                    counts["missing"] += 1
                    continue
                counts["records"] += 1
                request = _following_request(fh, row["warc_offset"] + row["warc_length"], row["record_id"])
                if request:
                    _copy_member(fh, *request, out)
                    counts["requests"] += 1
        finally:
            for fh in handles.values():
                fh.close()
    shutil.move(tmp, out_path)
    counts["bytes"] = Path(out_path).stat().st_size
    return counts
