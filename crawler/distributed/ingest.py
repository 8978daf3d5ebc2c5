"""`python -m crawler ingest`: the one writer of archive.db in distributed mode.

Workers push messages to one Redis stream (crawler/distributed/worker.py); this process reads them
through a consumer group, in order, applies each with `ArticleStore` (the messages read together in one
store batch, as in a single-machine crawl), and only then acknowledges them (XACK, and XDEL to keep Redis small) in
one MULTI with what it publishes back. So:

* **at least once**: a message is acknowledged after its writes are committed; an ingester killed in
  between gets the message again when it restarts (its pending entries are read first);
* **no duplicates**: every write is idempotent, so a message applied twice leaves what it left once:
  `add_capture` keeps the id of a record indexed twice (unique file + offset), `upsert` of an unchanged
  article only sets `last_seen_at` to the capture's own time again, `touch` and `mark_removed` carry the
  worker's time, a pass's `crawl_runs` row is found again by its start time, and the research rows of
  articles whose enrichment was cut short are redone after a replay;
* **published back** to Redis for the workers: the known articles of each site (what incremental
  crawling needs; all of them when the ingester starts, then each article it writes) and the last payload
  capture of each URL (for WARC revisit records), and the pass counters `python -m crawler status` shows.

Only one ingester may drain a stream: a lock beside archive.db (for this machine) and one in Redis (for
the others). The counts of new and changed articles are exact except after an ingester crash, when the
messages applied again count as unchanged.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import socket
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from crawler.distributed import STREAM_GROUP, Keys, codec, connect, live_workers
from crawler.distributed.known import known_entry, publish_known
from crawler.extract.article import Article
from crawler.store import ArticleStore

logger = logging.getLogger(__name__)

CONSUMER = "ingester"
LOCK_TTL = 10  # seconds the Redis lock outlives an ingester that stopped refreshing it
ABANDONED_AFTER = 60  # --until-drained: seconds without any worker (or with an undrained pass) before exiting
ARTICLE_FIELDS = {f.name for f in fields(Article)}
OUTCOMES = ("new", "changed", "unchanged", "not_modified", "removed")


class IngestLockedError(RuntimeError):
    pass


@dataclass
class IngestSummary:
    messages: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    replayed: int = 0
    seconds: float = 0.0
    applying: float = 0.0  # of which spent applying messages (the rest: starting, waiting for workers)

    @property
    def items(self) -> int:
        return sum(self.messages[k] for k in ("article", "not_modified", "gone"))

    def line(self) -> str:
        rate = self.items / self.applying if self.applying else 0.0
        outcomes = ", ".join(f"{self.outcomes[k]} {k.replace('_', ' ')}" for k in OUTCOMES)
        return (f"{sum(self.messages.values())} messages ({self.items} items, {self.messages['capture']} captures, "
                f"{self.replayed} replayed after a restart) in {self.seconds:.1f} s ({self.applying:.1f} s applying: "
                f"{rate:.0f} items/s); articles: {outcomes}")


def article_from(data: dict[str, Any]) -> Article:
    return Article(**{k: v for k, v in data.items() if k in ARTICLE_FIELDS})


class Ingester:
    def __init__(self, db_path: str, url: str, prefix: str = "vnparty", batch: int = 200, out: TextIO = sys.stderr):
        self.db_path = db_path
        self.server = connect(url)
        self.keys = Keys(prefix)
        self.batch = batch
        self.out = out
        self.identity = f"{socket.gethostname()}:{Path(db_path).resolve()}"
        self.store: ArticleStore | None = None
        self.summary = IngestSummary()
        self.stopping = False
        self.capture_ids: dict[str, int] = {}  # "<warc file>@<offset>" -> captures.id, this session's
        self.run_ids: dict[tuple[str, int], int | None] = {}

    # --- locks ---

    def _lock_file(self) -> Any:
        handle = open(f"{self.db_path}.ingest.lock", "a+")  # noqa: SIM115 (held for the ingester's lifetime)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise IngestLockedError(f"another ingester is writing {self.db_path}") from None
        return handle

    def _lock_redis(self, wait: float) -> None:
        """Take the stream's lock; one held under this identity is a dead ingester's (the file lock proved it)."""
        deadline = time.monotonic() + wait
        while True:
            if self.server.set(self.keys.ingester, self.identity, nx=True, ex=LOCK_TTL):
                return
            holder = (self.server.get(self.keys.ingester) or b"").decode()
            if holder == self.identity:
                self.server.set(self.keys.ingester, self.identity, ex=LOCK_TTL)
                return
            if time.monotonic() > deadline:
                raise IngestLockedError(f"another ingester drains this Redis: {holder}")
            time.sleep(0.5)

    def _refresh_lock(self) -> None:
        self.server.set(self.keys.ingester, self.identity, ex=LOCK_TTL)

    # --- running ---

    def run(self, until_drained: bool = False, grace: float = 10.0, republish: bool = False,
            wait_lock: float = 2 * LOCK_TTL) -> IngestSummary:
        """Drain the stream into archive.db; with `until_drained`, return once the stream is empty and no
        worker has been alive for `grace` seconds, else run until SIGINT / SIGTERM."""
        from crawler.sites import seed_sites

        handle = self._lock_file()
        started = time.monotonic()
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self._lock_redis(wait_lock)
            self.store = ArticleStore(self.db_path)
            seed_sites(self.store)
            try:
                self.server.xgroup_create(self.keys.stream, STREAM_GROUP, id="0", mkstream=True)
            except Exception as exc:  # BUSYGROUP: the group exists (an earlier ingester)
                if "BUSYGROUP" not in str(exc):
                    raise
            publish_known(self.store, self.server, self.keys, republish, self.out)
            self._replay()
            quiet_since: float | None = None
            seen_work = self.summary.replayed > 0  # a worker alive or a message read since this ingester started
            while not self.stopping:
                entries = self._read(">", block=1000)
                self._refresh_lock()
                if entries:
                    self._apply_batch(entries)
                    quiet_since, seen_work = None, True
                    continue
                if until_drained:
                    if self.server.xlen(self.keys.stream) == 0 and not live_workers(self.server, self.keys):
                        quiet_since = quiet_since or time.monotonic()
                        unfinished = self.unfinished_passes()
                        # no worker yet, or a pass still queued with none: wait longer for workers to (re)start
                        patient = unfinished or not seen_work
                        if time.monotonic() - quiet_since >= (max(grace, ABANDONED_AFTER) if patient else grace):
                            if unfinished:
                                print(f"ingest: no worker for {', '.join(unfinished)}, whose pass is not drained: "
                                      "leaving it queued", file=self.out)
                            break
                    else:
                        quiet_since, seen_work = None, True
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if self.store is not None:
                self.store.close()
            if (self.server.get(self.keys.ingester) or b"").decode() == self.identity:
                self.server.delete(self.keys.ingester)
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
            self.summary.seconds = time.monotonic() - started
        return self.summary

    def unfinished_passes(self) -> list[str]:
        """The sites whose current pass still has requests queued or leased."""
        sites = sorted(s.decode() for s in self.server.smembers(self.keys.sites))
        pipe = self.server.pipeline(transaction=False)
        for site in sites:
            pipe.zcard(self.keys.queue(site))
            pipe.hlen(self.keys.leases(site))
        sizes = pipe.execute()
        return [site for i, site in enumerate(sites) if sizes[2 * i] or sizes[2 * i + 1]]

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopping = True

    def _read(self, start: str, block: int | None = None) -> list[tuple[bytes, dict[bytes, bytes]]]:
        found = self.server.xreadgroup(STREAM_GROUP, CONSUMER, {self.keys.stream: start}, count=self.batch,
                                       block=block)
        return found[0][1] if found else []

    def _replay(self) -> None:
        """Apply again what an earlier ingester read but did not acknowledge (it stopped in between)."""
        replayed_articles: set[int] = set()
        while entries := self._read("0"):
            gone = [entry_id for entry_id, raw in entries if not raw]  # deleted from the stream: nothing to apply
            if gone:
                self.server.xack(self.keys.stream, STREAM_GROUP, *gone)
            entries = [e for e in entries if e[1]]
            self.summary.replayed += len(entries)
            if entries:
                replayed_articles |= self._apply_batch(entries)
        if replayed_articles:  # enrichment cut short between the upsert and its research rows
            from crawler.enrich import ENRICHMENT_VERSION, enrich_row

            assert self.store is not None
            missing = sorted(set(self.store.articles_to_enrich(ENRICHMENT_VERSION)) & replayed_articles)
            if missing:
                self.store.replace_enrichment(*map(enrich_row, self.store.enrichment_sources(missing)))
        if self.summary.replayed:
            print(f"ingest: {self.summary.replayed} messages read before a restart applied again", file=self.out)

    # --- applying ---

    def _apply_batch(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> set[int]:
        started = time.monotonic()
        try:
            return self._apply(entries)
        finally:
            self.summary.applying += time.monotonic() - started

    def _apply(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> set[int]:
        effects = self.server.pipeline(transaction=True)
        counts: Counter[tuple[str, int, str]] = Counter()
        articles: set[int] = set()
        assert self.store is not None
        with self.store.batch():  # the messages' writes share transactions, all committed before the ack
            for _entry_id, raw in entries:
                message = {k.decode(): v for k, v in raw.items()}
                kind = message["kind"].decode()
                site, number = message["site"].decode(), int(message.get("pass", b"0") or 0)
                body = codec.loads(message["body"]) if message.get("body") else {}
                outcome = getattr(self, f"apply_{kind}")(site, number, body, effects, counts)
                self.summary.messages[kind] += 1
                if isinstance(outcome, tuple):
                    status, article_id = outcome
                    articles.add(article_id)
                else:
                    status = outcome
                if status:
                    self.summary.outcomes[status] += 1
                    counts[(site, number, status)] += 1
        for (site, number, status), n in counts.items():
            if number:
                info = self.keys.pass_info(site, number)
                effects.hincrby(info, f"outcome:{status}", n)
                effects.hincrby(info, "ingested", n)
        ids = [entry_id for entry_id, _raw in entries]
        effects.xack(self.keys.stream, STREAM_GROUP, *ids)
        effects.xdel(self.keys.stream, *ids)
        effects.execute()
        return articles

    def capture_id(self, key: Any) -> int | None:
        """A capture's id from what a worker named it by: its id already, or "<warc file>@<offset>"."""
        if key is None or isinstance(key, int):
            return key
        if key not in self.capture_ids:
            warc_file, _, offset = str(key).rpartition("@")
            assert self.store is not None
            found = self.store.capture_id_at(warc_file, int(offset))
            if found is None:
                return None
            if len(self.capture_ids) > 200_000:
                self.capture_ids.clear()
            self.capture_ids[key] = found
        return self.capture_ids[key]

    def run_id(self, site: str, number: int) -> int | None:
        if (site, number) not in self.run_ids:
            found = self.server.hget(self.keys.pass_info(site, number), "run_id") if number else None
            if found is None:
                return None  # the pass_start message comes first: a pass without one has no run row
            self.run_ids[(site, number)] = int(found)
        return self.run_ids[(site, number)]

    def apply_site(self, site: str, number: int, body: dict[str, Any], effects: Any, counts: Any) -> None:
        assert self.store is not None
        self.store.register_site(**body)

    def apply_pass_start(self, site: str, number: int, body: dict[str, Any], effects: Any, counts: Any) -> None:
        assert self.store is not None
        started_at = body["started_at"]
        run_id = self.store.run_started_at(site, started_at) or self.store.start_run(site, started_at, None)
        self.run_ids[(site, number)] = run_id
        effects.hset(self.keys.pass_info(site, number), "run_id", run_id)

    def apply_capture(self, site: str, number: int, row: dict[str, Any], effects: Any, counts: Any) -> None:
        assert self.store is not None
        key = f"{row['warc_file']}@{row['warc_offset']}"
        row["run_id"] = self.run_id(site, number)
        row["refers_to"] = self.capture_id(row.get("refers_to"))
        capture_id = self.store.add_capture(row)
        self.capture_ids[key] = capture_id
        if row["record_type"] == "response" and row["payload_length"]:
            effects.hset(self.keys.captured(site), row["url"],
                         json.dumps([capture_id, row["payload_digest"], row["record_id"], row["warc_date"]]))

    def _publish(self, site: str, url: str, effects: Any) -> None:
        """The article's known entry under `url` (and under its primary URL, if another), for the next pass."""
        assert self.store is not None
        row = self.store.find(url)
        if row is not None:
            for key in {url, row["url"]}:
                effects.hset(self.keys.known(site), key, json.dumps(known_entry(row, key), ensure_ascii=False))

    def apply_article(self, site: str, number: int, body: dict[str, Any], effects: Any,
                      counts: Any) -> tuple[str, int]:
        from crawler.enrich import enrich_article

        assert self.store is not None
        article = article_from(body["article"])
        article.capture_id = self.capture_id(article.capture_id)
        province = body.get("province")
        result = self.store.upsert(article, site=body["site"], province=province, fetched_url=body.get("fetched_url"))
        if result.status in ("new", "changed"):
            self.store.replace_enrichment(enrich_article(article, result.article_id, body["site"], province))
        self._publish(body["site"], article.url, effects)
        return result.status, result.article_id

    def apply_not_modified(self, site: str, number: int, body: dict[str, Any], effects: Any,
                           counts: Any) -> str | None:
        assert self.store is not None
        if self.store.touch(body["url"], seen_at=body.get("seen_at")):
            self._publish(site, body["url"], effects)
            return "not_modified"
        return None

    def apply_gone(self, site: str, number: int, body: dict[str, Any], effects: Any, counts: Any) -> str | None:
        assert self.store is not None
        if self.store.mark_removed(body["url"], removed_at=body.get("removed_at")):
            self._publish(site, body["url"], effects)
            return "removed"
        return None

    def apply_worker_done(self, site: str, number: int, body: dict[str, Any], effects: Any,
                          counts: Counter[tuple[str, int, str]]) -> None:
        """Complete the pass's `crawl_runs` row from every worker's stats and this ingester's counts; the
        first worker that closes with the pass drained finishes it (alarms, notification)."""
        from crawler import settings
        from crawler.crawl.alarms import evaluate_alarms, notify
        from crawler.crawl.runs import summarize

        assert self.store is not None
        run_id = self.run_id(site, number)
        if run_id is None:
            return
        info = {k.decode(): v.decode() for k, v in self.server.hgetall(self.keys.pass_info(site, number)).items()}
        stats: Counter[str] = Counter()
        workers = 0
        for name, value in info.items():
            if name.startswith("stats:"):
                workers += 1
                for key, number_ in json.loads(value).items():
                    if isinstance(number_, int | float) and not isinstance(number_, bool):
                        stats[key] += number_
        for status in OUTCOMES:  # the ingester's counts are the truth; add this batch's, not acknowledged yet
            stats[f"archive/articles/{status}"] = int(info.get(f"outcome:{status}", 0)) + counts[(site, number, status)]
        stats.pop("archive/articles/queued", None)
        stats.pop("archive/run_id", None)
        stats["distributed/workers"] = workers
        stats["distributed/reclaimed"] = int(info.get("reclaimed", 0))
        try:
            duration = (datetime.now().astimezone() - datetime.fromisoformat(info["started_at"])).total_seconds()
        except (KeyError, ValueError):
            duration = 0.0
        drained = bool(body.get("drained"))
        reason = body.get("reason") or "finished"
        row = summarize(dict(stats), reason, duration)
        if not drained:  # this worker stopped early: the pass goes on, the row stays open
            row.pop("finished_at")
            row.pop("finish_reason")
            self.store.finish_run(run_id, row)
            return
        previous = [r for r in self.store.previous_runs(site) if r["id"] != run_id]
        alarms = evaluate_alarms(row, previous, settings.ARCHIVE_ALARM_THRESHOLDS or None)
        row["alarms"] = json.dumps(alarms, ensure_ascii=False)
        self.store.finish_run(run_id, row)
        if alarms and self.server.hsetnx(self.keys.pass_info(site, number), "notified", 1):
            for alarm in alarms:
                logger.error("ALARM %s: %s", site, alarm)
            notify(site, alarms, settings.ARCHIVE_ALERT_WEBHOOK, settings.ARCHIVE_ALERT_EMAIL,
                   settings.ARCHIVE_ALERT_SMTP_HOST)

def ingest(db_path: str, url: str, prefix: str = "vnparty", until_drained: bool = False, grace: float = 10.0,
           republish: bool = False, batch: int = 200, out: TextIO = sys.stderr) -> IngestSummary:
    """Run the ingester (see the module doc); IngestLockedError when another one holds the stream or the db."""
    os.makedirs(Path(db_path).resolve().parent, exist_ok=True)
    return Ingester(db_path, url, prefix, batch, out).run(until_drained, grace, republish)
