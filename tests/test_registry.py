"""The site registry (crawler/sites/sites.csv): each site declared once, everything derived from it."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from crawler.crawl.base import ArchiveSpider
from crawler.crawl.generic import GenericSpider
from crawler.crawl.platforms.nukeviet import NukeVietSpider
from crawler.crawl.site_spiders import PLATFORMS, has_override_module, spider_classes
from crawler.sites import (
    PROVINCES_2025,
    STATUSES,
    Site,
    crawled_sites,
    parse_params,
    province_2025,
    registry,
    seed_database,
    site_for_host,
)
from tests.conftest import ROOT, SITES, query


def test_scrapy_list_is_the_registry_plus_the_generic_and_platform_spiders():
    result = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr and "several spiders" not in result.stderr
    assert set(result.stdout.split()) == set(registry()) | {"generic", "nukeviet", "liferay", "portal"}


def test_every_spider_takes_its_data_from_its_row():
    classes = spider_classes()
    for site in registry().values():
        cls = classes[site.name]
        assert cls.site is site, site.name
        assert (cls.live_origin, cls.province, cls.organization) == (site.origin, site.province, site.organization)
        assert cls.start_paths == site.start_paths and set(cls.other_live_hosts) == set(site.other_hosts)
        if not has_override_module(site.name):
            base = PLATFORMS.get(site.platform or "", GenericSpider)
            assert issubclass(cls, base), f"{site.name}: {site.platform} row, {cls.__mro__[1].__name__} spider"
        for name, values in site.params.items():
            assert getattr(cls, name) in (values, values[0]), (site.name, name)


def test_platform_parameters_build_the_url_patterns():
    cls = spider_classes()["cantho_tuyengiao"]
    assert cls.news_paths == ("/vi/news",)
    assert cls.article_path.match("/vi/news/tin-hoat-dong/hoi-nghi-241.html")
    assert not cls.article_path.match("/news/tin-hoat-dong/hoi-nghi-241.html")


def test_an_unknown_platform_parameter_is_refused():
    site = Site(name="x_site", origin="https://x.vn", other_hosts=(), organization_type="BTG", organization="X",
                province="Cao Bằng", province_2025="Cao Bằng", platform="nukeviet", params={"news_path": ("/vi",)},
                start_paths=("/",), status="active", notes="")
    with pytest.raises(ValueError, match="unknown parameter 'news_path'"):
        type("XSpider", (NukeVietSpider,), {"name": "x_site"}).declare(site)
    assert parse_params("") == {}
    with pytest.raises(ValueError, match="not key=value"):
        parse_params("news_paths")


def test_a_site_module_holds_only_overrides():
    tuyengiao = spider_classes()["tuyengiao"]
    assert tuyengiao.__module__ == "spiders.tuyengiao" and issubclass(tuyengiao, ArchiveSpider)
    assert tuyengiao.live_origin == "https://tuyengiao.vn" and "www.tuyengiao.vn" in tuyengiao.other_live_hosts
    for path in (ROOT / "spiders").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for declared in ("live_origin =", "province =", "organization =", "start_paths ="):
            assert declared not in text, f"{path.name} states {declared.rstrip(' =')}: it belongs in sites.csv"


def test_hosts_resolve_to_their_site():
    assert site_for_host("www.tuyengiao.vn").name == "tuyengiao"
    assert site_for_host("tuyengiaotiengiang.vnpttiengiang.vn").name == "tiengiang_tuyengiao"
    assert site_for_host("nowhere.example") is None


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


def test_every_tested_mirror_is_a_registered_site():
    assert SITES and all(site in registry() for site in SITES)


def test_crawl_plan_runs_every_active_and_frozen_row():
    planned = {s.name for s in crawled_sites()}
    assert {"cantho_tuyengiao", "tiengiang_tuyengiao", "dangcongsan", "hagiang_tuyengiao"} <= planned
    assert not planned & {s.name for s in registry().values() if s.status == "gone"}
    hagiang = spider_classes()["hagiang_tuyengiao"]  # a generic row is a spider of its own name
    assert issubclass(hagiang, GenericSpider) and hagiang.live_origin == "https://tuyengiao.hagiang.gov.vn"


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


def test_adding_a_site_on_a_known_platform_is_one_row(tmp_path):
    for part in ("crawler", "spiders", "scripts"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "scrapy.cfg", tmp_path / "scrapy.cfg")
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, str(tmp_path / "scripts" / "new_site"), "quangninh_tuyengiao",
                             "https://tuyengiao.quangninh.gov.vn", "nukeviet", "--province", "Quảng Ninh",
                             "--param", "news_paths=/vi/news", "--start", "/", "/vi/news/tin-tuc/"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "spiders" / "quangninh_tuyengiao.py").exists()  # no code for a platform site
    mirror = tmp_path / "tests" / "fixtures" / "sites" / "quangninh_tuyengiao"
    assert {p.name for p in mirror.iterdir()} == {"routes.json", "expected.json", "robots.txt", "home.html"}
    row = (tmp_path / "crawler" / "sites" / "sites.csv").read_text(encoding="utf-8").splitlines()[-1]
    assert row.startswith("quangninh_tuyengiao,https://tuyengiao.quangninh.gov.vn,,BTG,")
    check = ("from crawler.crawl.site_spiders import spider_classes; c = spider_classes()['quangninh_tuyengiao'];"
             "print(c.__mro__[1].__name__, c.news_paths, bool(c.article_path.match('/vi/news/tin-tuc/a-b-12.html')))")
    listed = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env=env)
    assert listed.stdout.split() == ["NukeVietSpider", "('/vi/news',)", "True"], listed.stderr
    again = subprocess.run([sys.executable, str(tmp_path / "scripts" / "new_site"), "quangninh_tuyengiao",
                            "https://x.vn", "liferay"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                           env=env)
    assert again.returncode != 0 and "exists already" in again.stderr
