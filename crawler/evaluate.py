"""Comparing extracted articles with gold, the same way in every benchmark and test.

* body P/R/F1 over the multiset of syllables (whitespace tokens, NFC, casefolded, punctuation
  stripped): `prf(output, gold)`;
* a leak: a boilerplate string of the page inside the output (`leaks`);
* dates in Asia/Ho_Chi_Minh (`to_vn`: ISO strings, datetimes, dates; "Z" and offsets converted);
* authors as a set of names, casefolded, without degrees, ranks and titles (`names`).

    >>> round(prf("Đảng bộ tỉnh", "đảng bộ tỉnh Cao Bằng")[2], 3)
    0.75
    >>> names("ThS. Nguyễn Văn Hùng - QUANG VŨ") == names("Nguyễn Văn Hùng, Quang Vũ")
    True
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

VN = timezone(timedelta(hours=7))
PUNCT = set(string.punctuation) | set("“”‘’…–—«»•·‑‐−")
_TRANSLATE = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2002\u2003\u2009\u200b\ufeff"), " ")


# ---------------------------------------------------------------------------
# Normalisation and metrics

def norm(text: str | None) -> str:
    text = unicodedata.normalize("NFC", text or "").translate(_TRANSLATE)
    text = text.replace("\u2011", "-").replace("\u2010", "-")
    return " ".join(text.split())


def syllables(text: str | None) -> Counter:
    out = Counter()
    for token in norm(text).casefold().split():
        token = token.strip("".join(PUNCT))
        if token:
            out[token] += 1
    return out


def prf(output: str, gold: str) -> tuple[float, float, float]:
    out, ref = syllables(output), syllables(gold)
    common = sum((out & ref).values())
    p = common / sum(out.values()) if out else 0.0
    r = common / sum(ref.values()) if ref else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def leaks(output: str, boilerplate: list[str], reference: str = "") -> list[str]:
    """The boilerplate strings found in `output` more often than in the gold `reference` (a menu item
    "Du lịch" is no leak in a caption about "du lịch cộng đồng" that the gold has too).

    >>> leaks("Tin liên quan: Hội nghị", ["Tin liên quan", "Du lịch"], "")
    ['Tin liên quan']
    >>> leaks("phát triển du lịch cộng đồng", ["Du lịch"], "phát triển du lịch cộng đồng")
    []
    """
    text, gold = norm(output).casefold(), norm(reference).casefold()
    return [b for b in boilerplate if (key := norm(b).casefold()) and text.count(key) > gold.count(key)]


def to_vn(value: Any) -> datetime | None:
    """An extractor's date (datetime, date or string) as an aware datetime in +07:00."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=VN) if value.tzinfo is None else value.astimezone(VN)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=VN)
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            from dateutil import parser as dateparser

            parsed = dateparser.parse(text)
        except (ValueError, OverflowError, ImportError, TypeError):
            return None
    return parsed.replace(tzinfo=VN) if parsed.tzinfo is None else parsed.astimezone(VN)


# Degrees, ranks and titles before a name: gold sets differ on keeping them ("ThS. Nguyễn Văn Hùng"
# or "Nguyễn Văn Hùng"), so names are compared without them.
TITLES = re.compile(r"^(?:(?:GS|PGS|TS|TSKH|ThS|NCS|CN|KS|BS|LS|Luật sư|Nhà báo|Thạc sĩ|Tiến sĩ|Đại tá|Thượng tá|"
                    r"Trung tá|Thiếu tá|Đại úy|Thượng úy|Trung úy|Thiếu tướng|Trung tướng|Đại tướng)\.?[\s,.]*)+",
                    re.IGNORECASE)


def names(value: Any) -> frozenset[str] | None:
    """The set of person names of an author field, casefolded, without titles and degrees."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    parts = re.split(r"\s+[-–]\s+|\s*[,;&]\s*|\s+và\s+", norm(str(value)))
    found = frozenset(TITLES.sub("", p.strip()).strip().casefold() for p in parts if TITLES.sub("", p.strip()).strip())
    return found or None


def write_benchmark_section(path: str | Path, name: str, lines: list[str]) -> None:
    """Replace the section `name` of BENCHMARKS.md (between its begin/end markers), or append it;
    the other sections stay as they are."""
    path = Path(path)
    begin, end = f"<!-- {name}: begin -->", f"<!-- {name}: end -->"
    block = "\n".join([begin, *lines, end])
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if begin in old and end in old:
        new = old[:old.index(begin)] + block + old[old.index(end) + len(end):]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")
