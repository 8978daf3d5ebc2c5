"""Distributed crawling on scrapy-redis (issue 17): a real redis-server, worker processes, one ingester.

Every test starts its own `redis-server` on a free loopback port (Debian's package; `scripts/setup --test`
installs it) and serves a generated site (crawler/distributed/loadsite.py) on loopback; the workers are
`python -m crawler crawl --distributed` processes and the ingester `python -m crawler ingest`, as an
operator runs them. Without redis-server the tests that need it are skipped, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from crawler.distributed import STREAM_GROUP, Keys, connect
from crawler.distributed.loadsite import LoadSite
from crawler.distributed.status import read_status
from tests.conftest import ROOT

SITE = "tuyengiao"  # the generated site has tuyengiao.vn's markup
TTL = "3"  # seconds after which a killed worker's leased requests go back to the queue


def redis_server_binary() -> str | None:
    return shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/sbin/redis-server") if os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory):
    binary = redis_server_binary()
    if binary is None:
        pytest.skip("redis-server is not installed (Debian package redis-server; `scripts/setup --test` installs it)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    log = workdir / "redis.log"
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "no", "--dir", str(workdir), "--logfile", str(log)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if process.poll() is not None:
                pytest.skip(f"redis-server could not start: {log.read_text()[-300:] if log.exists() else ''}")
            time.sleep(0.05)
    else:
        process.kill()
        pytest.skip("redis-server did not answer on 127.0.0.1")
    yield f"redis://127.0.0.1:{port}/0"
    client.close()
    process.terminate()
    process.wait(timeout=10)


class Cluster:
    """The processes of one distributed crawl, with their own key prefix in the shared redis-server."""

    def __init__(self, url: str, tmp: Path, prefix: str):
        self.url = url
        self.tmp = tmp
        self.db = tmp / "archive.db"
        self.env = {**os.environ, "REDIS_URL": url, "DISTRIBUTED_PREFIX": prefix, "ARCHIVE_DB": str(self.db),
                    "ARCHIVE_WARC_DIR": str(tmp / "warc"), "ARCHIVE_LOG_DIR": str(tmp / "logs")}
        self.env.pop("SCRAPY_SETTINGS_MODULE", None)
        self.outputs: list[Path] = []

    def run(self, *args: str, name: str) -> subprocess.Popen:
        out = self.tmp / f"{name}.out"
        self.outputs.append(out)
        with out.open("w") as handle:  # the child keeps its own copy of the descriptor
            return subprocess.Popen([sys.executable, "-m", "crawler", *args], cwd=ROOT, env=self.env,
                                    stdout=handle, stderr=subprocess.STDOUT)

    def worker(self, site: LoadSite, *extra: str, name: str) -> subprocess.Popen:
        return self.run("crawl", "--distributed", "--site", SITE, "--base-url", f"{SITE}={site.base_url}", *extra,
                        name=name)

    def ingester(self, name: str = "ingest") -> subprocess.Popen:
        return self.run("ingest", "--until-drained", "--grace", "1", name=name)

    def status(self) -> dict:
        return read_status(self.url, self.env["DISTRIBUTED_PREFIX"])

    def site_status(self) -> dict:
        return next((s for s in self.status()["sites"] if s["site"] == SITE), {})

    def wait_published(self) -> None:
        until = time.monotonic() + 30
        while not self.status()["known_published_at"]:
            assert time.monotonic() < until, "the ingester never published the known articles"
            time.sleep(0.1)

    def summary(self, name: str) -> list[str]:
        """The line of the site in a worker's closing table: site, finish, pass, pages, items, seeded, taken over."""
        return next(line.split() for line in self.output(name).splitlines() if line.startswith(SITE + " "))

    def output(self, name: str) -> str:
        return (self.tmp / f"{name}.out").read_text()

    def rows(self, sql: str) -> list[tuple]:
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()


def wait(process: subprocess.Popen, cluster: Cluster, name: str, timeout: float = 120) -> None:
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"{name} did not finish: {cluster.output(name)[-3000:]}") from None
    assert code == 0, f"{name} exited with {code}: {cluster.output(name)[-3000:]}"


def article_fetches(site: LoadSite, since: int = 0) -> Counter:
    return Counter({t: n for t, n in site.fetches(since).items() if t.rsplit("-", 1)[-1].isdigit()})


@pytest.fixture
def cluster(redis_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Cluster:
    return Cluster(redis_url, tmp_path, f"t{abs(hash(request.node.name)) % 10**8}")


def test_two_workers_and_an_ingester_killed_mid_run_lose_nothing_and_duplicate_nothing(cluster: Cluster):
    fast = ("--set", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "--set", f"DISTRIBUTED_WORKER_TTL={TTL}")
    with LoadSite(2000) as site:
        ingester = cluster.ingester("ingest-1")
        cluster.wait_published()
        a = cluster.worker(site, "--seed", *fast, name="worker-a")  # seeds the pass, then works on it
        b = cluster.worker(site, *fast, name="worker-b")
        killed = {}
        server, keys = connect(cluster.url), Keys(cluster.env["DISTRIBUTED_PREFIX"])
        deadline = time.monotonic() + 120
        while len(killed) < 2 and time.monotonic() < deadline:
            if "worker" not in killed and len(site.log) >= 1200:
                a.send_signal(signal.SIGKILL)  # mid-download and mid-parse: its leases must come back
                a.wait()
                killed["worker"] = len(site.log)
            ingested = int(server.hget(keys.pass_info(SITE, 1), "ingested") or 0)
            if "ingester" not in killed and ingested >= 600:
                # let a backlog build, then kill the ingester while it applies a full batch it has not acknowledged
                ingester.send_signal(signal.SIGSTOP)
                time.sleep(1.5)
                ingester.send_signal(signal.SIGCONT)
                until = time.monotonic() + 20
                while server.xpending(keys.stream, STREAM_GROUP)["pending"] < 50 and time.monotonic() < until:
                    time.sleep(0.002)
                ingester.send_signal(signal.SIGKILL)
                ingester.wait()
                killed["ingester"] = ingested
            time.sleep(0.05)
        server.close()
        assert killed.keys() == {"worker", "ingester"}, f"the crawl ended before the kills: {killed}"
        restarted = cluster.ingester("ingest-2")
        wait(b, cluster, "worker-b")
        wait(restarted, cluster, "ingest-2")
        fetches = article_fetches(site)
        status = cluster.site_status()

    # every article stored exactly once, with its capture and its research rows
    assert cluster.rows("SELECT count(*), count(DISTINCT url), max(revision) FROM articles") == [(2000, 2000, 1)]
    assert cluster.rows("SELECT count(*) FROM article_urls") == [(2000,)]
    assert cluster.rows("SELECT count(*) FROM article_revisions") == [(0,)]
    assert cluster.rows("SELECT count(*) FROM article_enrichment") == [(2000,)]
    assert cluster.rows("SELECT count(*) FROM articles a JOIN captures c ON c.id = a.capture_id "
                        "WHERE c.url = a.url AND c.status = 200") == [(2000,)]
    # every page fetched; fetched twice only where a lease of the killed worker was taken over
    assert len(fetches) == 2000
    twice = sum(n - 1 for n in fetches.values())
    assert twice <= status["reclaimed"], (twice, status)
    assert cluster.rows("SELECT count(*) FROM captures")[0][0] <= sum(site.fetches().values())
    # the pass is one crawl_runs row, finished by the surviving worker, counting both workers' pages
    runs = cluster.rows("SELECT spider, finish_reason, pages, articles_new + articles_unchanged, alarms "
                        "FROM crawl_runs")
    assert len(runs) == 1 and runs[0][:2] == (SITE, "finished") and runs[0][3] >= 2000, runs
    assert json.loads(runs[0][4]) == []
    # both workers fetched pages (the WARC files carry the worker's name), and nothing is left in Redis
    warc_workers = {path.name.split("-rp1-")[1].rsplit("-", 1)[0] for path in (cluster.tmp / "warc" / SITE).iterdir()}
    assert len(warc_workers) == 2, warc_workers
    assert (status["state"], status["queued"], status["leased"]) == ("drained", 0, 0)
    assert cluster.status()["stream"]["length"] == 0
    assert "applied again" in cluster.output("ingest-2")  # the batch cut short was replayed


def test_revisits_reach_the_workers_once_per_pass(cluster: Cluster):
    revisit_all = ("--set", "ARCHIVE_REVISIT=all")
    with LoadSite(120) as site:
        # pass 1: a seeder and two workers; no page is fetched twice
        ingester = cluster.ingester("ingest-1")
        cluster.wait_published()
        seeder = cluster.run("crawl", "--distributed", "--seed-only", "--site", SITE, "--base-url",
                             f"{SITE}={site.base_url}", name="seed-1")
        wait(seeder, cluster, "seed-1")
        workers = [cluster.worker(site, name=f"worker-1{n}") for n in "ab"]
        for n, worker in zip("ab", workers, strict=True):
            wait(worker, cluster, f"worker-1{n}")
        wait(ingester, cluster, "ingest-1")
        first = site.fetches()
        assert first["/robots.txt"] <= 2  # each worker reads robots.txt once
        assert max(n for t, n in first.items() if t != "/robots.txt") == 1, first.most_common(3)
        assert cluster.rows("SELECT count(*) FROM articles") == [(120,)]

        # the site edits three articles and removes two; pass 2 revisits every known article
        site.edit({3, 4, 5})
        site.remove({10, 11})
        since = len(site.log)
        ingester = cluster.ingester("ingest-2")
        seeder = cluster.run("crawl", "--distributed", "--seed-only", *revisit_all, "--site", SITE, "--base-url",
                             f"{SITE}={site.base_url}", name="seed-2")
        wait(seeder, cluster, "seed-2")
        assert cluster.summary("seed-2")[5] == "128"  # the 8 start pages and a revisit of each known article
        workers = [cluster.worker(site, *revisit_all, name=f"worker-2{n}") for n in "ab"]
        for n, worker in zip("ab", workers, strict=True):
            wait(worker, cluster, f"worker-2{n}")
        wait(ingester, cluster, "ingest-2")
        second = site.fetches(since)

    # the seeder queued every known article and both workers met them again in the listings: each was
    # fetched once in pass 2 (its revisit fingerprint holds the pass number), and the listings were read again
    assert {t: n for t, n in article_fetches(site, since).items()} == {t: 1 for t in site.article_targets()}
    assert second["/"] == 1 and second["/kinh-te"] == 1
    assert cluster.rows("SELECT count(*) FROM article_revisions") == [(3,)]
    assert cluster.rows("SELECT count(*) FROM articles WHERE revision = 2") == [(3,)]
    assert cluster.rows("SELECT count(*) FROM articles WHERE removed_at IS NOT NULL") == [(2,)]
    runs = cluster.rows("SELECT finish_reason, articles_changed, articles_removed FROM crawl_runs ORDER BY id")
    assert runs == [("finished", 0, 0), ("finished", 3, 2)], runs
    status = cluster.site_status()
    assert (status["pass"], status["state"]) == (2, "drained")


def test_two_workers_never_exceed_the_domain_rate_together(cluster: Cluster):
    delay = 0.1
    polite = ("--set", f"DOWNLOAD_DELAY={delay}", "--set", "DOWNLOAD_DELAY_JITTER=0")
    with LoadSite(30) as site:
        ingester = cluster.ingester()
        cluster.wait_published()
        workers = [cluster.worker(site, "--seed", *polite, name="worker-a"), cluster.worker(site, *polite,
                                                                                          name="worker-b")]
        for n, worker in zip("ab", workers, strict=True):
            wait(worker, cluster, f"worker-{n}")
        wait(ingester, cluster, "ingest")
        arrivals = sorted(start for start, _end, _target in site.log)
        max_active = site.max_active

    assert cluster.rows("SELECT count(*) FROM articles") == [(30,)]
    pages = [int(cluster.summary(name)[3]) for name in ("worker-a", "worker-b")]
    assert min(pages) >= 5, pages  # both workers fetched: the limit held for them together
    assert max_active <= 2  # CONCURRENT_REQUESTS_PER_DOMAIN, for both workers together
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    assert min(gaps) >= delay / 2, sorted(gaps)[:5]  # a request leaves at most a few ms after its grant
    span = arrivals[-1] - arrivals[0]
    assert len(arrivals) - 1 <= span / delay * 1.05 + 1, (len(arrivals), span)  # the rate of one worker
    for start in arrivals:  # in every second, at most 1 / DOWNLOAD_DELAY requests (plus the one at its edge)
        assert sum(1 for t in arrivals if start <= t < start + 1) <= 1 / delay + 1


def test_single_machine_mode_does_not_touch_the_crawl():
    """Without REDIS_URL the add-on declines and nothing of Redis is imported; with it, the crawl is a worker."""
    code = """
import sys
from scrapy.crawler import Crawler
from scrapy.utils.project import get_project_settings
from crawler.crawl.site_spiders import spider_classes
for url in ("", "redis://127.0.0.1:1/0"):
    settings = get_project_settings()
    settings.set("REDIS_URL", url, priority="cmdline")
    crawler = Crawler(spider_classes()["tuyengiao"], settings)
    crawler.addons.load_settings(crawler.settings)
    print(crawler.settings["SCHEDULER"], sorted(str(k) for k in crawler.settings.getdict("EXTENSIONS")
                                                if "Recorder" in str(k)), len(crawler.addons.addons))
    if not url:
        print("redis imported:", any(m.split(".")[0] in ("redis", "scrapy_redis") for m in sys.modules))
"""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SCRAPY_SETTINGS_MODULE")}
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    single, redis_absent, worker = result.stdout.strip().splitlines()
    assert single == "scrapy.core.scheduler.Scheduler ['crawler.crawl.runs.CrawlRunRecorder'] 0"
    assert redis_absent == "redis imported: False"
    assert worker.startswith("crawler.distributed.scheduler.Scheduler [") and "DistributedRunRecorder" in worker
    assert "CrawlRunRecorder'" not in worker and worker.endswith(" 1")


def test_status_and_ingest_say_what_is_missing(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    for command in (["status"], ["ingest", "--db", str(tmp_path / "a.db")], ["crawl", "--distributed"]):
        result = subprocess.run([sys.executable, "-m", "crawler", *command], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 2 and "REDIS_URL" in result.stderr, (command, result.stderr)
