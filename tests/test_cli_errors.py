"""The operator's mistakes: each is one line on stderr and a non-zero exit status, never a traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

P = "python -m crawler"

# (arguments, exit status, the exact line on stderr); {tmp} is the test's directory:
# {tmp}/bad.db is a text file, {tmp}/good.db an empty archive (the registry only).
MISTAKES = [
    (["crawl", "--site", "nosuch", "--db", "{tmp}/a.db"], 2,
     f"{P} crawl: unknown site 'nosuch' (`python -m crawler sites` lists them)"),
    (["crawl", "--site", "tuyengiao", "--base-url", "http://127.0.0.1:1", "--db", "{tmp}/a.db"], 2,
     f"{P} crawl: --base-url http://127.0.0.1:1: expected SITE=URL, e.g. tuyengiao=http://127.0.0.1:8000"),
    (["crawl", "--site", "tuyengiao", "--base-url", "tuyengiao=127.0.0.1:1", "--db", "{tmp}/a.db"], 2,
     f"{P} crawl: --base-url tuyengiao=127.0.0.1:1: expected SITE=URL, e.g. tuyengiao=http://127.0.0.1:8000"),
    (["crawl", "--site", "tuyengiao", "--db", "{tmp}/missing/a.db"], 2,
     f"{P} crawl: {{tmp}}/missing/a.db: directory {{tmp}}/missing does not exist"),
    (["crawl", "--site", "tuyengiao", "--db", "{tmp}/bad.db"], 2, f"{P} crawl: {{tmp}}/bad.db: not an SQLite database"),
    (["serve", "--db", "{tmp}/bad.db", "--port", "1"], 2, f"{P} serve: {{tmp}}/bad.db: not an SQLite database"),
    (["sites", "--seed", "{tmp}/bad.db"], 2, f"{P} sites: {{tmp}}/bad.db: not an SQLite database"),
    (["reextract", "--db", "{tmp}/bad.db"], 2, f"{P} reextract: {{tmp}}/bad.db: not an SQLite database"),
    (["publish", "{tmp}/bad.db", "{tmp}/out.db"], 1,
     f"{P} publish: Not published: {{tmp}}/bad.db: not an SQLite database"),
    (["extract", "page.html", "--url", "https://tuyengiao.vn/x-1", "--site", "nosuch"], 2,
     f"{P} extract: unknown site 'nosuch' (`python -m crawler sites` lists them)"),
    (["reextract", "--site", "tuyengiao", "--rules", "{bad", "--db", "{tmp}/good.db"], 2,
     f"{P} reextract: --rules is not JSON (Expecting property name enclosed in double quotes: "
     "line 1 column 2 (char 1))"),
    (["export-warc", "--site", "nosuch", "--db", "{tmp}/good.db", "{tmp}/out.warc.gz"], 1,
     f"{P} export-warc: no captures of site 'nosuch' in {{tmp}}/good.db (nothing written)"),
    (["reextract", "--db", "{tmp}/typo.db"], 2,
     f"{P} reextract: {{tmp}}/typo.db: no such database (crawl first, or pass --db)"),
    (["export-warc", "--site", "tuyengiao", "--db", "{tmp}/typo.db", "{tmp}/out.warc.gz"], 2,
     f"{P} export-warc: {{tmp}}/typo.db: no such database (crawl first, or pass --db)"),
]

SCRAPY_MISTAKES = [
    (["generic"], 2, "scrapy crawl: generic: pass -a start_url=URL (and -a site=NAME)"),
    (["tuyengiao", "-a", "base_url=127.0.0.1:9"], 2,
     "scrapy crawl: tuyengiao: -a base_url=127.0.0.1:9 is not an http(s) URL (write it with its scheme, "
     "e.g. http://127.0.0.1:9)"),
    (["nosuch"], 2, "scrapy crawl: unknown spider 'nosuch' (`scrapy list` names them)"),
]


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    (tmp_path / "bad.db").write_text("not a database\n", encoding="utf-8")
    sqlite3.connect(tmp_path / "good.db").execute("CREATE TABLE captures (id INTEGER PRIMARY KEY, spider TEXT)")
    return tmp_path


def run(cmd: list[str], tmp: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "ARCHIVE_LOG_DIR": str(tmp / "logs")}
    kwargs = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run(cmd, cwd=ROOT, text=True, timeout=120, env=env, **kwargs)


@pytest.mark.parametrize(("args", "status", "message"), MISTAKES, ids=[" ".join(m[0][:3]) for m in MISTAKES])
def test_a_mistake_is_one_line_and_an_exit_status(tmp, args, status, message):
    before = sorted(p.name for p in tmp.iterdir())
    result = run([sys.executable, "-m", "crawler", *(a.replace("{tmp}", str(tmp)) for a in args)], tmp)
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [message.replace("{tmp}", str(tmp))]
    # nothing made: no database for a typo, no partial export, no lock file beside a wrong path
    assert sorted(p.name for p in tmp.iterdir() if p.name != "logs") == before


@pytest.mark.parametrize(("args", "status", "message"), SCRAPY_MISTAKES, ids=[m[0][0] for m in SCRAPY_MISTAKES])
def test_scrapy_crawl_argument_errors_are_one_line(tmp, args, status, message):
    result = run([sys.executable, "-m", "scrapy", "crawl", *args, "-s", f"ARCHIVE_DB={tmp}/a.db"], tmp)
    assert result.returncode == status, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert message in result.stderr.splitlines()
    assert not (tmp / "a.db").exists()


def test_a_closed_pipe_ends_quietly(tmp):
    """`python -m crawler sites | head -1`: the reader goes away; no BrokenPipeError, status 0."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = run([sys.executable, "-m", "crawler", "sites"], tmp, stdout=write_end, stderr=subprocess.PIPE)
    finally:
        os.close(write_end)
    assert result.returncode == 0
    assert result.stderr == ""


def test_debug_shows_the_traceback_of_an_unexpected_error(tmp):
    (tmp / "locked.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)  # a header, then garbage
    quiet = run([sys.executable, "-m", "crawler", "reextract", "--db", str(tmp / "locked.db")], tmp)
    loud = run([sys.executable, "-m", "crawler", "--debug", "reextract", "--db", str(tmp / "locked.db")], tmp)
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr
    assert len(quiet.stderr.strip().splitlines()) == 1 and "--debug" in quiet.stderr
    assert loud.returncode != 0 and "Traceback" in loud.stderr


def test_serve_on_a_busy_port_fails_before_saying_serving(tmp):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run([sys.executable, "-m", "crawler", "serve", "--db", str(tmp / "good.db"), "--port", str(port)], tmp)
    assert result.returncode == 1
    assert "Serving" not in result.stdout and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"Cannot serve on 127.0.0.1:{port}: Address already in use (another server there? choose --port)"]
