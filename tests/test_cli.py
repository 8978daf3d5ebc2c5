"""`python -m crawler extract FILE --url URL`: the debugging tool for one saved page."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import MIRRORS, ROOT, load_expected


def extract(path, url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler", "extract", str(path), "--url", url],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def seed_page(site: str, seed: str):
    expected = load_expected(site)
    path, gold = next((p, g) for p, g in expected["articles"].items() if g.get("seed") == seed)
    routes = json.loads((MIRRORS / site / "routes.json").read_text(encoding="utf-8"))
    route = routes[path]
    return path, gold, MIRRORS / site / (route if isinstance(route, str) else route["file"])


def test_extract_uses_the_site_rules_of_the_urls_host():
    path, gold, page = seed_page("tuyengiao", "002")
    result = extract(page, f"https://tuyengiao.vn{path}")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["title"] == gold["title"]
    assert data["published"] == gold["published"] == "2022-08-11T14:02:00+07:00"
    assert data["author"] == "Thu Hằng"
    assert data["captions"] == gold["captions"]
    assert data["generic_fields"] == []
    assert "Các tin khác" not in data["body"] and "Thu Hằng" not in data["body"]


def test_an_unknown_host_gets_the_generic_extractor():
    path, gold, page = seed_page("tuyengiao", "002")
    result = extract(page, f"https://unknown.example.vn{path}")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert "generic extraction" in result.stderr
    assert data["title"] == gold["title"]
    assert gold["body_contains"][0] in data["body"]


def test_a_missing_file_is_a_clear_error():
    result = extract(ROOT / "no-such-page.html", "https://tuyengiao.vn/x-1")
    assert result.returncode != 0 and "no-such-page.html" in result.stderr
