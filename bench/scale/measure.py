"""The measurements of one served archive, over HTTP (Datasette's JSON API) and directly in SQLite.

Latency is client wall time per request (what a reader waits); a request fails when it does not answer
200 (Datasette answers 400 "SQL query took too long" when a query hits its time limit) or the client
times out. Percentiles are taken per run over the queries of a class, then the median over runs.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.scale.generate import article_number, fold
from bench.scale.queries import CLASSES, canned_url, folded, name_queries, table_url
from bench.scale.server import Answer, Client

# endpoint -> (query classes it is asked, URL of a query). The table with facets comes after the table
# without: it returns the same rows (checked there), so its diacritics twin is not asked again.
ENDPOINTS: dict[str, tuple[tuple[str, ...], Callable[[dict], str]]] = {
    "newest": (CLASSES, lambda q: canned_url("newest", q)),
    "ranked": (CLASSES, lambda q: canned_url("search", q)),
    "table_nofacet": (CLASSES, lambda q: table_url(q, facets=False)),
    "table_facets": (CLASSES, lambda q: table_url(q, facets=True)),
}
TWINLESS = {"table_facets"}
# Seconds one endpoint x class may take before its further runs are skipped (at least one run always): the
# old table search takes ~6 s a request at 100k, and the 100k suite has to finish in minutes.
CELL_BUDGET_S = 15.0
UNFILTERED_TABLE = "/archive/articles.json?_shape=objects"
PRECISION_AT = 10
RECALL_AT = 50  # the canned search's page


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p95, p99 in milliseconds (linear interpolation between the closest ranks)."""
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    if len(values) == 1:
        return {k: values[0] * 1000 for k in ("p50", "p95", "p99")}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000}


def median_of_runs(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]} if runs else {}


def failure_kind(answer: Answer) -> str | None:
    """None for a good answer, else why it failed (a short label)."""
    if answer.status == 200:
        return None
    if answer.status == 0:
        return "no answer"
    return "too long" if b"took too long" in answer.body else f"HTTP {answer.status}"


def row_ids(answer: Answer) -> list[int] | None:
    try:
        return [row["id"] for row in answer.json()["rows"]]
    except (ValueError, KeyError, TypeError):
        return None


def configured_facets(client: Client) -> list[str]:
    """The facets the served metadata gives the articles table (what its page asks for by default)."""
    answer = client.get("/-/metadata.json")
    try:
        return list(answer.json()["databases"]["archive"]["tables"]["articles"].get("facets", []))
    except (ValueError, KeyError, TypeError):
        return []


def facet_counts(answer: Answer, configured: list[str]) -> tuple[int, int] | None:
    """(facets shown, facets asked) of a table answer. Datasette 0.65 leaves a facet that ran out of time
    out of `facet_results` without a word (its JSON has no `facets_timed_out`): asked is what the metadata
    configures, or what the answer says it tried, whichever is more."""
    try:
        data = answer.json()
    except ValueError:
        return None
    shown = len(data.get("facet_results") or {})
    return shown, max(len(configured), shown + len(data.get("facets_timed_out") or []))


def latency_suite(client: Client, queries: list[dict[str, Any]], runs: int, facets: list[str]) -> dict[str, Any]:
    """Every endpoint x class: median-of-runs percentiles, failures, facets dropped; and the diacritics
    check (every query's folded twin must give the same rows in the same order)."""
    result: dict[str, Any] = {"endpoints": {}, "diacritics": {"compared": 0, "mismatches": [], "not_compared": 0}}
    for endpoint, (classes, url) in ENDPOINTS.items():
        per_class: dict[str, Any] = {}
        for cls in classes:
            qs = [q for q in queries if q["class"] == cls]
            twins = {} if endpoint in TWINLESS else {q["q"]: row_ids(client.get(url(folded(q)))) for q in qs}
            samples: list[list[float]] = []
            failures: dict[str, int] = defaultdict(int)
            dropped = shown_total = asked_total = 0
            while len(samples) < runs and (not samples or sum(map(sum, samples)) < CELL_BUDGET_S):
                times = []
                for q in qs:
                    answer = client.get(url(q))
                    times.append(answer.seconds)
                    if (kind := failure_kind(answer)) is not None:
                        failures[kind] += 1
                        continue
                    if endpoint == "table_facets" and (counts := facet_counts(answer, facets)):
                        shown_total, asked_total = shown_total + counts[0], asked_total + counts[1]
                        dropped += counts[1] - counts[0]
                    if not samples and endpoint not in TWINLESS:
                        _compare(result["diacritics"], endpoint, q, row_ids(answer), twins[q["q"]])
                samples.append(times)
            per_class[cls] = {**median_of_runs([percentiles(t) for t in samples]), "runs": len(samples),
                              "requests": len(samples) * len(qs), "failed": sum(failures.values()),
                              "failures": dict(failures)}
            if endpoint == "table_facets":
                per_class[cls].update(facets_shown=shown_total, facets_asked=asked_total, facets_dropped=dropped)
        result["endpoints"][endpoint] = per_class
    return result


def _compare(record: dict[str, Any], endpoint: str, q: dict, ids: list[int] | None, twin: list[int] | None) -> None:
    if ids is None or twin is None:
        record["not_compared"] += 1
        return
    record["compared"] += 1
    if ids != twin:
        record["mismatches"].append({"endpoint": endpoint, "q": q["q"], "folded": folded(q)["q"],
                                     "rows": len(ids), "folded_rows": len(twin)})


def unfiltered_table(client: Client, runs: int, facets: list[str]) -> dict[str, Any]:
    """The articles table as it opens: newest first, its default facets, the count."""
    client.get(UNFILTERED_TABLE)  # warm
    times, failed, shown, asked = [], 0, [], []
    for _ in range(runs):
        answer = client.get(UNFILTERED_TABLE)
        times.append(answer.seconds * 1000)
        if failure_kind(answer) is not None:
            failed += 1
        elif counts := facet_counts(answer, facets):
            shown.append(counts[0])
            asked.append(counts[1])
    return {"ms": statistics.median(times), "failed": failed, "requests": runs,
            "facets_shown": min(shown) if shown else 0, "facets_asked": max(asked) if asked else 0}


def concurrency(port: int, queries: list[dict[str, Any]], clients: int, seconds: float, seed: int = 13) -> dict:
    """`clients` closed-loop clients (each waits for its answer before the next request) for `seconds`,
    each request a random endpoint and query."""
    paths = [url(q) for classes, url in ENDPOINTS.values() for q in queries if q["class"] in classes]
    latencies: list[float] = []
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def work(k: int) -> None:
        rng, client = random.Random(seed * 1000 + k), Client(port)
        while time.perf_counter() < deadline:
            answer = client.get(rng.choice(paths))
            with lock:
                latencies.append(answer.seconds)
                if (kind := failure_kind(answer)) is not None:
                    errors[kind] += 1
        client.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=work, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start  # includes the requests still running at the deadline
    return {"clients": clients, "duration": seconds, "seconds": elapsed, "requests": len(latencies),
            "throughput": len(latencies) / elapsed, **percentiles(latencies),
            "errors": sum(errors.values()), "error_kinds": dict(errors)}


def precision(client: Client, planted: dict[str, list[int]], number_of: dict[int, int]) -> dict[str, Any]:
    """precision@10 and recall@50 of the ranked search for every planted name and place, unquoted,
    with and without diacritics; `number_of` maps a row id to its article number (article_numbers)."""
    per_name = []
    for q in name_queries():
        relevant = set(planted.get(q["entity"], ()))
        if not relevant:
            continue
        row = {"q": q["q"], "relevant": len(relevant)}
        for label, query in (("", q), ("folded_", folded(q))):
            ids = row_ids(client.get(canned_url("search", query))) or []
            found = [number_of.get(i) for i in ids]
            row[label + "p_at_10"] = len(set(found[:PRECISION_AT]) & relevant) / min(PRECISION_AT, len(relevant))
            row[label + "recall_at_50"] = len(set(found[:RECALL_AT]) & relevant) / min(RECALL_AT, len(relevant))
        per_name.append(row)
    p10 = [r["p_at_10"] for r in per_name]
    return {"names": per_name, "mean_p_at_10": statistics.mean(p10) if p10 else float("nan"),
            "min_p_at_10": min(p10, default=float("nan")), "below_half": sum(p < 0.5 for p in p10),
            "mean_recall_at_50": statistics.mean(r["recall_at_50"] for r in per_name) if per_name else float("nan"),
            "folded_differs": sum(r["p_at_10"] != r["folded_p_at_10"] for r in per_name)}


# -- directly in SQLite --------------------------------------------------------------------------


def open_readonly(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)


def article_numbers(db: Path) -> dict[int, int]:
    """Row id -> generated article number (from the URL): the code under test may number rows its own way."""
    conn = open_readonly(db)
    try:
        return {row_id: article_number(url) for row_id, url in conn.execute("SELECT id, url FROM articles")}
    finally:
        conn.close()


def table_sizes(db: Path) -> dict[str, Any]:
    """Bytes per table (its indexes and, for FTS5, its shadow tables included), from dbstat."""
    conn = open_readonly(db)
    try:
        owner = {name: table for name, table in conn.execute("SELECT name, tbl_name FROM sqlite_master")}
        sizes: dict[str, int] = defaultdict(int)
        for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            table = owner.get(name, name)
            for fts in ("articles_fts",):  # shadow tables: articles_fts_data, _idx, _docsize, _config
                if table.startswith(fts + "_"):
                    table = fts
            sizes[table] += size
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()
    return {"file_bytes": db.stat().st_size, "articles": articles,
            "tables": dict(sorted(sizes.items(), key=lambda kv: -kv[1]))}


def fts_reference(db: Path, queries: list[dict[str, Any]], runs: int) -> dict[str, Any]:
    """Plain FTS5 bm25 (the canned search's weights, first 50) on the same file, per class: the floor of
    a ranked search that ranks every match. CPU-bound in this process: wall time is CPU time here."""
    conn = open_readonly(db)
    sql = ("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? "
           "ORDER BY bm25(articles_fts, 50.0, 10.0, 1.0) LIMIT 50")
    out: dict[str, Any] = {}
    try:
        for cls in ("common", "names", "phrases", "documents"):
            match = [_fts_match(q["q"]) for q in queries if q["class"] == cls]
            runs_ms = []
            for _ in range(runs + 1):  # the first run warms the page cache
                times = []
                for m in match:
                    start = time.perf_counter()
                    conn.execute(sql, [m]).fetchall()
                    times.append(time.perf_counter() - start)
                runs_ms.append(percentiles(times))
            out[cls] = median_of_runs(runs_ms[1:])
    except sqlite3.Error as exc:  # the code under test indexes differently: no reference, said so
        out["error"] = str(exc).splitlines()[0]
    finally:
        conn.close()
    return out


def _fts_match(q: str) -> str:
    """The FTS5 query the search plugin builds: folded, every word quoted, "quoted phrases" kept whole
    (FTS5 splits "18-nq/tw" inside the quotes into the phrase 18 nq tw)."""
    terms = []
    for i, part in enumerate(fold(q).split('"')):
        terms += [f'"{part.strip()}"'] if i % 2 else [f'"{w}"' for w in part.split()]
    return " ".join(t for t in terms if t != '""')
