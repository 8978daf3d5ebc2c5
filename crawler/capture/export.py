"""`export_warc`: pack a site's captures (records byte for byte, with their request records) into one file."""

from __future__ import annotations

import gzip
import logging
import os
import shutil
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from crawler import __version__
from crawler.capture.paths import resolve
from crawler.capture.reader import _GZIP_MAGIC, WarcReadError, _load
from crawler.capture.writer import WARC_VERSION

logger = logging.getLogger(__name__)



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


def export_warc(rows: list[dict[str, Any]], root: Path, site: str, out_path: str | os.PathLike[str]) -> dict[str, int]:
    """Copy the captures `rows` of `site` (ArticleStore.captures_of_site: records byte for byte, their
    request records too) into one `.warc.gz` that starts with a warcinfo record describing the export."""
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
