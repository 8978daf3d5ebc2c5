"""The package installs and runs where the checkout is not: a fresh venv, and Scrapyd deploying an egg.

Both tests build real virtual environments; the Scrapyd one installs `scrapyd` and `scrapyd-client`
from the package registry, starts `scrapyd` on 127.0.0.1, deploys the project with
`scrapyd-deploy`, schedules a spider against a mirror and waits for its articles in the archive.
The new venvs see the project's pinned packages through a path file (no second download of
Scrapy and Datasette), never the checkout itself.
"""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import venv
from pathlib import Path

import pytest

from crawler.mirror import MirrorServer
from tests.conftest import MIRRORS, ROOT, load_expected

PROJECT_FILES = ("crawler", "spiders", "pyproject.toml", "setup.py", "README.md", "scrapy.cfg")


def _site_packages(python: Path) -> str:
    return subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()


def make_venv(path: Path) -> Path:
    """A new venv that sees the pinned dependencies (not the project) through a .pth file."""
    venv.create(path, with_pip=True)
    python = path / "bin" / "python"
    ours = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    Path(_site_packages(python), "_pinned_dependencies.pth").write_text("\n".join(ours) + "\n")
    return python


def copy_project(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy(source, target / name)
    return target


def run(cmd: list[str], cwd: Path, timeout: int = 300, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert result.returncode == 0, f"{cmd}: {result.stderr[-3000:]}"
    return result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip install .` of a copy of the project into a fresh venv; returns its python."""
    base = tmp_path_factory.mktemp("install")
    python = make_venv(base / "venv")
    project = copy_project(base / "project")
    run([str(python), "-m", "pip", "install", "--quiet", str(project)], base)  # plain `pip install .`
    shutil.rmtree(project)  # nothing may come from the source tree any more
    return python


def test_pip_install_gives_scrapy_list_and_the_cli_anywhere(installed, tmp_path):
    env = {"PATH": f"{installed.parent}:/usr/bin:/bin", "SCRAPY_SETTINGS_MODULE": "crawler.settings",
           "HOME": str(tmp_path)}
    listed = run([str(installed), "-m", "scrapy", "list"], tmp_path, env=env).split()
    assert {"tuyengiao", "cantho_tuyengiao", "generic", "dangcongsan"} <= set(listed)
    sites = run([str(installed), "-m", "crawler", "sites"], tmp_path, env={k: v for k, v in env.items()
                                                                          if k != "SCRAPY_SETTINGS_MODULE"})
    assert "cantho_tuyengiao" in sites and "Trà Vinh → Vĩnh Long" in sites
    where = run([str(installed), "-c", "import crawler.publish.server as s; print(s.METADATA.is_file())"], tmp_path)
    assert where.strip() == "True"  # Datasette's metadata, plugins and templates are package data


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_scrapyd_deploys_schedules_and_archives(tmp_path):
    python = make_venv(tmp_path / "venv")
    run([str(python), "-m", "pip", "install", "--quiet", "scrapyd", "scrapyd-client"], tmp_path, timeout=600)
    port = free_port()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\nitems_dir =\n"
        "poll_interval = 0.5\n", encoding="utf-8")
    server = subprocess.Popen([str(python.parent / "scrapyd")], cwd=home, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                assert _get(f"{url}/daemonstatus.json")["status"] == "ok"
                break
            except OSError:
                time.sleep(0.2)
        project = copy_project(tmp_path / "project")
        with open(project / "scrapy.cfg", "a", encoding="utf-8") as cfg:
            cfg.write(f"\n[deploy:test]\nurl = {url}/\nproject = vnparty_archive\n")
        out = run([str(python.parent / "scrapyd-deploy"), "test", "--version", "1"], project, timeout=300)
        assert '"status": "ok"' in out.replace("'", '"'), out
        db = tmp_path / "archive.db"
        site = "cantho_tuyengiao"
        with MirrorServer(MIRRORS / site) as mirror:
            data = urllib.parse.urlencode({"project": "vnparty_archive", "spider": site, "base_url": mirror.base_url,
                                           "setting": f"ARCHIVE_DB={db}"}).encode()
            with urllib.request.urlopen(f"{url}/schedule.json", data=data, timeout=10) as response:
                job = json.loads(response.read())
            assert job["status"] == "ok", job
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                jobs = _get(f"{url}/listjobs.json?project=vnparty_archive")
                if any(j["id"] == job["jobid"] for j in jobs["finished"]):
                    break
                time.sleep(0.5)
            else:
                pytest.fail(f"the Scrapyd job did not finish: {jobs}")
        log = next((home / "logs").rglob("*.log")).read_text(encoding="utf-8")
        assert "Traceback" not in log, log[-3000:]
        conn = sqlite3.connect(db)
        try:
            urls = {row[0] for row in conn.execute("SELECT url FROM articles")}
            runs = conn.execute("SELECT spider, finish_reason FROM crawl_runs").fetchall()
        finally:
            conn.close()
        expected = load_expected(site)["articles"]
        assert len(urls) == len(expected), (urls, log[-2000:])
        assert runs == [(site, "finished")]
    finally:
        server.terminate()
        server.wait(timeout=10)
