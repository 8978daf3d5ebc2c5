"""Shared fixtures: mirrors served over real HTTP, crawls run by the real Scrapy engine."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.mirror import MirrorServer
from crawler.sites import registry

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
MIRRORS = FIXTURES / "sites"
SEEDS = FIXTURES / "seeds"
# Every registry site with a bundled mirror: the test cases derive from the declarations.
SITES = tuple(name for name in registry() if (MIRRORS / name / "routes.json").is_file())
# End-to-end crawls: one representative per platform (every page of every mirror is checked by
# tests/test_pages.py without a crawl): tuyengiao's own CMS, the provincial portal, NukeViet, Liferay.
E2E_SITES = ("tuyengiao", "travinh_duk", "cantho_tuyengiao", "dongthap_tuyengiao")


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def encode_cp1258(text: str) -> bytes:
    """windows-1258 as legacy editors wrote it: precomposed vowels, tone marks combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
            out.append(base.encode("cp1258") + "".join(c for c in parts if c in TONE_MARKS).encode("cp1258"))
    return b"".join(out)


def load_expected(site: str) -> dict:
    return json.loads((MIRRORS / site / "expected.json").read_text(encoding="utf-8"))


def run_spider(site: str, base_url: str, db: Path, *extra: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """`scrapy crawl SITE -a base_url=… -s ARCHIVE_DB=…` in a child process, as a user would run it."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", site, "-a", f"base_url={base_url}",
           "-s", f"ARCHIVE_DB={db}", *extra]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-4000:]
    return result


def query(db: Path, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@dataclass
class Crawl:
    site: str
    db: Path
    mirror: MirrorServer
    log: str

    def rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        return query(self.db, sql, params)

    def last_run_stats(self) -> dict:
        row = self.rows("SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
        return json.loads(row["stats"])


@pytest.fixture
def mirror_copy(tmp_path: Path):
    """Copy a mirror into tmp_path so a test can edit it between crawls."""
    def copy(site: str) -> Path:
        target = tmp_path / "mirror" / site
        shutil.copytree(MIRRORS / site, target)
        return target
    return copy


class Crawls(dict):
    """site -> Crawl, crawling each mirror the first time a test asks for it."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory):
        super().__init__()
        self.tmp_path_factory = tmp_path_factory

    def __missing__(self, site: str) -> Crawl:
        db = self.tmp_path_factory.mktemp(site) / "archive.db"
        mirror = MirrorServer(MIRRORS / site).start()
        try:
            result = run_spider(site, mirror.base_url, db)
        finally:
            mirror.stop()
        self[site] = Crawl(site, db, mirror, result.stderr)
        return self[site]


@pytest.fixture(scope="session")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Crawls:
    """Each bundled mirror crawled once into its own database (shared by the whole run)."""
    return Crawls(tmp_path_factory)


@pytest.fixture(scope="session")
def full_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One archive.db holding every bundled mirror, crawled by the real spiders (for publishing tests)."""
    db = tmp_path_factory.mktemp("full") / "archive.db"
    with ExitStack() as stack:  # every mirror at once, crawled in one process as the scheduled crawl does
        mirrors = {site: stack.enter_context(MirrorServer(MIRRORS / site)) for site in SITES}
        cmd = [sys.executable, "-m", "crawler", "crawl", "--db", str(db), "--log-dir", str(db.parent / "logs")]
        for site, mirror in mirrors.items():
            cmd += ["--site", site, "--base-url", f"{site}={mirror.base_url}"]
        result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return db
