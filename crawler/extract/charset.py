"""Turn page bytes into text, surviving wrong and legacy charsets.

Vietnamese sites still serve windows-1258 (tone marks as combining characters)
and some label UTF-8 pages as something else, or the reverse.
"""

from __future__ import annotations

import codecs
import re

from bs4.dammit import EncodingDetector

# Vietnamese legacy pages that fail UTF-8 are almost always windows-1258.
LEGACY_FALLBACK = "cp1258"


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("'\"")).name
    except LookupError:
        return None


def decode_html(body: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """Decode `body`; return (text, codec used).

    Valid UTF-8 wins over any label (a mislabeled UTF-8 page is common, a
    legacy page that happens to be valid UTF-8 is not); otherwise the BOM, the
    HTTP charset, then the `<meta>` charset are tried strictly, then windows-1258.

    >>> decode_html("Đảng".encode("utf-8"), "iso-8859-1")
    ('Đảng', 'utf-8')
    >>> decode_html("Đa\u0309ng".encode("cp1258"), None)[1]
    'cp1258'
    """
    bom_text, bom_encoding = EncodingDetector.strip_byte_order_mark(body)
    if bom_encoding:
        return bom_text.decode(bom_encoding, errors="replace"), _codec(bom_encoding) or bom_encoding
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    meta = EncodingDetector.find_declared_encoding(body, is_html=True, search_entire_document=False)
    for label in (http_charset, meta):
        codec = _codec(label)
        if codec and codec != "utf-8":
            try:
                return body.decode(codec), codec
            except UnicodeDecodeError:
                continue
    return body.decode(LEGACY_FALLBACK, errors="replace"), LEGACY_FALLBACK


_CHARSET_PARAM = re.compile(r"charset=[\"']?([\w-]+)", re.IGNORECASE)


def decode_response(body: bytes, content_type: str | None) -> tuple[str, str]:
    """`decode_html` with the charset of an HTTP Content-Type header, if it names one.

    >>> decode_response("Đà".encode("cp1258"), "text/html; charset=windows-1258")
    ('Đà', 'cp1258')
    """
    m = _CHARSET_PARAM.search(content_type or "")
    return decode_html(body, m.group(1) if m else None)
