"""The command line's mistakes, each a one-line message and an exit status (never a traceback).

`python -m crawler` turns a `CliError` into `python -m crawler COMMAND: MESSAGE` on stderr and
exit status 2; `--debug` shows the traceback of unexpected errors instead of one line.
"""

from __future__ import annotations

from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"


class CliError(Exception):
    """A mistake in the command line or its files: printed in one line, exit status `code`."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def check_database(path: str | Path, create: bool = False) -> None:
    """`path` is an SQLite database, or (`create`) a new one can be made there; else CliError.

    Read commands (`reextract`, `serve`, `export-warc`, `publish`) never create a database: a
    typo in `--db` is an error, not an empty archive."""
    path = Path(path)
    if path.is_dir():
        raise CliError(f"{path}: is a directory, not an SQLite database")
    if path.exists():
        try:
            with open(path, "rb") as fh:
                head = fh.read(len(SQLITE_MAGIC))
        except OSError as exc:
            raise CliError(f"{path}: cannot be read ({exc.strerror})") from None
        if head and head != SQLITE_MAGIC:  # an empty file is a database SQLite has not written yet
            raise CliError(f"{path}: not an SQLite database")
        return
    if not create:
        raise CliError(f"{path}: no such database (crawl first, or pass --db)")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise CliError(f"{path}: directory {parent} does not exist")


def known_spiders() -> list[str]:
    """Every spider `scrapy crawl` knows (the registry's sites and the platform spiders)."""
    from crawler.crawl.site_spiders import spider_classes

    return sorted(spider_classes())


def check_sites(names: list[str]) -> None:
    """Every name is a spider, else CliError naming the first unknown one."""
    known = set(known_spiders())
    for name in names:
        if name not in known:
            raise CliError(f"unknown site {name!r} (`python -m crawler sites` lists them)")


def site_urls(pairs: list[str]) -> dict[str, str]:
    """`--base-url SITE=URL` values as a dict; CliError for any other form."""
    from urllib.parse import urlsplit

    urls = {}
    for pair in pairs:
        site, sep, url = pair.partition("=")
        parts = urlsplit(url)
        if not sep or not site or parts.scheme not in ("http", "https") or not parts.netloc:
            raise CliError(f"--base-url {pair}: expected SITE=URL, e.g. tuyengiao=http://127.0.0.1:8000")
        urls[site] = url
    return urls
