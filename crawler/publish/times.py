"""Archive timestamps as a reader in Vietnam reads them: `02/12/2026 06:06 (UTC+7)`.

The store writes its own timestamps (first_seen_at, crawl runs, captures, revisions) as ISO 8601 with
the crawling machine's UTC offset, so each names its instant; the pages show them in Vietnam time
with the zone, whatever zone the crawler ran in (docs/data-model.md#times).

    >>> vietnam_time("2026-12-01T23:06:40+00:00")
    '02/12/2026 06:06 (UTC+7)'
    >>> vietnam_time("2024-01-02T09:00:00+07:00"), vietnam_time("2024-01-02T02:00:00")  # no offset: UTC
    ('02/01/2024 09:00 (UTC+7)', '02/01/2024 09:00 (UTC+7)')
    >>> vietnam_time("not a time"), vietnam_time(None)
    ('not a time', None)
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Vietnam has kept UTC+7 without daylight saving since 1975: the label is the offset itself.
ZONE_LABEL = "UTC+7"


def vietnam_time(value: str | None) -> str | None:
    """A stored timestamp in Vietnam time, day first, with the zone; an unreadable value as it is."""
    if not value:
        return value
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:  # not written by the store (it always adds the offset): read as UTC
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(VIETNAM)
    return f"{local:%d/%m/%Y %H:%M} ({ZONE_LABEL})"
