"""What the ingester publishes back to Redis for the workers: the archive's known articles and last captures.

Workers never open archive.db; what incremental crawling reads from it (`ArticleStore.known_articles`: an
article's URLs, dates, removal, HTTP validators) and what the WARC capture reads (the last payload capture of
a URL, for revisit records) the ingester copies into two hashes per site, `<site>:known` and
`<site>:captured`, when it starts (for the sites not published yet), and keeps current as it writes.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from crawler.distributed import Keys
from crawler.store import ArticleStore, now_iso


def known_entry(row: dict[str, Any], url: str) -> dict[str, Any]:
    """What `ArticleStore.known_articles` says of an article under `url`, from its `articles` row."""
    return {"id": row["id"], "published_at": row["published_at"], "first_seen_at": row["first_seen_at"],
            "last_seen_at": row["last_seen_at"], "removed_at": row["removed_at"], "etag": row["etag"],
            "last_modified": row["last_modified"], "url_is_primary": int(row["url"] == url)}


def publish_known(store: ArticleStore, server: Any, keys: Keys, republish: bool = False,
                  out: TextIO = sys.stderr) -> None:
    """Every site's known articles and last payload captures, into Redis, for the workers; skipped for
    the sites published already (the ingester keeps them current) unless `republish`."""
    from crawler.sites import registry

    sites = sorted(set(registry()) | store.captured_sites())
    published = 0
    for site in sites:
        if not republish and server.exists(keys.known(site), keys.captured(site)):
            continue
        known = store.known_articles(site)
        latest: dict[str, list[Any]] = {}
        originals: dict[int, tuple[str, str]] = {}
        for row in store.captures_of_site(site):
            if row["record_type"] == "response" and row["payload_length"]:
                originals[row["id"]] = (row["record_id"], row["warc_date"])
                latest[row["url"]] = [row["id"], row["payload_digest"], row["record_id"], row["warc_date"]]
            elif row["record_type"] == "revisit" and row["payload_length"] and row["refers_to"] in originals:
                record_id, warc_date = originals[row["refers_to"]]
                latest[row["url"]] = [row["refers_to"], row["payload_digest"], record_id, warc_date]
        pipe = server.pipeline(transaction=False)
        pipe.delete(keys.known(site), keys.captured(site))
        for key, mapping in ((keys.known(site), known), (keys.captured(site), latest)):
            items = list(mapping.items())
            for i in range(0, len(items), 1000):
                pipe.hset(key, mapping={url: json.dumps(value, ensure_ascii=False)
                                        for url, value in items[i:i + 1000]})
        pipe.execute()
        published += bool(known or latest)
    server.set(keys.published, now_iso())
    if published:
        print(f"ingest: the known articles of {published} sites published to Redis", file=out)
