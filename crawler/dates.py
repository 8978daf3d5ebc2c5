"""Vietnamese date parsing: day-first, Asia/Ho_Chi_Minh, every form the dossier lists.

>>> parse_vietnamese_date("Thứ Năm, 11/8/2022 14:2'(GMT+7)").isoformat()
'2022-08-11T14:02:00+07:00'
>>> parse_vietnamese_date("Cập nhật lúc: 18:00 |22/05/2022").isoformat()
'2022-05-22T18:00:00+07:00'
>>> parse_vietnamese_date("Thống kê truy cập") is None
True

The first valid date in the text wins, with the time next to it when there
is one (before or after the date). Explicit offsets (`+07:00`, `Z`, `GMT+7`,
`ICT`) are honoured; the result is always in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_INPUT = 2000  # a date line is short; never scan a whole page

_MONTHS_EN = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}

# A time: 14:02, 14:2', 14h02, 14g02, 04:34:00, with an optional AM/PM or SA/CH marker.
_TIME = r"(?P<{p}h>\d{{1,2}})\s*(?::|h|g|giờ)\s*(?P<{p}m>\d{{1,2}})(?:\s*:\s*(?P<{p}s>\d{{1,2}}))?'?" \
        r"(?:\s*(?P<{p}ampm>AM|PM|SA|CH|sáng|chiều|tối)\b)?"
_OFFSET = r"(?:\s*(?P<tz>Z|[+-]\d{2}:?\d{2}|\(?\s*GMT\s*[+-]\s*\d{1,2}\s*\)?|ICT|UTC))?"

_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})(?:[T\s]+(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2}|ICT|UTC)?")
_RFC822 = re.compile(
    r"(?P<d>\d{1,2})\s+(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+(?P<y>\d{4})"
    r"(?:\s+(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?)?\s*(?P<tz>[+-]\d{4}|GMT|UTC|ICT)?", re.IGNORECASE)
# "08 Tháng 9 2021", "ngày 09 tháng 8 năm 2021"
_WORDS = re.compile(r"(?P<d>\d{1,2})\s+tháng\s+(?P<mo>\d{1,2})(?:\s*,?\s*năm)?\s*,?\s+(?P<y>\d{4})", re.IGNORECASE)
# 11/8/2022, 20-11-2024, 22.05.2022 (same separator twice)
_NUMERIC = re.compile(r"(?<![\d/.-])(?P<d>\d{1,2})(?P<sep>[/.-])(?P<mo>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?![\d/])")
_TIME_AFTER = re.compile(r"^\s*(?:[-–|,]|lúc|vào lúc)?\s*" + _TIME.format(p="") + _OFFSET, re.IGNORECASE)
_TIME_BEFORE = re.compile(_TIME.format(p="") + r"\s*(?:[-–|,]|ngày)?\s*$", re.IGNORECASE)
_TZ_AFTER = re.compile(r"^\s*" + _OFFSET.replace("(?:\\s*", "(?:", 1), re.IGNORECASE)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text[:MAX_INPUT])
    return re.sub(r"[\u00a0\u2007\u202f\u200b\s]+", " ", text)


def _offset(tz: str | None) -> timezone | None:
    if not tz:
        return None
    tz = tz.strip().strip("()").upper().replace(" ", "")
    if tz in ("Z", "UTC", "GMT"):
        return UTC
    if tz == "ICT":
        return timezone(timedelta(hours=7))
    if m := re.fullmatch(r"GMT([+-])(\d{1,2})", tz):
        hours = int(m.group(2))
        return timezone(timedelta(hours=hours if m.group(1) == "+" else -hours))
    if m := re.fullmatch(r"([+-])(\d{2}):?(\d{2})", tz):
        delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))
        return timezone(delta if m.group(1) == "+" else -delta)
    return None


def _hour(hour: int, marker: str | None) -> int:
    marker = (marker or "").casefold()
    if marker in ("pm", "ch", "chiều", "tối") and hour < 12:
        return hour + 12
    if marker in ("am", "sa", "sáng") and hour == 12:
        return 0
    return hour


def _build(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0,
           tz: timezone | None = None) -> datetime | None:
    if y < 100:
        y += 2000
    if not 1900 <= y <= 2100:
        return None
    try:
        value = datetime(y, mo, d, h, mi, s, tzinfo=tz or VN_TZ)
    except ValueError:  # 32/13/2022, 25:61
        return None
    return value.astimezone(VN_TZ)


def _time_near(text: str, start: int, end: int) -> tuple[int, int, int, timezone | None] | None:
    """The time written right after the date (or right before it), with its zone."""
    after = _TIME_AFTER.match(text[end:end + 40])
    before = _TIME_BEFORE.search(text[max(0, start - 25):start])
    found = after or before
    if not found:
        return None
    h, m, s = int(found["h"]), int(found["m"]), int(found["s"] or 0)
    if h > 23 or m > 59 or s > 59:
        return None
    tz = _offset(found["tz"]) if after else None
    if tz is None:
        tail = _TZ_AFTER.match(text[end:end + 20])
        tz = _offset(tail["tz"]) if tail and tail["tz"] else None
    return _hour(h, found["ampm"]), m, s, tz


def parse_vietnamese_date(text: str | None) -> datetime | None:
    """Find and parse the first date (with its time, when shown) in `text`; None if there is none."""
    if not text or not isinstance(text, str):
        return None
    text = _normalize(text)
    candidates: list[tuple[int, datetime]] = []

    for m in _ISO.finditer(text):
        tz = _offset(m["tz"])
        value = _build(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"] or 0), int(m["m"] or 0),
                       int(m["s"] or 0), tz)
        if value:
            candidates.append((m.start(), value))
            break
    for m in _RFC822.finditer(text):
        value = _build(int(m["y"]), _MONTHS_EN[m["mon"].lower()[:3]], int(m["d"]), int(m["h"] or 0),
                       int(m["m"] or 0), int(m["s"] or 0), _offset(m["tz"]))
        if value:
            candidates.append((m.start(), value))
            break
    for pattern in (_WORDS, _NUMERIC):
        for m in pattern.finditer(text):
            y, mo, d = int(m["y"]), int(m["mo"]), int(m["d"])
            time = _time_near(text, m.start(), m.end())
            value = _build(y, mo, d, *time) if time else _build(y, mo, d)
            if value:
                candidates.append((m.start(), value))
                break
    if not candidates:
        return None
    return min(candidates, key=lambda c: c[0])[1]
