"""References to Party and State documents in a text: `find_references(text)`.

Pure: the standard library, its vocabulary (crawler/extract/references_vocab.py) and the NFC helper of
crawler/extract/gazetteer.py (no Scrapy, no SQLite), so it runs the same over a crawl, a re-extraction
or a saved text.

    >>> ref = find_references("Thực hiện Nghị quyết số 35-NQ/TW, ngày 22/10/2018 của Bộ Chính trị (khóa XII)")[0]
    >>> ref.key, ref.kind, ref.number, ref.type_code, ref.issuer, ref.style
    ('35-NQ/TW', 'Nghị quyết', '35', 'NQ', 'TW', 'party')
    >>> ref.date, ref.term, ref.level, ref.form, ref.text
    ('2018-10-22', 'XII', 'central', 'full', 'Nghị quyết số 35-NQ/TW')
    >>> [r.key for r in find_references("Nghị quyết số 128/NQ-CP ngày 11/10/2021; Đề án số 17 - ĐA/TU; 10 – CTr / TU")]
    ['128/NQ-CP', '17-ĐA/TU', '10-CTr/TU']
    >>> text = "Chỉ thị 05-CT/TW của Bộ Chính trị... Sau 5 năm thực hiện Chỉ thị 05, Nghị quyết Trung ương 4 khóa XII"
    >>> [(r.key, r.form, r.resolved) for r in find_references(text)]
    [('05-CT/TW', 'full', False), ('05-CT/TW', 'number_only', True), ('NQ TW4 khóa XII', 'named', False)]
    >>> [r.key for r in find_references("giai đoạn 2021 - 2025, ngày 20/10/2021, Ban Chỉ đạo 35, ban hành 12 chỉ thị")]
    []

What is found
-------------
* `full`: a document code. Party style `N-TYPE/ISSUER` (`35-NQ/TW`, `17-ĐA/TU`, `10-CTr/TU`,
  `06-HD/BTGTU`) and State style `N/TYPE-ISSUER` or `N/YYYY/TYPE-ISSUER` (`128/NQ-CP`,
  `13/2023/NĐ-CP`), laws and Quốc hội resolutions `N/YYYY/QHnn` (`202/2025/QH15`), and a Công văn
  or văn bản without a type code (`Công văn số 1234/UBND-VX`). The type code must be a known one
  (NQ, CT, KL, QĐ, QĐi, KH, CTr, ĐA, HD, TT, TB, BC, TTr, CV, QC, and for the State NĐ, TTLT, NQLT),
  which is what keeps dates (`20/10/2021`), year ranges, `COVID-19`, phone numbers and counts out.
  Lists sharing one code are split: `Nghị quyết số 18, 19-NQ/TW` gives 18-NQ/TW and 19-NQ/TW.
* `number_only`: a kind word and a number without the code (`Chỉ thị số 05`, `Đề án 17`,
  `Kết luận 01`), returned only when exactly one full reference of the same kind (or of a type code
  that kind uses) and number occurs anywhere in the same text (earlier or later: a page often
  names "Chỉ thị 05" in a heading and gives the code below); then `key` is that reference's key and
  `resolved` is True. Unresolved or ambiguous number-only mentions are not returned.
* `named`: resolutions known by name, with these keys:

  - national congress: `NQ Đại hội XIII` (from "Nghị quyết Đại hội XIII của Đảng", "Nghị quyết
    Đại hội đại biểu toàn quốc lần thứ XIII", "Nghị quyết Đại hội Đảng lần thứ 13", ...). A bare
    "Nghị quyết Đại hội XIII" (no "của Đảng", no "toàn quốc") counts as national only up to XIV,
    the last national congress; a larger bare numeral is a provincial congress of unknown unit and
    is skipped;
  - a Party organisation's congress: `NQ Đại hội Đảng bộ tỉnh XV` (unit as written: tỉnh, thành phố,
    huyện, thị xã, quận, xã, phường, thị trấn, Khối; a name between unit and numeral is dropped, so
    "Đảng bộ tỉnh Quảng Ninh lần thứ XV" gives the same key as "Đại hội XV của Đảng bộ tỉnh");
  - Central Committee plenums: `NQ TW4 khóa XII`, and `KL TW4 khóa XIII` for a plenum's Kết luận
    (from "Nghị quyết Trung ương 4 khóa XII", "Nghị quyết Hội nghị Trung ương 8 (khoá XIII)",
    "Nghị quyết Hội nghị lần thứ tư Ban Chấp hành Trung ương Đảng khóa XII", "Nghị quyết TW4 khóa XII");
    plenum numbers 1-16. Lists give one reference per plenum and khóa, each with the span of the whole
    phrase ("Nghị quyết Trung ương 4, 5 khóa XIII": NQ TW4 khóa XIII and NQ TW5 khóa XIII; "Nghị quyết
    Trung ương 4 khóa XI, khóa XII": NQ TW4 khóa XI and NQ TW4 khóa XII). A plenum written without its
    khóa is resolved, like a number-only mention, from a plenum of the same number with a khóa in the
    same text, and otherwise skipped;
  - constitutions: `Hiến pháp 2013` (1946, 1959, 1980, 1992, 2013 only).

  Numerals are normalised to Roman (`Đại hội 13` -> `XIII`, `khóa 12` -> `XII`).

Fields
------
`key` canonical: party `35-NQ/TW`, state `128/NQ-CP` / `13/2023/NĐ-CP`, law `202/2025/QH15`, named as above.
Codes are normalised (dash and slash variants, Đ written as D, `CTR` -> `CTr`, `TƯ` -> `TW`: see
crawler/extract/references_vocab.py); the number keeps its leading zeros (`0091-KH/TU`). A code is
keyed as written, in its own style: `35/NQ-TW` is not rewritten to `35-NQ/TW`.

`kind` is the kind word written before the code, else inferred from the type code where that is
unambiguous (references_vocab.py lists which). A code following another of the same type (`số
35-NQ/TW, 36-NQ/TW`) takes that one's kind.

`style`: `party` (`N-TYPE/ISSUER` and the named resolutions), `state` (`N/TYPE-ISSUER`,
`N/YYYY/...`, Hiến pháp).

`date`: ISO date of a "ngày dd/mm/yyyy", "ngày d-m-yyyy", "ngày d.m.yyyy" or "ngày dd tháng mm
năm yyyy" right after the code (after an optional comma or "ban hành"), else None.

`term`: the khóa (Roman) written right after the code, its date or its issuer ("... của Bộ
Chính trị (khóa XII)", "... của Ban Chấp hành Trung ương Đảng khoá XI"), before the title or
subject ("về ...", a quotation); for a national congress its numeral; else None.

`level`: `central`, `provincial`, `local` or None, from the issuer's first part (TW, BCT, CP, the
ministries: central; TU, ThU, ĐUK, UBND: provincial; HU, QU, ĐU: local; the full list in
references_vocab.py); national congresses, plenums and constitutions are central, a Đảng bộ tỉnh's
congress provincial, a huyện's or xã's local.

`text`, `start`, `end`: the matched substring (kind word, "số" and code; the date is not part of
it) with `text == input[start:end]`. The text is normalised to NFC before matching; offsets are
mapped back to the input, so they stay valid for NFD input (in the rare input whose NFC cannot be
computed piece by piece, offsets and text refer to the NFC text).

Known limits: a code without a known type code is not found (`số 12/UBND` outside "Công văn ...");
a number-only mention of a document never coded in the text is dropped; an issuer must be
upper-case letters and digits (plus the usual `ThU`, `TTg`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date as _date

from crawler.extract.gazetteer import nfc_with_offsets
from crawler.extract.references_named import named_hits
from crawler.extract.references_vocab import (
    DASH,
    DASHES,
    ISSUER,
    KIND_RE,
    KINDS,
    PARTY_TYPES,
    SLASH,
    SLASHES,
    SP,
    STATE_TYPES,
    TYPE_CANON,
    TYPES_OF_KIND,
    Hit,
    canon_issuer,
    family,
    inferred_kind,
    kind_word,
    level,
    matches_at,
    numeral,
    roman,
    roman_value,
)

__all__ = ["KINDS", "Reference", "find_references", "references_as_dicts", "roman", "roman_value"]


@dataclass(frozen=True)
class Reference:
    key: str
    kind: str | None
    number: str | None
    type_code: str | None
    issuer: str | None
    style: str  # "party" | "state"
    date: str | None  # ISO YYYY-MM-DD
    term: str | None  # khóa, Roman numeral
    level: str | None  # "central" | "provincial" | "local"
    text: str
    start: int
    end: int
    form: str = "full"  # "full" | "number_only" | "named"
    resolved: bool = False


# ---------------------------------------------------------------- patterns
#
# Speed: a case-insensitive alternation tried at every position of a text is what costs. So a code is
# found from its dash or slash and the kind word before it in a short window, and the patterns of
# case-insensitive words run case-sensitive over the lower-cased text (`_lowered`: the same offsets).

def _lower_case(pattern: str) -> re.Pattern[str]:
    """A pattern whose letters are all inside (?i:...) groups, for the lower-cased text."""
    return re.compile(pattern.replace("(?i:", "(?:"))


_NUM_START = r"(?<![\w/" + re.escape(DASHES) + "])"
_PARTY = (rf"(?P<p_num>\d{{1,5}}){SP}{DASH}{SP}(?P<p_type>{PARTY_TYPES}){SP}{SLASH}{SP}"
          rf"(?P<p_iss>{ISSUER})(?!\w)")
_STATE = (rf"(?P<s_num>\d{{1,5}}){SP}{SLASH}{SP}(?:(?P<s_year>(?:19|20)\d\d){SP}{SLASH}{SP})?"
          rf"(?P<s_type>{STATE_TYPES}){SP}{DASH}{SP}(?P<s_iss>{ISSUER}(?:{DASH}{ISSUER}){{0,2}})(?!\w)")
_LAW = (rf"(?P<l_num>\d{{1,5}}){SP}{SLASH}{SP}(?P<l_year>(?:19|20)\d\d){SP}{SLASH}{SP}"
        rf"(?P<l_iss>(?:UBTVQH|QH)\d{{1,2}})(?!\w)")
_SO = r"(?i:số)\s*[:.]?\s*"
_CODE_RE = re.compile(rf"{_NUM_START}(?:{_PARTY}|{_STATE}|{_LAW})")
# inside every code: a dash or slash, then a capital (the type code, the issuer; a year's second slash)
_SEPARATOR_RE = re.compile(rf"[{re.escape(DASHES + SLASHES)}]{SP}[A-ZĐƯ]")
_INLINE_SPACES = " \t\u00a0\u202f"
# what may stand right before a code: a kind word ("Nghị quyết số ", "Chương trình chuyên đề "), or "số"
_PREFIX_LOW = _lower_case(rf"(?:(?<!\w)(?P<kind>{KIND_RE})(?:\s+(?i:chuyên\s+đề|liên\s+ngành))?\s+(?:{_SO})?"
                          rf"|(?<!\w){_SO})\Z")
_TYPELESS_CODE_RE = re.compile(  # Công văn số 1234/UBND-VX
    rf"(?<!\d)(?P<num>\d{{1,5}}){SP}{SLASH}{SP}(?P<iss>{ISSUER}(?:{DASH}{ISSUER}){{0,2}})(?!\w)")
_TYPELESS_PREFIX_LOW = _lower_case(rf"(?<!\w)(?P<kind>(?i:công\s+văn|văn\s+bản))\s+(?:{_SO})?\Z")
_LIST_BEFORE_LOW = _lower_case(
    rf"(?<!\w)(?P<kind>{KIND_RE})\s+(?:{_SO})?(?P<nums>\d{{1,5}}(?:\s*,\s*\d{{1,5}})*)\s*(?:,|(?i:và))\s*$")
_AFTER_PREVIOUS_RE = re.compile(r"\s*(?:,|;|(?i:và|hoặc))?\s*(?:(?i:số)\s*[:.]?\s*)?")
_DATE_RE = re.compile(
    rf"{SP},?{SP}\(?{SP}(?:(?i:ban\s+hành)\s+)?(?i:ngày)\s+(?:"
    rf"(?P<d>\d{{1,2}}){SP}(?P<sep>[/.{re.escape(DASHES)}]){SP}(?P<m>\d{{1,2}}){SP}(?P=sep){SP}(?P<y>\d{{4}})"
    r"|(?P<d2>\d{1,2})\s+(?i:tháng)\s+(?P<m2>\d{1,2})\s*,?\s*(?i:năm)\s+(?P<y2>\d{4}))(?!\d)")
# a number-only mention: this prefix, a number of up to 5 digits, then nothing that makes it a code or a figure
_NUMBER_PREFIX_LOW = _lower_case(rf"(?<!\w)(?P<kind>{KIND_RE})(?:\s+(?i:chuyên\s+đề))?\s+(?:{_SO})?\Z")
_NUMBER_END_RE = re.compile(rf"(?!\w|{SP}{DASH}{SP}\w|{SP}{SLASH}|[.,]\d|{SP}%)")

_TAIL_STOP_RE = re.compile(r"[;“\"«\n]|\s(?i:về|nhằm|để)\s|\.\s")
_TERM_ORGAN = (r"(?:Trung\s+ương(?:\s+Đảng)?(?:\s+\d{1,2})?|Bộ\s+Chính\s+trị|Ban\s+Bí\s+thư|Quốc\s+hội"
               r"|(?:Tỉnh|Thành|Huyện)\s+(?:ủy|uỷ)|Đảng\s+bộ\s+(?:tỉnh|thành\s+phố|huyện)|Ban\s+Chấp\s+hành)")
_TERM_RE = re.compile(rf"(?:^[\s,]*\(?|\(|{_TERM_ORGAN}\s*,?\s*\(?)\s*(?i:khóa|khoá)\s+(?P<t>[IVXLC]+|\d{{1,2}})(?!\w)")
_PREFIX_WINDOW = 80  # characters before a code where its kind word may start


def _lowered(text: str) -> str:
    """`text` in lower case with the same offsets (a character whose lower case is longer stays)."""
    low = text.lower()
    return low if len(low) == len(text) else "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


# ---------------------------------------------------------------- matching

def _date_after(text: str, pos: int) -> tuple[str | None, int | None]:
    m = _DATE_RE.match(text, pos)
    if not m:
        return None, None
    d, mo, y = (m["d"], m["m"], m["y"]) if m["d"] else (m["d2"], m["m2"], m["y2"])
    try:
        return _date(int(y), int(mo), int(d)).isoformat(), m.end()
    except ValueError:
        return None, None


def _digits_before(text: str, end: int) -> int | None:
    """The start of the digits right before `end` (inline spaces between allowed), or None."""
    i = end
    while i and text[i - 1] in _INLINE_SPACES:
        i -= 1
    j = i
    while j and text[j - 1].isdecimal():
        j -= 1
    return j if j < i else None


def _code_starts(text: str) -> list[int]:
    """Where a code may start, in order: the number before a dash or slash followed by a capital, and for
    `N/YYYY/...` the number before the year."""
    starts = set()
    for m in _SEPARATOR_RE.finditer(text):
        run = _digits_before(text, m.start())
        if run is None:
            continue
        starts.add(run)
        k = run
        while k and text[k - 1] in _INLINE_SPACES:
            k -= 1
        if k and text[k - 1] in SLASHES and (earlier := _digits_before(text, k - 1)) is not None:
            starts.add(earlier)
    return sorted(starts)


def _prefixed(pattern: re.Pattern[str], code_re: re.Pattern[str], text: str, low: str,
              starts: list[int]) -> list[tuple[int, str | None, re.Match[str]]]:
    """(start, kind word, code match) of each code and the prefix `pattern` ends right before it."""
    found = []
    previous_end = 0
    for m in matches_at(code_re, text, starts):
        p = pattern.search(low, max(previous_end, m.start() - _PREFIX_WINDOW), m.start())
        start, kind = (p.start(), p.groupdict().get("kind")) if p else (m.start(), None)
        found.append((start, kind, m))
        previous_end = m.end()
    return found


def _full_hits(text: str, low: str) -> list[Hit]:
    hits: list[Hit] = []
    starts = _code_starts(text)
    for start, raw_kind, m in _prefixed(_PREFIX_LOW, _CODE_RE, text, low, starts):
        if m["p_num"]:
            style, number, year, num_start = "party", m["p_num"], None, m.start("p_num")
            type_code, issuer = TYPE_CANON.get(m["p_type"].upper(), m["p_type"]), canon_issuer(m["p_iss"])
        elif m["s_num"]:
            style, number, year, num_start = "state", m["s_num"], m["s_year"], m.start("s_num")
            type_code, issuer = TYPE_CANON.get(m["s_type"].upper(), m["s_type"]), canon_issuer(m["s_iss"])
        else:
            style, number, year, num_start = "state", m["l_num"], m["l_year"], m.start("l_num")
            type_code, issuer = None, m["l_iss"]

        def key_of(n: str, style: str = style, year: str | None = year, type_code: str | None = type_code,
                   issuer: str = issuer) -> str:
            if style == "party":
                return f"{n}-{type_code}/{issuer}"
            return "/".join(part for part in (n, year, f"{type_code}-{issuer}" if type_code else issuer) if part)

        key = key_of(number)
        if len(issuer.split("-")[0]) < 2:
            continue
        kind = kind_word(raw_kind)
        written = kind is not None
        if kind == "Văn bản":
            kind = inferred_kind(type_code, style) or kind
        if not written:  # a list sharing this code: "Nghị quyết số 18, 19-NQ/TW"
            window_start = max(0, num_start - 120)
            before = low[window_start:num_start].rstrip()
            lm = (_LIST_BEFORE_LOW.search(low, window_start, num_start)
                  if before.endswith((",", "và")) else None)
            if lm and (not hits or hits[-1].end <= lm.start()):
                kind, written = kind_word(lm["kind"]), True
                for nm in re.finditer(r"\d+", lm["nums"]):
                    n = nm.group()
                    s = lm.start("nums") + nm.start()
                    hits.append(Hit(s, s + len(n), key_of(n), kind, n, type_code, issuer, style, level(issuer),
                                     kind_written=True))
            if kind is None:
                kind = inferred_kind(type_code, style)
        hit = Hit(start, m.end(), key, kind, number, type_code, issuer, style, level(issuer), kind_written=written)
        hit.date, hit.date_end = _date_after(text, m.end())
        hits.append(hit)
    for start, raw_kind, m in _prefixed(_TYPELESS_PREFIX_LOW, _TYPELESS_CODE_RE, text, low, starts):
        if raw_kind is None or any(h.start < m.end() and start < h.end for h in hits):
            continue
        issuer = canon_issuer(m["iss"])
        hit = Hit(start, m.end(), f"{m['num']}/{issuer}", kind_word(raw_kind), m["num"], None, issuer,
                   "state", level(issuer), kind_written=True)
        hit.date, hit.date_end = _date_after(text, m.end())
        hits.append(hit)
    hits.sort(key=lambda h: h.start)
    for previous, hit in zip(hits, hits[1:], strict=False):  # "số 35-NQ/TW, 36-NQ/TW": the kind carries over
        gap_start = previous.date_end or previous.end
        if (not hit.kind_written and previous.kind_written and previous.type_code == hit.type_code
                and gap_start <= hit.start and _AFTER_PREVIOUS_RE.fullmatch(text, gap_start, hit.start)):
            hit.kind, hit.kind_written = previous.kind, True
    return hits


def _number_runs(text: str, values: set[int]) -> list[tuple[int, int]]:
    """(start, end) of every number of up to 5 digits whose value is one of `values`, in order."""
    runs = set()
    for value in values:
        for m in re.finditer(str(value), text):
            start, end = m.start(), m.end()
            while start and text[start - 1].isdecimal():
                start -= 1
            while end < len(text) and text[end].isdecimal():
                end += 1
            if end - start <= 5 and int(text[start:end]) == value:
                runs.add((start, end))
    return sorted(runs)


def _number_only_hits(text: str, low: str, taken: list[Hit], fulls: list[Hit]) -> list[Hit]:
    """Number-only mentions of the numbers of `fulls` (looked for from the numbers: a kind word before)."""
    hits = []
    previous_end = 0
    for num_start, num_end in _number_runs(text, {int(h.number) for h in fulls if h.number and h.number.isdigit()}):
        if not _NUMBER_END_RE.match(text, num_end):
            continue
        prefix = _NUMBER_PREFIX_LOW.search(low, max(previous_end, num_start - _PREFIX_WINDOW), num_start)
        if prefix is None:
            continue
        start, end = prefix.start(), num_end
        previous_end = end
        if any(h.start < end and start < h.end for h in taken):
            continue
        kind, number = kind_word(prefix["kind"]), int(text[num_start:num_end])
        types = TYPES_OF_KIND.get(kind or "", set())
        candidates = {h.key: h for h in fulls if h.number and h.number.isdigit() and int(h.number) == number
                      and (family(h.kind) == family(kind) or (h.kind is None and h.type_code in types))}
        if len(candidates) != 1:
            continue
        (target,) = candidates.values()
        hit = Hit(start, end, target.key, kind, target.number, target.type_code, target.issuer,
                   target.style, target.level, form="number_only", kind_written=True, resolved=True)
        hit.date, hit.date_end = _date_after(text, end)
        hits.append(hit)
    return hits


def _attach_terms(text: str, hits: list[Hit]) -> None:
    for i, hit in enumerate(hits):
        if hit.form == "named" or hit.term:
            continue
        tail_start = hit.date_end or hit.end
        tail_end = min(hits[i + 1].start if i + 1 < len(hits) else len(text), tail_start + 160)
        if tail_end <= tail_start:
            continue
        tail = text[tail_start:tail_end]
        stop = _TAIL_STOP_RE.search(tail)
        if stop:
            tail = tail[:stop.start()]
        m = _TERM_RE.search(tail)
        if m:
            hit.term = numeral(m["t"])


def find_references(text: str) -> list[Reference]:
    """Every reference to a Party or State document in `text`, in text order (see the module doc)."""
    norm, mapping = nfc_with_offsets(text)
    source = norm if mapping is None else text
    low = _lowered(norm)
    fulls = _full_hits(norm, low)
    named, _unresolved = named_hits(norm, low, fulls)
    numbers = _number_only_hits(norm, low, fulls + named, fulls)
    hits = sorted(fulls + named + numbers, key=lambda h: (h.start, h.end))
    _attach_terms(norm, hits)
    out = []
    for h in hits:
        start, end = (h.start, h.end) if mapping is None else (mapping[h.start], mapping[h.end])
        out.append(Reference(h.key, h.kind, h.number, h.type_code, h.issuer, h.style, h.date, h.term, h.level,
                             source[start:end], start, end, h.form, h.resolved))
    return out


def references_as_dicts(text: str) -> list[dict]:
    """`find_references` as plain dicts (for JSON): every field of `Reference`.

    >>> row = references_as_dicts("Kế hoạch số: 12-KH/TU ngày 09 tháng 8 năm 2021")[0]
    >>> row["key"], row["kind"], row["date"], row["text"], row["start"], row["end"], row["form"]
    ('12-KH/TU', 'Kế hoạch', '2021-08-09', 'Kế hoạch số: 12-KH/TU', 0, 21, 'full')
    """
    return [asdict(r) for r in find_references(text)]
