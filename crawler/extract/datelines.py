"""Which date on a page is the publication date: the one date finder of every path.

A date line may carry a label: publication (`Ngày đăng:`, `Ngày xuất bản:`, `Đăng lúc`), update
(`Cập nhật`, `Ngày cập nhật`) or edit (`Ngày chỉnh sửa`, `Chỉnh sửa lần cuối`). One element may
hold several ("Ngày xuất bản: … | Ngày chỉnh sửa: …"): it is cut at each label and every piece is
read on its own. Publication beats a plain date, which beats an update, which beats an edit.
Never a publication date: a date range ("3/2/1930 - 3/2/2025", anniversaries in marquees), a
date before the web reached Viet Nam, or one in the future.

    >>> best_dateline("Ngày chỉnh sửa: 13/03/2024 10:00 | Ngày xuất bản: 12/03/2024 08:30").value.isoformat()
    '2024-03-12T08:30:00+07:00'
    >>> best_dateline("Kỷ niệm 95 năm (3/2/1930 - 3/2/2025)") is None
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

from crawler.extract.dates import VN_TZ, has_time, parse_vietnamese_date


class Rank(IntEnum):
    """How much a date line's label says it is the publication date (lower is better)."""

    PUBLISHED = 0
    PLAIN = 1
    UPDATED = 2
    EDITED = 3


PUBLISHED_LABEL = re.compile(r"ngày đăng|đăng ngày|đăng lúc|ngày xuất bản|xuất bản(?: lúc| ngày)?|ngày viết|"
                             r"ngày phát hành|thời gian đăng|ngày gửi|posted(?: on)?|published", re.IGNORECASE)
UPDATED_LABEL = re.compile(r"ngày cập nhật|cập nhật(?: lúc| ngày)?|last updated|updated", re.IGNORECASE)
EDITED_LABEL = re.compile(r"ngày chỉnh sửa|chỉnh sửa(?: lần cuối)?|sửa lần cuối|ngày sửa|modified|edited",
                          re.IGNORECASE)
_LABELS = re.compile("|".join(f"(?P<{name}>{rx.pattern})" for name, rx in (
    ("edited", EDITED_LABEL), ("updated", UPDATED_LABEL), ("published", PUBLISHED_LABEL))), re.IGNORECASE)
_RANKS = {"published": Rank.PUBLISHED, "updated": Rank.UPDATED, "edited": Rank.EDITED}
DATE_RANGE = re.compile(r"\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}\s*[-–—]\s*\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}")
# The first public Internet access in Viet Nam was in 1997; Party sites followed. An earlier
# date on a page is history (a founding day, an anniversary), never when the page was published.
EARLIEST_PUBLICATION = datetime(1997, 1, 1, tzinfo=VN_TZ)
# Servers and editors run on local time; a day of slack covers a clock set wrong.
FUTURE_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class Dateline:
    value: datetime
    raw: str
    rank: Rank
    has_time: bool


def plausible(value: datetime, now: datetime | None = None) -> bool:
    """Could a page have been published at `value`? (Not before the web, not in the future.)"""
    return EARLIEST_PUBLICATION <= value <= (now or datetime.now(VN_TZ)) + FUTURE_SLACK


def datelines(text: str, now: datetime | None = None) -> list[Dateline]:
    """Every plausible date line in `text`, cut at labels, in order."""
    text = " ".join((text or "").split())
    if not text or DATE_RANGE.search(text) and not _LABELS.search(text):
        return []
    cuts = [m for m in _LABELS.finditer(text)]
    pieces = []
    start, rank = 0, Rank.PLAIN
    for m in cuts:
        pieces.append((text[start:m.start()], rank))
        start, rank = m.start(), _RANKS[m.lastgroup]
    pieces.append((text[start:], rank))
    found = []
    for piece, piece_rank in pieces:
        piece = piece.strip(" |-–,;")
        if not piece or DATE_RANGE.search(piece):
            continue
        value = parse_vietnamese_date(piece)
        if value is not None and plausible(value, now):
            found.append(Dateline(value, piece, piece_rank, has_time(piece)))
    return found


def best_dateline(text: str, now: datetime | None = None) -> Dateline | None:
    """The date line of `text` most likely to be the publication date (see the module docstring)."""
    found = datelines(text, now)
    return min(found, key=lambda d: (d.rank, not d.has_time)) if found else None
