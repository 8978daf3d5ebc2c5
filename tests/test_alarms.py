"""Alarms from a run's stats (crawler/crawl/alarms.py): drops counted by reason raise the coverage alarm."""

from __future__ import annotations

import json

from crawler.crawl.alarms import evaluate_alarms


def run(**stats: int) -> dict:
    base = {"archive/links/article": 40, "archive/fields/pages": 20, "archive/fields/title": 20,
            "archive/fields/published": 20, "archive/fields/body": 20, "archive/fields/site_rules_body": 20}
    return {"finish_reason": "finished", "pages": 30, "errors": 0, "stats": json.dumps({**base, **stats})}


def test_article_pages_dropped_as_empty_raise_the_coverage_alarm():
    alarms = evaluate_alarms(run(**{"archive/skipped/empty_body": 5, "archive/skipped/no_article": 3}), [])
    assert any(a.startswith("coverage:dropped: 8 of 20") and "empty_body 5" in a for a in alarms), alarms


def test_pages_refused_by_design_raise_nothing():
    stats = {"archive/skipped/listing": 6, "archive/skipped/document_list": 4, "archive/skipped/no_date": 5,
             "archive/skipped/static_page": 3, "archive/skipped/no_article": 2}
    assert evaluate_alarms(run(**stats), []) == []


def test_author_coverage_is_compared_with_the_last_finished_run():
    """A run that resumes a killed one holds the pages the killed one did not reach: its partial sample is
    no baseline (the full-disk resume of tests/test_hardening.py raised "69%, was 100%")."""
    now = run(**{"archive/fields/author": 9})  # 45% of 20 pages
    killed = {**run(**{"archive/fields/author": 20}), "finish_reason": "disk_full"}
    finished = run(**{"archive/fields/author": 20})
    assert evaluate_alarms(now, [killed]) == []
    assert evaluate_alarms(now, [killed, finished]) == ["coverage:author: 45%, was 100%"]
