"""The versions of an article and what changed between two of them, word by word (difflib).

An article's current version is its `articles` row; its earlier versions are `article_revisions`
rows (revision 1, 2 … with `valid_from`/`valid_until`). `version_chain` puts them in one list,
oldest first; `what_changed` names the fields a version changed; `word_diff` marks the words a
version added and removed.

    >>> word_diff("Đoạn một.", "Đoạn một, đã sửa.")
    [('same', 'Đoạn một'), ('added', ', đã sửa'), ('same', '.')]
    >>> word_diff("Thu Hằng", "Thu Hà")
    [('same', 'Thu '), ('removed', 'Hằng'), ('added', 'Hà')]
    >>> what_changed({"title": "A", "body_text": "x", "author": "B"}, {"title": "A", "body_text": "y", "author": "C"})
    ['body', 'author']
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any

# Field -> the name a reader sees for it, in the order the changes are listed.
CHANGE_NAMES = {
    "title": "title", "lead": "lead", "body_text": "body", "author": "author", "credit": "credit",
    "published_at": "date", "category": "category", "captions": "pictures",
}
# Vietnamese for each change, shown beside the English (the pages are bilingual).
CHANGE_NAMES_VI = {
    "title": "tiêu đề", "lead": "sapo", "body": "nội dung", "author": "tác giả", "credit": "nguồn",
    "date": "ngày đăng", "category": "chuyên mục", "pictures": "ảnh",
}
# Unchanged text kept around each change; longer unchanged stretches are cut to this much on each side
# (a one-word correction in a 2,000-word article should not need scrolling to find).
CONTEXT_WORDS = 40
# Changed paragraphs longer than this together are shown removed and added whole: aligning their words
# costs time quadratic in their length (a rewritten 3,000-word article would take seconds).
MAX_WORD_DIFF_CHARS = 20_000
# A paragraph with the line breaks after it: the first alignment is by paragraph.
_PARAGRAPH = re.compile(r"[^\n]+\n*|\n+")
# Words (Vietnamese syllables) and runs of punctuation, each with the space after it (so that space is
# no token of its own, the commonest of all): a change is marked on whole words.
_TOKEN = re.compile(r"\w+\s*|[^\w\s]+\s*|\s+")


def word_diff(old: str | None, new: str | None) -> list[tuple[str, str]]:
    """`new` against `old` as (kind, text) segments: 'same', 'removed' (only in old), 'added' (only in new).

    Paragraphs are aligned first, then the words of the changed ones: a long article costs a few
    milliseconds, not seconds (difflib is quadratic in the worst case). A change runs on across the
    spaces between changed words: "Thu Hằng" -> "Hùng Anh" is one name removed and one added."""
    segments: list[tuple[str, str]] = []
    before, after = _PARAGRAPH.findall(old or ""), _PARAGRAPH.findall(new or "")
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        removed, added = "".join(before[i1:i2]), "".join(after[j1:j2])
        if tag == "equal":
            _append(segments, "same", added)
        elif tag == "replace" and i2 - i1 == j2 - j1:  # paragraphs edited in place: word diffs, pair by pair
            for old_paragraph, new_paragraph in zip(before[i1:i2], after[j1:j2], strict=True):
                for kind, text in _words_diff(old_paragraph, new_paragraph):
                    _append(segments, kind, text)
        elif tag == "replace" and (len(removed) + len(added)) <= MAX_WORD_DIFF_CHARS:
            for kind, text in _words_diff(removed, added):
                _append(segments, kind, text)
        else:  # whole paragraphs in or out, or a rewrite too long to align word by word
            _append(segments, "removed", removed)
            _append(segments, "added", added)
    return segments


def _append(segments: list[tuple[str, str]], kind: str, text: str) -> None:
    if not text:
        return
    if segments and segments[-1][0] == kind:
        segments[-1] = (kind, segments[-1][1] + text)
    else:
        segments.append((kind, text))


def _words_diff(old: str, new: str) -> list[tuple[str, str]]:
    before, after = _TOKEN.findall(old), _TOKEN.findall(new)
    # difflib's autojunk (from 200 words on, the syllables making over 1 % of them, "của", "và", do not
    # anchor an alignment) keeps a long paragraph from taking seconds; shorter ones align exactly
    # compared without their spaces: "năm" at the end of a title is "năm " once words follow it
    opcodes = SequenceMatcher(None, [t.rstrip() for t in before], [t.rstrip() for t in after]).get_opcodes()
    segments: list[tuple[str, str]] = []
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        segments.extend((kind, "".join(parts)) for kind, parts in (("removed", removed), ("added", added)) if parts)
        removed.clear()
        added.clear()

    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        between_changes = 0 < index < len(opcodes) - 1 and all(t.isspace() for t in after[j1:j2])
        if tag == "equal" and not between_changes:
            flush()
            segments.append(("same", "".join(after[j1:j2])))
        else:
            removed.extend(before[i1:i2])
            added.extend(after[j1:j2])
    flush()
    return segments


def condensed(segments: list[tuple[str, str]], context: int = CONTEXT_WORDS) -> list[tuple[str, str]]:
    """`segments` with each unchanged stretch longer than twice `context` words cut to `context` words
    after the change before it and before the change after it; the cut is a ('skipped', 'N') segment.

    >>> condensed([("same", "a b c d e f"), ("added", "x"), ("same", "g h i j k l")], context=2)
    [('skipped', '4'), ('same', 'e f'), ('added', 'x'), ('same', 'g h'), ('skipped', '4')]
    """
    out: list[tuple[str, str]] = []
    for index, (kind, text) in enumerate(segments):
        words = text.split(" ")
        keep_before = context if index else 0  # words after the change before
        keep_after = context if index < len(segments) - 1 else 0  # words before the change after
        if kind != "same" or len(words) <= keep_before + keep_after + context:
            out.append((kind, text))
            continue
        if keep_before:
            out.append(("same", " ".join(words[:keep_before])))
        out.append(("skipped", str(len(words) - keep_before - keep_after)))
        if keep_after:
            out.append(("same", " ".join(words[-keep_after:])))
    return out


def _differs(previous: Mapping[str, Any], version: Mapping[str, Any], field: str) -> bool:
    return (previous.get(field) or None) != (version.get(field) or None)  # empty and missing are the same


def what_changed(previous: Mapping[str, Any] | None, version: Mapping[str, Any]) -> list[str]:
    """The reader's names of the fields `version` changed from `previous` (none for a first version)."""
    if previous is None:
        return []
    return [name for field, name in CHANGE_NAMES.items() if _differs(previous, version, field)]


def version_chain(revisions: Sequence[Mapping[str, Any]], article: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every version, oldest first: the revision rows, then the article row as the current version
    (valid from its `last_changed_at`). Each carries `changes` (against the one before) and `current`."""
    current = {**article, "id": None, "article_id": article["id"], "revision": article.get("revision") or 1,
               "valid_from": article.get("last_changed_at"), "valid_until": None}
    versions = [dict(r) for r in sorted(revisions, key=lambda r: r["revision"])] + [current]
    for index, version in enumerate(versions):
        version["current"] = version is current
        version["changes"] = what_changed(versions[index - 1] if index else None, version)
    return versions


def diff_fields(previous: Mapping[str, Any], version: Mapping[str, Any]) -> list[dict[str, Any]]:
    """For each changed text field, its name and its word diff (what the diff view shows)."""
    shown = ("title", "lead", "author", "credit", "category", "published_at", "body_text")
    return [{"field": CHANGE_NAMES[field], "field_vi": CHANGE_NAMES_VI[CHANGE_NAMES[field]],
             "segments": condensed(word_diff(previous.get(field), version.get(field)))}
            for field in shown if _differs(previous, version, field)]
