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
from typing import Any

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
    if policy == "all":
        return True
    if policy == "none":
        return False
    last_seen = _parse(known.get("last_seen_at"))
    born = _parse(known.get("published_at")) or _parse(known.get("first_seen_at")) or now
    if last_seen is None:
        return True
    return now - last_seen >= revisit_interval(max(now - born, timedelta(0)))
