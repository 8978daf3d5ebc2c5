"""The site registry: every known Party site, from `sites.csv` at the repository root.

One row per site: `name` (the spider's name when it has one), `domain`, `organization_type`
(C central, BTG Ban Tuyên giáo, TU Tỉnh ủy, ĐUK Đảng ủy Khối, TCT Trường Chính trị, Báo the
Party committee's newspaper), `organization`, `province` as published (the pre-2025 name,
which archived articles keep), `province_2025` (the province after the mergers of 1 July
2025), `platform`, `spider` (a dedicated spider, or `generic`), `status` and `notes`.

    >>> entry = registry()["tiengiang_tuyengiao"]
    >>> entry.province, entry.province_2025, entry.spider, entry.status
    ('Tiền Giang', 'Đồng Tháp', 'tiengiang_tuyengiao', 'frozen')
    >>> province_2025("Trà Vinh"), province_2025("Cao Bằng"), province_2025(None)
    ('Vĩnh Long', 'Cao Bằng', None)

Status: `active` (publishing), `frozen` (online, no longer updated: the organisation was
merged or renamed in 2025, or an anniversary site), `gone` (offline). The scheduled crawl
runs active and frozen sites (a frozen site may hold articles not archived yet, and
revisits of known articles are cheap); gone sites are kept for the record only.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

REGISTRY_FILE = Path(__file__).resolve().parent.parent / "sites.csv"
STATUSES = ("active", "frozen", "gone")
CRAWLED_STATUSES = ("active", "frozen")
GENERIC = "generic"
HTTP_ONLY = {"90namdangbo.caobang.gov.vn"}  # hosts seen without https
ORGANIZATION_TYPES = {"C": "trung ương", "BTG": "Ban Tuyên giáo", "TU": "Tỉnh ủy / Thành ủy",
                      "ĐUK": "Đảng ủy Khối", "TCT": "Trường Chính trị", "Báo": "báo Đảng bộ tỉnh"}

# The 63 provinces and the province each belongs to since 1 July 2025 (Nghị quyết 202/2025/QH15;
# sites.md §6 lists part of it). Unchanged provinces map to themselves.
PROVINCES_2025: dict[str, str] = {
    "Hà Nội": "Hà Nội", "Huế": "Huế", "Thừa Thiên Huế": "Huế", "Lai Châu": "Lai Châu",
    "Điện Biên": "Điện Biên", "Sơn La": "Sơn La", "Lạng Sơn": "Lạng Sơn", "Quảng Ninh": "Quảng Ninh",
    "Thanh Hóa": "Thanh Hóa", "Nghệ An": "Nghệ An", "Hà Tĩnh": "Hà Tĩnh", "Cao Bằng": "Cao Bằng",
    "Tuyên Quang": "Tuyên Quang", "Hà Giang": "Tuyên Quang",
    "Lào Cai": "Lào Cai", "Yên Bái": "Lào Cai",
    "Thái Nguyên": "Thái Nguyên", "Bắc Kạn": "Thái Nguyên",
    "Phú Thọ": "Phú Thọ", "Vĩnh Phúc": "Phú Thọ", "Hòa Bình": "Phú Thọ",
    "Bắc Ninh": "Bắc Ninh", "Bắc Giang": "Bắc Ninh",
    "Hưng Yên": "Hưng Yên", "Thái Bình": "Hưng Yên",
    "Hải Phòng": "Hải Phòng", "Hải Dương": "Hải Phòng",
    "Ninh Bình": "Ninh Bình", "Hà Nam": "Ninh Bình", "Nam Định": "Ninh Bình",
    "Quảng Trị": "Quảng Trị", "Quảng Bình": "Quảng Trị",
    "Đà Nẵng": "Đà Nẵng", "Quảng Nam": "Đà Nẵng",
    "Quảng Ngãi": "Quảng Ngãi", "Kon Tum": "Quảng Ngãi",
    "Gia Lai": "Gia Lai", "Bình Định": "Gia Lai",
    "Khánh Hòa": "Khánh Hòa", "Ninh Thuận": "Khánh Hòa",
    "Lâm Đồng": "Lâm Đồng", "Đắk Nông": "Lâm Đồng", "Bình Thuận": "Lâm Đồng",
    "Đắk Lắk": "Đắk Lắk", "Phú Yên": "Đắk Lắk",
    "Hồ Chí Minh": "Hồ Chí Minh", "Bình Dương": "Hồ Chí Minh", "Bà Rịa - Vũng Tàu": "Hồ Chí Minh",
    "Đồng Nai": "Đồng Nai", "Bình Phước": "Đồng Nai",
    "Tây Ninh": "Tây Ninh", "Long An": "Tây Ninh",
    "Cần Thơ": "Cần Thơ", "Sóc Trăng": "Cần Thơ", "Hậu Giang": "Cần Thơ",
    "Vĩnh Long": "Vĩnh Long", "Bến Tre": "Vĩnh Long", "Trà Vinh": "Vĩnh Long",
    "Đồng Tháp": "Đồng Tháp", "Tiền Giang": "Đồng Tháp",
    "Cà Mau": "Cà Mau", "Bạc Liêu": "Cà Mau",
    "An Giang": "An Giang", "Kiên Giang": "An Giang",
}


def province_2025(province: str | None) -> str | None:
    """The province `province` (as published) belongs to since 1 July 2025."""
    return PROVINCES_2025.get(province) if province else None


@dataclass(frozen=True)
class Site:
    name: str
    domain: str
    organization_type: str
    organization: str
    province: str | None  # as published; None for central sites
    province_2025: str | None
    platform: str | None
    spider: str  # a spider name, or "generic"
    status: str
    notes: str

    @property
    def origin(self) -> str | None:
        if not self.domain:
            return None
        scheme = "http" if self.domain in HTTP_ONLY else "https"
        return f"{scheme}://{self.domain}"

    @property
    def dedicated(self) -> bool:
        return self.spider != GENERIC

    def record(self) -> dict[str, Any]:
        """The row of the `sites` table."""
        row = asdict(self)
        row.update(origin=self.origin, domain=self.domain or None, platform=self.platform or None)
        return row


@cache
def _load(path: str) -> dict[str, Site]:
    sites: dict[str, Site] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            values = {f.name: (row.get(f.name) or "").strip() for f in fields(Site)}
            for optional in ("province", "province_2025", "platform"):
                values[optional] = values[optional] or None
            site = Site(**values)
            if site.name in sites:
                raise ValueError(f"{path}:{line}: {site.name} is listed twice")
            if site.status not in STATUSES:
                raise ValueError(f"{path}:{line}: status {site.status!r} is not one of {STATUSES}")
            if site.province_2025 != province_2025(site.province):
                raise ValueError(f"{path}:{line}: {site.province} is part of {province_2025(site.province)} "
                                 f"since 2025, not {site.province_2025}")
            sites[site.name] = site
    return sites


def registry(path: str | Path = REGISTRY_FILE) -> dict[str, Site]:
    """Every known site by name, in the file's order."""
    return _load(str(path))


def entry_for_spider(spider: str) -> Site | None:
    """The registry entry of a dedicated spider (None for `generic`, which serves many sites)."""
    if spider == GENERIC:
        return None
    return next((s for s in registry().values() if s.spider == spider), None)


def enabled_spiders(statuses: Iterable[str] = CRAWLED_STATUSES) -> list[str]:
    """The dedicated spiders the scheduled crawl runs (sites whose status is in `statuses`)."""
    return sorted({s.spider for s in registry().values() if s.dedicated and s.status in statuses})


def generic_sites(statuses: Iterable[str] = CRAWLED_STATUSES) -> list[Site]:
    """The sites without a dedicated spider, for the generic spider (those with a known domain)."""
    return [s for s in registry().values() if not s.dedicated and s.domain and s.status in statuses]


def generic_spider_args(site: Site) -> dict[str, str]:
    """The `-a` arguments of `scrapy crawl generic` for a registry entry (spiders/generic.py).

    >>> generic_spider_args(registry()["laocai_bao"])["start_url"]
    'https://baolaocai.vn/'
    """
    args = {"start_url": f"{site.origin}/", "site": site.name, "organization": site.organization}
    if site.province:
        args["province"] = site.province
    return args


def seed_sites(store: Any) -> int:
    """Write the registry into the `sites` table of an `ArticleStore`; returns the number of rows.

    A crawl later updates its own site's row (crawler.spider.ArchiveSpider.site_record merges
    the registry entry), so the registry's status and notes survive crawls.
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
    header = ("name", "domain", "type", "province (published → 2025)", "platform", "spider", "status")
    rows = []
    for s in sites:
        if s.province is None:
            province = "(trung ương)"
        elif s.province_2025 == s.province:
            province = s.province
        else:
            province = f"{s.province} → {s.province_2025}"
        rows.append((s.name, s.domain or "(hostname unknown: SITE_ORIGINS)", s.organization_type, province,
                     s.platform or "?", s.spider, s.status))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    merged = sorted({(s.province, s.province_2025) for s in sites if s.province and s.province != s.province_2025})
    counts = {status: sum(s.status == status for s in sites) for status in STATUSES}
    lines += ["", f"{len(sites)} sites: " + ", ".join(f"{n} {status}" for status, n in counts.items() if n)
              + f"; {sum(s.dedicated for s in sites)} with a dedicated spider, the others crawled by 'generic'.",
              "Provinces changed in 2025 (articles keep the province as published):"]
    lines += [f"  {old} → {new}" for old, new in merged]
    return "\n".join(lines)
