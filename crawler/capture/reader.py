"""Reading WARC files: `iter_records` walks a file and survives corruption (the bad record is
reported with the file name and offset, reading resumes at the next record boundary);
`CaptureReader` returns the decoded page of one indexed capture, following a revisit to the
payload it refers to."""

from __future__ import annotations

import contextlib
import gzip
import io
import logging
import os
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.statusandheaders import StatusAndHeaders

from crawler.capture.paths import resolve

logger = logging.getLogger(__name__)



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

    def __init__(self, lookup: Callable[[int], dict[str, Any] | None], root: Path):
        self.lookup = lookup  # capture id -> `captures` row (ArticleStore.capture)
        self.root = root

    def read(self, capture: dict[str, Any]) -> CapturedPage:
        path = resolve(self.root, capture["warc_file"])
        record = read_record(path, capture["warc_offset"])
        source = record
        if record.rec_type == "revisit":
            original = self.lookup(capture["refers_to"]) if capture.get("refers_to") else None
            if original is None:
                raise WarcReadError(path, capture["warc_offset"], "revisit of a capture that is not in the index")
            source = read_record(resolve(self.root, original["warc_file"]), original["warc_offset"])
        elif record.rec_type != "response":
            raise WarcReadError(path, capture["warc_offset"], f"a {record.rec_type} record, not a response")
        # the revisit's own headers, the original's payload (and its coding)
        body = decoded_payload(source)
        return CapturedPage(capture, record.url, record.status, record.http, body)
