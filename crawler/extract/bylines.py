"""Bylines: who wrote an article, and which organisation or source it credits. One parser for every path.

    >>> parse_byline("Bài, ảnh: XUÂN HIẾU - XUÂN THỊNH")
    Byline(author='XUÂN HIẾU - XUÂN THỊNH', credit=None, unit=None)
    >>> parse_byline("ThS. Nguyễn Văn Hùng - Trường Chính trị tỉnh")
    Byline(author='ThS. Nguyễn Văn Hùng', credit=None, unit='Trường Chính trị tỉnh')
    >>> parse_byline("Theo Báo Nhân Dân")
    Byline(author=None, credit='Báo Nhân Dân', unit=None)
    >>> parse_byline("NHIỆM VỤ TRỌNG TÂM") is None, parse_byline("Ảnh: Hoàng Anh") is None
    (True, True)

A line is a byline when it is, in full: person names (several joined by ` - `, `,` or `và`;
degrees, ranks and titles kept as written before them, never taken for names), optionally
labelled (`Tác giả:`, `Bài, ảnh:` …) and followed
by the writer's unit (after ` - `, `/` or in parentheses, also on the next line); or an
organisation credit (`Theo …`, `Nguồn: …`, `Phòng Tổng hợp`, `TTXVN`, a domain). Precision first:
an upper-case line counts as a name only when every syllable is a common name syllable
(crawler.extract.names), a province or a boilerplate label never does, a photo credit (`Ảnh: …`)
never names the author, and a line that reads like a sentence (lower-case words) is no byline.
Organisations and units go to `credit`/`unit`, never to `author`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from crawler.extract.cleaning import BOX_HEADINGS, EDGE_LINES, is_boilerplate_line, normalize_text
from crawler.extract.names import TITLES, is_name_syllable, strip_titles


@dataclass(frozen=True)
class Byline:
    author: str | None = None  # person names, " - " between several
    credit: str | None = None  # the source or organisation credited ("Báo Nhân Dân", "TTXVN")
    unit: str | None = None  # the writer's own unit ("Trường Chính trị tỉnh")


MAX_BYLINE_CHARS = 160  # a longer line is a sentence
MAX_NAME_WORDS = 5  # "Thạch Thị Ngọc Hân", "Y Bhin Niê Kdăm"; six capitalised words are a heading

_AUTHOR_LABEL = re.compile(
    r"^(?:tác giả bài viết|tác giả|người viết|bài viết|phóng viên|nhóm phóng viên|nhóm pv|thực hiện|"
    r"bài(?:\s*(?:và|,|/|&)\s*ảnh)?|tin(?:\s*(?:và|,|/|&)\s*ảnh)?|bài,? ảnh|tin,? ảnh)\s*[:：]\s*", re.IGNORECASE)
_CREDIT_LABEL = re.compile(r"^(?:theo|nguồn tin|nguồn|nguồn bài)\s*[:：\-]?\s*", re.IGNORECASE)
_NEXT_CREDIT = re.compile(r"\s*(?:[-–|]\s*)?(?:nguồn tin|nguồn)\s*[:：]\s*", re.IGNORECASE)
# a photo or video credit: never the author of the text
_MEDIA_LABEL = re.compile(r"^\(?\s*(?:ảnh|video|clip|đồ họa|đồ hoạ|infographic|nguồn ảnh|ảnh minh họa)\s*[:：]",
                          re.IGNORECASE)
_ROLE_NOTE = re.compile(r"^(?:thực hiện|tổng hợp|lược dịch|biên dịch|dịch|st|bt|ctv|pv|sưu tầm|giới thiệu)$",
                        re.IGNORECASE)
_SEPARATORS = re.compile(r"\s+[-–—]\s+|\s*[-–—]{2,}\s*")
_PERSON_SPLIT = re.compile(r"\s*[,;&]\s*|\s+và\s+")
# "H.NGÂN", "H. Ngân", "T.L", "L.P": one or two initials and at most one word
_INITIALS = re.compile(r"^(?:[A-ZĐ]\.\s?){1,2}[A-ZĐÀ-Ỹ][a-zà-ỹđA-ZĐÀ-Ỹ]{0,6}$|^[A-ZĐ]{1,2}\.[A-ZĐ]{1,2}$")
_WORD = re.compile(r"^[A-ZĐÀ-Ỹ][a-zà-ỹđ]*$|^[A-ZĐÀ-Ỹ]+$")
# words that open an organisation's name ("Báo Lào Cai", "Phòng Tổng hợp"), or a website
_ORGANISATION = re.compile(
    r"^(?:báo|tạp chí|cổng|trang tin|trang thông tin|đài|ban|ttxvn|vna|vov|vtv|thông tấn|sở|ủy ban|uỷ ban|ubnd|"
    r"hđnd|trung tâm|hội|tỉnh ủy|tỉnh uỷ|huyện ủy|huyện uỷ|thành ủy|thành uỷ|đảng ủy|đảng uỷ|đảng bộ|phòng|văn phòng|"
    r"vụ|học viện|trường|viện|khoa|bộ|cục|chi cục|công an|bộ chỉ huy|quân khu|mặt trận|liên đoàn|tỉnh đoàn|đoàn|"
    r"hội đồng|bbt|ban biên tập|nhóm pv|pv|ctv|tổng hợp|đại học|cao đẳng|công ty|tổng công ty|ngân hàng|chi bộ|"
    r"ủy ban kiểm tra|bảo tàng|thư viện)(?:\s|$|[,.])|\w\.(?:vn|com|net|org)\b|/(?:ttxvn|vov|vtv|vna)\b|"
    # every Party committee: Quận ủy, Thị ủy, Xã ủy, Đảng ủy … ("<word> ủy")
    r"^[\wÀ-ỹ]+ (?:ủy|uỷ)(?:\s|$)",
    re.IGNORECASE)
_AGENCIES = frozenset({"ttxvn", "vna", "vov", "vtv", "bbt", "pv", "ctv", "nhóm pv", "qđnd", "vnexpress"})


def _clean(text: str) -> str:
    return normalize_text(text).replace("\n", " ").strip(" .,;:–-")


@cache
def _places() -> frozenset[str]:
    from crawler.extract.gazetteer import aliases

    return frozenset(form.casefold() for form in aliases())


def is_organisation(text: str) -> bool:
    """An organisation, agency or website ("Báo Lào Cai", "TTXVN", "dangcongsan.vn", "Phòng Tổng hợp")."""
    text = _clean(text).strip("()")
    return bool(text) and (text.casefold() in _AGENCIES or bool(_ORGANISATION.search(text)))


def person_name(text: str) -> str | None:
    """`text` if it is a person's name, with the degrees or ranks written before it ("TS. Lê Quang Minh",
    "QUANG VŨ"), else None."""
    written = _clean(text)
    text = strip_titles(written)
    if not text or len(text) > 45 or any(ch.isdigit() for ch in text) or is_organisation(text):
        return None
    if _INITIALS.match(text):
        return written  # H.NGÂN, T.L, H. Ngân
    words = text.split()
    if not 2 <= len(words) <= MAX_NAME_WORDS or not all(_WORD.match(w) for w in words):
        return None
    if text.casefold() in _places() or text.casefold() in BOX_HEADINGS or text.casefold() in EDGE_LINES:
        return None
    if text.isupper() and not all(is_name_syllable(w) for w in words):
        return None  # an upper-case heading, not a name
    if " ".join(words[:2]).casefold() in ("đồng chí", "đ/c"):
        return None  # "Đồng chí X": somebody the text is about
    return written


def _people(text: str) -> list[str] | None:
    """Several names ("Minh Anh, Thu Hà", "Ngọc Lan và Văn Tùng"), or None if any part is no name."""
    parts = [p for p in _PERSON_SPLIT.split(text) if p.strip()]
    names = [person_name(p) for p in parts]
    return names if names and all(names) else None  # type: ignore[return-value]


def _persons_and_unit(text: str) -> tuple[list[str], str | None] | None:
    """Names, then the writer's unit after " - ", "/" or in parentheses; None if not a byline."""
    unit = None
    if m := re.search(r"\s*\(([^()]{1,120})\)\s*$", text):  # "Trần Văn Phúc (Vụ Địa phương, …)"
        inner = m.group(1).strip()
        text = text[:m.start()].strip()
        if not _ROLE_NOTE.match(inner):
            if not (is_organisation(inner) or _CREDIT_LABEL.match(inner)):
                return None
            unit = inner
    # "Minh Khôi/TTXVN", "ThS. X / Khoa Lý luận cơ sở", "Phạm Minh Tuấn, Ban Tuyên giáo Tỉnh ủy"
    if m := re.match(r"^(.+?)\s*(?:/|,)\s*(.+)$", text):
        if is_organisation(m.group(2)):
            text, unit = m.group(1), unit or _clean(m.group(2))
    # "PGS, TS NGUYỄN VĂN GIANG": titles are written before the names and kept, but never split them
    titles = TITLES.match(text)
    prefix = titles.group(0) if titles else ""
    persons: list[str] = []
    for part in _SEPARATORS.split(text[len(prefix):]):
        if is_organisation(part):
            if not persons:
                return None
            unit = unit or _clean(part)
            break  # "Tên - Trường Chính trị tỉnh - Khoa Lý luận": the rest is the unit's
        part_titles = TITLES.match(part)
        part_prefix = part_titles.group(0) if part_titles else ""
        names = _people(part[len(part_prefix):])
        if names is None:
            return None
        names[0] = part_prefix + names[0]
        persons += names
    if persons:
        persons[0] = prefix + persons[0]
    return (persons, unit) if persons else None


def parse_byline(line: str) -> Byline | None:
    """Read an author (and unit) or an organisation credit from a byline line, or None."""
    text = normalize_text(line or "").strip()
    if not text or len(text) > MAX_BYLINE_CHARS or _MEDIA_LABEL.match(text):
        return None
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if len(lines) > 1:  # "Nguyễn Thị Lan<br>Ban Tuyên giáo Tỉnh ủy", "Tác giả: X<br>Nguồn tin: Y"
        first = parse_byline(lines[0])
        rest = [parse_byline(ln) or (Byline(unit=_clean(ln)) if is_organisation(ln) else None) for ln in lines[1:]]
        if first is None or any(r is None for r in rest):
            return None
        found = [first, *rest]
        return Byline(author=next((b.author for b in found if b.author), None),
                      credit=next((b.credit for b in found if b.credit), None),
                      unit=next((b.unit for b in found if b.unit), None))
    if text.casefold().rstrip(": ") in BOX_HEADINGS or is_boilerplate_line(text):
        return None
    credit = None
    if m := _NEXT_CREDIT.search(text):  # "Tác giả: Thu Hà - Nguồn: Báo Lào Cai"
        credit = _clean(text[m.end():]).strip("()") or None
        text = text[:m.start()].strip().rstrip("(").strip()
        if not text:
            return Byline(credit=credit) if credit else None
    labelled = _AUTHOR_LABEL.match(text)
    if labelled:
        text = text[labelled.end():].strip()
        if not text:
            return Byline(credit=credit) if credit else None
        if is_organisation(text) and not re.search(r"\s[-–/]\s|\(", text):
            return Byline(credit=_clean(text))  # "Tác giả: Ban Tuyên giáo Tỉnh ủy", "Tin, ảnh: PV"
    elif m := _CREDIT_LABEL.match(text):
        source = _clean(text[m.end():]).strip("()")
        if source and "," not in source and (is_organisation(source) or person_name(source)):
            return Byline(credit=source)
        return None
    found = _persons_and_unit(text)
    if found is None:
        if not labelled and is_organisation(text) and len(text) <= 80 and "," not in text:
            return Byline(credit=_clean(text).strip("()"))  # "Phòng Tổng hợp", "TTXVN", "(tổng hợp)"
        return None
    persons, unit = found
    if unit and (m := _CREDIT_LABEL.match(unit)):  # "Thu Hằng (Theo Báo Nhân Dân)"
        credit, unit = credit or _clean(unit[m.end():]), None
    return Byline(author=" - ".join(persons), credit=credit, unit=unit)


def split_byline(blocks: list[str]) -> tuple[list[str], Byline]:
    """Take the trailing author and credit lines off the body (in either order)."""
    author = credit = unit = None
    blocks = list(blocks)
    for _ in range(2):
        if len(blocks) < 2:
            break
        lines = blocks[-1].split("\n")
        # "Nguyễn Thị Lan\nBan Tuyên giáo Tỉnh ủy" in one block: try the whole block, then its last line
        found = parse_byline(blocks[-1]) if len(lines) in (2, 3) else None
        taken = len(lines) if found else 1
        found = found or parse_byline(lines[-1])
        if not found or (found.author and author) or (found.credit and credit) or (found.unit and unit and
                                                                                  not found.author):
            break
        author, credit, unit = author or found.author, credit or found.credit, unit or found.unit
        lines = lines[:-taken]
        if lines:
            blocks[-1] = "\n".join(lines)
        else:
            blocks.pop()
    return blocks, Byline(author=author, credit=credit, unit=unit)


def leading_byline(blocks: list[str]) -> Byline | None:
    """A byline standing first in the body: "Tác giả: X", "PGS.TS. Nguyễn Văn A", "QUANG VŨ", or a name
    whose lines below give the unit or post ("Đại tá NGUYỄN VĂN LỘC<br>Chỉ huy trưởng …")."""
    if len(blocks) < 2 or len(blocks[0]) > MAX_BYLINE_CHARS:
        return None
    found = parse_byline(blocks[0])
    if found and found.author:
        return found
    lines = blocks[0].split("\n")
    if 2 <= len(lines) <= 3 and all(len(line) <= 100 and not line.rstrip().endswith(".") for line in lines[1:]):
        first = parse_byline(lines[0])
        if first and first.author and not first.unit:
            return Byline(author=first.author, credit=first.credit, unit=_clean(" ".join(lines[1:])))
    return None


def cut_after_byline(blocks: list[str]) -> list[str]:
    """The article ends at its byline: one or two short lines after a byline near the end are template
    text (a call for contributions, a notice), not article text."""
    for i in range(len(blocks) - 2, max(len(blocks) - 4, 0), -1):
        tail = blocks[i + 1:]
        if len(tail) > 2 or any(len(b) > 250 for b in tail):
            break
        last_line = blocks[i].split("\n")[-1]
        found = parse_byline(last_line) if len(last_line) <= 60 else None
        if found and found.author:
            return blocks[:i + 1]
    return blocks


def take_bylines(blocks: list[str]) -> tuple[list[str], Byline]:
    """The body without its bylines (at the end, else after a short tail, and at the top), and what they say."""
    rest, byline = split_byline(blocks)
    if byline == Byline():
        rest, byline = split_byline(cut_after_byline(blocks))
    top = leading_byline(rest)
    if top is not None:
        rest = rest[1:]
        byline = Byline(author=byline.author or top.author, credit=byline.credit or top.credit,
                        unit=byline.unit or top.unit)
    return rest, byline
