"""Command line: `python -m crawler COMMAND`.

    python -m crawler extract page.html --url https://tuyengiao.vn/x-130334   # JSON of one page
    python -m crawler crawl [--site tuyengiao] [--base-url tuyengiao=http://127.0.0.1:8000]   # scheduled runs
    python -m crawler mirror tests/fixtures/sites/tuyengiao --port 8000
    python -m crawler demo      # serve the bundled mirrors, crawl them into archive.db, publish
    python -m crawler sites     # the sites the archive knows
    python -m crawler reextract [--site S] [--since DATE] [--dry-run]   # re-derive articles from the WARC captures
    python -m crawler export-warc --site S OUT.warc.gz | import-warc FILE…
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIRRORS = PROJECT_ROOT / "tests" / "fixtures" / "sites"


def spider_classes() -> dict[str, type]:
    """Every site spider, by name (what `scrapy list` shows)."""
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    loader = SpiderLoader.from_settings(get_project_settings())
    return {name: loader.load(name) for name in loader.list()}


def rules_for_url(url: str):  # -> tuple[str | None, SiteRules | None]
    """The site spider whose live host serves `url`, and its rules; (None, None) for unknown hosts."""
    host = (urlsplit(url).hostname or "").lower()
    for name, cls in spider_classes().items():
        hosts = set(getattr(cls, "other_live_hosts", ()))
        if getattr(cls, "live_origin", None):
            hosts.add(urlsplit(cls.live_origin).hostname)
        if host in hosts:
            return name, cls.rules
    return None, None


def cmd_extract(args: argparse.Namespace) -> int:
    from crawler.extract import extract_article

    try:
        page = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"Cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    site, rules = (args.site, spider_classes()[args.site].rules) if args.site else rules_for_url(args.url)
    article = extract_article(page, args.url, rules)
    print(article.as_json())
    if site is None:
        print(f"(no site rules for {urlsplit(args.url).hostname}: generic extraction)", file=sys.stderr)
    return 0


def cmd_crawl(args: argparse.Namespace) -> int:
    from scrapy.utils.project import get_project_settings

    from crawler.scheduled import scheduled_crawl

    base_urls = dict(pair.split("=", 1) for pair in args.base_url or [])
    sites = args.site
    db = args.db or os.environ.get("ARCHIVE_DB", "archive.db")
    if not sites:  # the registry's enabled sites whose origin is known; the others need SITE_ORIGINS first
        from crawler.registry import enabled_spiders, seed_database

        seed_database(db)
        origins = get_project_settings().getdict("SITE_ORIGINS")
        classes = spider_classes()
        sites = []
        for name in enabled_spiders():
            cls = classes.get(name)
            if cls is None:
                continue
            if cls.live_origin or name in origins or name in base_urls:
                sites.append(name)
            else:
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
    """Serve every bundled mirror on loopback, crawl them with the real spiders, publish."""
    from crawler.mirror import MirrorServer
    from crawler.scheduled import scheduled_crawl

    db_path = os.environ.get("ARCHIVE_DB", "archive.db")
    with ExitStack() as stack:
        base_urls = {}
        for directory in sorted(MIRRORS.iterdir()):
            if (directory / "routes.json").exists() and directory.name in spider_classes():
                mirror = stack.enter_context(MirrorServer(directory))
                base_urls[directory.name] = mirror.base_url
                print(f"mirror {directory.name:<20} {mirror.base_url}")
        code = scheduled_crawl(sorted(base_urls), base_urls, db_path)
    if code or args.no_serve:
        return code
    from crawler.publish import serve

    return serve(db_path, host="127.0.0.1", port=args.port)


def cmd_serve(args: argparse.Namespace) -> int:
    from crawler.publish import serve

    return serve(args.db or os.environ.get("ARCHIVE_DB", "archive.db"), host=args.host, port=args.port,
                 public=args.public)


def cmd_publish(args: argparse.Namespace) -> int:
    from crawler.publish import SnapshotError, publish_snapshot

    try:
        dest = publish_snapshot(args.src, args.dest)
    except (OSError, SnapshotError) as exc:
        print(f"Not published: {exc}", file=sys.stderr)
        return 1
    print(f"Published {args.src} -> {dest} (checked, swapped atomically).")
    print("Restart the server on it to serve the new snapshot, e.g. `systemctl restart vnparty-datasette`.")
    return 0


def cmd_sites(args: argparse.Namespace) -> int:
    """The site registry (sites.csv) with each site's province as published and since the 2025 mergers."""
    from crawler.registry import format_table, seed_database

    print(format_table())
    if getattr(args, "seed", None):
        print(f"\n{seed_database(args.seed)} sites written to the sites table of {args.seed}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
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

    p = sub.add_parser("mirror", help="serve an offline mirror directory on 127.0.0.1")
    p.add_argument("directory")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_mirror)

    p = sub.add_parser("demo", help="crawl the bundled mirrors into archive.db and serve it")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--no-serve", action="store_true", help="stop after the crawl and the summary")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="serve archive.db read-only (immutable) in Datasette")
    p.add_argument("--db", help="the archive to serve (default: $ARCHIVE_DB or archive.db)")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--public", action="store_true", help="bind 0.0.0.0 (every interface)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("publish", help="snapshot a live archive into a file to serve (checked, atomic swap)")
    p.add_argument("src", metavar="SRC", help="the live archive (e.g. archive.db)")
    p.add_argument("dest", metavar="DEST", help="the served copy (e.g. /srv/archive/archive.db)")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("sites", help="list the sites the archive knows (the registry, sites.csv)")
    p.add_argument("--seed", metavar="DB", help="also write the registry into DB's sites table")
    p.set_defaults(func=cmd_sites)

    from crawler.reextract import add_commands  # reextract, export-warc, import-warc (README, "Raw captures (WARC)")

    add_commands(sub)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
