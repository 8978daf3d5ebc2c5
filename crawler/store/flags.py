"""Flags on stored articles: `date_flag`, why a publication date cannot be trusted."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.extract.datelines import EARLIEST_PUBLICATION, FUTURE_SLACK
from crawler.extract.dates import VN_TZ, parse_vietnamese_date


def date_flag(published_at: str | None, published_raw: str | None = None, now: datetime | None = None) -> str | None:
    """Why an article's publication date cannot be trusted, or None: `future` (later than a day from
    now), `before_1997` (before Vietnamese web sites existed), `unreadable` (a date line was found but
    cannot be read: `published_raw` kept, `published_at` empty). A date line refused as implausible
    (`published_at` empty) is flagged by what it says.

    >>> date_flag("2099-01-01T08:00:00+07:00"), date_flag(None, "31/2/2023 25:61"), date_flag("2024-05-01")
    ('future', 'unreadable', None)
    """
    if published_at:
        try:
            value = datetime.fromisoformat(published_at)
        except ValueError:
            return "unreadable"
    elif published_raw:
        value = parse_vietnamese_date(published_raw)
        if value is None:
            return "unreadable"
    else:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=VN_TZ)
    if value > (now or datetime.now(UTC)) + FUTURE_SLACK:
        return "future"
    if value < EARLIEST_PUBLICATION:
        return "before_1997"
    return None
