"""The five seed documents: each stored article equals its seed, boilerplate removed.

tests/fixtures/seeds/NNN.txt is the text of the real page (boilerplate and all);
NNN.expected.json is its article by hand: title, author, captions, body paragraphs.
Each seed's article sits in its own site's mirror (expected.json `"seed": "NNN"`).
"""

from __future__ import annotations

import json

import pytest

from crawler.extract.cleaning import normalize_text
from tests.conftest import SEEDS, SITES, load_expected, query

SEED_SITES = {"000": "tuyengiao", "001": "travinh_duk", "002": "tuyengiao", "003": "laocai_duk",
              "004": "tuyengiao"}


def seed_gold(seed: str) -> dict:
    return json.loads((SEEDS / f"{seed}.expected.json").read_text(encoding="utf-8"))


def seed_path(seed: str) -> str:
    articles = load_expected(SEED_SITES[seed])["articles"]
    return next(path for path, gold in articles.items() if gold.get("seed") == seed)


@pytest.mark.parametrize("seed", sorted(SEED_SITES))
def test_gold_is_the_seed_text(seed):
    """The hand-made gold only drops lines of the seed, never rewrites one."""
    seed_lines = [line.strip() for line in (SEEDS / f"{seed}.txt").read_text(encoding="utf-8").splitlines()]
    gold = seed_gold(seed)
    position = 0
    for paragraph in gold["body_paragraphs"]:
        position = seed_lines.index(paragraph, position) + 1
    assert gold["title"] in seed_lines
    assert gold["author"] in " ".join(seed_lines)


@pytest.mark.parametrize("seed", sorted(SEED_SITES))
def test_stored_body_is_the_seed_article(crawled, seed):
    site = SEED_SITES[seed]
    assert site in SITES
    gold = seed_gold(seed)
    rows = query(crawled[site].db,
                 "SELECT a.* FROM articles a JOIN article_urls u ON u.article_id = a.id WHERE u.url LIKE ?",
                 (f"%{seed_path(seed)}",))
    assert len(rows) == 1
    row = rows[0]
    assert row["title"] == normalize_text(gold["title"])
    assert row["author"] == gold["author"]
    assert row["body_text"].split("\n\n") == [normalize_text(p) for p in gold["body_paragraphs"]]
    assert json.loads(row["captions"]) == [normalize_text(c) for c in gold["captions"]]
