"""How the archive's own cells read in Datasette's tables: times in Vietnam time, run stats folded.

* every archive timestamp (`TIMESTAMP_COLUMNS`) shows as `02/12/2026 06:06 (UTC+7)` inside a
  `<time datetime=…>` that keeps the stored value (crawler/publish/times.py); the JSON and CSV
  exports keep the stored ISO 8601 value;
* the JSON of a crawl run (`stats`, `alarms`) sits behind a `<details>` element, so a run is one
  line of the crawl_runs table instead of a 750-pixel block of Scrapy stats.
"""

from __future__ import annotations

import json

from datasette.hookspecs import hookimpl
from markupsafe import Markup, escape

from crawler.publish.times import vietnam_time

DATABASE = "archive"
# table -> the columns holding timestamps the archive wrote (publication dates are shown as printed)
TIMESTAMP_COLUMNS = {
    "articles": {"first_seen_at", "last_seen_at", "last_changed_at", "removed_at"},
    "article_revisions": {"valid_from", "valid_until"},
    "article_urls": {"first_seen_at"},
    "crawl_runs": {"started_at", "finished_at"},
    "captures": {"fetched_at"},
    "article_enrichment": {"enriched_at"},
}
FOLDED_JSON = {"crawl_runs": {"stats", "alarms"}}


def time_cell(value: str) -> Markup:
    return Markup(f'<time datetime="{escape(value)}">{escape(vietnam_time(value))}</time>')


def folded_json_cell(value: str) -> Markup | None:
    """A JSON object or list behind a summary naming its size; None when it is not JSON."""
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict | list):
        return None
    if not data:
        return Markup('<span class="empty-json">—</span>')
    size = f"{len(data)} mục / entries"
    pretty = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=isinstance(data, dict))
    return Markup(f'<details class="folded-json"><summary>{size}</summary><pre>{escape(pretty)}</pre></details>')


@hookimpl
def render_cell(value, column, table, database):
    if database != DATABASE or not isinstance(value, str) or not value:
        return None
    if column in TIMESTAMP_COLUMNS.get(table, ()):
        return time_cell(value)
    if column in FOLDED_JSON.get(table, ()):
        return folded_json_cell(value)
    return None
