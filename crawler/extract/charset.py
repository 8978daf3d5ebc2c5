"""Turn page bytes into text, surviving wrong and legacy charsets.

Vietnamese sites still serve windows-1258 (tone marks as combining characters)
and some label UTF-8 pages as something else, or the reverse. A UTF-8 page with a few
broken bytes (a cut multi-byte character, a stray legacy byte) stays UTF-8: the broken
bytes become U+FFFD and the codec is reported as `utf8_repaired` (the crawl counts
`archive/charset/utf8_repaired`), never as a whole page of windows-1258 mojibake.
"""

from __future__ import annotations

import codecs
import re

from bs4.dammit import EncodingDetector

# Vietnamese legacy pages that fail UTF-8 are almost always windows-1258.
LEGACY_FALLBACK = "cp1258"
# The codec reported for a page decoded as UTF-8 with its few invalid bytes replaced.
REPAIRED_UTF8 = "utf8_repaired"
# UTF-8 explains a page better than a legacy charset when its valid multi-byte characters
# outnumber its invalid bytes this many times: windows-1258 text (precomposed vowels and
# combining tone marks, followed by ASCII or by each other) almost never forms a valid
# UTF-8 sequence, while a Vietnamese UTF-8 page holds one in nearly every word.
UTF8_EVIDENCE_RATIO = 4
_ASCII = bytes(range(128))


def utf8_evidence(body: bytes) -> tuple[str, int, int]:
    """(text decoded as UTF-8 with replacement characters, valid non-ASCII characters, invalid runs).

    >>> utf8_evidence("Đảng".encode() + b"\\xff")[1:]
    (2, 1)
    """
    text = body.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - body.count("\ufffd".encode())  # a U+FFFD the page holds is no error
    non_ascii_chars = len(text) - (len(body) - len(body.translate(None, _ASCII)))
    return text, non_ascii_chars - invalid, invalid


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
    legacy page that happens to be valid UTF-8 is not), and so does UTF-8 with a few
    invalid bytes when its valid multi-byte characters outnumber them
    `UTF8_EVIDENCE_RATIO` times (codec `utf8_repaired`); otherwise the BOM, the HTTP
    charset, then the `<meta>` charset are tried strictly, then windows-1258.

    >>> decode_html("Đảng".encode("utf-8"), "iso-8859-1")
    ('Đảng', 'utf-8')
    >>> decode_html("Đa\u0309ng".encode("cp1258"), None)[1]
    'cp1258'
    >>> decode_html("Đảng ủy Khối".encode("utf-8") + b"\\xe1\\xba", "windows-1258")
    ('Đảng ủy Khối\ufffd', 'utf8_repaired')
    """
    bom_text, bom_encoding = EncodingDetector.strip_byte_order_mark(body)
    if bom_encoding:
        return bom_text.decode(bom_encoding, errors="replace"), _codec(bom_encoding) or bom_encoding
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    repaired, valid, invalid = utf8_evidence(body)
    if valid >= UTF8_EVIDENCE_RATIO * invalid:
        return repaired, REPAIRED_UTF8
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
