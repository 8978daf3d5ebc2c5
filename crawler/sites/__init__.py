"""The site registry: every known Party site, declared once, in `sites.csv` beside this module.

One row per site, and everything else derives from it: the spider of that name (`scrapy list`),
the `sites` table, the scheduled crawl, re-extraction and the tests of the bundled mirrors.

* `name`: the site's (and its spider's) name; `origin`: `https://host` (empty when the live
  hostname is unknown: set SITE_ORIGINS or pass `-a origin=`); `other_hosts`: aliases (space separated);
* `organization_type` (C central, BTG Ban Tuyên giáo, TU Tỉnh ủy, ĐUK Đảng ủy Khối, TCT Trường
  Chính trị, Báo the Party committee's newspaper), `organization`;
* `province` as published (the pre-2025 name, which archived articles keep) and `province_2025`
  (the province since the mergers of 1 July 2025), checked against each other;
* `platform`: a known platform (`nukeviet`, `liferay`, `vn-provincial-portal`) or empty for the
  generic spider; `params`: the platform's parameters, `key=value value; key=value`
  (`news_paths=/vi/news; feed_paths=/vi/news/rss/`, `site_path=/web/btg`);
* `start_paths` (space separated, default `/`), `status`, `notes`.

A site whose pages need more than its platform (own selectors, URL patterns) adds a module
`spiders/<name>.py` holding only those overrides; its data still comes from here.

    >>> site = registry()["tiengiang_tuyengiao"]
    >>> site.province, site.province_2025, site.platform, site.params["news_paths"], site.status
    ('Tiền Giang', 'Đồng Tháp', 'nukeviet', ('/news',), 'frozen')
    >>> province_2025("Trà Vinh"), province_2025("Cao Bằng"), province_2025(None)
    ('Vĩnh Long', 'Cao Bằng', None)

Status: `active` (publishing), `frozen` (online, no longer updated: the organisation was
merged or renamed in 2025, or an anniversary site), `gone` (offline). The scheduled crawl
runs active and frozen sites (a frozen site may hold articles not archived yet, and
revisits of known articles are cheap); gone sites are kept for the record only.
`excluded`: a Party host that is no news site (document systems, logins, opinion portals): never crawled.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.extract.gazetteer import MERGED_INTO, PROVINCE_2025

REGISTRY_FILE = Path(__file__).resolve().parent / "sites.csv"
STATUSES = ("active", "frozen", "gone", "excluded")
CRAWLED_STATUSES = ("active", "frozen")
ORGANIZATION_TYPES = {"C": "trung ương", "BTG": "Ban Tuyên giáo", "TU": "Tỉnh ủy / Thành ủy",
                      "ĐUK": "Đảng ủy Khối", "TCT": "Trường Chính trị", "Báo": "báo Đảng bộ tỉnh"}

# The 63 provinces and the province each belongs to since 1 July 2025 (Nghị quyết 202/2025/QH15), and
# each 2025 name to itself (Huế): derived from the gazetteer, the project's one province mapping.
PROVINCES_2025: dict[str, str] = {**PROVINCE_2025, **{new: new for new in MERGED_INTO}}


def province_2025(province: str | None) -> str | None:
    """The province `province` (as published) belongs to since 1 July 2025."""
    return PROVINCES_2025.get(province) if province else None


@dataclass(frozen=True)
class Site:
    """One site, as the registry declares it."""

    name: str
    origin: str | None  # "https://host"; None when the live hostname is unknown
    other_hosts: tuple[str, ...]
    organization_type: str
    organization: str
    province: str | None  # as published; None for central sites
    province_2025: str | None
    platform: str | None  # None: the generic spider
    params: dict[str, tuple[str, ...]]
    start_paths: tuple[str, ...]
    status: str
    notes: str

    @property
    def domain(self) -> str | None:
        return urlsplit(self.origin).hostname if self.origin else None

    def record(self) -> dict[str, Any]:
        """The row of the `sites` table."""
        return {"name": self.name, "origin": self.origin, "domain": self.domain,
                "organization_type": self.organization_type, "organization": self.organization,
                "province": self.province, "province_2025": self.province_2025, "platform": self.platform,
                "spider": self.name, "status": self.status, "notes": self.notes}


def parse_params(text: str) -> dict[str, tuple[str, ...]]:
    """`news_paths=/vi/news /vi/chuyen-de; feed_paths=/vi/news/rss/` -> {name: values}.

    >>> parse_params("site_path=/web/btg; start=/a /b")
    {'site_path': ('/web/btg',), 'start': ('/a', '/b')}
    """
    params: dict[str, tuple[str, ...]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"parameter {part!r} is not key=value")
        params[key.strip()] = tuple(value.split())
    return params


@cache
def _load(path: str | None) -> dict[str, Site]:
    # read as package data: inside a zipped egg (Scrapyd) the file has no path of its own
    text = (Path(path).read_text(encoding="utf-8") if path
            else resources.files(__package__).joinpath("sites.csv").read_text(encoding="utf-8"))
    path = path or "crawler/sites/sites.csv"
    sites: dict[str, Site] = {}
    for line, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2):
        cells = {key: (value or "").strip() for key, value in row.items() if key}
        cell = cells.get
        try:
            site = Site(name=cell("name", ""), origin=cell("origin", "").rstrip("/") or None,
                        other_hosts=tuple(cell("other_hosts", "").split()),
                        organization_type=cell("organization_type", ""), organization=cell("organization", ""),
                        province=cell("province") or None, province_2025=cell("province_2025") or None,
                        platform=cell("platform") or None, params=parse_params(cell("params", "")),
                        start_paths=tuple(cell("start_paths", "").split()) or ("/",), status=cell("status", ""),
                        notes=cell("notes", ""))
        except ValueError as exc:
            raise ValueError(f"{path}:{line}: {exc}") from None
        if not re.fullmatch(r"[a-z][a-z0-9_]*", site.name):
            raise ValueError(f"{path}:{line}: name {site.name!r} must be a Python identifier in lower case")
        if site.name in sites:
            raise ValueError(f"{path}:{line}: {site.name} is listed twice")
        if site.status not in STATUSES:
            raise ValueError(f"{path}:{line}: status {site.status!r} is not one of {STATUSES}")
        if site.origin and not re.fullmatch(r"https?://[a-z0-9.-]+(?::\d+)?", site.origin):
            raise ValueError(f"{path}:{line}: origin {site.origin!r} is not scheme://host")
        if site.province_2025 != province_2025(site.province):
            raise ValueError(f"{path}:{line}: {site.province} is part of {province_2025(site.province)} "
                             f"since 2025, not {site.province_2025}")
        sites[site.name] = site
    return sites


def registry(path: str | Path | None = None) -> dict[str, Site]:
    """Every known site by name, in the file's order (the package's sites.csv, or the file `path`)."""
    return _load(str(path) if path else None)


registry.cache_clear = _load.cache_clear  # type: ignore[attr-defined]  # after editing the file


def site_for_host(host: str) -> Site | None:
    """The site serving `host` (its origin's host or an alias), "www." ignored."""
    host = re.sub(r"^www\.", "", (host or "").lower())
    for site in registry().values():
        if host and host in {re.sub(r"^www\.", "", h) for h in (site.domain or "", *site.other_hosts)}:
            return site
    return None


def crawled_sites(statuses: Iterable[str] = CRAWLED_STATUSES) -> list[Site]:
    """The sites the scheduled crawl runs (status in `statuses`), in the file's order."""
    return [s for s in registry().values() if s.status in statuses]


def crawl_plan(origins: dict[str, str], base_urls: dict[str, str]) -> tuple[list[str], list[str]]:
    """(sites to crawl, sites skipped): every active and frozen row, generic and platform rows alike,
    except those whose hostname is unknown and not given in SITE_ORIGINS (`origins`) or as a mirror.

    >>> planned, skipped = crawl_plan({}, {})
    >>> "dangcongsan" in planned and "cantho_tuyengiao" in planned, skipped
    (True, ['travinh_duk', 'laocai_duk'])
    """
    planned, skipped = [], []
    for site in crawled_sites():
        (planned if site.origin or site.name in origins or site.name in base_urls else skipped).append(site.name)
    return planned, skipped


def seed_sites(store: Any) -> int:
    """Write the registry into the `sites` table of an `ArticleStore`; returns the number of rows.

    A crawl writes its own site's row again from the same declaration (ArchiveSpider.site_record).
    """
    count = 0
    for site in registry().values():
        store.register_site(**site.record())
        count += 1
    return count


def seed_database(path: str | Path) -> int:
    from crawler.store import ArticleStore

    store = ArticleStore(path)
    try:
        return seed_sites(store)
    finally:
        store.close()


def format_table(sites: Iterable[Site] | None = None) -> str:
    """The registry as `python -m crawler sites` prints it: one line per site, with the 2025 province."""
    sites = list(registry().values() if sites is None else sites)
    header = ("name", "domain", "type", "province (published → 2025)", "platform", "status")
    rows = []
    for s in sites:
        if s.province is None:
            province = "(trung ương)"
        elif s.province_2025 == s.province:
            province = s.province
        else:
            province = f"{s.province} → {s.province_2025}"
        rows.append((s.name, s.domain or "(hostname unknown: SITE_ORIGINS)", s.organization_type, province,
                     s.platform or "generic", s.status))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    merged = sorted({(s.province, s.province_2025) for s in sites if s.province and s.province != s.province_2025})
    counts = {status: sum(s.status == status for s in sites) for status in STATUSES}
    lines += ["", f"{len(sites)} sites: " + ", ".join(f"{n} {status}" for status, n in counts.items() if n)
              + f"; {sum(bool(s.platform) for s in sites)} on a known platform, the others crawled by the generic "
              "spider.",
              "Provinces changed in 2025 (articles keep the province as published):"]
    lines += [f"  {old} → {new}" for old, new in merged]
    return "\n".join(lines)
