"""Every article page of every bundled mirror against the expected JSON beside it (pure extraction, no crawl).

`<page>.expected.json` holds every field (title, minute, author, credit, category, lead, every body
paragraph, captions, images); scripts/update_expected writes it only when the extraction agrees with
the mirror's hand-written gold (expected.json). The cases derive from the registry: every site with
a mirror, every article page of it.
"""

from __future__ import annotations

import json

import pytest

from crawler.crawl.site_spiders import spider_classes
from crawler.extract import extract_article
from crawler.mirror import article_pages
from tests.conftest import MIRRORS, SITES

CASES = [(site, target, page) for site in SITES for target, page in article_pages(MIRRORS / site)]
CLASSES = spider_classes()


def test_every_article_page_has_its_expected_json():
    missing = [str(page) for _, _, page in CASES if not page.with_suffix(".expected.json").is_file()]
    assert len(CASES) >= 80 and not missing, missing


@pytest.mark.parametrize(("site", "target", "page"), CASES, ids=[f"{s}:{p.name}" for s, _, p in CASES])
def test_page_matches_its_expected_json(site, target, page):
    expected = json.loads(page.with_suffix(".expected.json").read_text(encoding="utf-8"))
    article = extract_article(page.read_bytes(), expected["url"], CLASSES[site].rules)
    assert article.title == expected["title"]
    assert (article.published_at, article.published_raw) == (expected["published"], expected["published_raw"])
    assert (article.author, article.credit) == (expected["author"], expected["credit"])
    assert (article.category, article.lead) == (expected["category"], expected["lead"])
    assert article.paragraphs == expected["paragraphs"]
    assert article.captions == expected["captions"] and article.images == expected["images"]
