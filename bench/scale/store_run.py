"""Store the synthetic archive through one code root's real store path; time it against plain executemany.

Run with that root's interpreter, from that root (scale.py does):

    cd ROOT && ROOT/.venv/bin/python BENCH/bench/scale/store_run.py --root ROOT --db out.db --size 100000 \\
        --plain-db plain.db --planted planted.json --report report.json

Articles are generated in chunks (generation is not timed), each chunk goes through
`ArticleStore.upsert` (inside `ArticleStore.batch()` when the root's store has it) and, with `--plain-db`,
the same rows through one `executemany` per table into a second file (the floor the real path is
compared with). CPU time of this process around the store calls only; the report gives the cumulative
figures at every milestone (10k, 100k, 1M) reached.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

CHUNK = 1000  # articles generated at a time: bounded memory, negligible per-chunk overhead
MILESTONES = (10_000, 100_000, 1_000_000)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", required=True, help="the code root whose crawler package stores the articles")
    ap.add_argument("--db", required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--plain-db", help="also insert the same rows with plain executemany into this file")
    ap.add_argument("--planted", help="write {entity: [article numbers]} here")
    ap.add_argument("--report", help="write the timings here (JSON)")
    return ap.parse_args(argv)


class Clock:
    """CPU and wall seconds spent inside `with clock:` blocks, summed."""

    def __init__(self) -> None:
        self.cpu = self.wall = 0.0

    def __enter__(self) -> Clock:
        self._cpu, self._wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu += time.process_time() - self._cpu
        self.wall += time.perf_counter() - self._wall


class PlainInserter:
    """The same rows as the real path writes (articles, article_urls, the search index), by executemany."""

    def __init__(self, path: str, root: SimpleNamespace) -> None:
        self.m = root
        store = root.ArticleStore(path)  # the root's own schema, then a bare connection
        self.conn = store.db.conn
        self.columns = {r[1] for r in self.conn.execute("PRAGMA table_info(articles)")}
        self.next_id = 1

    def rows(self, batch: list[tuple[Any, dict]]) -> list[dict[str, Any]]:
        out = []
        for article, extra in batch:
            url = self.m.canonicalize_url(article.url)
            fields = self.m.article_fields(article)
            row = {"id": self.next_id, "url": url, "site": extra["site"], "province": extra["province"], **fields,
                   "dedup_key": self.m.dedup_key(extra["site"], article.title, article.published_at),
                   "revision": 1, "first_seen_at": extra["seen_at"], "last_seen_at": extra["seen_at"],
                   "last_changed_at": extra["seen_at"]}
            out.append({k: v for k, v in row.items() if k in self.columns})
            self.next_id += 1
        return out

    def insert(self, rows: list[dict[str, Any]]) -> None:
        names = list(rows[0])
        fts = self.m.FTS_COLUMNS
        self.conn.execute("BEGIN")
        self.conn.executemany("INSERT OR IGNORE INTO sites(name) VALUES (?)", [(r["site"],) for r in rows])
        self.conn.executemany(f"INSERT INTO articles ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                              [tuple(r.values()) for r in rows])
        self.conn.executemany("INSERT INTO article_urls (url, article_id, first_seen_at) VALUES (?, ?, ?)",
                              [(r["url"], r["id"], r["first_seen_at"]) for r in rows])
        self.conn.executemany(f"INSERT INTO articles_fts (rowid, {', '.join(fts)}) "
                              f"VALUES (?, {', '.join('?' * len(fts))})",
                              [(r["id"], *(self.m.vn_fold(r.get(c)) for c in fts)) for r in rows])
        self.conn.execute("COMMIT")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = Path(args.root).resolve()
    sys.path.insert(0, str(root))  # the root's crawler package first
    sys.path.append(str(Path(__file__).resolve().parents[2]))  # then this generator
    from bench.scale.generate import DEFAULT_SEED, generate_article, registry_sites
    from crawler.extract.article import Article
    from crawler.store.archive import ArticleStore, article_fields, dedup_key
    from crawler.store.folding import vn_fold
    from crawler.store.schema import FTS_COLUMNS
    from crawler.urls import canonicalize_url

    code = SimpleNamespace(ArticleStore=ArticleStore, article_fields=article_fields, dedup_key=dedup_key,
                           vn_fold=vn_fold, FTS_COLUMNS=FTS_COLUMNS, canonicalize_url=canonicalize_url)
    seed = DEFAULT_SEED if args.seed is None else args.seed
    extra_keys = ("site", "province", "seen_at", "contains")
    store = ArticleStore(args.db)
    for site in registry_sites():
        store.register_site(name=site["name"], origin=site["origin"], province=site["province"] or None,
                            organization=site["organization"], organization_type=site["organization_type"],
                            platform=site["platform"] or None, status=site["status"])
    plain = PlainInserter(args.plain_db, code) if args.plain_db else None
    batched = hasattr(store, "batch")
    real, floor, generation = Clock(), Clock(), Clock()
    planted: dict[str, list[int]] = {}
    milestones: list[dict[str, float]] = []
    with contextlib.ExitStack() as batch:
        if batched:  # the store's own batching (one transaction per batch of upserts)
            batch.enter_context(store.batch())
        for start in range(1, args.size + 1, CHUNK):
            with generation:
                chunk = []
                for n in range(start, min(start + CHUNK, args.size + 1)):
                    fields = generate_article(n, seed)
                    extra = {k: fields.pop(k) for k in extra_keys}
                    for key in extra["contains"]:
                        planted.setdefault(key, []).append(n)
                    chunk.append((Article(**fields), extra))
            with real:
                for article, extra in chunk:
                    store.upsert(article, site=extra["site"], province=extra["province"], seen_at=extra["seen_at"])
            if plain:
                rows = plain.rows(chunk)
                with floor:
                    plain.insert(rows)
            done = start + len(chunk) - 1
            if done in MILESTONES or done == args.size:
                milestones.append({"articles": done, "store_cpu_s": real.cpu, "store_wall_s": real.wall,
                                   "plain_cpu_s": floor.cpu if plain else None,
                                   "plain_wall_s": floor.wall if plain else None})
        with real:  # the end of the last batch commits
            batch.close()
            store.close()
    milestones[-1].update(store_cpu_s=real.cpu, store_wall_s=real.wall)
    report = {"root": str(root), "articles": args.size, "seed": seed, "batched": batched,
              "generate_cpu_s": generation.cpu, "milestones": milestones}
    if args.report:
        Path(args.report).write_text(json.dumps(report, indent=2), encoding="utf-8")
    if args.planted:
        Path(args.planted).write_text(json.dumps({"articles": args.size, "seed": seed, "planted": planted},
                                                 ensure_ascii=False), encoding="utf-8")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
