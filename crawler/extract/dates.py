"""Vietnamese date parsing: day-first, Asia/Ho_Chi_Minh, every form seen on Party sites.

>>> parse_vietnamese_date("Thứ Năm, 11/8/2022 14:2'(GMT+7)").isoformat()
'2022-08-11T14:02:00+07:00'
>>> parse_vietnamese_date("Cập nhật lúc 15:10, Thứ Hai, 23/10/2017 (GMT+7)").isoformat()
'2017-10-23T15:10:00+07:00'
>>> parse_vietnamese_date("Cập nhật lúc: 18:00 |22/05/2022").isoformat()
'2022-05-22T18:00:00+07:00'
>>> parse_vietnamese_date("2022-07-03T21:34:00Z").isoformat()
'2022-07-04T04:34:00+07:00'
>>> parse_vietnamese_date("Lượt xem: 6783") is None
True

The first valid date in the text wins, together with the time written next to
it (after it, or before it as in NukeViet tag lists). An explicit zone after
the time (`+07:00`, `Z`, `GMT+7`, `ICT`) is honoured; the result is always
converted to Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Callers pass the text of one date element; a longer text is a caller bug, so
# only its start is read. Keeps a 10 MB string to microseconds whatever it holds.
_MAX_CHARS = 10_000

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# One pass over the text finds every date shape; the leftmost match is tried first.
# Every quantifier is bounded or on a single space, so there is no backtracking blow-up.
_DATE = re.compile(
    r"(?<!\d)(?:"
    # ISO 8601 (article:published_time, itemprop=datePublished): 2022-07-04T04:34:00, 2022-07-04 04:34
    r"(?P<iy>\d{4})-(?P<imo>\d{1,2})-(?P<id>\d{1,2})"
    # NukeViet's article:published_time is PHP date('Y-m-dTH:i:s'), where T is the zone name:
    # 2022-07-04ICT04:34:00, or 2022-07-04+0704:34:00 with current tz data
    r"(?:(?:[T ]|(?P<izone>ICT|[+-]\d{2}(?=\d{1,2}:\d{2})))(?P<ih>\d{1,2}):(?P<imi>\d{2})"
    r"(?::(?P<is>\d{2})(?:[.,]\d{1,9})?)?)?"
    # RFC 822 (NukeViet RSS): Mon, 04 Jul 2022 04:34:00 ICT
    r"|(?P<rd>\d{1,2}) (?P<rmon>" + "|".join(_MONTHS) + r")[a-z]{0,6}\.? (?P<ry>\d{4})"
    r"(?: (?P<rh>\d{1,2}):(?P<rmi>\d{2})(?::(?P<rs>\d{2}))?)?"
    # Vietnamese words (lyluanchinhtri): 08 Tháng 9 2021, ngày 09 tháng 8 năm 2021
    r"|(?P<wd>\d{1,2}) tháng (?P<wmo>\d{1,2}),?(?: năm)? (?P<wy>\d{4})"
    # numeric, always day first, the same separator twice: 11/8/2022, 20-11-2024, 22.05.2022
    # (not a piece of a longer dotted number such as 1.2.2021.5)
    r"|(?<!\d[/.-])(?P<nd>\d{1,2})(?P<sep>[/.-])(?P<nmo>\d{1,2})(?P=sep)(?P<ny>\d{4})(?![/.-]\d)"
    r")(?!\d)",
    re.IGNORECASE,
)

# 14:02, 14:2' (tuyengiao), 04:34:00, 7h30, 7g30, 7 giờ 30 phút, 8:15 PM, 8:15 SA / CH (sáng / chiều).
_CLOCK = (
    r"(?<!\d)(?P<h>\d{1,2}) ?(?::|h|g|giờ) ?(?P<mi>\d{1,2})(?!\d)(?: ?: ?(?P<s>\d{1,2})(?!\d))?(?: ?phút)?'?"
    r"(?: ?(?P<ampm>am|pm|sa|ch|sáng|chiều|tối)(?!\w))?"
)
_CLOCK_AFTER = re.compile(r" ?(?:-|\||,|lúc|vào lúc)? ?" + _CLOCK, re.IGNORECASE)
# "15:10, Thứ Hai, 23/10/2017": a weekday may stand between a time written first and its date
_WEEKDAY = r"(?:thứ (?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ nhật|cn)"
_CLOCK_BEFORE = re.compile(_CLOCK + r" ?(?:-|\||,)? ?(?:" + _WEEKDAY + r" ?(?:-|\||,)? ?)?(?:ngày )?$",
                           re.IGNORECASE)  # searched up to the date's start
_NEXT_DATE = re.compile(r" ?(?:-|\||,|ngày)? ?\d{1,2}[/.-]\d{1,2}[/.-]\d{4}", re.IGNORECASE)
_ZONE = re.compile(
    r" ?\(?(?P<zone>Z|ICT|(?:GMT|UTC) ?[+-] ?\d{1,2}(?::?\d{2})?|GMT|UTC|[+-]\d{2}:?\d{2})\)?(?!\w)",
    re.IGNORECASE,
)

# NBSP, narrow and figure spaces are all `\s`; zero-width ones are not, but still separate tokens.
_SPACES = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_PUNCT = str.maketrans({**dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
                        **dict.fromkeys("\u2019\u2032\u00b4", "'")})

Clock = tuple[int, int, int]


def parse_vietnamese_date(text: str | None) -> datetime | None:
    """Find and parse the first date (with its time, when shown) in `text`.

    Day-first, returns an aware datetime in Asia/Ho_Chi_Minh (00:00 when no time is shown),
    or None when the text holds no valid date. Never raises on bad input.
    """
    found = _parse(text)
    return found[0] if found else None


def has_time(text: str | None) -> bool:
    """Whether the date `parse_vietnamese_date` finds in `text` carried a time of day.

    >>> has_time("Thứ hai - 04/07/2022 04:34"), has_time("(19/11/2021)"), has_time("abc")
    (True, False, False)
    """
    found = _parse(text)
    return bool(found and found[1])


def _parse(text: str | None) -> tuple[datetime, bool] | None:
    if not isinstance(text, str):
        return None
    text = _normalize(text)
    for m in _DATE.finditer(text):
        y, mo, d, clock = _fields(m)
        if m["ih"] or m["rh"]:
            if clock is None:  # "2022-07-04T25:61:00": a broken timestamp, not a date
                continue
            end = m.end()
        else:
            clock, end = _clock_near(text, m.start(), m.end())
        zone = _ZONE.match(text, end) if clock else None
        zone_name = zone["zone"] if zone else (m["izone"] if clock else None)
        value = _build(y, mo, d, clock, _offset(zone_name) if zone_name else None)
        if value:
            return value, clock is not None
    return None


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text[:_MAX_CHARS]).translate(_PUNCT)
    return _SPACES.sub(" ", text)


def _fields(m: re.Match[str]) -> tuple[int, int, int, Clock | None]:
    """(year, month, day, clock) of a `_DATE` match; clock is None when absent or invalid."""
    if m["iy"]:
        clock = _clock(m["ih"], m["imi"], m["is"]) if m["ih"] else None
        return int(m["iy"]), int(m["imo"]), int(m["id"]), clock
    if m["ry"]:
        clock = _clock(m["rh"], m["rmi"], m["rs"]) if m["rh"] else None
        return int(m["ry"]), _MONTHS.index(m["rmon"][:3].lower()) + 1, int(m["rd"]), clock
    if m["wy"]:
        return int(m["wy"]), int(m["wmo"]), int(m["wd"]), None
    return int(m["ny"]), int(m["nmo"]), int(m["nd"]), None


def _clock_near(text: str, start: int, end: int) -> tuple[Clock | None, int]:
    """The valid time written right after the date, else right before it; and where the stamp ends."""
    after = _CLOCK_AFTER.match(text, end)
    before = _CLOCK_BEFORE.search(text, max(0, start - 40), start)
    # "04:35 15/03/2016 04:36 16/03/2016": a time between two dates goes with the next one
    # when this date already has its own time in front.
    if after and before and _NEXT_DATE.match(text, after.end()):
        after = None
    for found, stamp_end in ((after, after.end() if after else end), (before, end)):
        if found and (clock := _clock(found["h"], found["mi"], found["s"], found["ampm"])):
            return clock, stamp_end
    return None, end


def _clock(hour: str, minute: str, second: str | None, marker: str | None = None) -> Clock | None:
    h, mi, s = int(hour), int(minute), int(second or 0)
    marker = (marker or "").casefold()
    if marker and not 1 <= h <= 12:  # "14:00 PM" is a 24-hour time with a stray marker
        marker = ""
    if marker in ("pm", "ch", "chiều", "tối") and h < 12:
        h += 12
    elif marker in ("am", "sa", "sáng") and h == 12:
        h = 0
    return (h, mi, s) if h <= 23 and mi <= 59 and s <= 59 else None


def _offset(zone: str) -> timezone | None:
    zone = zone.upper().replace(" ", "")
    if zone in ("Z", "UTC", "GMT"):
        return UTC
    if zone == "ICT":  # Indochina Time, as NukeViet prints it
        return timezone(timedelta(hours=7))
    m = re.fullmatch(r"(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?", zone)
    if not m or int(m[2]) > 14 or int(m[3] or 0) > 59:
        return None
    delta = timedelta(hours=int(m[2]), minutes=int(m[3] or 0))
    return timezone(-delta if m[1] == "-" else delta)


def _build(y: int, mo: int, d: int, clock: Clock | None, tz: timezone | None) -> datetime | None:
    if not 1900 <= y <= 2100:
        return None
    try:  # 32/13/2022, 29/02/2023
        value = datetime(y, mo, d, *(clock or (0, 0, 0)), tzinfo=tz or VN_TZ)
    except ValueError:
        return None
    return value.astimezone(VN_TZ)
