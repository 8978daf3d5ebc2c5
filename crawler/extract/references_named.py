"""The resolutions references.py finds by name: national and Party organisations' congresses (`NQ Đại hội
XIII`, `NQ Đại hội Đảng bộ tỉnh XV`), Central Committee plenums (`NQ TW4 khóa XII`, `KL TW4 khóa XIII`)
and constitutions (`Hiến pháp 2013`); the rules are in references.py's module doc. Pure: the standard
library only.

    >>> [h.key for h in named_hits("Nghị quyết Trung ương 4 khóa XII và Hiến pháp năm 2013",
    ...                            "nghị quyết trung ương 4 khóa xii và hiến pháp năm 2013", [])[0]]
    ['NQ TW4 khóa XII', 'Hiến pháp 2013']

Each pattern is tried only where the lower-cased text holds its first words (`_CONGRESS_START` ...):
scanning the whole text with a case-insensitive pattern costs ten times more.
"""

from __future__ import annotations

import re

from crawler.extract.references_vocab import (
    CONSTITUTIONS,
    DASHES,
    LOWER,
    ORDINALS,
    SLASHES,
    SP,
    UPPER,
    Hit,
    kind_word,
    matches_at,
    numeral,
    roman_value,
)

__all__ = ["named_hits"]

_CAP = f"[{UPPER}][{LOWER}]*(?!\\w)"  # one capitalised syllable
_UNITS = r"tỉnh|thành\s+phố|huyện|thị\s+xã|quận|xã|phường|thị\s+trấn|khối"
_NUMERAL_RE = r"[IVXLC]+(?!\w)|\d{1,2}(?!\w)"
_OF_PARTY = r"(?i:của\s+)?(?i:Đảng)(?!\s+(?i:bộ)(?!\w))(?:\s+(?i:Cộng\s+sản\s+Việt\s+Nam))?"
_CONGRESS_START = re.compile(r"nghị\s+quyết\s+đại\s+hội")  # where a congress may start, in the lower-cased text
_CONGRESS_RE = re.compile(
    rf"(?<!\w)(?i:nghị\s+quyết)\s+(?i:đại\s+hội)\s+(?:"
    rf"(?:(?i:đại\s+biểu)\s+)?(?:(?i:Đảng)\s+)?(?i:toàn\s+quốc)\s+(?:(?i:lần\s+thứ)\s+)?(?P<n1>{_NUMERAL_RE})"
    rf"(?:\s+{_OF_PARTY})?"
    rf"|(?:(?i:đại\s+biểu)\s+)?(?i:Đảng\s+bộ)\s+(?P<u1>(?i:{_UNITS}))(?!\w)(?:\s+{_CAP}){{0,4}}?\s*,?\s*"
    rf"(?:(?i:lần\s+thứ)\s+)?(?P<n2>{_NUMERAL_RE})"
    rf"|(?:(?i:Đảng)\s+)?(?:(?i:lần\s+thứ)\s+)?(?P<n3>{_NUMERAL_RE})(?:\s*,?\s+(?:"
    rf"(?i:của\s+)?(?i:Đảng\s+bộ)\s+(?P<u2>(?i:{_UNITS}))(?!\w)|(?P<of3>{_OF_PARTY})|(?P<tq>(?i:toàn\s+quốc))))?"
    r")")
_ORD_RE = "(?i:" + "|".join(w.replace(" ", r"\s+") for w in sorted(ORDINALS, key=len, reverse=True)) + r")(?!\w)"


def _terms(name: str) -> str:
    more = r"(?:\s*(?:,|(?i:và))\s*(?:(?i:khóa|khoá)\s+)?[IVXLC]+(?!\w))*"
    return rf"(?P<{name}>(?:[IVXLC]+|\d{{1,2}})(?!\w){more})"


_TERM_AFTER = (rf"(?:\s*\(\s*(?i:khóa|khoá)\s+{_terms('t1')}\s*\)"
               rf"|\s*,?\s*(?i:khóa|khoá)\s+{_terms('t2')})?")
_PLENUM_TAIL = r"\s+(?:hội\s+nghị\s+)?(?:trung\s+ương|tw|tư|lần\s+thứ)"  # each start pattern opens with a literal
_PLENUM_STARTS = (re.compile(r"nghị\s+quyết" + _PLENUM_TAIL), re.compile(r"kết\s+luận" + _PLENUM_TAIL))
_PLENUM_RE = re.compile(
    rf"(?<!\w)(?P<kind>(?i:nghị\s+quyết|kết\s+luận))\s+(?:(?i:hội\s+nghị)\s+)?(?:"
    rf"(?:(?i:Trung\s+ương)|TW|TƯ){SP}(?P<n1>\d{{1,2}}(?:\s*(?:,|(?i:và))\s*\d{{1,2}}(?!\w))*)"
    rf"(?!\w|{SP}[{re.escape(DASHES + SLASHES)}])"
    rf"|(?i:Trung\s+ương)\s+(?i:lần\s+thứ)\s+(?P<n2>\d{{1,2}}(?!\w)|{_ORD_RE})"
    rf"|(?i:lần\s+thứ)\s+(?P<n3>\d{{1,2}}(?!\w)|{_ORD_RE})\s+(?i:Ban\s+Chấp\s+hành\s+Trung\s+ương)"
    rf"(?:\s+(?i:Đảng))?(?:\s+(?i:Cộng\s+sản\s+Việt\s+Nam))?"
    rf")(?:\s+(?i:lần)\s+(?P<lan>\d)(?!\w))?{_TERM_AFTER}")
_CONSTITUTION_RE = re.compile(r"(?<!\w)(?i:hiến\s+pháp)\s+(?:(?i:năm)\s+)?(?P<y>\d{4})(?!\d)")
_CONSTITUTION_START = re.compile(r"hiến\s+pháp")


def named_hits(text: str, low: str, taken: list[Hit]) -> tuple[list[Hit], list[Hit]]:
    """Named resolutions; the second list holds plenums written without their khóa (to resolve)."""
    def free(s: int, e: int) -> bool:
        return not any(h.start < e and s < h.end for h in taken + hits + pending)

    hits: list[Hit] = []
    pending: list[Hit] = []
    for m in matches_at(_CONGRESS_RE, text, (g.start() for g in _CONGRESS_START.finditer(low))):
        if not free(m.start(), m.end()):
            continue
        unit = m["u1"] or m["u2"]
        roman_numeral = numeral(m["n1"] or m["n2"] or m["n3"])
        if roman_numeral is None:
            continue
        if unit:
            unit = " ".join(unit.lower().split()).replace("khối", "Khối")
            unit_level = "provincial" if unit in ("tỉnh", "thành phố", "Khối") else "local"
            hits.append(Hit(m.start(), m.end(), f"NQ Đại hội Đảng bộ {unit} {roman_numeral}", "Nghị quyết",
                             roman_numeral, "NQ", None, "party", unit_level, form="named"))
            continue
        national = m["n1"] or m["of3"] or m["tq"] or (roman_value(roman_numeral) or 99) <= 14
        if national:
            hits.append(Hit(m.start(), m.end(), f"NQ Đại hội {roman_numeral}", "Nghị quyết", roman_numeral, "NQ",
                             None, "party", "central", form="named", term=roman_numeral))
    plenums = sorted(g.start() for start in _PLENUM_STARTS for g in start.finditer(low))
    for m in matches_at(_PLENUM_RE, text, plenums):
        if not free(m.start(), m.end()):
            continue
        if m["n1"]:
            numbers = [int(n) for n in re.findall(r"\d+", m["n1"])]
        else:
            raw = m["n2"] or m["n3"]
            numbers = [int(raw) if raw.isdigit() else ORDINALS[" ".join(raw.lower().split())]]
        terms = [numeral(t) for t in re.findall(r"[IVXLC]+|\d+", m["t1"] or m["t2"] or "")]
        if not all(1 <= n <= 16 for n in numbers) or None in terms or (len(numbers) > 1 and not terms):
            continue
        code = "NQ" if m["kind"].lower().startswith("ngh") else "KL"
        for n in numbers:
            plenum = f"{code} TW{n}" + (f" lần {m['lan']}" if m["lan"] else "")
            for term in terms or [None]:
                hit = Hit(m.start(), m.end(), plenum + (f" khóa {term}" if term else ""), kind_word(m["kind"]),
                           str(n), code, "TW", "party", "central", form="named", term=term)
                (hits if term else pending).append(hit)
    for m in matches_at(_CONSTITUTION_RE, text, (g.start() for g in _CONSTITUTION_START.finditer(low))):
        if m["y"] in CONSTITUTIONS and free(m.start(), m.end()):
            hits.append(Hit(m.start(), m.end(), f"Hiến pháp {m['y']}", "Hiến pháp", m["y"], None, "QH", "state",
                             "central", form="named"))
    resolved = []
    for hit in pending:  # "Nghị quyết Trung ương 4": the khóa from the same plenum named in full
        keys = {h.key for h in hits if h.form == "named" and h.type_code == hit.type_code
                and h.key.startswith(hit.key + " khóa ")}
        if len(keys) == 1:
            hit.key = keys.pop()
            hit.term = hit.key.rsplit(" ", 1)[1]
            hit.resolved = True
            resolved.append(hit)
    return hits + resolved, pending
