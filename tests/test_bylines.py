"""The byline parser on bylines written without reading it (tests/fixtures/blind/bylines.json).

Every case is a line as it stands on a page (end of the body, under the title, a field, a caption,
a heading, a body sentence) with the author and credit a careful reader gives. Authors are
compared as sets of names (crawler.evaluate.names: casefolded, without degrees and ranks).
"""

from __future__ import annotations

import json

import pytest

from crawler.evaluate import names, norm
from crawler.extract.bylines import parse_byline
from tests.conftest import FIXTURES

CASES = json.loads((FIXTURES / "blind" / "bylines.json").read_text(encoding="utf-8"))
NEGATIVE = [c for c in CASES if c["author"] is None and c["credit"] is None]


def predicted_author(case: dict) -> str | None:
    found = parse_byline(case["line"])
    return found.author if found else None


def test_precision_and_recall_of_authors(capsys):
    tp = fp = fn = 0
    misses = []
    for case in CASES:
        got, want = names(predicted_author(case)), names(case["author"])
        if got and got == want:
            tp += 1
        else:
            fp += bool(got)
            fn += bool(want)
            if got or want:
                misses.append(f"{case['line']!r}: {predicted_author(case)!r} want {case['author']!r}")
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    with capsys.disabled():
        print(f"\nbylines: {len(CASES)} cases, author precision {precision:.3f} recall {recall:.3f}"
              + "".join(f"\n  {m}" for m in misses))
    assert precision >= 0.98 and recall >= 0.9, misses


@pytest.mark.parametrize("case", NEGATIVE, ids=[c["line"][:40] for c in NEGATIVE])
def test_no_author_and_no_credit_from_what_is_no_byline(case):
    found = parse_byline(case["line"])
    assert found is None or (found.author is None and found.credit is None), found


def test_credit_only_lines_credit_an_organisation_not_a_person():
    cases = [c for c in CASES if c["author"] is None and c["credit"]]
    wrong = []
    for case in cases:
        found = parse_byline(case["line"])
        credit = (found.credit or found.unit) if found else None
        if found is None or found.author or norm(credit).casefold() != norm(case["credit"]).casefold():
            wrong.append(f"{case['line']!r}: {found}")
    assert len(wrong) <= len(cases) // 10, wrong  # at most one in ten credits worded differently
    assert not [w for w in wrong if "author='" in w and "author=None" not in w], wrong  # never a person
