"""The site registry (sites.csv, crawler/registry.py) against the spiders that exist."""

from __future__ import annotations

import subprocess
import sys

from crawler.__main__ import spider_classes
from crawler.registry import (
    GENERIC,
    PROVINCES_2025,
    STATUSES,
    enabled_spiders,
    entry_for_spider,
    generic_sites,
    generic_spider_args,
    province_2025,
    registry,
    seed_database,
)
from tests.conftest import ROOT, SITES, query


def test_every_dedicated_registry_entry_points_to_a_spider_that_exists():
    spiders = spider_classes()  # what `scrapy list` shows (Scrapy's SpiderLoader)
    for site in registry().values():
        if site.spider != GENERIC:
            assert site.spider in spiders, f"{site.name}: no spider named {site.spider!r}"
            assert site.name == site.spider, site.name


def test_every_spider_is_in_the_registry():
    listed = {site.spider for site in registry().values()}
    missing = set(spider_classes()) - listed - {GENERIC}
    assert not missing, f"spiders missing from sites.csv: {sorted(missing)}"


def test_scrapy_list_shows_every_registered_spider():
    result = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert set(enabled_spiders(STATUSES)) <= set(result.stdout.split())


def test_spider_and_registry_agree_on_province_and_host():
    spiders = spider_classes()
    for name, cls in spiders.items():
        entry = entry_for_spider(name)
        if entry is None:  # generic
            continue
        assert cls.province == entry.province, name
        if cls.live_origin:
            assert cls.live_origin == entry.origin, name
        else:
            assert not entry.domain, name  # a hostname the dossier does not know stays configuration


def test_registry_rows_are_well_formed():
    sites = registry()
    assert len(sites) >= 30
    for site in sites.values():
        assert site.status in STATUSES
        assert site.organization_type in ("C", "BTG", "TU", "ĐUK", "TCT", "Báo"), site.name
        if site.organization_type == "C":
            assert site.province is None and site.province_2025 is None, site.name
        else:
            assert site.province in PROVINCES_2025, site.name
            assert site.province_2025 == province_2025(site.province), site.name
    assert len(set(PROVINCES_2025.values())) == 34  # the provinces after the 1 July 2025 mergers
    assert len(set(PROVINCES_2025) - {"Huế"}) == 63  # and the 63 before


def test_every_tested_mirror_is_a_registered_dedicated_spider():
    for site in SITES:
        entry = entry_for_spider(site)
        assert entry is not None and entry.dedicated, site


def test_crawl_plan_runs_active_and_frozen_sites():
    enabled = enabled_spiders()
    assert "cantho_tuyengiao" in enabled  # active
    assert "tiengiang_tuyengiao" in enabled  # frozen since the merger: still archived
    assert not set(enabled) & {s.name for s in registry().values() if s.status == "gone"}
    generic = generic_sites()
    assert generic and all(s.spider == GENERIC and s.domain for s in generic)
    assert "dangcongsan" in {s.name for s in generic}
    args = generic_spider_args(registry()["hagiang_tuyengiao"])
    assert args == {"start_url": "https://tuyengiao.hagiang.gov.vn/", "site": "hagiang_tuyengiao",
                    "organization": "Ban Tuyên giáo Tỉnh ủy Hà Giang", "province": "Hà Giang"}


def test_sites_command_prints_the_registry_with_the_province_mapping():
    result = subprocess.run([sys.executable, "-m", "crawler", "sites"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for site in registry().values():
        assert site.name in out
    assert "Trà Vinh → Vĩnh Long" in out and "Tiền Giang → Đồng Tháp" in out and "Bình Phước → Đồng Nai" in out
    assert "(trung ương)" in out


def test_sites_command_seeds_the_sites_table(tmp_path):
    db = tmp_path / "archive.db"
    result = subprocess.run([sys.executable, "-m", "crawler", "sites", "--seed", str(db)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    rows = {r["name"]: dict(r) for r in query(db, "SELECT * FROM sites")}
    assert set(rows) == set(registry())
    row = rows["binhphuoc_tinhuy"]
    assert (row["province"], row["province_2025"], row["status"], row["platform"]) == (
        "Bình Phước", "Đồng Nai", "frozen", "nukeviet")
    assert seed_database(db) == len(registry())  # idempotent
    assert query(db, "SELECT count(*) AS n FROM sites")[0]["n"] == len(registry())


def test_a_crawl_keeps_the_registry_status(crawled):
    row = crawled["tiengiang_tuyengiao"].rows("SELECT * FROM sites WHERE name = 'tiengiang_tuyengiao'")[0]
    assert (row["status"], row["province_2025"], row["organization_type"]) == ("frozen", "Đồng Tháp", "BTG")


def test_new_site_script_writes_spider_mirror_and_registry_row(tmp_path):
    import shutil

    for part in ("crawler", "spiders", "scripts"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "sites.csv", tmp_path / "sites.csv")
    shutil.copy(ROOT / "scrapy.cfg", tmp_path / "scrapy.cfg")
    (tmp_path / "tests" / "fixtures" / "sites").mkdir(parents=True)
    result = subprocess.run([sys.executable, str(tmp_path / "scripts" / "new_site"), "quangninh_tuyengiao",
                             "tuyengiao.quangninh.gov.vn", "nukeviet", "--province", "Quảng Ninh",
                             "--news-path", "/vi/news", "--start", "/", "/vi/news/tin-tuc/"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    module = (tmp_path / "spiders" / "quangninh_tuyengiao.py").read_text(encoding="utf-8")
    assert 'news_paths = ("/vi/news",)' in module and 'province = "Quảng Ninh"' in module
    compile(module, "quangninh_tuyengiao.py", "exec")
    mirror = tmp_path / "tests" / "fixtures" / "sites" / "quangninh_tuyengiao"
    assert {p.name for p in mirror.iterdir()} == {"routes.json", "expected.json", "robots.txt", "home.html"}
    listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert "quangninh_tuyengiao" in listed.stdout.split(), listed.stderr
    row = (tmp_path / "sites.csv").read_text(encoding="utf-8").splitlines()[-1]
    assert row.startswith("quangninh_tuyengiao,tuyengiao.quangninh.gov.vn,BTG,")
    assert ",Quảng Ninh,Quảng Ninh,nukeviet," in row
    again = subprocess.run([sys.executable, str(tmp_path / "scripts" / "new_site"), "quangninh_tuyengiao", "x.vn",
                            "liferay"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert again.returncode != 0 and "exists already" in again.stderr
