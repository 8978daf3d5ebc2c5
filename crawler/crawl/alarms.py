"""Alarms: the signs that a site changed its markup or broke, raised per crawl run.

    evaluate_alarms(run, previous_runs, thresholds) -> ["no_articles: …", …]

* `no_articles`: the listings used to yield article links and now yield none;
* `coverage:<field>`: too few article pages gave a title / date / body (absolute
  floor), or the author coverage fell well below the last finished run's;
* `coverage:dropped`: many article pages were dropped as empty or as no article (every drop is
  counted by reason in the stats, `archive/skipped/<reason>`; their captures stay for `reextract`);
* `selectors`: most article pages needed the generic fallback for the body;
* `errors`: too many failed requests (timeouts, refused connections, 5xx);
* `unfinished`: the spider did not finish normally.

Raised alarms are logged at ERROR, stored in `crawl_runs.alarms`, make
`python -m crawler crawl` exit non-zero, and are posted to
ARCHIVE_ALERT_WEBHOOK (JSON) and mailed to ARCHIVE_ALERT_EMAIL when set.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from email.message import EmailMessage
from typing import Any

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLDS = {
    "min_coverage": {"title": 0.9, "published": 0.8, "body": 0.9},
    "max_author_drop": 0.3,
    "min_site_rules_body": 0.5,
    "max_error_rate": 0.25,
    "min_pages_for_coverage": 3,
    "min_missing_for_coverage": 3,  # a couple of odd pages is not a redesign
    "max_dropped_share": 0.3,
}
# Drops that mean the extraction failed on an article page; listings, document lists, menu pages
# and undated pages under article-shaped URLs are refused by design and raise nothing.
FAILURE_DROPS = ("no_article", "empty_body", "extract_error", "empty_page")


def _coverage(stats: dict[str, Any], name: str) -> float | None:
    pages = stats.get("archive/fields/pages", 0)
    return stats.get(f"archive/fields/{name}", 0) / pages if pages else None


def evaluate_alarms(run: dict[str, Any], previous: list[dict[str, Any]],
                    thresholds: dict[str, Any] | None = None) -> list[str]:
    """Alarms for a finished run (a `crawl_runs` row with its `stats` JSON), given earlier runs."""
    limits = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    stats = json.loads(run["stats"]) if isinstance(run["stats"], str) else run["stats"]
    previous_stats = [json.loads(p["stats"]) for p in previous if p.get("stats")]
    finished_stats = [json.loads(p["stats"]) for p in previous
                      if p.get("stats") and p.get("finish_reason") == "finished"]
    alarms = []
    if run.get("finish_reason") != "finished":
        alarms.append(f"unfinished: finish reason {run.get('finish_reason')}")
    links = stats.get("archive/links/article", 0)
    if not links and any(p.get("archive/links/article", 0) for p in previous_stats):
        alarms.append("no_articles: the listings yielded no article links (they did before)")
    pages = stats.get("archive/fields/pages", 0)
    if pages >= limits["min_pages_for_coverage"]:
        for name, floor in limits["min_coverage"].items():
            share = _coverage(stats, name)
            missing = pages - stats.get(f"archive/fields/{name}", 0)
            if share is not None and share < floor and missing >= limits["min_missing_for_coverage"]:
                alarms.append(f"coverage:{name}: {share:.0%} of {pages} article pages (floor {floor:.0%})")
        author = _coverage(stats, "author")
        # the baseline is the last finished run: a killed or interrupted run's pages are a partial sample
        # (whatever the scheduler fetched first), and the run that resumes it holds the rest
        earlier = [c for p in finished_stats if (c := _coverage(p, "author")) is not None]
        if author is not None and earlier and author < earlier[0] - limits["max_author_drop"]:
            alarms.append(f"coverage:author: {author:.0%}, was {earlier[0]:.0%}")
        failed = {reason: stats.get(f"archive/skipped/{reason}", 0) for reason in FAILURE_DROPS}
        dropped = sum(failed.values())
        if dropped >= limits["min_missing_for_coverage"] and dropped > limits["max_dropped_share"] * pages:
            reasons = ", ".join(f"{reason} {n}" for reason, n in failed.items() if n)
            alarms.append(f"coverage:dropped: {dropped} of {pages} article pages dropped ({reasons})")
        site_rules = _coverage(stats, "site_rules_body")
        if site_rules is not None and site_rules < limits["min_site_rules_body"]:
            alarms.append(f"selectors: the site's body selectors matched {site_rules:.0%} of article pages")
    requests = max(run.get("pages") or 0, 1)
    if (run.get("errors") or 0) / requests > limits["max_error_rate"]:
        alarms.append(f"errors: {run['errors']} failed of {requests} requests")
    return alarms


def notify(spider: str, alarms: list[str], webhook: str | None = None, email: str | None = None,
           smtp_host: str = "localhost") -> None:
    """Post the alarms to a webhook and/or mail them. Failures to notify are logged, never raised."""
    if not alarms:
        return
    payload = {"spider": spider, "alarms": alarms}
    if webhook:
        request = urllib.request.Request(webhook, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                                         headers={"Content-Type": "application/json"}, method="POST")
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except OSError as exc:
            logger.error("Could not post alarms to %s: %s", webhook, exc)
    if email:
        message = EmailMessage()
        message["Subject"] = f"[vnparty-archive] {spider}: {len(alarms)} alarm(s)"
        message["From"] = message["To"] = email
        message.set_content("\n".join(alarms))
        try:
            with smtplib.SMTP(smtp_host, timeout=10) as smtp:
                smtp.send_message(message)
        except OSError as exc:
            logger.error("Could not mail alarms to %s: %s", email, exc)
