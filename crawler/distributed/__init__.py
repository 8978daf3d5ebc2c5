"""Distributed crawling on scrapy-redis: N worker processes, one shared frontier, one writer (docs/distributed.md).

Single-machine mode (no REDIS_URL) is the default and does not import anything of this package but the
add-on's class, which declines at once. With REDIS_URL set (setting or environment):

* `addon.py`       the Scrapy add-on that switches a crawl to worker mode: scrapy-redis' scheduler and
                   dupefilter (our thin subclasses), the domain politeness middleware, the start filter,
                   the run recorder that reports to Redis instead of SQLite;
* `scheduler.py`   the shared frontier: scrapy-redis' priority queue and seen-set per site and pass, with
                   leases so that a killed worker's requests go back to the queue, and revisit fingerprints;
* `politeness.py`  one request rate and concurrency per domain for all workers together (a token in Redis);
* `lua.py`         the Lua scripts those two run in Redis (each an atomic step);
* `worker.py`      what a worker writes instead of archive.db: items, capture rows and run stats as
                   messages on a Redis stream; the known articles it reads, published by the ingester;
                   `run_workers` behind `python -m crawler crawl --distributed`;
* `ingest.py`      `python -m crawler ingest`: the one writer, draining the stream into archive.db;
* `known.py`       what the ingester publishes back for the workers: known articles, last captures;
* `status.py`      `python -m crawler status`: queues, leases, workers, passes and the stream;
* `cli.py`         those commands' arguments (`crawl --distributed`, `ingest`, `status`);
* `codec.py`       JSON for requests and messages (not pickle: a write to Redis never runs code);
* `loadsite.py`    a generated site for the load test and `scripts/bench_distributed`.

This module holds what both sides share: the Redis keys and the connection. It imports no Scrapy.
"""

from __future__ import annotations

import os
import re
import socket
from typing import Any

DEFAULT_PREFIX = "vnparty"
STREAM_GROUP = "ingest"  # the consumer group of the one ingester


def redis_url(settings: Any = None) -> str:
    """REDIS_URL of the Scrapy settings (crawler/settings.py reads the environment's), or of the environment
    when there are no settings; "" in single-machine mode."""
    if settings is not None:
        return settings.get("REDIS_URL") or ""
    return os.environ.get("REDIS_URL", "")


def connect(url: str) -> Any:
    """A redis-py client (bytes in, bytes out) with the timeouts scrapy-redis uses."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=30, retry_on_timeout=True,
                                health_check_interval=30)


def worker_id() -> str:
    """This process's name among the workers (and in its WARC file names): host-pid.

    >>> re.fullmatch(r"[A-Za-z0-9.-]+-\\d+", worker_id()) is not None
    True
    """
    host = re.sub(r"[^A-Za-z0-9.-]+", "-", socket.gethostname()) or "host"
    return f"{host}-{os.getpid()}"


class Keys:
    """Every Redis key of the archive, under one prefix (setting DISTRIBUTED_PREFIX).

    >>> Keys("vnparty").queue("tuyengiao"), Keys("vnparty").pass_info("tuyengiao", 3)
    ('vnparty:tuyengiao:requests', 'vnparty:tuyengiao:pass:3')
    """

    def __init__(self, prefix: str = DEFAULT_PREFIX):
        self.prefix = prefix

    # per site: the frontier (scrapy-redis' priority queue and dupefilter) and the leases
    def queue(self, site: str) -> str:
        return f"{self.prefix}:{site}:requests"

    def seen(self, site: str) -> str:
        return f"{self.prefix}:{site}:seen"

    def leases(self, site: str) -> str:
        return f"{self.prefix}:{site}:leases"

    # per site: passes (a pass is one crawl of the site, seeded once, drained by any number of workers)
    def pass_number(self, site: str) -> str:
        return f"{self.prefix}:{site}:pass"

    def pass_info(self, site: str, number: int) -> str:
        return f"{self.prefix}:{site}:pass:{number}"

    # per site: what the archive knows, published by the ingester
    def known(self, site: str) -> str:
        return f"{self.prefix}:{site}:known"

    def captured(self, site: str) -> str:
        return f"{self.prefix}:{site}:captured"

    # shared
    @property
    def sites(self) -> str:  # every site that ever had a pass
        return f"{self.prefix}:sites"

    @property
    def stream(self) -> str:  # items, captures and run reports, for the ingester
        return f"{self.prefix}:stream"

    @property
    def workers(self) -> str:  # worker ids ever seen (their heartbeat keys say which are alive)
        return f"{self.prefix}:workers"

    def worker(self, worker: str) -> str:  # heartbeat, with a time to live
        return f"{self.prefix}:worker:{worker}"

    @property
    def published(self) -> str:  # set by the ingester once the known articles are in Redis
        return f"{self.prefix}:known-published"

    @property
    def ingester(self) -> str:  # the ingester's lock
        return f"{self.prefix}:ingester"

    def politeness(self, domain: str) -> str:
        return f"{self.prefix}:polite:{domain}"

    def politeness_active(self, domain: str) -> str:
        return f"{self.prefix}:polite:{domain}:active"


def live_workers(server: Any, keys: Keys) -> list[str]:
    """The workers whose heartbeat has not expired."""
    names = sorted(w.decode() for w in server.smembers(keys.workers))
    pipe = server.pipeline(transaction=False)
    for name in names:
        pipe.exists(keys.worker(name))
    return [name for name, exists in zip(names, pipe.execute(), strict=True) if exists]
