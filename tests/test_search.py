"""The keyed search index and the canned searches against a brute-force reference (issue 13), date filters
(issue 15), paging through Datasette.

The reference reads every article's text in Python: which articles hold every word (or the phrase), newest
first; for ranked results, phrase matches before scattered words, each tier limited to its newest window and
ordered by bm25 as FTS5 computes it over the whole corpus (a window changes which rows are scored, never a
row's score). The canned SQL is read from metadata.yml and run on a real archive file built through
`ArticleStore.upsert`, with the windows made small so that a 10k archive exercises them.
"""

from __future__ import annotations

import importlib.util
import random
import re
import sqlite3
import unicodedata
from datetime import datetime

import pytest
import yaml

from crawler.extract.article import Article
from crawler.publish import search
from crawler.store import ArticleStore
from crawler.store.folding import vn_fold
from crawler.store.search_index import KEY_SPAN, MAX_KEY_SECONDS, is_current
from tests.conftest import ROOT

PLUGIN = ROOT / "crawler/publish/datasette/plugins/vn_search.py"
spec = importlib.util.spec_from_file_location("vn_search_plugin", PLUGIN)
vn_search = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vn_search)

ARTICLES = 10_000
SMALL_WINDOW, SMALL_CAP = 400, 300
SITES = ("tuyengiao", "quangninh", "travinh_duk", "laocai")
PROVINCES = {"tuyengiao": None, "quangninh": "Quảng Ninh", "travinh_duk": "Trà Vinh", "laocai": "Lào Cai"}
# a small vocabulary, so that common words match thousands of articles; names planted as phrases and as
# scattered syllables (the decoys a syllable AND ranks too high)
WORDS = [
    "Đảng", "ủy", "tỉnh", "nghị", "quyết", "đại", "hội", "cán", "bộ", "đảng", "viên", "chi", "bộ", "công",
    "tác", "tuyên", "giáo", "học", "tập", "làm", "theo", "tư", "tưởng", "đạo", "đức", "phong", "cách", "Hồ",
    "Chí", "Minh", "kinh", "tế", "xã", "hội", "phát", "triển", "huyện", "Bắc", "Quang", "Thưởng", "Văn",
    "Hà", "Quảng", "Ninh", "chương", "trình", "hành", "động", "năm", "nhiệm", "vụ",
]
NAMES = ("Hà Văn Thưởng", "huyện Bắc Quang", "Nghị quyết số 18-NQ/TW")


def make_articles(count: int) -> list[tuple[Article, str]]:
    rnd = random.Random(13)
    out = []
    for i in range(count):
        words = rnd.choices(WORDS, weights=[1 / (r + 1) for r in range(len(WORDS))], k=rnd.randint(30, 90))
        if rnd.random() < 0.05:
            words.insert(rnd.randrange(len(words)), rnd.choice(NAMES))
        body = " ".join(words)
        day = datetime(2010 + rnd.randrange(16), rnd.randint(1, 12), rnd.randint(1, 28), rnd.randrange(24))
        site = SITES[i % len(SITES)]
        title = " ".join(rnd.choices(WORDS, k=6)) + (" " + rnd.choice(NAMES) if rnd.random() < 0.02 else "")
        published = None if i % 97 == 0 else day.strftime("%Y-%m-%dT%H:%M:00+07:00")
        out.append((Article(url=f"https://{site}.example.vn/bai-{i}.html", title=title.capitalize(),
                            lead=" ".join(rnd.choices(WORDS, k=12)), paragraphs=[body], published_at=published,
                            published_raw=published), site))
    return out


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("search") / "archive.db"
    store = ArticleStore(path)
    with store.batch():  # as a crawl writes
        for article, site in make_articles(ARTICLES):
            store.upsert(article, site=site, province=PROVINCES[site])
    store.close()
    return str(path)


@pytest.fixture(scope="module")
def conn(archive):
    saved = search.RANK_WINDOW, search.COUNT_CAP
    search.RANK_WINDOW, search.COUNT_CAP = SMALL_WINDOW, SMALL_CAP
    connection = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    vn_search.prepare_connection(connection)
    yield connection
    connection.close()
    search.RANK_WINDOW, search.COUNT_CAP = saved


CANNED = yaml.safe_load((ROOT / "crawler/publish/datasette/metadata.yml").read_text(encoding="utf-8"))[
    "databases"]["archive"]["queries"]


def tokens(text: str | None) -> list[str]:
    """unicode61 remove_diacritics 2 over vn_fold(text), in Python."""
    plain = "".join(c for c in unicodedata.normalize("NFD", vn_fold(text)) if not unicodedata.combining(c))
    return re.findall(r"\w+", plain.casefold())


@pytest.fixture(scope="module")
def corpus(conn):
    return [dict(row, text=[tokens(row["title"]), tokens(row["lead"]), tokens(row["body_text"])])
            for row in conn.execute("SELECT id, search_key, site, province, published_at, title, lead, body_text "
                                    "FROM articles")]


def has_words(doc, words) -> bool:
    found = set().union(*map(set, doc["text"]))
    return all(w in found for w in words)


def has_phrase(doc, words) -> bool:
    n = len(words)
    return any(col[i:i + n] == words for col in doc["text"] for i in range(len(col) - n + 1))


def run(conn, name: str, q: str, page: int = 1, **filters) -> list[sqlite3.Row]:
    args = {"q": q, "site": "", "province": "", "date_from": "", "date_to": "", "page": str(page), **filters}
    return conn.execute(CANNED[name]["sql"], args).fetchall()


def every_page(conn, name: str, q: str, **filters) -> list[int]:
    ids, page = [], 1
    while rows := run(conn, name, q, page, **filters):
        ids += [row["id"] for row in rows]
        page += 1
    return ids


def matches(doc, q: str) -> bool:
    """Every word of `q` in the article, or the "quoted" phrase."""
    return has_phrase(doc, tokens(q)) if q.startswith('"') else has_words(doc, tokens(q))


def in_filters(doc, site="", date_from="", date_to="") -> bool:
    key = doc["search_key"]
    lo, hi = search.key_range(date_from, date_to)
    return (not site or doc["site"] == site) and lo <= key < hi


QUERIES = [("Hà Văn Thưởng", {}), ("huyen bac quang", {}), ("đảng", {}), ("nghi quyet", {"site": "quangninh"}),
           ("tuyên giáo", {"date_from": "03/2014", "date_to": "2016"}), ("18-NQ/TW", {}),
           ('"chi bộ"', {"date_from": "1/1/2020"})]


def test_the_archive_uses_the_keyed_index(conn):
    assert is_current(conn)
    assert conn.execute("SELECT count(*) FROM articles WHERE search_key IS NULL").fetchone()[0] == 0
    oldest_dated = conn.execute("SELECT max(search_key) FROM articles WHERE published_at IS NOT NULL").fetchone()[0]
    newest_undated = conn.execute("SELECT min(search_key) FROM articles WHERE published_at IS NULL").fetchone()[0]
    assert oldest_dated < newest_undated  # keys grow with age; undated articles count as the oldest
    newest = conn.execute("SELECT id FROM articles ORDER BY search_key LIMIT 3").fetchall()
    assert [r[0] for r in newest] == [r[0] for r in conn.execute(
        "SELECT id FROM articles ORDER BY published_at DESC, id DESC LIMIT 3")]


@pytest.mark.parametrize(("q", "filters"), QUERIES, ids=[q for q, _ in QUERIES])
def test_newest_first_equals_the_reference(conn, corpus, q, filters):
    expected = sorted((d for d in corpus if matches(d, q) and in_filters(d, **filters)),
                      key=lambda d: d["search_key"])
    assert len(expected) > search.PAGE_SIZE or q in ("Hà Văn Thưởng", "18-NQ/TW")
    assert every_page(conn, "newest", q, **filters) == [d["id"] for d in expected]
    first = run(conn, "newest", q, **filters)
    if expected:
        assert first[0]["total"] == min(len(expected), SMALL_CAP + 1)


def reference_ranked(conn, corpus, q, **filters) -> tuple[list[tuple[int, int, float]], int]:
    """(article id, tier, bm25) in rank order (equal scores have no defined order among themselves), and
    the total the page shows: exact up to COUNT_CAP, else "more than COUNT_CAP".

    Tier 0: the newest window of phrase matches; tier 1: of the newest window of every-word matches,
    those that are not phrase matches."""
    words = tokens(q)
    phrase = len(words) > 1 and '"' not in q

    def bm25(match: str) -> dict[int, float]:
        return dict(conn.execute("SELECT rowid, bm25(articles_fts, 50.0, 10.0, 1.0, 0.0) FROM articles_fts "
                                 "WHERE articles_fts MATCH ?", [match]).fetchall())

    text = "{title lead body_text} : "
    by_words = bm25(text + "(" + " ".join(f'"{w}"' for w in words) + ")")
    by_phrase = bm25(text + '("' + " ".join(words) + '")') if phrase or q.startswith('"') else by_words
    found = sorted((d for d in corpus if matches(d, q) and in_filters(d, **filters)),
                   key=lambda d: d["search_key"])
    newest = found[:SMALL_WINDOW]  # the newest matches of every word
    if phrase:
        tiers = [[d for d in found if has_phrase(d, words)][:SMALL_WINDOW],
                 [d for d in newest if not has_phrase(d, words)]]
    else:
        tiers = [newest]
    out = []
    for tier, docs in enumerate(tiers):
        scores = by_words if tier == 1 else by_phrase
        out += sorted(((d["id"], tier, scores[d["search_key"]]) for d in docs), key=lambda found: found[1:])
    return out, (len(found) if len(found) <= SMALL_CAP else SMALL_CAP + 1)


@pytest.mark.parametrize(("q", "filters"), QUERIES, ids=[q for q, _ in QUERIES])
def test_ranked_equals_the_reference(conn, corpus, q, filters):
    expected, total = reference_ranked(conn, corpus, q, **filters)
    got = every_page(conn, "search", q, **filters)
    assert {row["total"] for row in run(conn, "search", q, **filters)} == ({total} if expected else set())
    assert len(got) == len(set(got)) == len(expected)  # paging neither repeats nor skips an article
    rank = {article: (tier, score) for article, tier, score in expected}
    assert set(got) == set(rank)
    assert [rank[article] for article in got] == [(tier, score) for _, tier, score in expected]


def test_a_name_as_a_phrase_ranks_above_its_scattered_syllables(conn, corpus):
    rows = run(conn, "search", "Ha Van Thuong")
    phrase = {d["id"] for d in corpus if has_phrase(d, tokens("Hà Văn Thưởng"))}
    assert len(phrase) >= 10 and {row["id"] for row in rows[:10]} <= phrase  # precision@10 = 1


@pytest.mark.parametrize("name", ["search", "newest"])
def test_results_are_the_same_with_and_without_diacritics(conn, name):
    for typed, plain in (("Hà Văn Thưởng", "ha van thuong"), ("Đảng ủy tỉnh", "dang uy tinh"),
                         ("HUYỆN BẮC QUANG", "huyen bac quang")):
        assert every_page(conn, name, typed) == every_page(conn, name, plain)


def test_table_search_box_lists_the_newest_matches(conn, corpus):
    """The clauses vn_search adds for `?_search=` (capped: the newest COUNT_CAP matches), both kinds."""
    match = search.match_expression("tuyen giao")
    expected = sorted((d for d in corpus if has_words(d, ["tuyen", "giao"])),
                      key=lambda d: d["search_key"])[:SMALL_CAP]
    assert len(expected) == SMALL_CAP  # the cap is exercised
    page = "SELECT id FROM articles WHERE {} ORDER BY published_at DESC, id DESC"
    count = "SELECT count(*) FROM articles WHERE {}"
    params = {"vn_match": match, "vn_cap": SMALL_CAP}
    rows = conn.execute(page.format(vn_search.WORDS_CLAUSE), params).fetchall()
    assert [r["id"] for r in rows] == [d["id"] for d in expected]
    # the set walked once: the same request's next query (its count, a facet) reuses it; another request
    # walks again
    walks = vn_search.MATCH_KEYS.walks
    assert conn.execute(page.format(vn_search.KEYS_CLAUSE), {**params, "vn_request": "r1"}).fetchall() == rows
    assert conn.execute(count.format(vn_search.KEYS_CLAUSE), {**params, "vn_request": "r1"}).fetchone()[0] == len(rows)
    assert vn_search.MATCH_KEYS.walks == walks + 1
    assert conn.execute(page.format(vn_search.KEYS_CLAUSE), {**params, "vn_request": "r2"}).fetchall() == rows
    assert vn_search.MATCH_KEYS.walks == walks + 2


@pytest.mark.parametrize(("typed", "start", "end"), [
    ("05/03/2024", "2024-03-05", "2024-03-06"), ("5/3/2024", "2024-03-05", "2024-03-06"),
    ("03/2024", "2024-03-01", "2024-04-01"), ("12/2024", "2024-12-01", "2025-01-01"),
    ("2024", "2024-01-01", "2025-01-01"), ("2024-03-05", "2024-03-05", "2024-03-06"),
    (" 2024-3 ", "2024-03-01", "2024-04-01"), ("05.03.2024", "2024-03-05", "2024-03-06")])
def test_date_filters_read_vietnamese_forms(typed, start, end):
    first, after = search.read_period(typed)
    assert (first.isoformat(), after.isoformat()) == (f"{start}T00:00:00+07:00", f"{end}T00:00:00+07:00")
    lo, hi = search.key_range(typed, typed)
    assert hi == (MAX_KEY_SECONDS - int(first.timestamp()) + 1) * KEY_SPAN
    assert lo == (MAX_KEY_SECONDS - int(after.timestamp()) + 1) * KEY_SPAN


@pytest.mark.parametrize("typed", ["31/02/2024", "13/2024", "hôm qua", "2024/03/05", "1/1/24"])
def test_an_unreadable_date_is_named(typed):
    with pytest.raises(search.DateFilterError, match="cannot read the date .* write dd/mm/yyyy"):
        search.read_period(typed)
    assert search.date_filter_problem("", typed).startswith(f"date_to: cannot read the date {typed!r}")
