"""What a reader meets in Datasette, over HTTP, on a real server over the full archive."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_publish import DatasetteServer, canned_search, parse_atom


@pytest.fixture(scope="module")
def server(full_archive: Path, tmp_path_factory: pytest.TempPathFactory):
    srv = DatasetteServer(full_archive, tmp_path_factory.mktemp("reader") / "datasette.log").start()
    yield srv
    srv.stop()


@pytest.mark.parametrize(("params", "message"), [
    ({"site": "nosuchsite"}, "No site named 'nosuchsite' in the archive (names in /archive/sites)."),
    (None, "No site given: use /archive/site_feed.atom?site=NAME (names in /archive/sites)."),
])
def test_the_feed_of_an_unknown_or_missing_site_is_a_404_with_a_message(server, params, message):
    status, body, headers = server.request("/archive/site_feed.atom", params)
    assert status == 404
    assert body == message
    assert headers["content-type"].startswith("text/plain")


def test_the_feed_of_a_known_site_still_answers(server):
    feed = parse_atom(server.get("/archive/site_feed.atom", site="travinh_duk"))
    assert feed.findall("{http://www.w3.org/2005/Atom}entry")


def test_json_snippets_carry_no_internal_markers(server):
    rows = canned_search(server, "dang uy khoi")
    assert rows and all("⟦" not in r["snippet"] and "⟧" not in r["snippet"] for r in rows)
    assert any("Đảng ủy Khối" in r["snippet"] for r in rows)
    for query in ("search", "newest"):
        body = server.get(f"/archive/{query}.json", q="dang uy khoi")
        assert "⟦" not in body and "\\u27e6" not in body
    assert "<mark>" in server.get("/archive/search", q="dang uy khoi")  # the HTML page still highlights
