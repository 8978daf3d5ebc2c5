"""How a reader's search becomes an FTS5 query on the keyed index (crawler/store/search_index.py).

Pure functions; the Datasette plugin (datasette/plugins/vn_search.py) registers them as SQL
functions for the canned queries and uses them for the table search box.

    match_expression("Hà Văn Thưởng", tier="phrase")   # the whole name as a phrase
    match_expression("Hà Văn Thưởng", tier="rest")     # all three words (the phrase tier taken out in SQL)
    key_range("01/2024", "2024")                        # the search keys of Jan 2024 .. Dec 2024

Ranking is phrase-first: a multi-word input without quotes is looked up as one phrase first
("tier" 0) and then as separate words anywhere in the article (tier 1: the newest matches of
every word that are not phrase matches); bm25 orders each tier. A date filter reads the forms
Vietnamese readers write (dd/mm/yyyy, d/m/yyyy, mm/yyyy, yyyy) and ISO, as a day, month or year
in Vietnam time.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from datasette.utils import escape_fts as datasette_escape_fts

from crawler.store.folding import vn_fold
from crawler.store.search_index import KEY_SPAN, MAX_KEY_SECONDS, TEXT_COLUMNS, key_for_time, scope_match

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Ranking scores only the newest this-many matches of a tier (bm25 reads each scored row's positions and
# length: 10-20 µs a row at a million articles). Below it lies a floor no window moves: for its IDF, bm25
# counts every match of each phrase in the whole index, once per query (~100 ms for a word in every
# article at 1M). 5,000 keeps the scoring under that floor; a query with more matches is one to narrow.
RANK_WINDOW = 5_000
# Totals are counted up to this and shown as "more than …" beyond it (an exact count of a word found in
# every article means reading its whole posting list).
COUNT_CAP = 10_000
PAGE_SIZE = 50
# Search keys below and above every article (the bounds of an open date range).
KEY_MIN, KEY_MAX = 0, (2 * MAX_KEY_SECONDS + 1) * KEY_SPAN

_SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"'})
_TEXT = "{" + " ".join(TEXT_COLUMNS) + "}"
NOTHING = '""'  # FTS5's empty phrase: matches no article (an empty query, a tier that does not apply)


class DateFilterError(ValueError):
    """A date filter that cannot be read; the message says which value and what is accepted."""


def fold_query(query: str | None) -> str:
    """A reader's query as the index spells it: NFC, đ→d, straight quotes.

    >>> fold_query("“Đảng ủy” khối")
    '"Dảng ủy" khối'
    """
    return vn_fold(unicodedata.normalize("NFC", query or "").translate(_SMART_QUOTES))


def escape_words(query: str | None) -> str:
    """Fold, quote every word, keep "quoted phrases" (so FTS5 syntax typed by a reader never errors).

    >>> escape_words('Đảng "ủy khối" covid-19')
    '"Dảng" "ủy khối" "covid-19"'
    >>> escape_words("  ")
    '""'
    """
    return datasette_escape_fts(fold_query(query)) or NOTHING


def phrase_of(query: str | None) -> str | None:
    """The whole input as one phrase, when it is several words typed without quotes, else None.

    >>> phrase_of("huyện Bắc Quang")
    '"huyện Bắc Quang"'
    >>> phrase_of('"Bắc Quang"') is None
    True
    """
    folded = fold_query(query)
    words = re.findall(r"[^\s\"]+", folded)
    if len(words) < 2 or '"' in folded:
        return None
    return '"' + " ".join(words) + '"'


def has_phrase(query: str | None) -> bool:
    """Whether the input quotes a phrase of several words (its walk checks positions: the costly kind).

    >>> has_phrase('"chuyển đổi số" Đảng'), has_phrase("chuyển đổi số"), has_phrase('"Đảng"')
    (True, False, False)
    """
    return any(" " in phrase.strip() for phrase in re.findall(r'"([^"]*)"', fold_query(query)))


def is_tiered(query: str | None) -> bool:
    """Whether the ranked search has two tiers (the phrase, then the words anywhere) for this input.

    >>> is_tiered("Hà Văn Thưởng"), is_tiered('"Hà Văn Thưởng"'), is_tiered("Đảng")
    (True, False, False)
    """
    return phrase_of(query) is not None


def match_expression(query: str | None, site: str | None = "", province: str | None = "",
                     tier: str = "all") -> str:
    """The FTS5 MATCH of a search: the words in title, lead or text, within a site and/or province.

    >>> match_expression("Hà Văn Thưởng", site="tuyengiao", tier="phrase")
    '("Hà Văn Thưởng") AND search_scope : "s747579656e6769616f"'
    >>> match_expression("Đảng ủy")
    '"Dảng" "ủy"'

    `tier` "all": every word anywhere; "phrase": the whole input as a phrase (every word when it is
    one word or quoted); "rest": every word when there is a phrase tier, else nothing. The ranked
    search takes the phrase tier's matches out of the rest itself (not with FTS5's NOT, which drops
    rows when walked newest first on SQLite 3.40).
    """
    if tier not in ("all", "phrase", "rest"):
        raise ValueError(f"unknown search tier {tier!r}")
    words = escape_words(query)
    phrase = phrase_of(query)
    if words == NOTHING or (tier == "rest" and not phrase):
        return NOTHING
    # No column filter: one costs FTS5 a check of every candidate's positions (1.5-2.4x the time of a
    # walk), and the only other column holds the scope tokens, "s"/"p" + the hex of a name, no word.
    text = phrase if tier == "phrase" and phrase else words
    scope = scope_match(site or "", province or "")
    return f"({text}) AND {scope}" if scope else text


def raw_expression(query: str | None) -> str:
    """FTS5 syntax typed by the reader (`Đảng* NOT ninh`, `?_searchmode=raw`), folded, in the text columns
    (there a prefix query such as `s*` could reach the scope tokens)."""
    folded = fold_query(query).strip()
    return f"{_TEXT} : ({folded})" if folded else NOTHING


_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[/.-](\d{4})")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"\d{4}")
ACCEPTED = "dd/mm/yyyy, d/m/yyyy, mm/yyyy, yyyy or yyyy-mm-dd"


def read_period(value: str) -> tuple[datetime, datetime]:
    """The day, month or year a date filter names, as [start, end) in Vietnam time.

    >>> read_period("1/2/2024")[0].isoformat()
    '2024-02-01T00:00:00+07:00'
    >>> read_period("02/2024")[1].isoformat()
    '2024-03-01T00:00:00+07:00'
    """
    text = value.strip()
    try:
        if m := _DAY_FIRST.fullmatch(text):
            start = datetime(int(m[3]), int(m[2]), int(m[1]), tzinfo=VIETNAM)
            return start, start + timedelta(days=1)
        if m := _ISO_DAY.fullmatch(text):
            start = datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=VIETNAM)
            return start, start + timedelta(days=1)
        if (m := _MONTH_YEAR.fullmatch(text)) or (m := _ISO_MONTH.fullmatch(text)):
            year, month = (int(m[2]), int(m[1])) if m.re is _MONTH_YEAR else (int(m[1]), int(m[2]))
            start = datetime(year, month, 1, tzinfo=VIETNAM)
            return start, datetime(year + month // 12, month % 12 + 1, 1, tzinfo=VIETNAM)
        if _YEAR.fullmatch(text):
            return datetime(int(text), 1, 1, tzinfo=VIETNAM), datetime(int(text) + 1, 1, 1, tzinfo=VIETNAM)
    except ValueError:
        pass  # 31/02/2024, month 13: a date-shaped value that is no date
    raise DateFilterError(f"cannot read the date {value!r}: write {ACCEPTED}")


def key_after(date_from: str | None) -> int:
    """The first search key past a `date_from` filter (keys grow with age: articles published on or after
    its day, month or year have smaller keys); no bound when empty."""
    return key_for_time(read_period(date_from)[0]) if date_from and date_from.strip() else KEY_MAX


def key_start(date_to: str | None) -> int:
    """The smallest search key a `date_to` filter keeps: articles published after its day, month or year
    have smaller keys; no bound when empty."""
    return key_for_time(read_period(date_to)[1]) if date_to and date_to.strip() else KEY_MIN


def key_range(date_from: str | None, date_to: str | None) -> tuple[int, int]:
    """[lo, hi): the search keys of the articles a date filter keeps."""
    return key_start(date_to), key_after(date_from)


def date_filter_problem(date_from: str | None, date_to: str | None) -> str | None:
    """A one-line message when a date filter cannot be read, else None."""
    for name, value in (("date_from", date_from), ("date_to", date_to)):
        if value and value.strip():
            try:
                read_period(value)
            except DateFilterError as exc:
                return f"{name}: {exc}"
    return None
