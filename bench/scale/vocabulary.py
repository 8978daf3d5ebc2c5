"""The syllable vocabulary of the synthetic archive, derived from the Vietnamese text of the test mirrors.

    .venv/bin/python -m bench.scale.vocabulary     # rewrites bench/scale/vocabulary.tsv

The file is committed, so a generated archive does not change when a fixture page does. Each line is a
syllable (NFC, lower case, with its diacritics) and how often it occurs in tests/fixtures/**/*.html; the
generator uses only the rank (Zipf weights, generate.py).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
VOCABULARY_FILE = Path(__file__).resolve().parent / "vocabulary.tsv"
MIN_COUNT = 2  # a syllable seen once is as likely a typo or a name as a word

# A Vietnamese syllable once its marks are stripped: onset, one to three vowels, coda. English menu words
# ("home", "news", "search") fail it, so the vocabulary stays Vietnamese.
SYLLABLE = re.compile(r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$")
_MARKUP = re.compile(r"(?is)<(script|style)\b.*?</\1>|<[^>]+>")
_WORD = re.compile(r"[^\W\d_]+")


def strip_marks(word: str) -> str:
    """`word` without tone and vowel marks, đ as d: 'đường' -> 'duong'."""
    bare = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D")


def is_vietnamese_syllable(word: str) -> bool:
    return bool(SYLLABLE.match(strip_marks(word.lower())))


def page_text(raw: bytes) -> str:
    return unicodedata.normalize("NFC", html.unescape(_MARKUP.sub(" ", raw.decode("utf-8", "replace"))))


def count_syllables(root: Path = FIXTURES) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in sorted(root.rglob("*.html")):
        counts.update(w.lower() for w in _WORD.findall(page_text(path.read_bytes())) if is_vietnamese_syllable(w))
    return counts


def write_vocabulary(path: Path = VOCABULARY_FILE) -> int:
    """Rewrite the vocabulary file from the fixtures; returns how many syllables it holds."""
    ranked = [(w, n) for w, n in count_syllables().most_common() if n >= MIN_COUNT]
    ranked.sort(key=lambda item: (-item[1], item[0]))  # ties in a fixed order: the file is reproducible
    path.write_text("".join(f"{w}\t{n}\n" for w, n in ranked), encoding="utf-8")
    return len(ranked)


def load_vocabulary(path: Path = VOCABULARY_FILE) -> list[str]:
    """The syllables, most frequent first."""
    return [line.split("\t", 1)[0] for line in path.read_text(encoding="utf-8").splitlines() if line]


if __name__ == "__main__":
    print(f"{write_vocabulary()} syllables -> {VOCABULARY_FILE.relative_to(ROOT)}")
