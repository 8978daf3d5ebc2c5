"""The scale benchmark (scripts/bench_scale, bench/scale/): the generator's truth, and the whole suite at a
tiny size (real store, real publish, real Datasette over HTTP): every row is there and every figure parses.
No timing is asserted."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import unicodedata

from bench.scale.generate import ENTITIES, TOKEN, fold, generate_article, registry_sites
from bench.scale.queries import CLASSES, benchmark_queries, fold_query
from bench.scale.report import all_rows
from tests.conftest import ROOT

SIZE = 300
PER_CLASS = 2


def index_text(*parts: str) -> list[str]:
    return [" " + " ".join(fold(t) for t in TOKEN.findall(p)) + " " for p in parts]


def test_articles_are_deterministic_nfc_vietnamese_of_realistic_length():
    first, again = generate_article(7), generate_article(7)
    assert first == again and first != generate_article(8)
    text = "\n\n".join(first["paragraphs"])
    assert unicodedata.is_normalized("NFC", text) and unicodedata.is_normalized("NFC", first["title"])
    lengths = sorted(len("\n\n".join(generate_article(n)["paragraphs"]).encode()) for n in range(1, 101))
    assert 3000 < lengths[50] < 8000  # ~5 KB of body text, as the archive's articles
    assert first["published_at"].endswith("+07:00") and "2010" <= first["published_at"][:4] <= "2026"
    assert first["site"] in {s["name"] for s in registry_sites()} and len(registry_sites()) == 34


def test_contains_is_the_truth_and_decoys_never_hold_the_name():
    entities = {e.key: e for e in ENTITIES}
    seen_planted = seen_decoy = 0
    for n in range(1, 501):
        article = generate_article(n)
        columns = index_text(article["title"], article["lead"], "\n\n".join(article["paragraphs"]))
        for key, entity in entities.items():
            phrase = " " + " ".join(entity.tokens) + " "
            held = any(phrase in column for column in columns)
            assert held == (key in article["contains"]), (n, key)
            if entity.kind == "name" and not held and all(f" {t} " in columns[2] for t in entity.tokens):
                seen_decoy += columns[2].count(f" {entity.tokens[-1]} ") >= 6
        seen_planted += bool(article["contains"])
    assert seen_planted > 50 and seen_decoy > 3


def test_fifty_queries_in_five_classes_with_folded_twins():
    queries = benchmark_queries()
    assert len(queries) == 50 and [q["class"] for q in queries[::10]] == list(CLASSES)
    assert fold_query("Hà Văn Thưởng") == "ha van thuong" and fold_query('"Đảng bộ"') == '"dang bo"'
    assert all(q["site"] and q["date_from"] for q in queries if q["class"] == "filtered")


def test_the_suite_runs_at_a_tiny_size(tmp_path):
    out, results = tmp_path / "BENCHMARKS.md", tmp_path / "results.json"
    out.write_text("# Benchmarks\n\n<!-- other: begin -->\nkept\n<!-- other: end -->\n", encoding="utf-8")
    cmd = [sys.executable, str(ROOT / "scripts" / "bench_scale"), "--size", str(SIZE), "--queries-per-class",
           str(PER_CLASS), "--clients", "2", "--duration", "1", "--runs", "1", "--cache-dir", str(tmp_path / "cache"),
           "--out", str(out), "--json", str(results)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(results.read_text(encoding="utf-8"))["results"]["after"]

    for endpoint, per_class in data["latency"]["endpoints"].items():
        assert set(per_class) == set(CLASSES), endpoint
        for cls, cell in per_class.items():
            assert cell["requests"] == PER_CLASS and cell["failed"] == 0, (endpoint, cls, cell)
            assert all(math.isfinite(cell[p]) and cell[p] > 0 for p in ("p50", "p95", "p99")), (endpoint, cls)
    assert data["latency"]["diacritics"]["compared"] == 3 * 5 * PER_CLASS  # the table with facets: same rows
    table = data["unfiltered"]
    assert table["facets_asked"] > 0 and table["facets_shown"] == table["facets_asked"]
    assert data["concurrency"]["requests"] > 0 and data["concurrency"]["clients"] == 2
    assert data["sizes"]["articles"] == SIZE and data["sizes"]["tables"]["articles"] > 0
    assert data["store"]["milestones"][-1]["articles"] == SIZE and data["store"]["milestones"][-1]["plain_cpu_s"] > 0
    assert data["precision"]["names"] and all(0 <= r["p_at_10"] <= 1 for r in data["precision"]["names"])
    assert data["start"]["raw"] > 0 and data["start"]["published"] > 0

    text = out.read_text(encoding="utf-8")
    assert "<!-- other: begin -->\nkept\n<!-- other: end -->" in text
    section = text[text.index("<!-- bench_scale: begin -->"):text.index("<!-- bench_scale: end -->")]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| what")]
    for row in all_rows(None, data):  # every row of the report, with its figures
        line = next((r for r in rows if r.startswith(f"| {row.what} |")), None)
        assert line is not None, row.what
        after = line.split(" | ")[2]
        assert re.search(r"\d", after), line
    assert "SQLite" in section and "Datasette" in section and "nproc" in section

    side_by_side = all_rows(data, data)  # before = after: every ratio is 1, every row has both figures
    assert all(r.ratio in ("1.00×", "—") for r in side_by_side) and sum(r.ratio == "1.00×" for r in side_by_side) > 20
    assert all(r.before == r.after for r in side_by_side)
