"""Vietnam's provinces before and after the 2025 merger, and `find_places(text, title, site_province)`.

Pure: the standard library and crawler/extract/names.py. This is the project's one province mapping
(crawler/sites and people.py derive theirs from it), and `nfc_with_offsets` the NFC helper the text
modules gazetteer, people and references share.

    >>> len(PROVINCES_OLD), len(PROVINCES_NEW)
    (63, 34)
    >>> province_2025("Vĩnh Phúc"), province_2025("TP.HCM"), province_2025("Thừa Thiên Huế"), province_2025("Narnia")
    ('Phú Thọ', 'Hồ Chí Minh', 'Huế', None)
    >>> MERGED_INTO["Ninh Bình"]
    ('Ninh Bình', 'Hà Nam', 'Nam Định')
    >>> [(p.province_2025, p.province_old, p.evidence, p.count)
    ...  for p in find_places("Tỉnh ủy Vĩnh Phúc làm việc với TP.HCM", title="Vĩnh Phúc: Chú trọng tham mưu")]
    [('Phú Thọ', 'Vĩnh Phúc', ('title_prefix', 'mention'), 2), ('Hồ Chí Minh', 'Hồ Chí Minh', ('mention',), 1)]
    >>> find_places("thủy điện Hòa Bình nằm trên sông Đà; ông Trần Thái Bình; Thái Bình Dương; long an")
    [Place(province_2025='Phú Thọ', province_old='Hòa Bình', evidence=('mention',), count=1, first=10)]

The 2025 merger
---------------
Nghị quyết 202/2025/QH15 of the Quốc hội (12 June 2025, in force from 1 July 2025) reduced the 63
provinces and centrally-run cities to 34: 11 unchanged, 23 formed by merging two or three. Each new
unit takes the name of one of its members. `MERGED_INTO` lists, for each of the 34, the pre-2025
provinces that form it (the one that gave its name first); `PROVINCE_2025` maps each of the 63 to
its 2025 province. Thừa Thiên Huế had already become the centrally-run city of Huế on 1 January
2025 (Nghị quyết 1314/NQ-UBTVQH15); it keeps its territory, so `Huế` is both its 2025 name and the
name used after that date. Names are spelt as in the site registry (crawler/sites/sites.csv):
`Hồ Chí Minh` for Thành phố Hồ Chí Minh, `Bà Rịa - Vũng Tàu`, `Thanh Hóa`, `Khánh Hòa`, `Hòa Bình`.

The 5 centrally-run cities before 2025 are Hà Nội, Hồ Chí Minh, Hải Phòng, Đà Nẵng and Cần Thơ
(`CITIES_OLD`); since 2025, 6, with Huế (`CITIES_2025`).

Matching
--------
Each province is found by its name and its variants: old tone placement (`Thanh Hoá`, `Khánh
Hoà`, `Hoà Bình`), spellings in use (`Bắc Cạn`, `Đắc Lắc`, `Đăk Lăk`, `Daklak`, `Đăk Nông`,
`Kontum`, `Thừa Thiên - Huế`, `TT-Huế`, `Bà Rịa Vũng Tàu`, any dash between Bà Rịa and Vũng Tàu),
abbreviations (`HN`, `BR-VT`, `BRVT`, `TP HCM`, `TP.HCM`, `TPHCM`, `Tp. Hồ Chí Minh`, `HCMC`),
the all-capitals form of each name with diacritics (`QUẢNG NINH`), and the diacritics-free form of
each name of two or more syllables (`Quang Ninh`, `Ha Noi`, `Hanoi`, `Thua Thien Hue`), capitalised.
Matching is case-sensitive and on whole syllables: a name is never matched inside a word, `long
an` in lower case is not Long An, and no single-syllable diacritics-free form is used (`Hue`).

Precision rules, each because of a real confusion:

* `Hồ Chí Minh` alone is the President (tư tưởng Hồ Chí Minh, Bảo tàng Hồ Chí Minh, Đoàn TNCS Hồ Chí
  Minh, Học viện ... Hồ Chí Minh): only the city forms count (TP / Tp. / thành phố Hồ Chí Minh, TP.HCM, ...);
* a name right after a lower administrative unit or a feature is that place, not the province
  (`xã Quảng Ninh`, `huyện Hòa Bình`, `phường`, `thị trấn`, `thôn`, `ấp`, `đường`, `phố` (but
  `thành phố` counts), `ngõ`, `cầu`, `sông Đồng Nai`, `đèo`, `núi`, `vịnh`, `chợ`, `xa lộ Hà Nội`, ...);
* a name right after a capitalised syllable is part of a longer name (`Trần Thái Bình`, `Giải
  Nobel Hòa Bình`, `Chuyên Bắc Ninh`) unless that syllable opens a sentence and is not a family or
  middle name, or is an administrative word (`Tỉnh`, `Thành Phố`, `Tp`, `Báo`, `Đài`, `Đảng Bộ`, `Ủy`...);
* longer names containing a province are matched whole and give nothing: `Thái Bình Dương` (the
  Pacific), `Đồng Tháp Mười` (a region across three provinces), and the former provinces split
  between 2025 provinces (`Nghĩa Bình`, `Bình Trị Thiên`, `Hà Sơn Bình`, `Hải Hưng`, `Nghệ Tĩnh`,
  `Sông Bé`, `Phú Khánh`, `Thuận Hải`, `Cao Lạng`, `Hoàng Liên Sơn`). The former provinces lying
  wholly inside one 2025 province (`HISTORICAL`: Hà Nam Ninh, Vĩnh Phú, Hà Tuyên, Bắc Thái, Hà
  Bắc, Minh Hải, Cửu Long, Quảng Nam - Đà Nẵng, Hà Tây) give that province with province_old None;
  so "Hà Nam" does not fire inside "Hà Nam Ninh", which gives Ninh Bình (the same territory);
* `Huế`, also a given name, does not count after a kinship or person word (`chị Huế`, `đồng chí Huế`).

A name followed by a lower-case word still counts: "Nam Định hướng tới ..." is Nam Định ("Nam Định
aims at ..."); `định hướng` in lower case never matches `Nam Định`.

`find_places` returns one `Place` per (province_2025, province_old): `province_old` is the
pre-2025 province the mention names (a province unchanged in 2025 names itself; `Huế` names the
2025 city, so its province_old is None, while `Thừa Thiên Huế` gives `Thừa Thiên Huế`), `evidence`
a tuple of `title_prefix` (the title opens with the name and a colon or dash: "Vĩnh Phúc: ..."),
`site` (the site's own province, `site_province`, as published or as of 2025) and `mention`
(named in the title or text), `count` the number of mentions (title and text; the title is not
counted twice when the text starts with it), `first` the offset of the first mention in `text`
(None when only the title or the site gives it). Places come strongest first: title prefix,
site, then by count and first offset. Offsets refer to the input (NFC is applied internally).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from crawler.extract.names import MIDDLE_NAMES, SURNAMES

__all__ = ["CITIES_2025", "CITIES_OLD", "HISTORICAL", "MERGED_INTO", "PROVINCES_NEW", "PROVINCES_OLD", "PROVINCE_2025",
           "Place", "aliases", "find_places", "nfc_with_offsets", "province_2025", "strip_diacritics"]

# The 34 provinces since 2025 -> the pre-2025 provinces forming each (the name-giver first).
MERGED_INTO: dict[str, tuple[str, ...]] = {
    # unchanged (11)
    "Hà Nội": ("Hà Nội",), "Huế": ("Thừa Thiên Huế",), "Lai Châu": ("Lai Châu",), "Điện Biên": ("Điện Biên",),
    "Sơn La": ("Sơn La",), "Lạng Sơn": ("Lạng Sơn",), "Quảng Ninh": ("Quảng Ninh",), "Thanh Hóa": ("Thanh Hóa",),
    "Nghệ An": ("Nghệ An",), "Hà Tĩnh": ("Hà Tĩnh",), "Cao Bằng": ("Cao Bằng",),
    # merged (23)
    "Tuyên Quang": ("Tuyên Quang", "Hà Giang"),
    "Lào Cai": ("Lào Cai", "Yên Bái"),
    "Thái Nguyên": ("Thái Nguyên", "Bắc Kạn"),
    "Phú Thọ": ("Phú Thọ", "Vĩnh Phúc", "Hòa Bình"),
    "Bắc Ninh": ("Bắc Ninh", "Bắc Giang"),
    "Hưng Yên": ("Hưng Yên", "Thái Bình"),
    "Hải Phòng": ("Hải Phòng", "Hải Dương"),
    "Ninh Bình": ("Ninh Bình", "Hà Nam", "Nam Định"),
    "Quảng Trị": ("Quảng Trị", "Quảng Bình"),
    "Đà Nẵng": ("Đà Nẵng", "Quảng Nam"),
    "Quảng Ngãi": ("Quảng Ngãi", "Kon Tum"),
    "Gia Lai": ("Gia Lai", "Bình Định"),
    "Khánh Hòa": ("Khánh Hòa", "Ninh Thuận"),
    "Lâm Đồng": ("Lâm Đồng", "Đắk Nông", "Bình Thuận"),
    "Đắk Lắk": ("Đắk Lắk", "Phú Yên"),
    "Hồ Chí Minh": ("Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"),
    "Đồng Nai": ("Đồng Nai", "Bình Phước"),
    "Tây Ninh": ("Tây Ninh", "Long An"),
    "Cần Thơ": ("Cần Thơ", "Sóc Trăng", "Hậu Giang"),
    "Vĩnh Long": ("Vĩnh Long", "Bến Tre", "Trà Vinh"),
    "Đồng Tháp": ("Đồng Tháp", "Tiền Giang"),
    "Cà Mau": ("Cà Mau", "Bạc Liêu"),
    "An Giang": ("An Giang", "Kiên Giang"),
}
PROVINCES_NEW: tuple[str, ...] = tuple(MERGED_INTO)
PROVINCES_OLD: tuple[str, ...] = tuple(old for members in MERGED_INTO.values() for old in members)
PROVINCE_2025: dict[str, str] = {old: new for new, members in MERGED_INTO.items() for old in members}
CITIES_OLD = ("Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ")
CITIES_2025 = ("Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ")

# Extra spellings and abbreviations (diacritics-free forms and the capitals are added below).
_VARIANTS: dict[str, tuple[str, ...]] = {
    "Bắc Kạn": ("Bắc Cạn",),
    "Đắk Lắk": ("Đắc Lắc", "Đăk Lăk", "Đắk Lắc", "Đăk Lắk", "Đắc Lắk", "Đaklak", "Daklak", "DakLak"),
    "Đắk Nông": ("Đắc Nông", "Đăk Nông", "Daknong", "DakNong"),
    "Kon Tum": ("Kontum", "KonTum"),
    "Thừa Thiên Huế": ("Thừa Thiên - Huế", "TT-Huế", "TT Huế", "TT. Huế"),
    "Bà Rịa - Vũng Tàu": ("Bà Rịa Vũng Tàu", "BR-VT", "BRVT"),
    "Hà Nội": ("HN", "Hanoi"),
    "Đà Nẵng": ("Danang",),
    "Hải Phòng": ("Haiphong",),
}
_HCM_FORMS = ("TP Hồ Chí Minh", "TP. Hồ Chí Minh", "TP.Hồ Chí Minh", "Tp Hồ Chí Minh", "Tp. Hồ Chí Minh",
              "Tp.Hồ Chí Minh", "thành phố Hồ Chí Minh", "Thành phố Hồ Chí Minh", "Thành Phố Hồ Chí Minh",
              "TPHCM", "TP.HCM", "TP HCM", "TP. HCM", "Tp.HCM", "Tp HCM", "Tp. HCM", "TP.HỒ CHÍ MINH",
              "TP. HỒ CHÍ MINH", "THÀNH PHỐ HỒ CHÍ MINH", "Ho Chi Minh City", "HCMC", "HCM City",
              "TP Ho Chi Minh", "TP. Ho Chi Minh")
# Former provinces (1960s-2008) lying wholly inside one 2025 province: -> that province (province_old None).
HISTORICAL: dict[str, str] = {"Hà Nam Ninh": "Ninh Bình", "Vĩnh Phú": "Phú Thọ", "Hà Tuyên": "Tuyên Quang",
                              "Bắc Thái": "Thái Nguyên", "Hà Bắc": "Bắc Ninh", "Minh Hải": "Cà Mau",
                              "Cửu Long": "Vĩnh Long", "Quảng Nam - Đà Nẵng": "Đà Nẵng", "Hà Tây": "Hà Nội"}
# Longer names that contain a province's name and are something else, or former provinces split in
# 2025: matched whole, ignored.
_BLOCKERS = ("Thái Bình Dương", "Đồng Tháp Mười", "Nghĩa Bình", "Bình Trị Thiên", "Hà Sơn Bình", "Hải Hưng",
             "Nghệ Tĩnh", "Sông Bé", "Phú Khánh", "Thuận Hải", "Cao Lạng", "Hoàng Liên Sơn", "Thai Binh Duong")
_LOWER_UNITS = {"xã", "phường", "huyện", "quận", "trấn", "ấp", "thôn", "bản", "làng", "đường", "ngõ", "ngách", "hẻm",
                "cầu", "sông", "đèo", "núi", "vịnh", "chợ", "lộ", "kênh", "rạch", "khóm", "buôn", "sóc", "plei"}
_ALLOWED_BEFORE = {"Tỉnh", "Thành", "Phố", "Tp", "Đảng", "Bộ", "Báo", "Đài", "Ủy", "Uỷ", "Cổng", "Trang", "Về",
                   "Tại", "Ở", "Từ", "Đến", "Với", "Cho", "Của", "Và", "Như", "Cùng", "Theo", "Trong", "Ngoài",
                   "Giữa", "Thủ", "Đô"}
_PERSON_WORDS = {"anh", "chị", "em", "bà", "ông", "cô", "chú", "bác", "cháu", "con", "mẹ", "bố", "cụ", "thầy", "bạn",
                 "chí", "cậu", "dì", "mợ", "thím", "o"}
_NAME_SYLLABLES = SURNAMES | MIDDLE_NAMES  # a capitalised one right before a province name: a person's name


@dataclass(frozen=True)
class Place:
    province_2025: str
    province_old: str | None
    evidence: tuple[str, ...]  # of "title_prefix", "site", "mention", strongest first
    count: int
    first: int | None


def strip_diacritics(text: str) -> str:
    """>>> strip_diacritics("Đắk Lắk, Thừa Thiên Huế")
    'Dak Lak, Thua Thien Hue'
    """
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _old_tone(name: str) -> str:
    """The old tone placement (hoà, hoá, thuỷ) of a name spelt the new way (hòa, hóa, thủy)."""
    pairs = {"òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ", "ùy": "uỳ", "úy": "uý", "ủy": "uỷ",
             "ũy": "uỹ", "ụy": "uỵ"}
    for new, old in pairs.items():
        name = name.replace(new, old)
    return name


def aliases() -> dict[str, tuple[str, str | None]]:
    """Every matched form -> (province_2025, province_old); blockers map to ("", None).

    >>> aliases()["Quang Ninh"], aliases()["Huế"], aliases()["BR-VT"]
    (('Quảng Ninh', 'Quảng Ninh'), ('Huế', None), ('Hồ Chí Minh', 'Bà Rịa - Vũng Tàu'))
    """
    return dict(_ALIASES)


def _build_aliases() -> dict[str, tuple[str, str | None]]:
    table: dict[str, tuple[str, str | None]] = {}

    def add(form: str, target: tuple[str, str | None], with_plain: bool = True) -> None:
        forms = {form, _old_tone(form)}
        if not form.isupper() and (len(form.split()) > 1 or strip_diacritics(form) != form):
            forms |= {f.upper() for f in forms}  # QUẢNG NINH, LONG AN, HUẾ
        if with_plain and len(form.split()) > 1:
            forms.add(strip_diacritics(form))  # Quang Ninh
        for f in forms:
            table.setdefault(f, target)

    for old in PROVINCES_OLD:
        if old == "Hồ Chí Minh":
            continue
        target = (PROVINCE_2025[old], old)
        add(old, target)
        for variant in _VARIANTS.get(old, ()):
            add(variant, target, with_plain=not variant.isascii())
    add("Huế", ("Huế", None))
    for form in _HCM_FORMS:
        table.setdefault(form, ("Hồ Chí Minh", "Hồ Chí Minh"))
        table.setdefault(strip_diacritics(form), ("Hồ Chí Minh", "Hồ Chí Minh"))
    for former, new in HISTORICAL.items():
        add(former, (new, None))
    for blocker in _BLOCKERS:
        for form in (blocker, strip_diacritics(blocker), blocker.upper()):
            table[form] = ("", None)
    for plain in ("Hue", "HUE"):  # single syllables without diacritics: too ambiguous
        table.pop(plain, None)
    return table


_ALIASES = _build_aliases()
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"
# between the words of a form: spaces; a dash, spaces allowed ("Bà Rịa-Vũng Tàu"); a dot, spaces optional ("TP.HCM")
_UNIT_PATTERNS = {"space": r"[ \t\u00a0]+", "dot": r"\.[ \t\u00a0]*", "dash": rf"\s*[{re.escape(_DASHES)}]\s*"}


def _units(form: str) -> list[str]:
    """A form as the units of its pattern: its characters, and "space", "dot", "dash" between words."""
    units: list[str] = []
    for k, part in enumerate(re.split(r"\s*-\s*", form)):
        units += ["dash"] if k else []
        for j, word in enumerate(part.split()):
            if j and units[-1] == ".":
                units[-1] = "dot"
            elif j:
                units.append("space")
            units.extend(word)
    return units


def _trie_pattern(forms: list[str]) -> str:
    r"""One regex for every form, whole words only, as a trie (longer continuations first): some 20 times
    faster than an alternation, as is "no letter before" after the first letter (`H(?<!\w.)`, not `(?<!\w)H`)."""
    root: dict = {}
    for form in forms:
        node = root
        for unit in _units(form):
            node = node.setdefault(unit, {})
        node[""] = {}

    def emit(node: dict, first: bool = False) -> str:
        branches = [(_UNIT_PATTERNS.get(unit) or re.escape(unit)) + (r"(?<!\w.)" if first else "") + emit(child)
                    if unit else "" for unit, child in sorted(node.items(), key=lambda item: item[0] == "")]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    assert all(len(unit) == 1 and unit.isalpha() for unit in root)  # every form starts with a letter
    return emit(root, first=True) + r"(?!\w)"


_FORMS = sorted(_ALIASES, key=len, reverse=True)
_PLACE_RE = re.compile(_trie_pattern(_FORMS))
_FORM_KEYS = {unicodedata.normalize("NFC", re.sub(rf"\s*[{re.escape(_DASHES)}]\s*", "-", re.sub(r"\s+", " ", f))): f
              for f in _FORMS}
_SQUEEZED_KEYS = {re.sub(r"[\s-]", "", k): v for k, v in _FORM_KEYS.items()}
_PLAIN_NAME_SYLLABLES = {strip_diacritics(n) for n in _NAME_SYLLABLES}
_WORD_BEFORE_RE = re.compile(r"(?:^|(?<=[\s(\"“'‘]))(?P<w>[\w.]+)[ \t\u00a0]+$")
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?:;…\n(\"“'‘•\-–—]\s*)$")


@lru_cache(maxsize=4096)  # the same few hundred forms over and over
def _lookup(matched: str) -> tuple[str, str | None] | None:
    key = unicodedata.normalize("NFC", re.sub(rf"\s*[{re.escape(_DASHES)}]\s*", "-", re.sub(r"\s+", " ", matched)))
    form = _FORM_KEYS.get(key)
    if form is None:  # "TP.  HCM", "TT -Huế": spacing differs from every listed form
        form = _SQUEEZED_KEYS.get(re.sub(r"[\s-]", "", key))
    return _ALIASES.get(form) if form else None


@lru_cache(maxsize=8)  # the extractors read one text in turn (crawler/enrich.py); the result is never changed
def nfc_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """`text` in NFC and, when that changed it, the input offset of each NFC offset (plus the end), to give
    offsets found in the NFC text back in the input (None: no change, or a rare composition across segments).

    >>> nfc_with_offsets("Hà Nội")[1] is None, nfc_with_offsets("Ha\u0300 Nội")
    (True, ('Hà Nội', [0, 1, 3, 4, 5, 6, 7]))
    """
    if unicodedata.is_normalized("NFC", text):
        return text, None
    whole = unicodedata.normalize("NFC", text)
    starts = [i for i, ch in enumerate(text) if i == 0 or not unicodedata.combining(ch)]
    pieces: list[str] = []
    mapping: list[int] = []
    for k, s in enumerate(starts):
        e = starts[k + 1] if k + 1 < len(starts) else len(text)
        segment = text[s:e]
        normal = unicodedata.normalize("NFC", segment)
        pieces.append(normal)
        mapping.extend(s + j if normal == segment else (s if j == 0 else e) for j in range(len(normal)))
    if "".join(pieces) != whole:  # a composition across segments: offsets refer to the NFC text
        return whole, None
    mapping.append(len(text))
    return whole, mapping


def _accepted(text: str, start: int, matched: str) -> bool:
    before = text[max(0, start - 60):start]
    m = _WORD_BEFORE_RE.search(before)
    if not m:
        return True  # start of text, or punctuation right before
    if m["w"].endswith("."):
        return True  # "... cấp huyện. Vĩnh Phúc có": a sentence ends before the name (or "Tp. ")
    word = m["w"]
    lower = word.lower()
    if lower in _LOWER_UNITS:
        return False
    if lower == "phố":
        previous = _WORD_BEFORE_RE.search(before[:m.start()])
        return bool(previous) and previous["w"].lower() == "thành"
    if len(matched.split()) == 1 and not matched.isupper() and lower in _PERSON_WORDS:
        return False
    if word[:1].isupper() and word[1:].islower():  # a capitalised syllable
        if word in _ALLOWED_BEFORE:
            return True
        if word in _NAME_SYLLABLES or word in _PLAIN_NAME_SYLLABLES:
            return False
        return bool(_SENTENCE_START_RE.search(before[:m.start()]))
    return True


def _mentions(text: str) -> list[tuple[int, int, tuple[str, str | None]]]:
    found = []
    for m in _PLACE_RE.finditer(text):
        target = _lookup(m.group())
        if target is None or not target[0]:
            continue
        if _accepted(text, m.start(), m.group()):
            found.append((m.start(), m.end(), target))
    return found


def _resolve(name: str) -> tuple[str, str | None] | None:
    norm = unicodedata.normalize("NFC", name.strip())
    if norm in MERGED_INTO and norm not in PROVINCE_2025:
        return norm, None
    if norm in PROVINCE_2025:
        return PROVINCE_2025[norm], norm
    target = _lookup(norm)
    return target if target and target[0] else None


def province_2025(name: str | None) -> str | None:
    """The 2025 province of a province's name (pre-2025, 2025, or any variant matched in texts)."""
    if not name:
        return None
    target = _resolve(name)
    return target[0] if target else None


def find_places(text: str, title: str = "", site_province: str | None = None) -> list[Place]:
    """The provinces `text` (and its `title`, on its site) is about; see the module doc."""
    norm, mapping = nfc_with_offsets(text)
    title_norm = unicodedata.normalize("NFC", title or "").strip()
    evidence: dict[tuple[str, str | None], set[str]] = {}
    counts: dict[tuple[str, str | None], int] = {}
    firsts: dict[tuple[str, str | None], int] = {}
    for start, _end, target in _mentions(norm):
        evidence.setdefault(target, set()).add("mention")
        counts[target] = counts.get(target, 0) + 1
        firsts.setdefault(target, start if mapping is None else mapping[start])
    if title_norm:
        title_mentions = _mentions(title_norm)
        if not norm.lstrip().startswith(title_norm):
            for _start, _end, target in title_mentions:
                evidence.setdefault(target, set()).add("mention")
                counts[target] = counts.get(target, 0) + 1
        if title_mentions:
            start, end, target = title_mentions[0]
            opening = title_norm[:start].strip()
            if opening in ("", "Tỉnh", "tỉnh", "TP", "TP.", "Tp.", "Thành phố") and re.match(r"\s*(?::|[-–—]\s)",
                                                                                             title_norm[end:]):
                evidence.setdefault(target, set()).add("title_prefix")
    if site_province:
        target = _resolve(site_province)
        if target is None:
            raise ValueError(f"unknown province: {site_province!r}")
        evidence.setdefault(target, set()).add("site")
    order = ("title_prefix", "site", "mention")
    places = [Place(target[0], target[1], tuple(e for e in order if e in kinds), counts.get(target, 0),
                    firsts.get(target)) for target, kinds in evidence.items()]
    places.sort(key=lambda p: ("title_prefix" not in p.evidence, "site" not in p.evidence, -p.count,
                               p.first if p.first is not None else len(text)))
    return places
