"""The distributed commands of `python -m crawler`: `crawl --distributed`, `ingest`, `status` (docs/distributed.md)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any


def _redis_url(args: argparse.Namespace) -> str:
    from crawler.distributed import redis_url

    url = args.redis_url or redis_url()
    if not url:
        print(f"{args.command}: no Redis: pass --redis-url redis://HOST:6379/0 or set REDIS_URL", file=sys.stderr)
    return url


def cmd_crawl_distributed(args: argparse.Namespace) -> int:
    """`crawl --distributed`: this process works on the shared frontier in Redis (with --seed, it seeds a pass)."""
    from datetime import datetime

    from scrapy.utils.project import get_project_settings

    from crawler.distributed import worker_id
    from crawler.distributed.worker import run_workers
    from crawler.sites import crawl_plan

    url = _redis_url(args)
    if not url:
        return 2
    base_urls = dict(pair.split("=", 1) for pair in args.base_url or [])
    sites = args.site or crawl_plan(get_project_settings().getdict("SITE_ORIGINS"), base_urls)[0]
    seed = "only" if args.seed_only else "yes" if args.seed else "no"
    log_dir = Path(args.log_dir or os.environ.get("ARCHIVE_LOG_DIR", "logs"))
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / f"crawl-distributed-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.log"
    role = {"only": "seeding", "yes": "seeding and working on", "no": "working on"}[seed]
    print(f"Worker {worker_id()} {role} {', '.join(sites)}; log: {log_file}", flush=True)
    overrides = dict(pair.split("=", 1) for pair in args.set or [])
    return run_workers(sites, base_urls, url, seed, args.new_pass, str(log_file), overrides)


def cmd_ingest(args: argparse.Namespace) -> int:
    """Drain the workers' items and captures from Redis into archive.db: the one writer."""
    from crawler.distributed.ingest import IngestLockedError, ingest
    from crawler.store import default_database

    url = _redis_url(args)
    if not url:
        return 2
    try:
        summary = ingest(args.db or default_database(), url, os.environ.get("DISTRIBUTED_PREFIX", "vnparty"),
                         until_drained=args.until_drained, grace=args.grace, republish=args.republish,
                         batch=args.batch)
    except IngestLockedError as exc:
        print(f"ingest: {exc}", file=sys.stderr)
        return 75
    print(summary.line())
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Queues, leases, passes, workers and the stream of the distributed crawl, from Redis."""
    from crawler.distributed.status import format_status, read_status

    url = _redis_url(args)
    if not url:
        return 2
    status = read_status(url, os.environ.get("DISTRIBUTED_PREFIX", "vnparty"))
    print(json.dumps(status, ensure_ascii=False, indent=1) if args.json else format_status(status))
    return 0


def add_distributed_commands(sub: Any, crawl: argparse.ArgumentParser) -> None:
    """`crawl --distributed`, `ingest` and `status` (docs/distributed.md)."""
    crawl.add_argument("--distributed", action="store_true",
                       help="work on the shared frontier in Redis (scrapy-redis) instead of writing --db")
    crawl.add_argument("--redis-url", help="with --distributed (default: $REDIS_URL)")
    crawl.add_argument("--seed", action="store_true", help="with --distributed: start (or join) a pass, then work")
    crawl.add_argument("--seed-only", action="store_true", help="with --distributed: start (or join) a pass, exit")
    crawl.add_argument("--new-pass", action="store_true",
                       help="with --seed: discard the running pass's queue and start a new pass")

    p = sub.add_parser("ingest", help="drain the distributed workers' items from Redis into archive.db")
    p.add_argument("--db", help="the archive (default: $ARCHIVE_DB or archive.db)")
    p.add_argument("--redis-url", help="default: $REDIS_URL")
    p.add_argument("--until-drained", action="store_true",
                   help="exit once nothing is left to ingest and no worker is alive (else run until stopped)")
    p.add_argument("--grace", type=float, default=10.0, help="with --until-drained: seconds without workers")
    p.add_argument("--republish", action="store_true",
                   help="publish every site's known articles to Redis again (after archive.db changed elsewhere)")
    p.add_argument("--batch", type=int, default=200, help="messages per read (default: %(default)s)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("status", help="the distributed crawl's queues, passes, workers and stream, from Redis")
    p.add_argument("--redis-url", help="default: $REDIS_URL")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)
