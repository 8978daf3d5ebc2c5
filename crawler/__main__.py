"""Command line: `python -m crawler COMMAND`.

    python -m crawler extract page.html --url https://tuyengiao.vn/x-130334   # JSON of one page
    python -m crawler crawl [--site tuyengiao] [--base-url tuyengiao=http://127.0.0.1:8000]   # scheduled runs
    python -m crawler mirror tests/fixtures/sites/tuyengiao --port 8000
    python -m crawler demo      # serve the bundled mirrors, crawl them into archive.db, publish
    python -m crawler sites     # the sites the archive knows
    python -m crawler reextract [--site S] [--since DATE] [--dry-run]   # re-derive articles from the WARC captures
    python -m crawler export-warc --site S OUT.warc.gz | import-warc FILE…
    python -m crawler check [--db archive.db] [--warc-dir warc/]   # after a crash or a restore
    python -m crawler crawl --distributed [--seed] | ingest | status   # several machines (docs/distributed.md)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")

from crawler.cli_errors import CliError, check_database, check_sites, site_urls  # noqa: E402
from crawler.demo import MIRROR_PORT  # noqa: E402

# The bundled offline mirrors, in a checkout of the repository (the demo serves them).
MIRRORS = Path("tests") / "fixtures" / "sites"


def rules_for_url(url: str):  # -> tuple[str | None, SiteRules | None]
    """The registry site serving `url`, and its spider's rules; (None, None) for unknown hosts."""
    from crawler.crawl.site_spiders import spider_classes
    from crawler.sites import site_for_host

    site = site_for_host(urlsplit(url).hostname or "")
    if site is None:
        return None, None
    return site.name, spider_classes()[site.name].rules


def cmd_extract(args: argparse.Namespace) -> int:
    from crawler.extract import extract_article

    if args.site:
        check_sites([args.site])
    try:
        page = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"Cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    from crawler.crawl.site_spiders import spider_classes

    site, rules = (args.site, spider_classes()[args.site].rules) if args.site else rules_for_url(args.url)
    article = extract_article(page, args.url, rules)
    print(article.as_json())
    if site is None:
        print(f"(no site rules for {urlsplit(args.url).hostname}: generic extraction)", file=sys.stderr)
    return 0


def cmd_crawl(args: argparse.Namespace) -> int:
    if getattr(args, "distributed", False):  # a worker of the shared frontier (docs/distributed.md)
        from crawler.distributed.cli import cmd_crawl_distributed

        return cmd_crawl_distributed(args)
    from scrapy.utils.project import get_project_settings

    from crawler.crawl.scheduled import scheduled_crawl

    base_urls = site_urls(args.base_url or [])
    sites = args.site
    db = args.db or os.environ.get("ARCHIVE_DB", "archive.db")
    check_sites(list(sites or []) + list(base_urls))
    check_database(db, create=True)
    if not sites:  # every registry site the scheduled crawl runs whose origin is known
        from crawler.sites import crawl_plan, seed_database

        seed_database(db)
        sites, skipped = crawl_plan(get_project_settings().getdict("SITE_ORIGINS"), base_urls)
        for name in skipped:
            print(f"Skipping {name}: its hostname is unknown (set SITE_ORIGINS['{name}']).", file=sys.stderr)
    overrides = dict(pair.split("=", 1) for pair in args.set or [])
    return scheduled_crawl(sites, base_urls, db, args.log_dir, overrides)


def cmd_mirror(args: argparse.Namespace) -> int:
    from crawler.mirror import MirrorServer

    with MirrorServer(args.directory, port=args.port) as mirror:
        print(f"Serving {args.directory} at {mirror.base_url} (Ctrl-C to stop)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve every bundled mirror on loopback, crawl them with the real spiders, publish (crawler/demo.py)."""
    from crawler.demo import run_demo

    return run_demo(Path(args.mirrors), args.port, serve_after=not args.no_serve, first_mirror_port=args.mirror_port)


def cmd_serve(args: argparse.Namespace) -> int:
    from crawler.publish import serve

    check_database(args.db or os.environ.get("ARCHIVE_DB", "archive.db"))
    return serve(args.db or os.environ.get("ARCHIVE_DB", "archive.db"), host=args.host, port=args.port,
                 public=args.public, sql=not args.no_sql)


def cmd_publish(args: argparse.Namespace) -> int:
    from crawler.publish import SnapshotError, publish_snapshot

    try:
        check_database(args.src)
    except CliError as exc:
        raise CliError(f"Not published: {exc}", code=1) from None
    try:
        dest = publish_snapshot(args.src, args.dest)
    except (OSError, SnapshotError) as exc:
        print(f"Not published: {exc}", file=sys.stderr)
        return 1
    print(f"Published {args.src} -> {dest} (checked, swapped atomically).")
    print("Restart the server on it to serve the new snapshot, e.g. `systemctl restart vnparty-datasette`; "
          f"serve it to the public with `python -m crawler serve --public --db {dest}`.")
    return 0


def cmd_sites(args: argparse.Namespace) -> int:
    """The site registry (sites.csv) with each site's province as published and since the 2025 mergers."""
    from crawler.sites import format_table, seed_database

    if getattr(args, "seed", None):
        check_database(args.seed, create=True)
    print(format_table())
    if getattr(args, "seed", None):
        print(f"\n{seed_database(args.seed)} sites written to the sites table of {args.seed}")
    return 0


def _print_summary(summary: Any, out: TextIO, dry_run: bool) -> None:
    for status, url, fields in summary.changes:
        if dry_run or status == "changed":
            detail = f" ({', '.join(fields)})" if fields else ""
            print(f"{'would be ' if dry_run else ''}{status}: {url}{detail}", file=out)
    for failure in summary.failures:
        print(f"FAILED {failure}", file=out)
    print(("dry run, nothing written: " if dry_run else "") + summary.line(dry_run), file=out)


def cmd_reextract(args: argparse.Namespace) -> int:
    from crawler.reextract import reextract
    from crawler.store import default_database

    patch = None
    if args.rules:
        if not args.site or len(args.site) != 1:
            print("--rules needs exactly one --site", file=sys.stderr)
            return 2
        try:
            patch = json.loads(args.rules)
        except ValueError as exc:
            raise CliError(f"--rules is not JSON ({exc})") from None
        if not isinstance(patch, dict):
            raise CliError('--rules must be a JSON object, e.g. \'{"remove": [".ads"]}\'')
    check_database(args.db or default_database())
    try:
        summary = reextract(args.db, args.site, args.since, args.dry_run, args.force, patch, args.warc_dir)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    _print_summary(summary, sys.stdout, args.dry_run)
    return 1 if summary.failed else 0


def cmd_export_warc(args: argparse.Namespace) -> int:
    from crawler.capture.export import export_warc
    from crawler.capture.paths import warc_root
    from crawler.store import ArticleStore, default_database

    db_path = args.db or default_database()
    check_database(db_path)
    store = ArticleStore(db_path)
    try:
        if not store.captures_of_site(args.site):
            raise CliError(f"no captures of site {args.site!r} in {db_path} (nothing written)", code=1)
        counts = export_warc(store.captures_of_site(args.site), warc_root(args.warc_dir, db_path), args.site, args.out)
    finally:
        store.close()
    print(f"{args.out}: {counts['records']} captures of {args.site} (+{counts['requests']} request records), "
          f"{counts['bytes']} bytes; {counts['missing']} unreadable")
    return 1 if counts["missing"] or not counts["records"] else 0


def cmd_import_warc(args: argparse.Namespace) -> int:
    from crawler.reextract.importer import import_warc

    summary = import_warc(args.files, args.db, args.warc_dir)
    print(f"{summary.files} files, {summary.records} records, {summary.indexed} captures indexed, "
          f"{summary.unknown_host} of hosts without a spider, {len(summary.problems)} corrupt")
    if summary.articles:
        _print_summary(summary.articles, sys.stdout, False)
    return 1 if summary.problems or (summary.articles and summary.articles.failed) else 0


def cmd_refs(args: argparse.Namespace) -> int:
    """The references to Party and State documents in a saved page or a text file."""
    from crawler.enrich import print_references

    return print_references(Path(args.file), as_json=args.json, url=args.url, rules_for=rules_for_url)


def cmd_enrich(args: argparse.Namespace) -> int:
    """Backfill the research tables (references, places, people) of every article not enriched yet."""
    from crawler.enrich import backfill
    from crawler.store import default_database

    db = args.db or default_database()
    if not Path(db).is_file():
        print(f"enrich: {db}: no such database (crawl first, or pass --db)", file=sys.stderr)
        return 2
    summary = backfill(db, force=args.force, out=sys.stderr, jobs=args.jobs)
    print(summary.line())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Is the archive whole? SQLite, the search index, revisions, captures, the registry: one line per problem."""
    from crawler.check import check_archive
    from crawler.store import default_database

    return check_archive(args.db or default_database(), args.warc_dir, args.sample)


def add_capture_commands(sub: Any) -> None:
    """The `reextract`, `export-warc` and `import-warc` subcommands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="the archive (default: $ARCHIVE_DB or archive.db)")
    common.add_argument("--warc-dir", help="the WARC directory (default: $ARCHIVE_WARC_DIR or warc/ beside the db)")

    p = sub.add_parser("reextract", parents=[common], help="run the current extractor over the stored captures")
    p.add_argument("--site", action="append", help="a spider name (repeatable; default: every site)")
    p.add_argument("--since", help="only captures fetched since DATE (ISO 8601)")
    p.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    p.add_argument("--force", action="store_true", help="also re-extract articles already up to date")
    p.add_argument("--rules", metavar="JSON",
                   help='override SiteRules fields of one --site, e.g. \'{"remove": [".ads"]}\'')
    p.set_defaults(func=cmd_reextract)

    p = sub.add_parser("export-warc", parents=[common], help="pack a site's captures into one WARC file")
    p.add_argument("--site", required=True)
    p.add_argument("out", metavar="OUT.warc.gz")
    p.set_defaults(func=cmd_export_warc)

    p = sub.add_parser("import-warc", parents=[common], help="index WARC files from other tools and extract")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_import_warc)

    p = sub.add_parser("check", parents=[common],
                       help="check the archive after a crash or a restore: one line per problem, exit 0 when all hold")
    p.add_argument("--sample", type=int, metavar="N", help="read N random captures' WARC records (default: all)")
    p.set_defaults(func=cmd_check)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true", help="show the traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="print the article extracted from a saved page as JSON")
    p.add_argument("file")
    p.add_argument("--url", required=True, help="the page's URL: its host chooses the site rules")
    p.add_argument("--site", help="use this spider's rules whatever the host")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("crawl", help="crawl sites into archive.db (all spiders by default): locked, logged")
    p.add_argument("--site", action="append", help="a spider name (repeatable)")
    p.add_argument("--base-url", action="append", metavar="SITE=URL", help="crawl a mirror for SITE")
    p.add_argument("--db", help="the archive (default: $ARCHIVE_DB or archive.db)")
    p.add_argument("--log-dir", help="where the run's log file goes (default: $ARCHIVE_LOG_DIR or logs/)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="a Scrapy setting for this run")
    p.set_defaults(func=cmd_crawl)
    crawl_parser = p

    p = sub.add_parser("mirror", help="serve an offline mirror directory on 127.0.0.1")
    p.add_argument("directory")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_mirror)

    p = sub.add_parser("demo", help="crawl the bundled mirrors into archive.db and serve it")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--no-serve", action="store_true", help="stop after the crawl and the summary")
    p.add_argument("--mirrors", default=str(MIRRORS), help="the mirror directories (default: %(default)s)")
    p.add_argument("--mirror-port", type=int, default=MIRROR_PORT, metavar="FIRST",
                   help="the first mirror's port; each site's is fixed from it (default: %(default)s)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="serve archive.db read-only (immutable) in Datasette")
    p.add_argument("--db", help="the archive to serve (default: $ARCHIVE_DB or archive.db)")
    p.add_argument("--host", help="interface to bind (default 127.0.0.1; with --public 0.0.0.0)")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--public", action="store_true",
                   help="a public instance: every interface, guarded against hostile visitors (docs/publishing.md)")
    p.add_argument("--no-sql", action="store_true",
                   help="with --public: no arbitrary SQL (canned queries, tables and search only; no dashboard)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("publish", help="snapshot a live archive into a file to serve (checked, atomic swap)")
    p.add_argument("src", metavar="SRC", help="the live archive (e.g. archive.db)")
    p.add_argument("dest", metavar="DEST", help="the served copy (e.g. /srv/archive/archive.db)")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("sites", help="list the sites the archive knows (the registry, sites.csv)")
    p.add_argument("--seed", metavar="DB", help="also write the registry into DB's sites table")
    p.set_defaults(func=cmd_sites)

    p = sub.add_parser("refs", help="list the Party and State documents a saved page or a text file cites")
    p.add_argument("file", help="a saved page (.html: its article text) or a UTF-8 text file")
    p.add_argument("--json", action="store_true", help="one JSON object per reference and line")
    p.add_argument("--url", help="the page's URL (its host chooses the site rules; default: the file's)")
    p.set_defaults(func=cmd_refs)

    p = sub.add_parser("enrich", help="fill the research tables (references, places, people) of the archive")
    p.add_argument("--db", help="the archive (default: $ARCHIVE_DB or archive.db)")
    p.add_argument("--force", action="store_true", help="enrich every article again, even those up to date")
    p.add_argument("--jobs", type=int, help="worker processes for large archives (default: one per CPU)")
    p.set_defaults(func=cmd_enrich)

    add_capture_commands(sub)
    from crawler.distributed.cli import add_distributed_commands

    add_distributed_commands(sub, crawl_parser)

    args = parser.parse_args(argv)
    return run_command(args)


def run_command(args: argparse.Namespace) -> int:
    """Run the subcommand: a mistake is one line on stderr and a non-zero status, never a traceback
    (unless --debug); a closed pipe (`… | head`) ends the command quietly."""
    import sqlite3

    name = f"python -m crawler {args.command}"
    try:
        code = args.func(args)
        sys.stdout.flush()
        return code
    except CliError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return exc.code
    except BrokenPipeError:  # the reader of stdout went away: not an error; silence the final flush
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(f"{name}: interrupted", file=sys.stderr)
        return 130
    except (sqlite3.Error, OSError, ValueError) as exc:
        if args.debug:
            raise
        print(f"{name}: {type(exc).__name__}: {exc} (--debug shows the traceback)", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 (one line, unless --debug)
        if args.debug:
            raise
        print(f"{name}: unexpected {type(exc).__name__}: {exc} (--debug shows the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
