"""Scrapy settings: polite by default. Every value can be overridden with `-s NAME=VALUE`.

These are government servers: obey robots.txt, say who we are, keep one or
two requests in flight per site, slow down when the server slows down, and
back off on errors.
"""

import os

from crawler import __version__

BOT_NAME = "vnparty_archive"
SPIDER_MODULES = ["spiders", "crawler.crawl.site_spiders", "crawler.crawl.generic", "crawler.crawl.platforms"]
NEWSPIDER_MODULE = "spiders"

# --- the archive ---------------------------------------------------------
ARCHIVE_DB = os.environ.get("ARCHIVE_DB", "archive.db")
# The store commits every ARCHIVE_BATCH_SIZE articles and every ARCHIVE_BATCH_SECONDS seconds (and when a
# spider closes): a crash loses at most that much work, fetched again by the next run (docs/data-model.md).
# Unset, they are the measured defaults of crawler/store/archive.py and crawler/crawl/pipelines.py (500, 10 s).
# Listing pages followed per category through the pager's own links.
ARCHIVE_MAX_LISTING_PAGES = int(os.environ.get("ARCHIVE_MAX_LISTING_PAGES", "50"))
# Incremental crawling: known articles are revisited when due (auto), always (all) or never (none);
# at most ARCHIVE_REVISIT_MAX of them per run come from the archive itself (not from listings).
ARCHIVE_REVISIT = os.environ.get("ARCHIVE_REVISIT", "auto")
ARCHIVE_REVISIT_MAX = 500
# A listing chain stops after this many consecutive pages that link nothing never attempted (no new
# article; a 404 or a dropped page fetched once before does not count: crawler/crawl/base.py). Listings
# are newest first, so the pages after a quiet one hold what the archive has.
ARCHIVE_STOP_AFTER_QUIET_PAGES = 1
# Links taken from one listing page (articles, and categories from a start page); more are counted
# as archive/limits/links_per_page and dropped.
ARCHIVE_MAX_LINKS_PER_PAGE = int(os.environ.get("ARCHIVE_MAX_LINKS_PER_PAGE", "300"))
# Live origins of sites whose hostname is not known in the code (spider name -> origin).
SITE_ORIGINS: dict[str, str] = {}

# --- identity and politeness ------------------------------------------------
ARCHIVE_CONTACT_URL = os.environ.get(
    "ARCHIVE_CONTACT_URL", "https://github.com/vnparty-archive/vnparty-archive")
USER_AGENT = f"vnparty-archive/{__version__} (research web archive; +{ARCHIVE_CONTACT_URL})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50%, so requests do not beat like a clock
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Outputs of one callback handled at once. Scrapy starts this many asyncio tasks for every response
# (100 by default: 10% of a crawl's CPU on a 35 KB page); the pipelines here are synchronous, so more
# than one at a time gains nothing.
CONCURRENT_ITEMS = 1
# Scrapy re-reads a callback's source (inspect + ast) to warn about `return value` in a generator,
# and its cache keeps bound methods only weakly, so it did so for every third response (2% of the CPU);
# the spiders' callbacks are covered by the tests instead.
WARN_ON_GENERATOR_RETURN_VALUE = False

# --- faults -------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5

# --- monitoring (crawler/alarms.py) -----------------------------------------------------
ARCHIVE_ALARM_THRESHOLDS: dict = {}  # overrides crawler.crawl.alarms.DEFAULT_THRESHOLDS
ARCHIVE_ALERT_WEBHOOK = os.environ.get("ARCHIVE_ALERT_WEBHOOK")  # JSON POST of a run's alarms
ARCHIVE_ALERT_EMAIL = os.environ.get("ARCHIVE_ALERT_EMAIL")
ARCHIVE_ALERT_SMTP_HOST = os.environ.get("ARCHIVE_ALERT_SMTP_HOST", "localhost")

# --- raw captures (crawler/capture/) -------------------------------------------------
# Every response goes to WARC files, indexed in the `captures` table.
WARC_ENABLED = True
WARC_DIR = os.environ.get("ARCHIVE_WARC_DIR", "")  # "" = warc/ beside ARCHIVE_DB
WARC_MAX_SIZE = 1_000_000_000  # bytes per file before rotating

# --- wiring ---------------------------------------------------------------------
ITEM_PIPELINES = {
    "crawler.crawl.pipelines.ValidatePipeline": 100,
    "crawler.crawl.faults.FaultsPipeline": 200,  # nothing stored once the disk is full; dates flagged
    "crawler.crawl.pipelines.StorePipeline": 300,
}
# 950: nearer the downloader than every built-in middleware, so redirects, retried errors and
# compressed bodies are captured as the server sent them.
DOWNLOADER_MIDDLEWARES = {
    "crawler.crawl.capture.WarcCaptureMiddleware": 950,
    # crawler/crawl/faults.py: once the disk is full, no request goes out and nothing reaches the capture
    "crawler.crawl.faults.DiskFullMiddleware": 960,
    # Scrapy's decompression, counting pages dropped at DOWNLOAD_MAXSIZE (archive/skipped/too_large)
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.crawl.faults.SizeCapMiddleware": 590,
}
# `scrapy crawl` with one-line errors for bad spider arguments (crawler/commands/crawl.py)
COMMANDS_MODULE = "crawler.commands"

EXTENSIONS = {
    "crawler.crawl.faults.FaultsExtension": 400,  # a full disk stops the crawl, reported in one line
    "crawler.crawl.runs.CrawlRunRecorder": 500,
    "crawler.crawl.progress.CrawlProgress": 600,  # a progress line per site every ARCHIVE_PROGRESS_INTERVAL s
}
# seconds between progress lines of a crawl (crawler/crawl/progress.py); 0 turns them off
ARCHIVE_PROGRESS_INTERVAL = float(os.environ.get("ARCHIVE_PROGRESS_INTERVAL", "30"))

# No telnet console nor remote-control server: each opens a loopback port on every crawl, and nobody
# drives an unattended crawl through them.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("ARCHIVE_LOG_LEVEL", "INFO")

# --- distributed crawling (docs/distributed.md) -----------------------------------------
# With REDIS_URL set (here, with -s, or in the environment) a crawl is a worker: scrapy-redis' scheduler and
# dupefilter share one frontier per site, politeness is per domain across all workers, and items go to Redis
# for `python -m crawler ingest`, the one writer of archive.db. Unset (the default): nothing of it is active.
REDIS_URL = os.environ.get("REDIS_URL", "")
ADDONS = {"crawler.distributed.addon.DistributedAddon": 0}  # declines at once without REDIS_URL
DISTRIBUTED_PREFIX = os.environ.get("DISTRIBUTED_PREFIX", "vnparty")  # of every Redis key
DISTRIBUTED_SEED = "no"  # no: work on the pass seeded; yes: start (or join) a pass with the start requests; only
DISTRIBUTED_NEW_PASS = False  # with DISTRIBUTED_SEED: discard the running pass's queue and start a new one
DISTRIBUTED_HEARTBEAT = 1.0  # seconds between a worker's heartbeats (and lease releases)
DISTRIBUTED_WORKER_TTL = 10  # seconds without a heartbeat after which a worker's leased requests are re-queued
DISTRIBUTED_WAIT_FOR_PASS = 30  # seconds a worker waits for a pass to be seeded before it closes
