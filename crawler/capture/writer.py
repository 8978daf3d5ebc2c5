"""Writing WARC files (ISO 28500) with warcio: response + request records, revisits, rotation.

* one file per crawl run and site, `WARC_DIR/<site>/<site>-<UTC time>-r<run>-<serial>.warc.gz`,
  rotated when it passes `WARC_MAX_SIZE` bytes; each file opens with a `warcinfo` record;
* each response is a `response` record (gzip member of its own at COMPRESS_LEVEL, WARC-Payload-Digest) followed by
  its `request` record (WARC-Concurrent-To); redirects, 404s, 5xx and robots.txt included;
* a payload identical to the last capture of the same URL becomes a `revisit` record
  (profile identical-payload-digest, WARC-Refers-To / -Target-URI / -Date): headers only.

The writer takes Scrapy-like request/response objects (url, method, status, headers, body) but
imports nothing of Scrapy; the downloader middleware is crawler.crawl.capture."""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime
from warcio.warcwriter import GzippingWrapper, WARCWriter

logger = logging.getLogger(__name__)

DEFAULT_MAX_SIZE = 1_000_000_000  # the customary 1 GB per WARC file
# gzip level of the records (warcio writes 9). Measured on the mirrors' pages (BENCHMARKS.md, scripts/
# bench_warc_level): the compression at 3 takes ~37% less CPU than at 9 for files 7% larger; 6 saves only
# ~8% (HTML compresses as well at 6 as at 9); 1 is no cheaper than 3 and larger. The crawl's CPU is what
# limits this machine, not its disk.
COMPRESS_LEVEL = 3
WARC_VERSION = "1.1"
HTTP_VERSIONS = ("HTTP/1.0", "HTTP/1.1")


def payload_digest(payload: bytes) -> str:
    """WARC-Payload-Digest as warcio and Heritrix write it.

    >>> payload_digest(b"")
    'sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ'
    """
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")


def local_iso(warc_date: str) -> str:
    """A WARC-Date as the archive writes its timestamps (local time, seconds)."""
    return iso_date_to_datetime(warc_date).replace(tzinfo=UTC).astimezone().isoformat(timespec="seconds")


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


class _GzipAtLevel(GzippingWrapper):
    """warcio's gzip member per record, at a chosen level."""

    def __init__(self, out: BinaryIO, level: int):  # not super(): it would allocate a level-9 compressor
        self.out = out
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)


class LeveledWarcWriter(WARCWriter):
    """warcio's WARCWriter, each record gzipped at `level` (warcio's own gzip is fixed at 9)."""

    def __init__(self, filebuf: BinaryIO, level: int, **kwargs: Any):
        super().__init__(filebuf, gzip=False, **kwargs)
        self.level = level

    def write_record(self, record: Any, params: Any = None) -> None:
        self._write_warc_record(_GzipAtLevel(self.out, self.level), record)


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
                 max_size: int = DEFAULT_MAX_SIZE, info: dict[str, str] | None = None,
                 compress_level: int = COMPRESS_LEVEL):
        self.root = root
        self.spider = spider
        self.run_id = run_id
        self.max_size = max_size
        self.info = info or {}
        self.compress_level = compress_level
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
        self.writer = LeveledWarcWriter(self.handle, self.compress_level, warc_version=WARC_VERSION)
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

    def sync(self) -> None:
        """Everything written so far on disk (fsync): the store syncs before committing the rows that point here."""
        if self.handle is not None:
            self.handle.flush()
            os.fsync(self.handle.fileno())

    def close(self) -> None:
        self.sync()  # a rotated file's records may be named by rows not committed yet
        if self.handle is not None:
            self.handle.close()
        self.handle = self.writer = None
