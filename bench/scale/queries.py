"""The 50 benchmark queries in 5 classes, their diacritics-free twins, and the URLs that ask them.

A query is a dict: class, q, site, date_from, date_to (empty: no filter) and entity (the planted
entity it looks for, or None). Every query has a `folded` twin (no marks, đ = d, lower case), which
the archive must answer identically.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from bench.scale.generate import ENTITIES, registry_sites
from bench.scale.vocabulary import strip_marks

CLASSES = ("common", "names", "phrases", "documents", "filtered")
CLASS_TITLES = {"common": "common words", "names": "names", "phrases": "phrases", "documents": "document numbers",
                "filtered": "with site+date filter"}
# Words of the vocabulary's top 200 ranks: each matches a large share of the archive.
COMMON_WORDS = ["đảng", "tỉnh ủy", "công tác", "phát triển", "kinh tế", "nhân dân", "cán bộ", "xã hội",
                "tuyên truyền", "chính trị"]
# (common word, site rank in the registry sample, first year, last year): filters that leave hundreds of rows
FILTERS = [("đảng", 0, 2024, 2025), ("công tác", 1, 2020, 2022), ("phát triển", 2, 2018, 2026),
           ("nhân dân", 3, 2025, 2025), ("tỉnh ủy", 4, 2015, 2019), ("cán bộ", 5, 2022, 2026),
           ("xã hội", 6, 2010, 2015), ("chính trị", 0, 2026, 2026), ("kinh tế", 8, 2021, 2023),
           ("tuyên truyền", 10, 2019, 2024)]
PER_CLASS = 10


def fold_query(q: str) -> str:
    """What a reader types without diacritics: 'Hà Văn Thưởng' -> 'ha van thuong'."""
    return strip_marks(q).lower()


def _query(cls: str, q: str, entity: str | None = None, site: str = "", date_from: str = "",
           date_to: str = "") -> dict[str, Any]:
    return {"class": cls, "q": q, "site": site, "date_from": date_from, "date_to": date_to, "entity": entity}


def benchmark_queries(per_class: int = PER_CLASS) -> list[dict[str, Any]]:
    """`per_class` queries of each class (10: the issue's 50), in class order."""
    by_kind: dict[str, list] = {}
    for e in ENTITIES:
        by_kind.setdefault(e.kind, []).append(e)
    names = by_kind["name"][:7] + by_kind["place"][:3]  # unquoted, as a reader types a name
    sites = [s["name"] for s in registry_sites()]
    classes = {
        "common": [_query("common", w) for w in COMMON_WORDS],
        "names": [_query("names", e.text, e.key) for e in names],
        "phrases": [_query("phrases", f'"{e.text}"', e.key) for e in by_kind["phrase"]],
        "documents": [_query("documents", e.query, e.key) for e in by_kind["document"]]
                     + [_query("documents", e.text, e.key) for e in by_kind["document"][:2]],
        "filtered": [_query("filtered", w, None, sites[rank], f"{first}-01-01", f"{last}-12-31")
                     for w, rank, first, last in FILTERS],
    }
    return [q for cls in CLASSES for q in classes[cls][:per_class]]


def name_queries() -> list[dict[str, Any]]:
    """Every planted name and place, unquoted: the precision@10 set."""
    return [_query("names", e.text, e.key) for e in ENTITIES if e.kind in ("name", "place")]


def folded(query: dict[str, Any]) -> dict[str, Any]:
    return {**query, "q": fold_query(query["q"])}


# -- URLs -----------------------------------------------------------------------------------------


def canned_url(name: str, query: dict[str, Any]) -> str:
    """/archive/search.json or /archive/newest.json with every parameter (empty = no filter)."""
    params = {k: query[k] for k in ("q", "site", "date_from", "date_to")}
    return f"/archive/{name}.json?" + urlencode({**params, "province": "", "_shape": "objects"})


def table_url(query: dict[str, Any], facets: bool) -> str:
    """The articles table's search box (newest first by the table's default sort), with its filters."""
    params: list[tuple[str, str]] = [("_search", query["q"]), ("_shape", "objects")]
    if query["site"]:
        params.append(("site__exact", query["site"]))
    if query["date_from"]:
        params.append(("published_at__gte", query["date_from"]))
    if query["date_to"]:
        last = date.fromisoformat(query["date_to"])
        params.append(("published_at__lt", (last + timedelta(days=1)).isoformat()))  # as the canned queries
    # facets on search results are counted only when asked (after issue 13); the code before counts them anyway
    params.append(("_with_facets", "1") if facets else ("_nofacet", "1"))
    return "/archive/articles.json?" + urlencode(params)
