"""scripts/demo's job (`python -m crawler demo`), run as a user runs it, on two of the bundled mirrors:
its archive's original-article links answer while it serves, and a second run adds no dead aliases."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from crawler.demo import mirror_ports
from tests.conftest import MIRRORS, ROOT, query
from tests.test_publish import free_port

DEMO_SITES = ("travinh_duk", "tuyengiao")


def free_first_port() -> int:
    """A first mirror port whose ports for DEMO_SITES are all free here."""
    for first in range(21000, 60000, 997):
        if all(_free(port) for port in mirror_ports(list(DEMO_SITES), first).values()):
            return first
    raise AssertionError("no free ports for the demo's mirrors")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    """A mirrors directory holding two bundled mirrors (links to them)."""
    mirrors = tmp_path / "mirrors"
    mirrors.mkdir()
    for site in DEMO_SITES:
        (mirrors / site).symlink_to(MIRRORS / site, target_is_directory=True)
    return mirrors


def demo_command(mirrors: Path, first_port: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "crawler", "demo", "--mirrors", str(mirrors), "--mirror-port", str(first_port),
            *extra]


def demo_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "ARCHIVE_DB": str(tmp_path / "archive.db"), "ARCHIVE_LOG_DIR": str(tmp_path / "logs")}


def test_a_second_demo_run_adds_no_dead_aliases(demo_dir, tmp_path):
    first_port, db = free_first_port(), tmp_path / "archive.db"
    seen_urls = []
    for _ in range(2):
        result = subprocess.run(demo_command(demo_dir, first_port, "--no-serve"), cwd=ROOT, env=demo_env(tmp_path),
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        seen_urls.append({r["url"] for r in query(db, "SELECT url FROM article_urls")})
    assert len(seen_urls[0]) > 5 and seen_urls[1] == seen_urls[0]  # the second run added no alias
    ports = {int(p) for p in re.findall(r":(\d+)/", " ".join(seen_urls[1]))}
    assert ports == set(mirror_ports(list(DEMO_SITES), first_port).values())
    assert query(db, "SELECT count(*) AS n FROM crawl_runs")[0]["n"] == 2 * len(DEMO_SITES)


def test_the_demo_keeps_its_mirrors_serving_while_it_serves_the_archive(demo_dir, tmp_path):
    first_port, port = free_first_port(), free_port()
    log = open(tmp_path / "demo.log", "w")  # noqa: SIM115 (closed below)
    demo = subprocess.Popen(demo_command(demo_dir, first_port, "--port", str(port)), cwd=ROOT,
                            env=demo_env(tmp_path), stdout=log, stderr=subprocess.STDOUT)
    try:
        page = _wait_for(f"http://127.0.0.1:{port}/archive/articles.json?_shape=array&_size=max", demo, tmp_path)
        urls = re.findall(r'"url": "([^"]+)"', page)
        assert len(urls) > 5
        for url in urls:  # every original-article link of the archive answers
            with urllib.request.urlopen(url, timeout=10) as response:
                assert response.status == 200, url
        article = urllib.request.urlopen(f"http://127.0.0.1:{port}/archive/articles/1", timeout=10).read().decode()
        original = re.search(r'class="original-url" href="([^"]+)"', article).group(1)
        assert urllib.request.urlopen(original, timeout=10).status == 200
    finally:
        demo.send_signal(signal.SIGINT)  # Ctrl-C, as a user stops it
        code = demo.wait(timeout=30)
        log.close()
    assert code in (0, 130), (tmp_path / "demo.log").read_text()[-2000:]
    assert all(_free(p) for p in mirror_ports(list(DEMO_SITES), first_port).values())  # the mirrors stopped too


def _wait_for(url: str, process: subprocess.Popen, tmp_path: Path, timeout: float = 300) -> str:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            log = (tmp_path / "demo.log").read_text()[-3000:]
            raise AssertionError(f"the demo exited {process.returncode}:\n{log}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"the demo did not serve {url} within {timeout} s")
