"""Research data: the Party and State documents each article cites, the provinces and the people it is about.

    enrichment = enrich_article(article, article_id, site="tuyengiao", province=None)
    store.replace_enrichment(enrichment)   # what the crawl does for every new or changed article
    backfill("archive.db")                 # python -m crawler enrich: every article not enriched yet
    print_references(Path("page.html"))    # python -m crawler refs page.html: the references of one file

The extractors are pure (crawler/extract/references.py, gazetteer.py, people.py); this module turns
their findings into the rows of `article_references`, `article_places` and `article_people`, which
`ArticleStore.replace_enrichment` writes, an article's rows replaced whole in one transaction with its
`article_enrichment` row (this version, the content hash of the text the rows come from).

An article is enriched again when its text changed (the crawl does it for new and changed articles;
the backfill for any article whose content hash differs, as after `reextract`) or when
`ENRICHMENT_VERSION` changes. Bump it whenever the rows can change for the same text: a new rule in an
extractor, a new column. The backfill never touches the articles' content columns or revisions.

Where each piece is looked for: references in the title, the lead and the text (`field` and
`start`/`end` say where: an offset into that column, so `substr(body_text, start + 1, end - start)` is
the mention); people in the same three; places with `find_places(lead + text, title, the site's
province)`. Every row repeats its article's site, the site's province since 2025 (`province_2025`,
empty for the central sites) and the publication date and month.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from crawler.extract.article import Article
from crawler.extract.gazetteer import find_places
from crawler.extract.people import find_people
from crawler.extract.references import find_references
from crawler.progress import Progress
from crawler.sites import province_2025
from crawler.store.archive import ArticleStore, article_fields

ENRICHMENT_VERSION = 1
SEPARATOR = "\n\n"  # between the fields when they are read as one text
BATCH = 400  # articles per transaction in the backfill
PARALLEL_FROM = 2000  # articles to enrich from which the backfill uses worker processes
CACHE_MB = 256  # SQLite page cache of the backfill's writer: its index updates stay in memory


@dataclass
class Enrichment:
    """The research rows of one article, by table, and what they were computed from."""

    article_id: int
    content_hash: str | None
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    version: int = ENRICHMENT_VERSION


def article_texts(title: str | None, lead: str | None, body_text: str | None) -> list[tuple[str, str]]:
    """(field, text) of an article's non-empty fields: title, lead, body."""
    return [(name, text) for name, text in (("title", title), ("lead", lead), ("body", body_text)) if text]


def references_in(texts: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The references of (field, text) pieces read as one text (a number-only mention in the title is
    resolved from the code in the body), each located in its own field: every `Reference` field, `start`
    and `end` into that field's text, and `first_mention` (1 on the first mention of its key)."""
    joined = SEPARATOR.join(text for _field, text in texts)
    bounds, offset = [], 0
    for name, text in texts:
        bounds.append((name, offset, offset + len(text)))
        offset += len(text) + len(SEPARATOR)
    rows, seen = [], set()
    for ref in find_references(joined):
        located = next(((name, ref.start - lo, ref.end - lo) for name, lo, hi in bounds
                        if lo <= ref.start and ref.end <= hi), None)
        if located is None:  # across two fields: no offset to give
            continue
        name, start, end = located
        rows.append({"key": ref.key, "kind": ref.kind, "number": ref.number, "type_code": ref.type_code,
                     "issuer": ref.issuer, "level": ref.level, "style": ref.style, "date": ref.date, "term": ref.term,
                     "form": ref.form, "resolved": int(ref.resolved), "field": name, "start": start, "end": end,
                     "text": ref.text, "first_mention": int(ref.key not in seen)})
        seen.add(ref.key)
    return rows


def enrich_row(row: Mapping[str, Any]) -> Enrichment:
    """The research rows of a stored article: `row` holds its `id`, `site`, `province` (as published),
    `title`, `lead`, `body_text`, `published_at` and `content_hash`."""
    published = row.get("published_at")
    new_province = province_2025(row.get("province"))
    common = {"article_id": row["id"], "site": row.get("site"), "published_at": published,
              "month": published[:7] if published else None}
    texts = article_texts(row.get("title"), row.get("lead"), row.get("body_text"))
    references = [{**ref, **common, "province_2025": new_province} for ref in references_in(texts)]
    title = row.get("title") or ""
    places = [{"province_2025": p.province_2025, "province_old": p.province_old, "evidence": ",".join(p.evidence),
               "title_prefix": int("title_prefix" in p.evidence), "site_province": int("site" in p.evidence),
               "mentions": p.count, **common}
              for p in find_places(SEPARATOR.join(t for n, t in texts if n != "title"), title=title,
                                   site_province=row.get("province") if new_province else None)]
    people = [{"name": p.name, "title": p.title, "mentions": p.count, "province_2025": new_province, **common}
              for p in find_people(SEPARATOR.join(t for _n, t in texts))]
    return Enrichment(row["id"], row.get("content_hash"),
                      {"article_references": references, "article_places": places, "article_people": people})


def enrich_article(article: Article, article_id: int, site: str, province: str | None = None) -> Enrichment:
    """The research rows of `article`, just stored as `article_id` for `site` (province as published)."""
    fields = article_fields(article)
    return enrich_row({"id": article_id, "site": site, "province": province, "title": article.title,
                       "lead": article.lead, "body_text": article.body_text, "published_at": article.published_at,
                       "content_hash": fields["content_hash"]})


def _enrich_batch(rows: list[dict[str, Any]]) -> list[Enrichment]:
    return [enrich_row(row) for row in rows]


_worker_store: ArticleStore | None = None


def _open_worker_store(db_path: str) -> None:
    global _worker_store
    _worker_store = ArticleStore(db_path)  # a reader: the articles are read where they are enriched


def _enrich_ids(ids: list[int]) -> list[Enrichment]:
    assert _worker_store is not None
    return _enrich_batch(_worker_store.enrichment_sources(ids))


@dataclass
class BackfillSummary:
    articles: int  # in the archive
    enriched: int
    skipped: int  # already enriched by this version from the same text
    references: int = 0
    places: int = 0
    people: int = 0

    def line(self) -> str:
        return (f"{self.enriched} articles enriched ({self.references} references, {self.places} places, "
                f"{self.people} people), {self.skipped} already up to date (enrichment version "
                f"{ENRICHMENT_VERSION}), {self.articles} articles in the archive")


def _context() -> multiprocessing.context.BaseContext:
    """fork where there is one (no start-up cost; this process has one thread), else spawn."""
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def backfill(db_path: str, force: bool = False, out: TextIO | None = None, jobs: int | None = None) -> BackfillSummary:
    """Enrich every article of the archive whose rows are missing, older than ENRICHMENT_VERSION or from
    another text (all of them with `force`), `BATCH` articles per transaction, with a progress bar on
    `out`. From PARALLEL_FROM articles on, `jobs` worker processes (default: one per CPU) read the
    articles and run the extractors while this process writes."""
    store = ArticleStore(db_path)
    try:
        store.set_cache_size(CACHE_MB)
        total = store.count_articles()
        ids = store.articles_to_enrich(ENRICHMENT_VERSION, force=force)
        summary = BackfillSummary(total, 0, total - len(ids))
        if not ids:
            return summary
        jobs = jobs or os.cpu_count() or 1
        progress = Progress(len(ids), out or sys.stderr, label="enrich")

        def write(enrichments: list[Enrichment]) -> None:
            store.replace_enrichment(*enrichments)
            for enrichment in enrichments:
                summary.enriched += 1
                summary.references += len(enrichment.rows["article_references"])
                summary.places += len(enrichment.rows["article_places"])
                summary.people += len(enrichment.rows["article_people"])
                progress.step()

        batches = [ids[i:i + BATCH] for i in range(0, len(ids), BATCH)]
        if jobs == 1 or len(ids) < PARALLEL_FROM:
            for batch in batches:
                write(_enrich_batch(store.enrichment_sources(batch)))
        else:  # the workers read (WAL: readers never wait) and extract; this process alone writes
            with _context().Pool(jobs, initializer=_open_worker_store, initargs=(db_path,)) as pool:
                pending: deque[Any] = deque()
                for batch in batches:
                    pending.append(pool.apply_async(_enrich_ids, (batch,)))
                    if len(pending) > 2 * jobs:
                        write(pending.popleft().get())
                while pending:
                    write(pending.popleft().get())
        progress.finish()
        return summary
    finally:
        store.close()


# -- python -m crawler refs FILE ------------------------------------------------------------------------

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")


def file_texts(path: Path, url: str | None = None, rules_for: Callable[[str], tuple[Any, Any]] | None = None,
               ) -> list[tuple[str, str]]:
    """(field, text) of a saved page's article (HTML: extracted as the crawl does, with the rules
    `rules_for(url)` gives) or of a UTF-8 text file ("text"); ValueError with the reason."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from None
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if path.suffix.lower() in HTML_SUFFIXES or head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")):
        from crawler.extract import extract_article

        url = url or path.resolve().as_uri()
        rules = rules_for(url)[1] if rules_for else None
        try:
            article = extract_article(data, url, rules)
        except Exception as exc:  # noqa: BLE001 (whatever the extractor raises, the page is what is wrong)
            raise ValueError(f"{path}: no article could be extracted ({type(exc).__name__}: {exc})") from None
        texts = article_texts(article.title, article.lead, article.body_text)
        if not texts:
            raise ValueError(f"{path}: no article text found in the page")
        return texts
    try:
        return [("text", data.decode("utf-8-sig"))]
    except UnicodeDecodeError:
        raise ValueError(f"{path}: neither an HTML page nor UTF-8 text") from None


def print_references(path: Path, as_json: bool = False, url: str | None = None,
                     rules_for: Callable[[str], tuple[Any, Any]] | None = None,
                     out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`python -m crawler refs`: the references of a file, as a table or one JSON object per line on `out`
    (default stdout); a file that cannot be read is one line on `err` (default stderr) and exit status 2."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        rows = references_in(file_texts(path, url, rules_for))
    except ValueError as exc:
        print(f"refs: {exc}", file=err)
        return 2
    if as_json:
        for row in rows:
            print(json.dumps({**row, "resolved": bool(row["resolved"]), "first_mention": bool(row["first_mention"])},
                             ensure_ascii=False), file=out)
        return 0
    header = ("field", "start", "end", "form", "kind", "key", "date", "text")
    cells = [header] + [tuple("" if row[c] is None else str(row[c]) for c in header) for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    for k, line in enumerate(cells):
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip(), file=out)
        if k == 0:
            print("  ".join("-" * w for w in widths), file=out)
    print(f"\n{len(rows)} references to {len({row['key'] for row in rows})} documents", file=out)
    return 0
