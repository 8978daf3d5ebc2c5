"""The BENCHMARKS.md section of the scale benchmark: before and after side by side, the issue's targets.

Every row of issue 13's table that this suite measures (the crawl and extraction rows belong to the crawl
benchmark) is a `Row`: what, the before and after figures, their ratio (after / before of the headline
figure: below 1 is faster for times, above 1 is more for rates), the target and whether after meets it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.scale.queries import CLASS_TITLES, CLASSES

SELECTIVE = ("names", "phrases", "documents")

# -- the issue's targets: (what they bound, limit) -------------------------------------------------
NEWEST_P95_MS = 50
TABLE_NOFACET_P95_MS = 50
TABLE_FACETS_P95_MS = 500
RANKED_COMMON_P95_MS = 300
RANKED_SELECTIVE_P95_MS = 100
CONCURRENT_P95_S = 1.0
UNFILTERED_TABLE_MS = 300
STORE_ARTICLES_PER_S = 2000
START_S = 3.0
NAME_PRECISION = 1.0  # whole-name matches above scattered syllables: every top 10 is the name


@dataclass
class Row:
    what: str
    before: str
    after: str
    ratio: str
    target: str
    met: str


def fmt_ms(value: float) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def fmt_ratio(after: float | None, before: float | None) -> str:
    if not before or after is None or math.isnan(before) or math.isnan(after):
        return "—"
    return f"{after / before:.2f}×"


def verdict(ok: bool | None, why: str = "") -> str:
    return "—" if ok is None else "yes" if ok else "**no**" + (f" ({why})" if why else "")


def latency_text(cell: dict[str, Any] | None) -> str:
    if not cell:
        return "—"
    text = f"{fmt_ms(cell['p50'])} / {fmt_ms(cell['p95'])} / {fmt_ms(cell['p99'])}"
    if cell["failed"]:
        text += f", **{cell['failed']} of {cell['requests']} failed**"
    if "facets_asked" in cell:  # summed over the requests that answered
        text += (f", {cell['facets_dropped']} of {cell['facets_asked']} facets dropped" if cell["facets_asked"]
                 else ", no facets computed")
    return text


def _cell(results: dict | None, endpoint: str, cls: str) -> dict | None:
    return results["latency"]["endpoints"][endpoint].get(cls) if results else None


def latency_rows(before: dict | None, after: dict) -> list[Row]:
    rows = []
    spec: list[tuple[str, str, Callable[[str], tuple[float | None, str]]]] = [
        ("newest", "canned newest-first search `/archive/newest.json?q=`", lambda c: (NEWEST_P95_MS, "")),
        ("table_nofacet", "table search box `?_search=&_nofacet=1`", lambda c: (TABLE_NOFACET_P95_MS, "")),
        ("table_facets", "table search box `?_search=&_with_facets=1` (its default facets)",
         lambda c: (TABLE_FACETS_P95_MS, ", no facet dropped")),
        ("ranked", "ranked canned search `/archive/search.json?q=`",
         lambda c: (RANKED_COMMON_P95_MS, "") if c == "common" else
         (RANKED_SELECTIVE_P95_MS, "") if c in SELECTIVE else (None, "")),
    ]
    for endpoint, title, target_of in spec:
        for cls in CLASSES:
            b, a = _cell(before, endpoint, cls), _cell(after, endpoint, cls)
            limit, what = target_of(cls)
            ok = None
            why = ""
            if limit is not None and a:
                ok = a["p95"] <= limit and not a["failed"] and not a.get("facets_dropped")
                why = "failures" if a["failed"] else "facets dropped" if a.get("facets_dropped") else "p95"
            rows.append(Row(f"{title}: {CLASS_TITLES[cls]} (p50 / p95 / p99 ms)", latency_text(b), latency_text(a),
                            fmt_ratio(a and a["p95"], b and b["p95"]),
                            f"p95 ≤ {limit} ms{what}, 0 failed" if limit is not None else "—", verdict(ok, why)))
    return rows


def fts_text(results: dict | None, cls: str) -> str:
    if not results:
        return "—"
    cell = results["fts"].get(cls)
    if not cell:
        return results["fts"].get("error", "—")
    return f"{fmt_ms(cell['p50'])} / {fmt_ms(cell['p95'])} / {fmt_ms(cell['p99'])}"


def fts_rows(before: dict | None, after: dict) -> list[Row]:
    rows = []
    for cls in ("common", "names", "phrases", "documents"):
        b, a = (before or {}).get("fts", {}).get(cls), after["fts"].get(cls)
        rows.append(Row(f"reference: plain FTS5 bm25 on the same file, {CLASS_TITLES[cls]} (p50 / p95 / p99 ms)",
                        fts_text(before, cls), fts_text(after, cls), fmt_ratio(a and a["p95"], b and b["p95"]),
                        "—", "—"))
    return rows


def other_rows(before: dict | None, after: dict) -> list[Row]:
    def conc(r: dict | None) -> str:
        if not r:
            return "—"
        c = r["concurrency"]
        return (f"{c['throughput']:.1f} req/s, p95 {c['p95'] / 1000:.2f} s, {c['errors']} of {c['requests']} "
                "failed")

    def table(r: dict | None) -> str:
        if not r:
            return "—"
        t = r["unfiltered"]
        return f"{fmt_ms(t['ms'])} ms, {t['facets_shown']} of {t['facets_asked']} facets shown" + (
            f", **{t['failed']} of {t['requests']} failed**" if t["failed"] else "")

    def start(r: dict | None, key: str) -> str:
        return f"{r['start'][key]:.1f} s" if r else "—"

    a_c, a_t = after["concurrency"], after["unfiltered"]
    rows = [
        Row(f"{a_c['clients']} concurrent clients, {a_c['duration']:.0f} s, mixed queries", conc(before), conc(after),
            fmt_ratio(a_c["throughput"], before and before["concurrency"]["throughput"]), "0 errors, p95 ≤ 1 s",
            verdict(a_c["errors"] == 0 and a_c["p95"] / 1000 <= CONCURRENT_P95_S,
                    "errors" if a_c["errors"] else "p95")),
        Row("unfiltered articles table with its default facets (median)", table(before), table(after),
            fmt_ratio(a_t["ms"], before and before["unfiltered"]["ms"]), "≤ 300 ms, every facet shown",
            verdict(a_t["ms"] <= UNFILTERED_TABLE_MS and a_t["facets_shown"] == a_t["facets_asked"]
                    and not a_t["failed"], "facets dropped" if a_t["facets_shown"] < a_t["facets_asked"] else "time")),
        Row("server start, the store's file (`serve --db raw.db`: inspect written at start)", start(before, "raw"),
            start(after, "raw"), fmt_ratio(after["start"]["raw"], before and before["start"]["raw"]), "≤ 3 s",
            verdict(after["start"]["raw"] <= START_S)),
        Row("server start, the published snapshot (`publish`, then `serve`)", start(before, "published"),
            start(after, "published"), fmt_ratio(after["start"]["published"], before and before["start"]["published"]),
            "≤ 3 s", verdict(after["start"]["published"] <= START_S)),
    ]
    for i, m in enumerate(after["store"]["milestones"]):
        mb = before["store"]["milestones"][i] if before and i < len(before["store"]["milestones"]) else None
        rows.append(Row(f"store through `ArticleStore.upsert` at {m['articles']:,} (articles per CPU-second; plain "
                        "executemany of the same rows)", store_text(mb, before), store_text(m, after),
                        fmt_ratio(store_rate(m), mb and store_rate(mb)), f"≥ {STORE_ARTICLES_PER_S:,} articles/s",
                        verdict(store_rate(m) >= STORE_ARTICLES_PER_S)))
    rows.append(Row("database size (published snapshot), bytes per article: total; articles; search index",
                    size_text(before), size_text(after),
                    fmt_ratio(after["sizes"]["file_bytes"], before and before["sizes"]["file_bytes"]),
                    "report; hot columns small", "—"))
    p_a = after["precision"]
    rows.append(Row("ranked search, unquoted planted names and places: mean precision@10 (min; names below 0.5); "
                    "mean recall@50", precision_text(before), precision_text(after),
                    fmt_ratio(p_a["mean_p_at_10"], before and before["precision"]["mean_p_at_10"]),
                    f"{NAME_PRECISION:.1f} for every name", verdict(p_a["min_p_at_10"] >= NAME_PRECISION, "ranking")))
    rows.append(Row("with and without diacritics: queries whose rows differ (of those compared)",
                    diacritics_text(before), diacritics_text(after), "—", "0",
                    verdict(not after["latency"]["diacritics"]["mismatches"] and not p_a["folded_differs"])))
    return rows


def store_rate(m: dict) -> float:
    return m["articles"] / m["store_cpu_s"] if m["store_cpu_s"] else float("nan")


def store_text(m: dict | None, results: dict | None) -> str:
    if not m or not results:
        return "—"
    plain = f" (plain {m['articles'] / m['plain_cpu_s']:,.0f})" if m.get("plain_cpu_s") else ""
    return f"{store_rate(m):,.0f}{plain}" + (", in `batch()`" if results["store"].get("batched") else "")


def size_text(r: dict | None) -> str:
    if not r:
        return "—"
    s = r["sizes"]
    n = max(s["articles"], 1)
    return (f"{s['file_bytes'] / n:,.0f}; {s['tables'].get('articles', 0) / n:,.0f}; "
            f"{s['tables'].get('articles_fts', 0) / n:,.0f} ({s['file_bytes'] / 1e9:.2f} GB)")


def precision_text(r: dict | None) -> str:
    if not r:
        return "—"
    p = r["precision"]
    return (f"{p['mean_p_at_10']:.2f} (min {p['min_p_at_10']:.2f}; {p['below_half']} of {len(p['names'])}); "
            f"{p['mean_recall_at_50']:.2f}")


def diacritics_text(r: dict | None) -> str:
    if not r:
        return "—"
    d = r["latency"]["diacritics"]
    return f"{len(d['mismatches']) + r['precision']['folded_differs']} of {d['compared']}"


def all_rows(before: dict | None, after: dict) -> list[Row]:
    return [*latency_rows(before, after), *fts_rows(before, after), *other_rows(before, after)]


def table_lines(rows: list[Row]) -> list[str]:
    lines = ["| what | before | after | after / before | target | met |", "|---|---|---|---|---|---|"]
    return lines + [f"| {r.what} | {r.before} | {r.after} | {r.ratio} | {r.target} | {r.met} |" for r in rows]


def size_lines(results: dict[str, dict]) -> list[str]:
    """Bytes per article of every table that holds at least one (the empty ones summed in the last line)."""
    def per_article(r: dict, table: str) -> float:
        return r["sizes"]["tables"].get(table, 0) / max(r["sizes"]["articles"], 1)

    lines = ["| table | " + " | ".join(f"{label} bytes/article" for label in results) + " |",
             "|---|" + "---|" * len(results)]
    tables = sorted({t for r in results.values() for t in r["sizes"]["tables"]},
                    key=lambda t: -max(per_article(r, t) for r in results.values()))
    small = [t for t in tables if max(per_article(r, t) for r in results.values()) < 1]
    for t in tables:
        if t not in small:
            lines.append(f"| {t} | " + " | ".join(f"{per_article(r, t):,.0f}" for r in results.values()) + " |")
    if small:
        cells = [f"{sum(per_article(r, t) for t in small):.1f}" for r in results.values()]
        lines.append(f"| {len(small)} other tables (< 1 each) | " + " | ".join(cells) + " |")
    return lines
