"""Sites nobody wrote a spider for: the generic and the platform spiders on blind mirrors.

tests/fixtures/blind/sites/ holds site mirrors written without reading the project's code (gold.json:
every article, aliases, pages that are not articles). The platform spiders start from `-a start_url`
alone (their parameters are detected from the start page); scripts/bench_sites reports every field.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.mirror import MirrorServer
from tests.conftest import FIXTURES, ROOT

BLIND = FIXTURES / "blind" / "sites"


def crawl(site: str, spider: str, db: Path, *settings: str) -> set[str]:
    """Crawl the blind mirror with `spider` from its live start URL; the stored articles' gold targets."""
    gold = json.loads((BLIND / site / "gold.json").read_text(encoding="utf-8"))
    with MirrorServer(BLIND / site) as mirror:
        cmd = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"start_url=https://{gold['host']}/",
               "-a", f"site={site}", "-a", f"base_url={mirror.base_url}", "-s", f"ARCHIVE_DB={db}", *settings]
        result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT a.id, u.url FROM articles a JOIN article_urls u ON u.article_id = a.id").fetchall()
    finally:
        conn.close()
    by_article: dict[int, set[str]] = {}
    for article_id, url in rows:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        by_article.setdefault(article_id, set()).add(gold.get("aliases", {}).get(target, target))
    found = set()
    for targets in by_article.values():
        known = targets & set(gold["articles"])
        assert len(known) == 1, f"stored article under {sorted(targets)}: not exactly one gold article"
        found |= known
    return found


@pytest.mark.parametrize(("site", "spider"), [
    ("nukeviet_root", "nukeviet"), ("nukeviet_vinews", "nukeviet"), ("liferay_portal", "liferay"),
    ("idless_portal", "generic"), ("dnn_portal", "generic"), ("sharepoint_dcs", "generic"),
])
def test_every_article_once_and_nothing_else(site, spider, tmp_path):
    gold = json.loads((BLIND / site / "gold.json").read_text(encoding="utf-8"))
    found = crawl(site, spider, tmp_path / "archive.db")
    assert found == set(gold["articles"])
    conn = sqlite3.connect(tmp_path / "archive.db")
    stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.close()
    assert stored == len(gold["articles"])  # no listing, tag, document list or menu page among them


def test_the_crawl_order_does_not_decide_what_is_an_article(tmp_path):
    # depth first (Scrapy's default) against breadth first, one request at a time: other fetch orders,
    # other pages seen first by the site template; the same articles
    depth = crawl("idless_portal", "generic", tmp_path / "depth.db", "-s", "CONCURRENT_REQUESTS=1")
    breadth = crawl("idless_portal", "generic", tmp_path / "breadth.db", "-s", "CONCURRENT_REQUESTS=1",
                    "-s", "DEPTH_PRIORITY=1", "-s", "SCHEDULER_DISK_QUEUE=scrapy.squeues.PickleFifoDiskQueue",
                    "-s", "SCHEDULER_MEMORY_QUEUE=scrapy.squeues.FifoMemoryQueue")
    assert depth == breadth
