"""People named in a text as "đồng chí X": `find_people(text)`.

Pure: the standard library, the name vocabulary (crawler/extract/names.py) and the province names
of crawler/extract/gazetteer.py. Precision first: a name is taken only where the text introduces
it as a comrade ("đồng chí", "Đồng chí", "đ/c", "các đồng chí: A, B và C"), never guessed from
capital letters alone.

    >>> people = find_people("Tiếp đoàn có đồng chí Ngô Hoàng Ngân, Phó Bí thư Thường trực Tỉnh ủy Quảng Ninh, "
    ...                      "Trưởng đoàn đại biểu Quốc hội. Đồng chí Ngô Hoàng Ngân phát biểu.")
    >>> [(p.name, p.title, p.count, p.first) for p in people]
    [('Ngô Hoàng Ngân', 'Phó Bí thư Thường trực Tỉnh ủy Quảng Ninh, Trưởng đoàn đại biểu Quốc hội', 2, 22)]
    >>> [(p.name, p.title) for p in find_people("Bài phát biểu của đồng chí Tổng Bí thư Nguyễn Phú Trọng tại hội nghị")]
    [('Nguyễn Phú Trọng', 'Tổng Bí thư')]
    >>> find_people("Trưởng ban Tuyên giáo Tỉnh ủy Quảng Ninh Vi Ngọc Bích; 8.842 đồng chí dự")
    []

Rules
-----
* A name is 2-4 capitalised syllables (a syllable may be a single capital letter: `Hầu A Lềnh`),
  ending at the first lower-case word, punctuation or title word ("Bí thư", "Chủ tịch", ...). A
  longer capitalised run right after "đồng chí" is not taken (it is not clear where the name ends).
* The title is the one written between "đồng chí" and the name ("đồng chí Bí thư Tỉnh ủy Quảng
  Ninh Nguyễn Xuân Ký": the place closing the title is told from the name by the list of provinces
  and by the family names), or after the name, after a comma, a dash or a parenthesis ("đồng chí
  Nguyễn Văn A, Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy"), or right before "đồng chí" ("Phó Bí
  thư Thường trực Tỉnh ủy, đồng chí Nguyễn Văn A"). A title starts with a title word (Bí thư,
  Chủ tịch, Ủy viên, Trưởng ban, Giám đốc, Bộ trưởng, military ranks, GS, TS, ...; optionally after
  nguyên / quyền / Phó) and ends at punctuation or at a verb ("cho biết", "phát biểu", "đã", "và"
  before a lower-case word, ...). Comma-separated parts belong to the title only while each starts
  with a title word.
* A person is listed once: `name`, `title` (the first one written, or None), `count` (every
  occurrence of the full name in the text, also those without "đồng chí", as a whole run of
  capitalised syllables), `first` (offset of the first occurrence, in the input; NFC is applied
  internally and offsets mapped back).

Known limits: titles containing a comma inside one office ("Bộ trưởng Bộ Văn hóa, Thể thao và Du
lịch") stop at that comma; a name after a title is taken only when it starts with a known family
name; names of more than four syllables (some Ê Đê and Jrai names) are not taken.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from crawler.extract.gazetteer import PROVINCES_NEW, PROVINCES_OLD, aliases, nfc_with_offsets
from crawler.extract.names import SURNAMES

__all__ = ["Person", "find_people"]


@dataclass(frozen=True)
class Person:
    name: str
    title: str | None
    count: int
    first: int


def _words(text: str) -> set[str]:
    return set(text.split())


# Family names that never open a place's name: a capitalised run starting with one is a person.
_NOT_PLACE_START = _words("Nguyễn Trần Lê Phạm Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Ngô Trịnh Trương Đinh Tạ Lưu")
_MIDDLE = {"Văn", "Thị"}
# Names closing a title: the provinces, with the gazetteer's spellings with diacritics (not capitals, not the
# former provinces: Minh Hải is also a given name), and a few others.
PLACES = {*PROVINCES_OLD, *PROVINCES_NEW, "Bà Rịa", "Vũng Tàu", "Việt Nam", "Trung ương", "Thủ đô"} | {
    form for form, (new, old) in aliases().items() if old and not form.isascii() and not form.isupper()}

_CORES = [tuple(t.split()) for t in """tổng bí thư|bí thư|chủ tịch|thủ tướng|ủy viên|uỷ viên|trưởng ban|giám đốc|
tổng giám đốc|chủ nhiệm|bộ trưởng|thứ trưởng|vụ trưởng|cục trưởng|tổng cục trưởng|trưởng phòng|chánh văn phòng|
chánh thanh tra|chánh án|viện trưởng|hiệu trưởng|tổng biên tập|tổng thư ký|thư ký|trưởng đoàn|đại biểu quốc hội|
đại tướng|thượng tướng|trung tướng|thiếu tướng|đại tá|thượng tá|trung tá|thiếu tá|đại úy|đại uý|giáo sư|tiến sĩ|
thạc sĩ|bác sĩ|tư lệnh|chính ủy|chính uỷ|trưởng khoa|chỉ huy trưởng|trưởng công an|thường trực|chánh thanh tra|
gs|pgs|ts|ths|gs.ts|pgs.ts|ts.bs|bs|nsnd|nsưt|ngnd|ngưt|anh hùng|bà mẹ việt nam anh hùng"""
          .replace("\n", "").split("|")]
_CORES_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _core in _CORES:
    _CORES_BY_FIRST.setdefault(_core[0], []).append(_core)
_PREFIXES = {"nguyên", "quyền", "phó"}
_STOPS = _words("""cho đã đang sẽ vừa có là được bị tại cùng với để khi thì mà này đó nói cũng dự về đến tới từ theo
nhằm làm thăm tặng chúc đọc trao nhấn tham kiểm khẳng nêu gửi trong ngoài trên dưới sau trước qua đi ra lên vào không
rất luôn ngày nhiệm hiện đều vẫn còn cần phải""")
# verbs also found inside the names of offices ("Quỹ Đầu tư phát triển", "công trình"): a stop only with their pair
_STOP_PAIRS = {("chủ", "trì"), ("chỉ", "đạo"), ("báo", "cáo"), ("thông", "tin"), ("thông", "báo"), ("đại", "diện"),
               ("đồng", "chí"), ("cho", "biết"), ("phát", "biểu"), ("trình", "bày"), ("biểu", "dương"),
               ("động", "viên"), ("lưu", "ý"), ("chia", "sẻ"), ("ghi", "nhận"), ("đánh", "giá"), ("yêu", "cầu"),
               ("đề", "nghị"), ("đề", "xuất"), ("điều", "hành"), ("phát", "động")}
_NOT_NAME = _words("""Ban Tỉnh Thành Huyện Ủy Uỷ Sở Bộ Đảng Trung Hội Nhà Trường Công Các Những Tại Theo Chi Cục Vụ
Viện Phòng Ngày Tháng Năm Quốc Nhân Ông Bà Anh Chị""")

_TOKEN_RE = re.compile(r"\w+(?:\.\w+)*|[^\w\s]")
# "đồng chí", "Đ/c" (found from its first letter: fast), then the plural word before it ("các đồng chí")
_TRIGGER_RE = re.compile(r"[đĐ](?:(?i:ồng)\s+(?i:chí)(?!\w)|\s?/\s?[cC](?!\w))[ \t\u00a0]*:?[ \t\u00a0]*")
_PLURAL_BEFORE_RE = re.compile(r"(?<!\w)(?i:các|những|hai|ba)\s+\Z")
_COMMA_RE = re.compile(r"[ \t\u00a0]*,[ \t\u00a0]*")
_INLINE_SPACES = " \t\u00a0"
_WORD_BEFORE_RE = re.compile(r"(\w+)[ \t\u00a0]+$")  # searched in a window ending at the name
_WORD_AFTER_RE = re.compile(r"[ \t\u00a0]+(\w+)")
_SURNAME_OR_MIDDLE = SURNAMES | _MIDDLE
_SEPARATOR_RE = re.compile(r"[ \t\u00a0]*(?P<sep>,|;|\(|[-–—](?=[ \t\u00a0])|(?i:và)(?!\w))[ \t\u00a0]*")


@dataclass(slots=True)
class _Token:
    text: str
    start: int
    end: int

    @property
    def cap(self) -> bool:
        t = self.text
        return t.isalpha() and t[0].isupper() and (len(t) == 1 or t[1:].islower()) and len(t) <= 7

    @property
    def word(self) -> bool:
        return self.text[0].isalnum() or self.text[0] == "_"


_WINDOW = 24  # tokens read after a name or "đồng chí": a title part is at most 18 (_title_part), and the next


def _tokens(text: str, pos: int, limit: int = 40, known: list[_Token] | None = None) -> list[_Token]:
    """Up to `limit` tokens from `pos`, on one line; taken from `known` (tokens read before on the same
    line) where `pos` lies between two of them."""
    if known and known[0].end <= pos <= known[-1].start:
        k = next(i for i, token in enumerate(known) if token.start >= pos)
        if known[k - 1].end <= pos:
            taken = known[k:k + limit]
            if len(taken) < limit and len(known) == _WINDOW:  # `known` stopped at its limit, not at the line end
                taken += _tokens(text, known[-1].end, limit - len(taken))
            return taken
    line_end = text.find("\n", pos)
    matches = _TOKEN_RE.finditer(text, pos, len(text) if line_end < 0 else line_end)
    return [_Token(m.group(), m.start(), m.end()) for m in islice(matches, limit)]


def _head_at(tokens: list[_Token], i: int, capital: bool) -> int:
    """The number of tokens of a title word starting at tokens[i] (0 when there is none)."""
    j = i
    while j < len(tokens) and tokens[j].text.lower() in _PREFIXES:
        j += 1
    cores = _CORES_BY_FIRST.get(tokens[j].text.lower()) if j < len(tokens) else None
    if not cores:
        return 0
    words = tuple(t.text.lower() for t in tokens[j:j + 5])
    best = 0
    for core in cores:
        if words[:len(core)] == core:
            best = max(best, len(core))
    if not best:
        return 0
    if capital and not tokens[i].text[0].isupper():
        return 0
    return j - i + best


def _is_stop(tokens: list[_Token], i: int) -> bool:
    t = tokens[i].text
    if not tokens[i].word:
        return True
    low = t.lower()
    pair = (low, tokens[i + 1].text.lower()) if i + 1 < len(tokens) else None
    if pair in _STOP_PAIRS:
        return True
    if low == "dự" and pair and pair[1] == "khuyết":  # Ủy viên dự khuyết
        return False
    if low == "và":  # inside an office's name ("Thông tin và Truyền thông", "Giáo dục và Đào tạo",
        # "các cơ quan và doanh nghiệp"), not before another person ("và Lê Văn Cường") or a clause
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        after = tokens[i + 2] if i + 2 < len(tokens) else None
        if nxt and nxt.cap:
            return nxt.text in SURNAMES and bool(after and after.cap)
        return not (nxt and after and (nxt.text, after.text) == ("doanh", "nghiệp"))
    return t.islower() and low in _STOPS


def _title_part(tokens: list[_Token], i: int, capital: bool) -> int:
    """The end (token index, exclusive) of a title part starting at tokens[i]; i when there is none."""
    n = _head_at(tokens, i, capital)
    if not n:
        return i
    j = i + n
    while j < len(tokens) and j - i < 18 and not _is_stop(tokens, j):
        j += 1
    return j


def _split_name(words: list[str]) -> int | None:
    """Where the name starts in a capitalised run closing a title ("Quảng Ninh Vi Ngọc Bích" -> 2)."""
    if " ".join(words) in PLACES:
        return None
    candidates = [i for i in range(len(words)) if words[i] in SURNAMES and 2 <= len(words) - i <= 4
                  and (i == 0 or (words[0] not in _NOT_PLACE_START and not _MIDDLE & set(words[:i])))]
    for i in candidates:
        if i and " ".join(words[:i]) in PLACES:
            return i
    if 0 in candidates and len(words) <= 4:
        return 0
    for size in (2, 1, 3):
        if size in candidates:
            return size
    return None


def _direct_name(tokens: list[_Token], i: int) -> int:
    """The end (token index) of a 2-4 syllable name starting at tokens[i]; i when there is none."""
    j = i
    while j < len(tokens) and tokens[j].cap and not _head_at(tokens, j, True):
        j += 1
    words = [t.text for t in tokens[i:j]]
    if not 2 <= len(words) <= 4 or words[0] in _NOT_NAME or " ".join(words) in PLACES:
        return i
    if j < len(tokens) and tokens[j].cap and not _head_at(tokens, j, True):
        return i  # a longer capitalised run: the name's end is unclear
    return j


def _title_after(text: str, pos: int, known: list[_Token] | None = None) -> tuple[str | None, int]:
    """Comma-separated title parts after a name ending at `pos`; (title, end offset). `known`: the
    tokens (_WINDOW of them) read from "đồng chí", to be reused."""
    m = _SEPARATOR_RE.match(text, pos)
    if m is None:  # "đồng chí Nguyễn Văn An Bí thư Tỉnh ủy": a capitalised title word right after the name
        following = _tokens(text, pos, 6, known)
        if not (following and text[pos:following[0].start].isspace() and _head_at(following, 0, True)):
            return None, pos
        cursor, closing = pos, False
    elif m["sep"] == ";" or m["sep"].lower() == "và":
        return None, pos
    else:
        cursor, closing = m.end(), m["sep"] == "("
    parts: list[tuple[int, int]] = []
    tokens = _tokens(text, cursor, _WINDOW, known)
    while tokens:
        end = _title_part(tokens, 0, capital=False)
        if end == 0:
            break
        parts.append((tokens[0].start, tokens[end - 1].end))
        cursor = tokens[end - 1].end
        nxt = _COMMA_RE.match(text, cursor)
        if not nxt:
            break
        tokens = _tokens(text, nxt.end(), _WINDOW, known)  # the next part, if it starts with a title word
        if not tokens or not _head_at(tokens, 0, False):
            break
    if not parts:
        return None, pos
    title = text[parts[0][0]:parts[-1][1]]
    end = parts[-1][1]
    if closing and text[end:end + 1] == ")":
        end += 1
    return title, end


def _title_before(text: str, start: int) -> str | None:
    before = re.sub(r"[\s,\-–—]+$", "", text[max(0, start - 200):start])
    clause = re.split(r"[.;:!?\n()“”\"]", before)[-1]
    parts = clause.split(",")
    last = parts[-1].strip()
    tokens = _tokens(last, 0, 40)
    for h in range(len(tokens)):
        if _head_at(tokens, h, capital=True):
            end = _title_part(tokens, h, capital=True)
            if end != len(tokens):
                return None
            title_parts = [last[tokens[h].start:]]
            for part in reversed(parts[:-1]):
                part = part.strip()
                ptoks = _tokens(part, 0, 40)
                if ptoks and _head_at(ptoks, 0, True) and _title_part(ptoks, 0, True) == len(ptoks):
                    title_parts.insert(0, part)
                else:
                    break
            return ", ".join(title_parts)
    return None


def _introduced(text: str) -> list[tuple[str, str | None, int]]:
    """(name, title, offset) of every "đồng chí" introduction."""
    found = []
    for m in _TRIGGER_RE.finditer(text):
        before = _PLURAL_BEFORE_RE.search(text, max(0, m.start() - 20), m.start())
        plural = before is not None
        start = before.start() if before else m.start()
        if not before and start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue  # inside a word
        tokens = _tokens(text, m.end(), _WINDOW)
        if not tokens:
            continue
        head = 0 if plural else _head_at(tokens, 0, capital=True)
        if head:  # đồng chí <title> <name>
            end = _title_part(tokens, 0, capital=True)
            j = head
            while j < end:
                if not tokens[j].cap:
                    j += 1
                    continue
                b = j
                while b < end and tokens[b].cap:
                    b += 1
                words = [t.text for t in tokens[j:b]]
                if b - j >= 2:
                    at = _split_name(words)
                    if at is not None:
                        first, last = tokens[j + at], tokens[b - 1]
                        title = text[tokens[0].start:tokens[j + at - 1].end]
                        more, _after = _title_after(text, last.end, tokens)  # "đồng chí Thiếu tướng X, Giám đốc"
                        found.append((text[first.start:last.end], f"{title}, {more}" if more else title,
                                      first.start))
                        break
                    if " ".join(words) not in PLACES:
                        break
                j = b
            continue
        i = 0
        while True:
            end = _direct_name(tokens, i)
            if end == i:
                break
            name_start, name_end = tokens[i].start, tokens[end - 1].end
            title, after = _title_after(text, name_end, tokens)
            if title is None and not plural:
                title = _title_before(text, start)
            found.append((text[name_start:name_end], title, name_start))
            if not plural:
                break
            sep = _SEPARATOR_RE.match(text, after)
            if not sep or sep["sep"].lower() not in (",", ";", "và"):
                break
            tokens = _tokens(text, sep.end(), _WINDOW)
            if not tokens:
                break
    return found


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what \w matches


def _whole(text: str, words: list[str]) -> Iterator[tuple[int, int]]:
    """(start, end) of `words` written as whole words, spaces or tabs between them (no regex to compile)."""
    first, size = words[0], len(text)
    i = text.find(first)
    while i >= 0:
        k = i + len(first)
        found = not (i and _is_word_char(text[i - 1]))
        for word in words[1:]:
            gap = k
            while k < size and text[k] in _INLINE_SPACES:
                k += 1
            if not found or k == gap or not text.startswith(word, k):
                found = False
                break
            k += len(word)
        if found and not (k < size and _is_word_char(text[k])):
            yield i, k
            i = text.find(first, k)
        else:
            i = text.find(first, i + 1)


def _occurrences(text: str, name: str) -> list[int]:
    """Offsets of `name` as a whole: not continued by another syllable of a longer name."""
    words = name.split()
    out = []
    for start, end in _whole(text, words):
        prev = _WORD_BEFORE_RE.search(text, max(0, start - 15), start)
        if prev and prev.group(1) in _SURNAME_OR_MIDDLE and len(words) < 4:
            continue  # "Trần Đoàn Hưng" is not "Đoàn Hưng"
        nxt = _WORD_AFTER_RE.match(text, end, end + 15)
        if nxt and _Token(nxt.group(1), 0, 0).cap and not _is_titleish(nxt.group(1)):
            continue
        out.append(start)
    return out


def _is_titleish(word: str) -> bool:
    return word.lower() in _CORES_BY_FIRST or word.lower() in _PREFIXES


def find_people(text: str) -> list[Person]:
    """The people `text` introduces as "đồng chí", in order of first occurrence (see the module doc)."""
    norm, mapping = nfc_with_offsets(text)
    titles: dict[str, str | None] = {}
    intro: dict[str, int] = {}
    for name, title, offset in _introduced(norm):
        if titles.get(name) is None:
            titles[name] = title
        intro.setdefault(name, offset)
    people = []
    for name, title in titles.items():
        offsets = _occurrences(norm, name) or [intro[name]]
        first = min(offsets)
        people.append(Person(name, title, len(offsets), first if mapping is None else mapping[first]))
    people.sort(key=lambda p: p.first)
    return people
