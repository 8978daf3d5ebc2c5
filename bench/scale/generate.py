"""A deterministic synthetic archive: Vietnamese-looking articles with planted entities at known rates.

    from bench.scale.generate import generate_article, ENTITIES
    fields = generate_article(17)        # article number 17 of the default seed, always the same

Pure standard library (no `crawler` import): the store runner (store_run.py) builds the root's own
`Article` from these fields, so one generator feeds the old code and the new.

* Text: syllables drawn from the fixtures' vocabulary (vocabulary.tsv) with Zipf weights by rank,
  sentences of 10-28 syllables, paragraphs of 3-6 sentences, a body of about 5 KB (log-normal length).
* Sites: 34 real rows of crawler/sites/sites.csv, with Zipf-like shares; categories with case variants
  ("Xây dựng Đảng" / "Xây dựng đảng"); authors from a pool of generated names; dates 2010-2026
  (Asia/Ho_Chi_Minh, more articles in recent years), in random order to the article number (an
  archive is not crawled in publication order).
* Planted entities (ENTITIES): person names, places, phrases and document numbers, each in a known
  share of articles. Decoys: articles that repeat a name's syllables scattered, in the title and many
  times in the body, but never as the name. `contains()` of an article is the truth: the entities
  whose folded syllables occur in a row in one column, what a phrase search over the index matches.
* Article n has the URL `{origin}/tin-tuc/{slug}-{n}.html`: a search result maps back to n by URL.
"""

from __future__ import annotations

import bisect
import csv
import html
import itertools
import math
import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bench.scale.vocabulary import load_vocabulary, strip_marks

ROOT = Path(__file__).resolve().parents[2]
SITES_CSV = ROOT / "crawler" / "sites" / "sites.csv"
DEFAULT_SEED = 13  # the number: any fixed seed gives a fixed archive

# -- the shape of the text (why each number: see the module docstring) ----------------------------
ZIPF_EXPONENT = 1.0  # Zipf's law for word frequencies: weight 1/rank
SENTENCE_SYLLABLES = (10, 28)
PARAGRAPH_SENTENCES = (3, 6)
TITLE_SYLLABLES = (8, 20)
LEAD_SYLLABLES = (25, 55)
BODY_MEDIAN_CHARS = 3600  # ~5 KB of UTF-8 at ~1.35 bytes per Vietnamese character
BODY_SIGMA = 0.45  # log-normal spread: most bodies between 2 and 10 KB
BODY_CHARS = (600, 30000)
COMMA_RATE = 0.06  # a comma after this share of syllables
YEARS = (2010, 2026)
LAST_DAY = (2026, 11, 30)
YEAR_GROWTH = 1.12  # each year has 12% more articles than the one before (more sites publish more)
SITE_COUNT = 34
AUTHOR_POOL = 3000
NO_AUTHOR_RATE = 0.15
CREDIT_RATE = 0.1
CATEGORY_VARIANT_RATE = 0.2  # share of articles whose category is spelt in its other case
DECOY_REPEATS = (6, 12)  # how often a decoy repeats each syllable of the name in its body

# A site's section and its other spelling (the category facet splits them; issue 15). Shares fall off as
# a Pareto law: most articles are news, few are in the narrow sections.
CATEGORIES = [("Thời sự", "Thời Sự"), ("Xây dựng Đảng", "Xây dựng đảng"),
              ("Công tác tuyên giáo", "Công tác Tuyên giáo"), ("Kinh tế", "Kinh Tế"),
              ("Văn hóa - Xã hội", "Văn hóa - xã hội"), ("Quốc phòng - An ninh", "Quốc phòng - an ninh"),
              ("Học tập và làm theo Bác", "Học tập và làm theo bác"), ("Tin tức - Sự kiện", "Tin tức - sự kiện"),
              ("Dân vận", "Dân Vận"), ("Kiểm tra, giám sát", "Kiểm tra - Giám sát")]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
            "Dương", "Lý", "Đinh", "Mai", "Trịnh", "Lò", "Hà", "Lương", "Cao", "Tạ"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Quốc", "Thanh", "Ngọc", "Hữu", "Xuân", "Thu", "Công", "Hồng"]
GIVEN = ["Anh", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiền", "Hoa", "Hùng", "Hương", "Khánh", "Lan",
         "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thắng", "Thảo", "Trang", "Tuấn",
         "Vân", "Yến"]
NEWSPAPERS = ["Báo Nhân Dân", "Báo Quảng Ninh", "Báo Hà Giang", "Tạp chí Cộng sản", "TTXVN", "Báo Thanh Hóa"]


@dataclass(frozen=True)
class Entity:
    kind: str  # "name" | "place" | "phrase" | "document"
    text: str  # as planted (NFC, with diacritics)
    rate: float  # share of articles it is planted in
    decoy_rate: float = 0.0  # share of articles that repeat its syllables scattered (names, places)
    query: str | None = None  # what a reader types to find it, when not the text itself

    @property
    def key(self) -> str:
        return self.text

    @property
    def tokens(self) -> tuple[str, ...]:
        """The folded index tokens of the text, as FTS5 unicode61 + đ = d splits it."""
        return tuple(fold(t) for t in TOKEN.findall(self.text))


# The planted entities. Rates span 1 in 20,000 (a rarely named official) to 1 in 25 (a slogan); at 100k
# articles every name is in >= 5 articles and has decoys that outnumber it.
ENTITIES: tuple[Entity, ...] = (
    *(Entity("name", text, rate, decoy) for text, rate, decoy in [
        ("Hà Văn Thưởng", 0.0005, 0.002), ("Nguyễn Thị Thanh Hương", 0.001, 0.002), ("Trần Quốc Vượng", 0.0002, 0.001),
        ("Lê Văn Hùng", 0.002, 0.002), ("Phạm Thị Hồng Nhung", 0.0003, 0.001), ("Đỗ Văn Chiến", 0.0008, 0.002),
        ("Hoàng Minh Tuấn", 0.0004, 0.001), ("Vũ Thị Lan Anh", 0.0006, 0.002), ("Bùi Đức Thắng", 0.0005, 0.001),
        ("Đặng Văn Bình", 0.001, 0.002), ("Ngô Thị Thu Hà", 0.0003, 0.001), ("Dương Văn An", 0.0007, 0.002),
        ("Lý Thị Mai", 0.0002, 0.001), ("Đinh Công Sơn", 0.0004, 0.001), ("Trịnh Xuân Trường", 0.0005, 0.001),
        ("Mai Văn Phước", 0.0003, 0.001), ("Lò Văn Pấng", 0.0001, 0.001)]),
    *(Entity("place", text, rate, decoy) for text, rate, decoy in [
        ("huyện Bắc Quang", 0.002, 0.002), ("xã Tân Lập", 0.003, 0.002), ("thị xã Phú Thọ", 0.001, 0.001),
        ("huyện Mường Tè", 0.0008, 0.001), ("thành phố Hạ Long", 0.004, 0.002), ("xã Đồng Tâm", 0.001, 0.001),
        ("huyện Côn Đảo", 0.0005, 0.001), ("phường Bến Nghé", 0.0005, 0.001)]),
    *(Entity("phrase", text, rate) for text, rate in [
        ("nghị quyết trung ương", 0.03), ("chuyển đổi số", 0.04), ("xây dựng nông thôn mới", 0.02),
        ("học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", 0.015),
        ("bảo vệ nền tảng tư tưởng của Đảng", 0.01), ("kinh tế tập thể", 0.005), ("cải cách hành chính", 0.01),
        ("đại hội đại biểu Đảng bộ", 0.02), ("phòng, chống tham nhũng, tiêu cực", 0.01),
        ("công tác cán bộ", 0.02)]),
    *(Entity("document", text, rate, query=text.split(" số ")[1]) for text, rate in [
        ("Nghị quyết số 18-NQ/TW", 0.004), ("Chỉ thị số 05-CT/TW", 0.006), ("Kết luận số 21-KL/TW", 0.002),
        ("Quy định số 144-QĐ/TW", 0.001), ("Nghị quyết số 57-NQ/TW", 0.003), ("Chỉ thị số 35-CT/TW", 0.0015),
        ("Quyết định số 99-QĐ/TW", 0.0005), ("Nghị quyết số 26-NQ/TW", 0.0008)]),
)

TOKEN = re.compile(r"[^\W_]+")  # FTS5 unicode61: letters and digits make tokens, the rest separates


def fold(token: str) -> str:
    """The index form of a token: lower case, no marks, đ = d ('Đảng' -> 'dang')."""
    return strip_marks(token.lower())


# -- the corpus model, built once per process ----------------------------------------------------


@dataclass(frozen=True)
class Model:
    syllables: list[str]
    folded: dict[str, str]
    cum_weights: list[float]
    sites: list[dict[str, str]]
    site_cum: list[float]
    authors: list[str]
    author_cum: list[float]
    year_cum: list[float]
    needles: list[tuple[str, set[str], str]]  # per entity: key, its folded tokens, " tok tok " to find


def zipf_cum(n: int, exponent: float = ZIPF_EXPONENT) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank ** exponent) for rank in range(1, n + 1)))


def registry_sites(count: int = SITE_COUNT) -> list[dict[str, str]]:
    """`count` real sites of the registry: active ones with an origin, in registry order."""
    with SITES_CSV.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["status"] == "active" and r["origin"].startswith("http")]
    return rows[:count]


@cache
def model() -> Model:
    syllables = load_vocabulary()
    sites = registry_sites()
    rng = random.Random(DEFAULT_SEED)
    authors = sorted({f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}" for _ in range(AUTHOR_POOL)})
    rng.shuffle(authors)
    years = range(YEARS[0], YEARS[1] + 1)
    return Model(syllables, {s: fold(s) for s in syllables}, zipf_cum(len(syllables)), sites,
                 zipf_cum(len(sites), 0.7), authors, zipf_cum(len(authors)),
                 list(itertools.accumulate(YEAR_GROWTH ** i for i, _ in enumerate(years))),
                 [(e.key, set(e.tokens), " " + " ".join(e.tokens) + " ") for e in ENTITIES])


# -- one article -------------------------------------------------------------------------------


def _words(rng: random.Random, m: Model, low_high: tuple[int, int]) -> list[str]:
    return rng.choices(m.syllables, cum_weights=m.cum_weights, k=rng.randint(*low_high))


def _sentence(words: list[str], rng: random.Random) -> str:
    words = [w + "," if rng.random() < COMMA_RATE else w for w in words[:-1]] + words[-1:]
    text = " ".join(words)
    return text[:1].upper() + text[1:] + "."


def _published(rng: random.Random, m: Model) -> str:
    year = YEARS[0] + bisect.bisect_left(m.year_cum, rng.random() * m.year_cum[-1])
    last_month = LAST_DAY[1] if year == LAST_DAY[0] else 12
    month = rng.randint(1, last_month)
    days = 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31
    day = rng.randint(1, min(days, LAST_DAY[2]) if (year, month) == LAST_DAY[:2] else days)
    return f"{year:04d}-{month:02d}-{day:02d}T{rng.randint(6, 21):02d}:{rng.choice((0, 15, 30, 45)):02d}:00+07:00"


def _insert_phrase(sentences: list[list[str]], phrase: list[str], rng: random.Random) -> None:
    sentence = rng.choice(sentences)
    at = rng.randint(0, len(sentence))
    sentence[at:at] = phrase


def _scatter(sentences: list[list[str]], words: list[str], rng: random.Random) -> None:
    """Each word of `words` many times, one per sentence position, never two of them side by side."""
    for word in words:
        for _ in range(rng.randint(*DECOY_REPEATS)):
            sentence = rng.choice(sentences)
            at = rng.randint(1, max(1, len(sentence) - 1))
            sentence[at:at] = [word, rng.choice(("của", "và", "các", "trong", "với"))]


def _index_tokens(sentences: list[list[str]], m: Model) -> list[str]:
    stream: list[str] = []
    for sentence in sentences:
        for word in sentence:
            folded = m.folded.get(word)  # a vocabulary syllable; planted words may hold "-", "/" or ","
            if folded is None:
                stream.extend(fold(t) for t in TOKEN.findall(word))
            else:
                stream.append(folded)
    return stream


def contains(columns: dict[str, list[list[str]]], m: Model) -> list[str]:
    """The keys of the entities whose folded tokens occur in a row within one column (the truth)."""
    streams = [_index_tokens(sentences, m) for sentences in columns.values()]
    present = set().union(*streams)
    texts = [" " + " ".join(stream) + " " for stream in streams]
    return [key for key, tokens, needle in m.needles
            if tokens <= present and any(needle in text for text in texts)]


def generate_article(n: int, seed: int = DEFAULT_SEED) -> dict:
    """Article number n (from 1): the fields of crawler.extract.article.Article, plus `site`,
    `province`, `seen_at` (when it was archived) and `contains` (planted entity keys)."""
    m = model()
    rng = random.Random(f"{seed}:{n}")
    site = m.sites[bisect.bisect_left(m.site_cum, rng.random() * m.site_cum[-1])]

    title = [_words(rng, m, TITLE_SYLLABLES)]
    lead = [_words(rng, m, LEAD_SYLLABLES)]
    target = min(max(int(rng.lognormvariate(math.log(BODY_MEDIAN_CHARS), BODY_SIGMA)), BODY_CHARS[0]), BODY_CHARS[1])
    body: list[list[str]] = []
    length = 0
    while length < target:
        body.append(_words(rng, m, SENTENCE_SYLLABLES))
        length += sum(len(w) + 1 for w in body[-1])

    for entity in ENTITIES:
        words = entity.text.split()
        draw = rng.random()
        if draw < entity.rate:
            for _ in range(rng.choice((1, 1, 2, 3))):
                _insert_phrase(body, list(words), rng)
            if rng.random() < 0.2:
                _insert_phrase(title, list(words), rng)
            elif rng.random() < 0.3:
                _insert_phrase(lead, list(words), rng)
        elif draw < entity.rate + entity.decoy_rate:
            _scatter(body, words, rng)
            title[0][1:1] = [words[-1], "và", *words[:-1][::-1]]  # the syllables in the title, out of order

    paragraphs, i = [], 0
    while i < len(body):
        k = rng.randint(*PARAGRAPH_SENTENCES)
        paragraphs.append(" ".join(_sentence(s, rng) for s in body[i:i + k]))
        i += k
    title_text = _sentence(title[0], rng).rstrip(".")
    lead_text = _sentence(lead[0], rng)
    published_at = _published(rng, m)
    pairs = CATEGORIES[min(int(rng.paretovariate(1.2)) - 1, len(CATEGORIES) - 1)]
    category = pairs[1] if rng.random() < CATEGORY_VARIANT_RATE else pairs[0]
    author = (None if rng.random() < NO_AUTHOR_RATE
              else m.authors[bisect.bisect_left(m.author_cum, rng.random() * m.author_cum[-1])])
    slug = "-".join(fold(w) for w in TOKEN.findall(title_text)[:8])
    images = [{"src": f"{site['origin']}/uploads/{published_at[:4]}/{n}-{k}.jpg", "alt": None,
               "caption": _sentence(_words(rng, m, (6, 14)), rng)} for k in range(rng.choice((0, 1, 1, 2, 3)))]
    return {
        "url": f"{site['origin']}/tin-tuc/{slug}-{n}.html",
        "title": title_text,
        "lead": lead_text,
        "paragraphs": paragraphs,
        "body_html": "<div class=\"content\">" + "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
                     + "".join(f"<figure><img src=\"{img['src']}\"><figcaption>{html.escape(img['caption'])}"
                               "</figcaption></figure>" for img in images) + "</div>",
        "author": author,
        "credit": rng.choice(NEWSPAPERS) if rng.random() < CREDIT_RATE else None,
        "published_at": published_at,
        "published_raw": f"{published_at[8:10]}/{published_at[5:7]}/{published_at[:4]} {published_at[11:16]}",
        "category": category,
        "images": images,
        "extraction_method": "site-rules",
        "site": site["name"],
        "province": site["province"] or None,
        "seen_at": published_at[:10] + "T23:00:00+07:00",
        "contains": contains({"title": title, "lead": lead, "body": body}, m),
    }


def article_number(url: str) -> int:
    """n of the article generated as number n, from its URL."""
    return int(url.rsplit("-", 1)[1].split(".", 1)[0])
