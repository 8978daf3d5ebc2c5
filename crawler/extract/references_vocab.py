"""The vocabulary of crawler/extract/references.py (kind words, type codes, issuers and their level, Roman
numerals) and the two pieces its matchers (references.py, references_named.py) share: `Hit`, the record
a match is built into, and `matches_at`. Pure: the standard library only.

    >>> canon_issuer("DUK"), canon_issuer("BTGTƯ"), level("BTGTU"), level("UBND-VX"), level("BCĐ")
    ('ĐUK', 'BTGTW', 'provincial', 'provincial', None)
    >>> kind_word("Chương  trình hành động"), inferred_kind("TT", "party"), inferred_kind("TT", "state")
    ('Chương trình hành động', 'Thông tri', 'Thông tư')

Codes are normalised: any dash (U+2010-2015, U+2212, U+FE63, U+FF0D) and slash variant, spaces
around them dropped, Đ written as D restored in type codes (`QD` -> `QĐ`, `DA` -> `ĐA`, `ND` -> `NĐ`,
`QDi` -> `QĐi`) and in the usual issuers (`DUK` -> `ĐUK`, `DU` -> `ĐU`, `BCD` -> `BCĐ`, `BCSD` ->
`BCSĐ`, `HDND` -> `HĐND`), `CTR` -> `CTr`, `TTR` -> `TTr`, `TƯ` -> `TW`; the number keeps its
leading zeros (`0091-KH/TU`).

`kind` is the kind word written before the code (`Quy định` and `Quyết định` share the code QĐ, so
only the word tells them apart); without a word it is inferred from the type code where that is
unambiguous (NQ Nghị quyết, CT Chỉ thị, KL Kết luận, QĐi Quy định, KH Kế hoạch, CTr Chương trình,
ĐA Đề án, HD Hướng dẫn, TB Thông báo, BC Báo cáo, TTr Tờ trình, CV Công văn, QC Quy chế, NĐ Nghị
định; TT is Thông tri in party style and Thông tư in state style; QĐ is Quyết định in state style
and unknown (None) in party style; `N/YYYY/QHnn` is a Luật or a Nghị quyết: None).

`level`, from the issuer's first part:

* `central`: TW and every issuer starting or ending with TW (BTGTW, UBKTTW, ĐUKCCQTW, TWĐTN...), BCT,
  BBT, CP, TTg, VPCP, CTN, QH/QHnn, UBTVQH..., the ministries (BNV, BGDĐT, BTC, BYT, BCA, BQP,
  BTTTT, ...), NHNN, TANDTC, VKSNDTC, KTNN; national congresses, plenums, constitutions;
* `provincial`: TU and every issuer ending in TU (BTGTU, BTCTU, UBKTTU, VPTU, ...), ThU (a
  centrally-run city's Thành ủy; a provincial city's committee also writes ThU), ĐUK and issuers
  ending in ĐUK or ThU (BTGĐUK), UBND and HĐND (the province's, the usual case on these sites; a
  district's cannot be told apart), the provincial departments (S...: SNV, SYT, ...); congresses of
  Đảng bộ tỉnh / thành phố / Khối;
* `local`: HU, QU, ĐU and issuers ending in HU/QU; congresses of huyện, quận, thị xã, xã, ...;
* None: anything else (BCĐ, BCSĐ, ...).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["DASHES", "KINDS", "SLASHES", "Hit", "canon_issuer", "family", "inferred_kind", "kind_word", "level",
           "matches_at", "numeral", "roman", "roman_value"]

# ---------------------------------------------------------------- character classes

DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
SLASHES = "/\u2044\u2215\uff0f"
DASH = "[" + re.escape(DASHES) + "]"
SLASH = "[" + re.escape(SLASHES) + "]"
SP = r"[ \t\u00a0\u202f]*"  # inline spaces around a dash or slash


def _letters() -> tuple[str, str]:
    """Vietnamese lower- and upper-case letters (NFC), for regex classes."""
    marks = set("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")
    lower = set("abcdefghijklmnopqrstuvwxyzđ")
    for cp in range(0xC0, 0x1F00):
        parts = unicodedata.normalize("NFD", chr(cp))
        if len(parts) > 1 and parts[0] in "aeiouy" and all(m in marks for m in parts[1:]):
            lower.add(chr(cp))
    upper = {c.upper() for c in lower}
    return "".join(sorted(lower)), "".join(sorted(upper))


LOWER, UPPER = _letters()

# ---------------------------------------------------------------- kinds and type codes

KINDS: dict[str, str] = {  # spelling (lower case, single spaces) -> kind
    "chương trình hành động": "Chương trình hành động", "thông báo kết luận": "Thông báo kết luận",
    "thông tư liên tịch": "Thông tư liên tịch", "nghị quyết liên tịch": "Nghị quyết liên tịch",
    "nghị quyết": "Nghị quyết", "chỉ thị": "Chỉ thị", "kết luận": "Kết luận", "quy định": "Quy định",
    "qui định": "Quy định", "quyết định": "Quyết định", "kế hoạch": "Kế hoạch", "chương trình": "Chương trình",
    "đề án": "Đề án", "thông tri": "Thông tri", "hướng dẫn": "Hướng dẫn", "công văn": "Công văn",
    "nghị định": "Nghị định", "thông tư": "Thông tư", "luật": "Luật", "thông báo": "Thông báo",
    "báo cáo": "Báo cáo", "tờ trình": "Tờ trình", "hiến pháp": "Hiến pháp", "quy chế": "Quy chế",
    "qui chế": "Quy chế", "pháp lệnh": "Pháp lệnh", "văn bản": "Văn bản",
}
KIND_RE = "(?i:" + "|".join(k.replace(" ", r"\s+") for k in sorted(KINDS, key=len, reverse=True)) + ")"

# type code -> kind, where the code alone tells it
_KIND_OF_TYPE = {"NQ": "Nghị quyết", "CT": "Chỉ thị", "KL": "Kết luận", "QĐi": "Quy định", "KH": "Kế hoạch",
                 "CTr": "Chương trình", "ĐA": "Đề án", "HD": "Hướng dẫn", "TB": "Thông báo", "BC": "Báo cáo",
                 "TTr": "Tờ trình", "CV": "Công văn", "QC": "Quy chế", "NĐ": "Nghị định",
                 "TTLT": "Thông tư liên tịch", "NQLT": "Nghị quyết liên tịch"}
# kind -> the type codes a document of that kind carries (to resolve number-only mentions)
TYPES_OF_KIND = {"Nghị quyết": {"NQ"}, "Chỉ thị": {"CT"}, "Kết luận": {"KL"}, "Quy định": {"QĐ", "QĐi"},
                 "Quyết định": {"QĐ"}, "Kế hoạch": {"KH"}, "Chương trình": {"CTr"}, "Đề án": {"ĐA"},
                 "Thông tri": {"TT"}, "Thông tư": {"TT"}, "Hướng dẫn": {"HD"}, "Thông báo": {"TB"},
                 "Báo cáo": {"BC"}, "Tờ trình": {"TTr"}, "Công văn": {"CV"}, "Nghị định": {"NĐ"},
                 "Quy chế": {"QC"}, "Thông báo kết luận": {"TB"}}

PARTY_TYPES = "QĐi|QDi|CTr|CTR|TTr|TTR|NQ|CT|KL|QĐ|QD|KH|ĐA|DA|HD|TT|TB|BC|CV|QC"
STATE_TYPES = "TTLT|NQLT|CTr|TTr|NQ|NĐ|ND|QĐ|QD|CT|TT|TB|BC|CV|KH|HD|ĐA|DA|QC|KL"
TYPE_CANON = {"QDI": "QĐi", "QĐI": "QĐi", "CTR": "CTr", "TTR": "TTr", "QD": "QĐ", "DA": "ĐA", "ND": "NĐ"}

# ---------------------------------------------------------------- issuers and levels

ISSUER = r"[A-ZĐƯ](?:[A-ZĐƯ0-9]|h(?=U)|g(?!\w))*"
_ISSUER_CANON = {"DUK": "ĐUK", "DU": "ĐU", "BCD": "BCĐ", "BCSD": "BCSĐ", "HDND": "HĐND"}

_CENTRAL = {"TW", "BCT", "BBT", "BCHTW", "CP", "TTg", "VPCP", "CTN", "QH", "NHNN", "TANDTC", "VKSNDTC", "KTNN",
            "BNV", "BGDĐT", "BTC", "BYT", "BCA", "BQP", "BTTTT", "BKHĐT", "BNNPTNT", "BLĐTBXH", "BTNMT",
            "BVHTTDL", "BXD", "BGTVT", "BTP", "BNG", "BKHCN", "BNNMT", "BDTTG", "UBDT", "TTCP"}
_PROVINCIAL = {"TU", "ThU", "ĐUK", "UBND", "HĐND"}
_LOCAL = {"HU", "QU", "ĐU"}


def level(issuer: str | None) -> str | None:
    """`central`, `provincial`, `local` or None, from the issuer's first part (see the module doc)."""
    if not issuer:
        return None
    first = re.split(DASH, issuer)[0]
    if first in _CENTRAL or first.endswith("TW") or first.startswith("TW") or re.fullmatch(r"(?:UBTV)?QH\d*", first):
        return "central"
    if first in _PROVINCIAL or first.endswith(("TU", "ThU", "ĐUK")) or (first.startswith("S") and len(first) >= 3):
        return "provincial"
    if first in _LOCAL or first.endswith(("HU", "QU")):
        return "local"
    return None


def canon_issuer(raw: str) -> str:
    parts = [p.replace("TƯ", "TW") for p in re.split(DASH, re.sub(r"\s", "", raw))]
    return "-".join(_ISSUER_CANON.get(p, p.replace("HDND", "HĐND")) for p in parts)


def kind_word(raw: str | None) -> str | None:
    """The kind a written kind word names (any case and spacing)."""
    return KINDS[" ".join(raw.lower().split())] if raw else None


def inferred_kind(type_code: str | None, style: str) -> str | None:
    """The kind of a code written without a kind word, where its type code tells it."""
    if type_code == "TT":
        return "Thông tri" if style == "party" else "Thông tư"
    if type_code == "QĐ":
        return "Quyết định" if style == "state" else None
    return _KIND_OF_TYPE.get(type_code or "")


def family(kind: str | None) -> str | None:
    """Kinds a number-only mention may name interchangeably (every Chương trình ...)."""
    return "Chương trình" if kind and kind.startswith("Chương trình") else kind


# ---------------------------------------------------------------- numerals

ORDINALS = {"nhất": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
            "mười": 10, "mười một": 11, "mười hai": 12, "mười ba": 13, "mười bốn": 14, "mười lăm": 15,
            "mười sáu": 16}
CONSTITUTIONS = {"1946", "1959", "1980", "1992", "2013"}

_ROMAN_RE = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_ROMAN_VALUES = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                 (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def roman_value(numeral: str) -> int | None:
    """The value of a Roman numeral, None if it is not one.

    >>> roman_value("XIII"), roman_value("XIIII"), roman_value("")
    (13, None, None)
    """
    if not numeral or not _ROMAN_RE.fullmatch(numeral):
        return None
    value, rest = 0, numeral
    for amount, letters in _ROMAN_VALUES:
        while rest.startswith(letters):
            value, rest = value + amount, rest[len(letters):]
    return value


def roman(value: int) -> str:
    """>>> roman(13), roman(4)
    ('XIII', 'IV')
    """
    out = []
    for amount, letters in _ROMAN_VALUES:
        while value >= amount:
            out.append(letters)
            value -= amount
    return "".join(out)


def numeral(raw: str | None) -> str | None:
    """An Arabic or Roman numeral as Roman (None when it is neither)."""
    if not raw:
        return None
    if raw.isdigit():
        return roman(int(raw)) if 0 < int(raw) < 100 else None
    return raw if roman_value(raw) else None


# ---------------------------------------------------------------- matching

@dataclass
class Hit:  # a reference under construction, offsets into the NFC text
    start: int
    end: int
    key: str
    kind: str | None
    number: str | None
    type_code: str | None
    issuer: str | None
    style: str
    level: str | None
    form: str = "full"
    kind_written: bool = False
    date: str | None = None
    date_end: int | None = None
    term: str | None = None
    resolved: bool = False


def matches_at(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> list[re.Match[str]]:
    """`pattern.finditer(text)` where a match can only start at one of `starts` (in order)."""
    found: list[re.Match[str]] = []
    for start in starts:
        if found and start < found[-1].end():
            continue
        if m := pattern.match(text, start):
            found.append(m)
    return found
