"""`category_label`: a site's section name normalised for faceting (the raw `category` is kept beside it).

Sites write the same section in several ways ("Công tác Tuyên giáo" and "Công tác tuyên giáo",
"TIN TỨC", a double space, decomposed tone marks), which splits a facet. The label is NFC, with
single spaces, and in the capitalisation Vietnamese uses for a heading: the first word of the label
(and of each part after " - ", ":" or "|") capitalised, every other word lower-case, except the names
Vietnamese writes capitalised wherever they stand (`PROPER_NAMES`) and acronyms (HĐND, MTTQ).

    >>> category_label("Công tác Tuyên giáo"), category_label("công tác  tuyên giáo ")
    ('Công tác tuyên giáo', 'Công tác tuyên giáo')
    >>> category_label("TIN TỨC - SỰ KIỆN"), category_label("Hoạt động Đảng ủy Khối")
    ('Tin tức - Sự kiện', 'Hoạt động Đảng ủy Khối')
    >>> category_label("Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh")
    'Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh'
    >>> category_label("Tin Trà Vinh"), category_label("Hoạt động HĐND"), category_label("  ")
    ('Tin Trà Vinh', 'Hoạt động HĐND', None)
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from crawler.extract.cleaning import normalize_text
from crawler.extract.gazetteer import PROVINCES_NEW, PROVINCES_OLD

# Capitalised wherever they stand in Vietnamese (the Party, the President, the central bodies, the
# provinces); written here as they should appear. Longer names first, so "Đảng ủy Khối" wins over "Đảng".
PROPER_NAMES = tuple(sorted({
    "Đảng", "Đảng ủy Khối", "Bác", "Bác Hồ", "Hồ Chí Minh", "Trung ương", "Ban Tuyên giáo", "Tỉnh ủy",
    "Thành ủy", "Nhà nước", "Quốc hội", "Chính phủ", "Mặt trận Tổ quốc", "Tổ quốc", "Việt Nam",
    *PROVINCES_OLD, *PROVINCES_NEW,
}, key=lambda name: (-len(name.split()), name)))
# The names by their first folded word: (folded words, the words as spelt), longest first.
_NAMES_BY_FIRST: dict[str, list[tuple[list[str], list[str]]]] = {}
for _name in PROPER_NAMES:
    _NAMES_BY_FIRST.setdefault(_name.split()[0].casefold(), []).append((_name.casefold().split(), _name.split()))
# Where a new part of a heading starts (its first word is capitalised like the label's first).
PART_SEPARATORS = {"-", "–", "—", ":", "|", "/"}
_WORD = re.compile(r"\S+")
_PUNCTUATION = ",.;!?()[]\"'“”‘’«»"


def _capitalised(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


@lru_cache(maxsize=4096)  # a site has a few dozen sections: every article repeats one
def category_label(category: str | None) -> str | None:
    """The section name as the facet shows it (None for an empty one)."""
    if not category:
        return None
    text = " ".join(unicodedata.normalize("NFC", normalize_text(category)).split())
    if not text:
        return None
    words = _WORD.findall(text)
    shouting = all(_is_acronym(w) or not any(c.isalpha() for c in w) for w in words)
    folded = [w.strip(_PUNCTUATION).casefold() for w in words]
    out: list[str] = []
    starts_part = True
    i = 0
    while i < len(words):
        name = next((spelt for name, spelt in _NAMES_BY_FIRST.get(folded[i], ()) if folded[i:i + len(name)] == name),
                    None)
        if name:
            for spelt in name:  # the name as written, the punctuation around it kept
                out.append(words[i].replace(words[i].strip(_PUNCTUATION), spelt))
                i += 1
            starts_part = False
            continue
        word = words[i]
        if word in PART_SEPARATORS:
            out.append(word)
            starts_part = True
        elif _is_acronym(word) and not shouting:
            out.append(word)
            starts_part = False
        else:
            out.append(_capitalised(word) if starts_part else word.lower())
            starts_part = False
        i += 1
    return " ".join(out)
