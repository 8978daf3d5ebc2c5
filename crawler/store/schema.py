"""The tables of archive.db (docs/data-model.md describes every column). Adding a column here migrates
old archives in place (ArticleStore.ensure_schema)."""

from __future__ import annotations

from typing import Any

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
            "extraction_method": str,  # site-rules, generic, generic-tags (crawler/extract/article.py)
            "date_flag": str,  # future, before_1997, unreadable: an implausible date (archive.date_flag)
            # the article's row in the search index: publication order, and its site/province tokens
            # (crawler/store/search_index.py)
            "search_key": int, "search_scope": str,
        },
        "pk": "id", "not_null": {"url", "site"}, "foreign_keys": [("site", "sites", "name")],
        "indexes": [(["url"], True), (["site", "published_at"], False), (["dedup_key"], False),
                    (["published_at"], False), (["search_key"], True),
                    # what the table shows and facets for the matches of a search, read without the rows
                    (["search_key", "site", "province", "category", "published_year", "author"], False),
                    # facets: counted from an index, not by reading 5 KB rows
                    (["province"], False), (["category"], False), (["published_year"], False), (["author"], False)],
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
    # Research data (crawler/enrich.py, docs/research.md): derived from the articles' text, rewritten whole
    # per article. Each row repeats its article's site, publication date and month (references and people
    # also the site's province_2025), so the published queries group without a join.
    "article_references": {  # one row per mention of a Party or State document
        "columns": {
            "id": int, "article_id": int, "key": str, "kind": str, "number": str, "type_code": str,
            "issuer": str, "level": str, "style": str, "date": str, "term": str, "form": str, "resolved": int,
            "field": str, "start": int, "end": int, "text": str,
            "first_mention": int,  # 1 on the article's first mention of the key: count(*) counts articles
            "site": str, "province_2025": str, "published_at": str, "month": str,
        },
        "pk": "id", "foreign_keys": [("article_id", "articles", "id")],
        # each published query reads one of these alone (docs/research.md): a document's citations, the most
        # cited overall, per province, per month
        "indexes": [(["article_id"], False),
                    (["key", "first_mention", "published_at", "province_2025", "month"], False),
                    (["first_mention", "key"], False),
                    (["province_2025", "first_mention", "key", "published_at"], False),
                    (["month", "first_mention", "key"], False)],
    },
    "article_places": {  # one row per province an article is about
        "columns": {
            "id": int, "article_id": int, "province_2025": str, "province_old": str, "evidence": str,
            "title_prefix": int, "site_province": int, "mentions": int,
            "site": str, "published_at": str, "month": str,
        },
        "pk": "id", "foreign_keys": [("article_id", "articles", "id")],
        "indexes": [(["article_id"], False), (["province_2025", "published_at"], False)],
    },
    "article_people": {  # one row per person an article names as "đồng chí"
        "columns": {
            "id": int, "article_id": int, "name": str, "title": str, "mentions": int,
            "site": str, "province_2025": str, "published_at": str, "month": str,
        },
        "pk": "id", "foreign_keys": [("article_id", "articles", "id")],
        "indexes": [(["article_id"], False), (["name", "published_at"], False)],
    },
    "article_enrichment": {  # which version of the enrichment an article's rows come from, and of which text
        "columns": {
            "article_id": int, "enrichment_version": int, "content_hash": str, "enriched_at": str,
            "references_count": int, "places_count": int, "people_count": int,
        },
        "pk": "article_id", "foreign_keys": [("article_id", "articles", "id")],
        "indexes": [(["enrichment_version"], False)],
    },
}


# Views: what Datasette shows beside the tables (created when missing, replaced when the SQL changes).
VIEWS: dict[str, str] = {
    # Per site: the share of live articles with each field, so a site whose extraction degrades shows
    # without reading rows (docs/data-model.md). Date-only pages are stored at midnight.
    "site_field_quality": """
        SELECT site, count(*) AS articles,
               round(avg(author IS NOT NULL), 3) AS with_author,
               round(avg(published_at IS NOT NULL), 3) AS with_date,
               round(avg(published_at IS NOT NULL AND substr(published_at, 12, 8) != '00:00:00'), 3) AS with_time,
               round(avg(lead IS NOT NULL AND lead != ''), 3) AS with_lead,
               round(avg(images IS NOT NULL AND images != '[]'), 3) AS with_images,
               round(avg(extraction_method = 'site-rules'), 3) AS by_site_rules,
               round(avg(extraction_method = 'generic-tags'), 3) AS by_second_reading
        FROM articles WHERE removed_at IS NULL GROUP BY site
    """,
}
