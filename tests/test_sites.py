"""End to end: one mirror per platform crawled over real HTTP by the real Scrapy engine into SQLite.

The gold is each mirror's expected.json (docs/adding-a-site.md).
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from tests.conftest import E2E_SITES, MIRRORS, load_expected, query, run_spider


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def stored_articles(db) -> dict[str, dict]:
    """Stored articles by the path of each URL they are known under."""
    rows = query(db, "SELECT a.*, u.url AS known_url FROM articles a JOIN article_urls u ON u.article_id = a.id")
    return {path_of(r["known_url"]): dict(r) for r in rows}


@pytest.mark.parametrize("site", E2E_SITES)
def test_exactly_the_expected_articles_are_stored(crawled, site):
    expected = load_expected(site)
    db = crawled[site].db
    stored = stored_articles(db)
    # every expected article is there once, reachable under its canonical path or an alias
    canonical_ids = {path: stored[path]["id"] for path in expected["articles"] if path in stored}
    missing = set(expected["articles"]) - set(canonical_ids)
    for alias, target in expected.get("aliases", {}).items():
        if target in missing and alias in stored:
            canonical_ids[target] = stored[alias]["id"]
            missing.discard(target)
    assert not missing, f"not stored: {sorted(missing)}"
    assert len(set(canonical_ids.values())) == len(expected["articles"]), "an article was stored twice"
    count = query(db, "SELECT count(*) AS n FROM articles")[0]["n"]
    assert count == len(expected["articles"]), sorted(stored)
    for path in expected["not_articles"] + list(expected.get("skipped", {})):
        assert path not in stored, f"{path} must not be stored"


@pytest.mark.parametrize("site", E2E_SITES)
def test_fields_match_the_gold(crawled, site):
    expected = load_expected(site)
    stored = stored_articles(crawled[site].db)
    for alias, target in expected.get("aliases", {}).items():
        if target not in stored and alias in stored:
            stored[target] = stored[alias]
    for path, gold in expected["articles"].items():
        row = stored[path]
        assert row["title"] == gold["title"], path
        assert row["published_at"] == gold["published"], path
        assert row["author"] == gold["author"], path
        assert row["credit"] == gold.get("credit"), path
        if gold.get("category"):
            assert row["category"] == gold["category"], path
        if gold.get("lead"):
            assert row["lead"] == gold["lead"], path
        assert json.loads(row["captions"]) == gold.get("captions", []), path
        for sentence in gold.get("body_contains", []):
            assert sentence in row["body_text"], (path, sentence)
        if gold.get("table_rows"):
            table = [b for b in row["body_text"].split("\n\n") if " | " in b]
            assert table and len(table[0].split("\n")) == gold["table_rows"], path
        assert row["published_raw"], path


@pytest.mark.parametrize("site", E2E_SITES)
def test_no_template_text_left_in_any_body(crawled, site):
    expected = load_expected(site)
    for row in query(crawled[site].db, "SELECT url, title, body_text, lead FROM articles"):
        for phrase in expected["boilerplate"]:
            assert phrase not in row["body_text"], (row["url"], phrase)


@pytest.mark.parametrize("site", E2E_SITES)
def test_skips_are_counted_in_the_run(crawled, site):
    expected = load_expected(site)
    run = query(crawled[site].db, "SELECT * FROM crawl_runs")[-1]
    stats = json.loads(run["stats"])
    assert run["finish_reason"] == "finished"
    assert run["articles_new"] == len(expected["articles"])  # an alias is the same article
    for reason in set(expected.get("skipped", {}).values()):
        count = list(expected["skipped"].values()).count(reason)
        assert stats.get(f"archive/skipped/{reason}") == count, reason


def test_second_crawl_adds_nothing_and_an_edit_makes_one_revision(mirror_copy, tmp_path):
    from crawler.mirror import MirrorServer

    site = "tuyengiao"
    root = mirror_copy(site)
    db = tmp_path / "archive.db"
    expected = load_expected(site)
    snapshot = "SELECT id, url, content_hash, revision FROM articles ORDER BY id"
    with MirrorServer(root) as mirror:
        run_spider(site, mirror.base_url, db)
        first = [tuple(r) for r in query(db, snapshot)]
        run_spider(site, mirror.base_url, db)  # incremental: known articles are not due yet
        run_spider(site, mirror.base_url, db, "-a", "revisit=all")  # every article fetched again
        assert [tuple(r) for r in query(db, snapshot)] == first
        assert query(db, "SELECT count(*) AS n FROM article_revisions")[0]["n"] == 0
        run = query(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
        assert (run["articles_new"], run["articles_changed"]) == (0, 0)
        assert run["articles_unchanged"] == len(expected["articles"])

        # edit one sentence of one article in the mirror
        path, gold = next(iter(expected["articles"].items()))
        routes = json.loads((root / "routes.json").read_text(encoding="utf-8"))
        page_file = routes[path] if isinstance(routes[path], str) else routes[path]["file"]
        page = (root / page_file).read_text(encoding="utf-8")
        sentence = gold["body_contains"][0]
        assert sentence in page
        (root / page_file).write_text(page.replace(sentence, sentence + " Câu bổ sung khi đính chính."),
                                      encoding="utf-8")
        run_spider(site, mirror.base_url, db, "-a", "revisit=all")

    revisions = query(db, "SELECT * FROM article_revisions")
    assert len(revisions) == 1
    assert sentence in revisions[0]["body_text"] and "Câu bổ sung" not in revisions[0]["body_text"]
    current = query(db, "SELECT body_text, revision FROM articles WHERE id = ?", (revisions[0]["article_id"],))[0]
    assert "Câu bổ sung khi đính chính." in current["body_text"] and current["revision"] == 2
    assert query(db, "SELECT count(*) AS n FROM articles")[0]["n"] == len(expected["articles"])


def test_page_limit_stops_pagination(tmp_path):
    from crawler.mirror import MirrorServer

    db = tmp_path / "archive.db"
    with MirrorServer(MIRRORS / "tuyengiao") as mirror:
        run_spider("tuyengiao", mirror.base_url, db, "-a", "max_pages=1")
        requested = set(mirror.requests)
    assert requested and not any("page=" in target for target in requested)
    assert query(db, "SELECT count(*) AS n FROM articles")[0]["n"] < len(load_expected("tuyengiao")["articles"])


@pytest.mark.parametrize("site", E2E_SITES)
def test_field_quality_shows_per_site_and_per_run(crawled, site):
    expected = load_expected(site)["articles"]
    with_author = sum(gold["author"] is not None for gold in expected.values())
    row = crawled[site].rows("SELECT * FROM site_field_quality WHERE site = ?", (site,))[0]
    assert row["articles"] == len(expected)
    assert row["with_author"] == round(with_author / len(expected), 3)
    assert row["with_date"] == 1.0
    run = crawled[site].rows("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert run["with_author"] >= with_author and run["with_published"] >= len(expected)
