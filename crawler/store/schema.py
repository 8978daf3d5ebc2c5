"""The tables of archive.db (docs/data-model.md describes every column). Adding a column here migrates
old archives in place (ArticleStore.ensure_schema)."""

from __future__ import annotations

from typing import Any

# The search index's columns: `vn_fold`ed copies of these article fields.
FTS_COLUMNS = ("title", "lead", "body_text")

# Table -> columns, key and indexes. Adding a column here migrates old archives.
SCHEMA: dict[str, dict[str, Any]] = {
    "sites": {
        "columns": {"name": str, "origin": str, "domain": str, "province": str, "organization": str,
                    "platform": str, "spider": str, "status": str, "notes": str,
                    # from the site registry (crawler/sites/sites.csv)
                    "organization_type": str, "province_2025": str},
        "pk": "name",
    },
    "articles": {
        "columns": {
            "id": int, "url": str, "site": str, "province": str, "category": str,
            "title": str, "lead": str, "body_text": str, "body_html": str,
            "author": str, "credit": str, "published_at": str, "published_raw": str,
            "published_year": int, "images": str, "captions": str, "word_count": int,
            "content_hash": str, "dedup_key": str, "revision": int, "extractor_version": str,
            "first_seen_at": str, "last_seen_at": str, "last_changed_at": str,
            "removed_at": str, "fetched_url": str, "etag": str, "last_modified": str,
            "capture_id": int,  # the capture (WARC record) this version was extracted from
        },
        "pk": "id", "not_null": {"url", "site"}, "foreign_keys": [("site", "sites", "name")],
        "indexes": [(["url"], True), (["site", "published_at"], False), (["dedup_key"], False),
                    (["published_at"], False)],
    },
    "article_urls": {
        "columns": {"url": str, "article_id": int, "first_seen_at": str},
        "pk": "url", "foreign_keys": [("article_id", "articles", "id")],
        "indexes": [(["article_id"], False)],
    },
    "article_revisions": {
        "columns": {
            "id": int, "article_id": int, "revision": int, "title": str, "lead": str,
            "body_text": str, "body_html": str, "author": str, "credit": str,
            "published_at": str, "published_raw": str, "category": str, "images": str,
            "captions": str, "content_hash": str, "extractor_version": str,
            "valid_from": str, "valid_until": str, "capture_id": int,
        },
        "pk": "id", "foreign_keys": [("article_id", "articles", "id")],
        "indexes": [(["article_id", "revision"], True)],
    },
    # Every HTTP response kept in WARC (crawler/capture/): where it is, never the page itself.
    "captures": {
        "columns": {
            "id": int, "url": str, "fetched_at": str, "warc_date": str, "status": int, "content_type": str,
            "payload_digest": str, "payload_length": int, "record_type": str, "record_id": str,
            "refers_to": int, "warc_file": str, "warc_offset": int, "warc_length": int,
            "spider": str, "run_id": int,
        },
        "pk": "id",
        "indexes": [(["url"], False), (["spider", "fetched_at"], False), (["record_id"], False),
                    (["warc_file", "warc_offset"], True)],
    },
    "crawl_runs": {
        "columns": {
            "id": int, "spider": str, "started_at": str, "finished_at": str, "finish_reason": str,
            "pages": int, "articles_new": int, "articles_changed": int, "articles_unchanged": int,
            "articles_removed": int, "skipped": int, "not_found": int, "errors": int,
            "duration_seconds": float, "alarms": str, "log_file": str, "stats": str,
        },
        "pk": "id",
    },
}
