"""When to fetch a known article again: young articles often, old ones rarely.

Edits and removals cluster in an article's first days; a ten-year-old page
changes when the site is migrated or taken down.

>>> revisit_interval(timedelta(hours=5))
datetime.timedelta(seconds=21600)
>>> revisit_interval(timedelta(days=400))
datetime.timedelta(days=60)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

# (article younger than, revisit every)
SCHEDULE = (
    (timedelta(days=2), timedelta(hours=6)),
    (timedelta(days=7), timedelta(days=1)),
    (timedelta(days=30), timedelta(days=3)),
    (timedelta(days=365), timedelta(days=14)),
)
OLDEST = timedelta(days=60)


def revisit_interval(age: timedelta) -> timedelta:
    for younger_than, every in SCHEDULE:
        if age < younger_than:
            return every
    return OLDEST


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def is_due(known: dict[str, Any], now: datetime, policy: str = "auto") -> bool:
    """Whether a known article should be fetched again under `policy` (auto | all | none)."""
    born = _parse(known.get("published_at")) or _parse(known.get("first_seen_at"))
    return due(_parse(known.get("last_seen_at")), born, now, policy)


def due(last_seen: datetime | None, born: datetime | None, now: datetime, policy: str = "auto") -> bool:
    """`is_due` of an article last seen at `last_seen`, published (else first seen) at `born`."""
    if policy == "all":
        return True
    if policy == "none":
        return False
    if last_seen is None:
        return True
    return now - last_seen >= revisit_interval(max(now - (born or now), timedelta(0)))


class KnownArticle(NamedTuple):
    """What a crawl keeps of an archived article (a fifth of the memory of its `known_articles` row:
    the archive's whole site is held for a crawl, 100k articles and more)."""

    last_seen: datetime | None
    born: datetime | None  # published, else first seen
    removed: bool
    etag: str | None
    last_modified: str | None
    url_is_primary: bool

    @classmethod
    def of(cls, row: dict[str, Any]) -> KnownArticle:
        """From a `known_articles` row (crawler/store/archive.py)."""
        return cls(_parse(row.get("last_seen_at")), _parse(row.get("published_at")) or _parse(row.get("first_seen_at")),
                   bool(row.get("removed_at")), row.get("etag") or None, row.get("last_modified") or None,
                   bool(row.get("url_is_primary")))

    def is_due(self, now: datetime, policy: str = "auto") -> bool:
        return due(self.last_seen, self.born, now, policy)
